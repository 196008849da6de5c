"""The repetition penalty of the embedded model.

It travels in every request body to the embedded server (``request_fields``), whichever
program serves it: the prebuilt runtime (``reviewer.local.runtime``), a user's own
``llama-server``, or a ``reviewer serve`` started by another command. The server's own defaults
(flags of ``llama-server``, parameters of the runtime) cannot carry the sequence breakers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True)
class DryPenalty:
    """DRY ("don't repeat yourself") penalty over the whole context, the paper included.

    Small models copy the abstract sentence by sentence into every section; DRY makes a token
    that would extend an already-seen run of ``allowed_length`` tokens or more exponentially
    less likely (``multiplier * base ** (run - allowed_length)`` off its logit). Quotes, colons,
    slashes, newlines and digits break runs, so JSON structure, URLs and numbers are never
    penalised (Qwen spells numbers digit by digit, and a review must be free to repeat "175B"
    or a code address exactly).

    The strength was chosen side by side on dev papers (``python benchmarks/embedded_batch.py
    dry``; benchmarks/RESULTS.md, "Copying"): less copying, no more damaged words or invented
    names.
    """

    multiplier: float = 1.6
    base: float = 1.75
    allowed_length: int = 2
    last_n: int = 4096
    breakers: tuple[str, ...] = ("\n", ":", '"', "*", "/", *"0123456789")

    def fingerprint(self) -> str:
        """The settings in a cache key: a completion made under another penalty is another
        completion."""
        breakers = hashlib.sha256("\0".join(self.breakers).encode()).hexdigest()[:8]
        return f"dry{self.multiplier}-{self.base}-{self.allowed_length}-{self.last_n}-{breakers}"

    def request_fields(self) -> dict[str, object]:
        """The penalty as llama.cpp server request fields: sent with every embedded request,
        so a server started elsewhere (``reviewer serve``) applies exactly this one."""
        return {
            "dry_multiplier": self.multiplier,
            "dry_base": self.base,
            "dry_allowed_length": self.allowed_length,
            "dry_penalty_last_n": self.last_n,
            "dry_sequence_breakers": list(self.breakers),
        }


DRY = DryPenalty()
