#!/usr/bin/env bash
# Set up (or update) the project's virtual environment in .venv. Nothing is compiled: the
# embedded model's runtime (llama.cpp's server) comes as a prebuilt wheel (xllamacpp).
#
#   ./setup.sh         what the first command needs: the package with the embedded model and
#                      its score calibration (the [local] extra)
#   ./setup.sh --dev   also the eval harness (CPU torch, sentence-transformers), the input
#                      readers, the OpenReview client, related work (bm25s, the online
#                      sources' clients), the dev tools and the browser for the report's
#                      test: everything the tests need
#
# Safe to rerun: pip skips what is already installed.
set -euo pipefail
cd "$(dirname "$0")"
DEV=0
case "${1:-}" in
  "") ;;
  --dev) DEV=1 ;;
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "setup.sh: unknown option $1 (see ./setup.sh --help)" >&2; exit 2 ;;
esac
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install --quiet --disable-pip-version-check)
if [ "$DEV" = 0 ]; then
  "${PIP[@]}" -e ".[local]"
  echo "setup.sh: ready in .venv (./setup.sh --dev adds what the tests need)"
  exit 0
fi
# torch first, pinned: the CPU build. Any other torch request pulls gigabytes of CUDA.
"${PIP[@]}" "torch==2.13.0"
"${PIP[@]}" -e ".[local,eval,inputs,data,related,online,browser,dev]"
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
echo "setup.sh: ready in .venv, with the eval harness and the dev tools"
