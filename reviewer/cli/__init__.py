"""The ``reviewer`` command line, one module per command group.

- ``app``: the ``reviewer`` group itself; registers every command (``main``);
- ``options``: the options every command that generates reviews shares (also used by
  ``reviewer eval --generate`` and ``reviewer flaws run``), and the one-line error handling;
- ``batch``, ``review``: generate reviews; ``serve``: keep the embedded model running;
- ``forms``, ``cache``, ``data``, ``report``: list forms, manage the cache, fetch reference
  data, write a run's page.

``main`` is imported on first use rather than here: ``reviewer.eval.cli`` and
``reviewer.flaws.cli`` import ``reviewer.cli.options`` while ``app`` imports them, and an eager
import would make that a cycle (``python -m reviewer.eval`` would load ``app`` half-way).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "main":
        from reviewer.cli.app import main

        return main
    raise AttributeError(f"module 'reviewer.cli' has no attribute {name!r}")
