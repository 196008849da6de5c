"""The repetition penalty of the embedded model, shared by both server programs.

``server.LocalServer`` passes it to llama.cpp's server as flags; ``python_server`` (which runs
in the child process and so imports only this, not the process handling) builds it into its
sampler chain.
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
    or a code address exactly). Both server programs apply it: llama.cpp's server through its
    flags, ``reviewer.local.python_server`` through its own sampler chain.

    The strength was chosen side by side on 9 dev papers (``python benchmarks/embedded_batch.py
    dry``, benchmarks/RESULTS.md): 1.6 from the second repeated token copied 5.3% of the
    abstract's word 5-grams, against 15.8% for the earlier 0.8 from the third, with no more
    damaged words and no invented names.
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

    def server_args(self) -> list[str]:
        """The same penalty as llama.cpp server flags (its defaults for every request)."""
        args = ["--dry-multiplier", str(self.multiplier), "--dry-base", str(self.base),
                "--dry-allowed-length", str(self.allowed_length),
                "--dry-penalty-last-n", str(self.last_n)]  # fmt: skip
        for breaker in self.breakers:
            args += ["--dry-sequence-breaker", breaker]
        return args


DRY = DryPenalty()
