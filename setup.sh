#!/usr/bin/env bash
# Set up (or update) the project's virtual environment in .venv with every extra:
# the embedded local model (llama-cpp-python, compiled once: about 4 minutes on 2 cores),
# the eval harness (CPU torch, sentence-transformers, scikit-learn...), the input readers
# (PDF, BibTeX), the OpenReview client (`reviewer data fetch`), Playwright for the report's
# browser test, and the dev tools.
# Safe to rerun: pip skips what is already installed and reuses the built wheel.
set -euo pipefail
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first, pinned: the CPU build. Any other torch request pulls gigabytes of CUDA.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
# Portable llama.cpp build flags (no -march=native), so the wheel runs on any x86-64 with AVX2.
export CMAKE_ARGS="${CMAKE_ARGS:--DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON}"
.venv/bin/python -m pip install --quiet -e ".[local,eval,inputs,data,browser,dev]"
# Debian's Chromium drives the HTML report's browser test (never `playwright install`, which
# downloads a browser). Without root or apt, that one test is skipped.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup.sh: installing Debian's chromium for the report's browser test"
    (apt-get update -qq && apt-get install -y -qq chromium >/dev/null) \
      || echo "setup.sh: could not install chromium; the browser test will be skipped"
  else
    echo "setup.sh: chromium not found; the browser test will be skipped (apt-get install chromium)"
  fi
fi
echo "setup.sh: environment ready in .venv"
