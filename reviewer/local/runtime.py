"""The embedded model's server program: llama.cpp's own C++ server from the prebuilt
``xllamacpp`` wheel, run in a child process.

``reviewer.local.server.LocalServer`` starts ``python -m reviewer.local.runtime --model FILE
...``; nothing else imports ``xllamacpp``. The wheel ships llama.cpp compiled for the same CPU
level our own build used (AVX2, FMA, F16C), so no user compiles anything; side by side with a
compiled ``llama-server`` it is measured in benchmarks/RESULTS.md ("Embedded runtime"). It
serves OpenAI-compatible HTTP on loopback with parallel slots, continuous batching, prompt
reuse and grammar-constrained JSON. The repetition penalty is set here as the server's default
and also travels in every request body (``DryPenalty.request_fields``), since the server's
parameters have no sequence breakers.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence

from reviewer.local.dry import DRY

RUNTIME = "xllamacpp"


def version() -> str:
    """The installed runtime's version, part of every embedded cache key (outputs differ
    between llama.cpp builds). Read from the package metadata: importing the extension is
    not needed for that."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version(RUNTIME)
    except PackageNotFoundError:
        return "not-installed"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m reviewer.local.runtime")
    parser.add_argument("--model", required=True, help="GGUF file")
    parser.add_argument("--alias", required=True, help="the model name the server answers to")
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--ctx-size", type=int, required=True, help="context per slot")
    parser.add_argument("--parallel", type=int, default=1, help="slots")
    parser.add_argument("--port", type=int, required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT, then stop the server's loop and exit 0."""
    args = _parser().parse_args(argv)
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.model_alias = {args.alias}  # a set of names
    params.n_parallel = args.parallel
    params.n_ctx = args.ctx_size * args.parallel  # the server splits it between its slots
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.hostnames = ["127.0.0.1"]
    params.port = args.port
    params.ui = False
    params.sampling.dry_multiplier = DRY.multiplier
    params.sampling.dry_base = DRY.base
    params.sampling.dry_allowed_length = DRY.allowed_length
    params.sampling.dry_penalty_last_n = DRY.last_n
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    server = xllamacpp.Server(params)  # loads the model and starts listening
    print(f"reviewer: {RUNTIME} {version()} serving at {server.listening_address}", flush=True)
    stop.wait()
    del server  # stops the server's loop before the interpreter tears down
    return 0


if __name__ == "__main__":
    sys.exit(main())
