"""The repetition penalty of the embedded model, shared by both server programs.

``server.LocalServer`` passes it to llama.cpp's server as flags; ``python_server`` (which runs
in the child process and so imports only this, not the process handling) builds it into its
sampler chain.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DryPenalty:
    """DRY ("don't repeat yourself") penalty over the whole context, the paper included.

    Small models copy the abstract sentence by sentence into every section; DRY makes a token
    that would extend an already-seen run of more than ``allowed_length`` tokens exponentially
    less likely. Quotes, colons, newlines and digits break runs, so JSON structure and numbers
    are never penalised (Qwen spells numbers digit by digit, and a review must be free to repeat
    "175B" exactly). Both server programs apply it: llama.cpp's server through its flags,
    ``reviewer.local.python_server`` through its own sampler chain.
    """

    multiplier: float = 0.8
    base: float = 1.75
    allowed_length: int = 3
    last_n: int = 4096
    breakers: tuple[str, ...] = ("\n", ":", '"', "*", *"0123456789")

    def server_args(self) -> list[str]:
        """The same penalty as llama.cpp server flags (its defaults for every request)."""
        args = ["--dry-multiplier", str(self.multiplier), "--dry-base", str(self.base),
                "--dry-allowed-length", str(self.allowed_length),
                "--dry-penalty-last-n", str(self.last_n)]  # fmt: skip
        for breaker in self.breakers:
            args += ["--dry-sequence-breaker", breaker]
        return args


DRY = DryPenalty()
