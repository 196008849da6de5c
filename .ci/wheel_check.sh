#!/usr/bin/env bash
# The wheel is the product: build it, install it into a fresh venv without extras, and from a
# folder outside the checkout list the forms, review 20 papers against the fake endpoint, use
# the library inside a running event loop (sync, async, streamed) and write the run's HTML
# report; then, with no compiler on PATH, add the [local] extra and review a paper offline (no
# network but loopback) on the embedded 0.5B; then add the [eval] extra and score the 20-paper
# run against a small references fixture (its report.html shares the run report's stylesheet).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$(mktemp -d)"
FAKE_PID=""
cleanup() {
  if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "wheel check: building the wheel"
"${BUILD_PYTHON:-$ROOT/.venv/bin/python}" -m pip wheel --quiet --no-deps --no-build-isolation -w "$WORK/dist" "$ROOT"
WHEEL="$(ls "$WORK"/dist/reviewer-*.whl)"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/python" -m pip install --quiet --upgrade pip
"$WORK/venv/bin/python" -m pip install --quiet "$WHEEL"
REVIEWER="$WORK/venv/bin/reviewer"
export REVIEWER_CACHE_DIR="$WORK/cache" REVIEWER_CONFIG="$WORK/no-config.toml"
unset OPENAI_API_KEY OPENAI_BASE_URL REVIEWER_MODEL REVIEWER_FORMS_PATH REVIEWER_DATA_DIR || true

mkdir "$WORK/outside" && cd "$WORK/outside"
echo "wheel check: reviewer forms (core install, no extras)"
"$REVIEWER" forms | tee forms.txt
grep -q "^sections" forms.txt

# The FAKE OpenAI-compatible endpoint (stdlib only): prints its base URL when it listens.
"$WORK/venv/bin/python" "$ROOT/tests/fake_openai.py" > fake_url.txt &
FAKE_PID=$!
for _ in $(seq 50); do [ -s fake_url.txt ] && break; sleep 0.1; done
URL="$(head -n 1 fake_url.txt)"

echo "wheel check: a 20-paper batch against the fake endpoint at $URL"
"$REVIEWER" batch "$ROOT/tests/fixtures/ci/papers.jsonl" --out run \
  --base-url "$URL" --model fake-model --concurrency 8
test "$(wc -l < run/reviews.jsonl)" -eq 20

echo "wheel check: the library inside a running event loop, sync and async faces, streamed"
URL="$URL" "$WORK/venv/bin/python" - <<'PY'
import asyncio, os
from reviewer import AsyncReviewer, Reviewer

url = os.environ["URL"]
papers = [{"id": f"p{i}", "title": f"Paper {i}", "abstract": "We study a thing."} for i in range(4)]


async def main() -> None:
    with Reviewer(base_url=url, model="fake-model", api_key="sk-test") as sync:
        assert sync.review(papers[0]).overall >= 1  # a sync call where a loop runs
    async with AsyncReviewer(base_url=url, model="fake-model", api_key="sk-test") as r:
        review = await r.review(papers[1])
        done = [result async for result in r.reviews(papers)]
    assert review.overall >= 1 and sorted(x.paper_id for x in done) == [p["id"] for p in papers]
    assert all(x.ok for x in done)
    print("wheel check: library ok,", len(done), "streamed reviews")


asyncio.run(main())
PY

echo "wheel check: the run report (templates and stylesheet from the installed package data)"
rm -f run/index.html
"$REVIEWER" report run
grep -q '<table id="papers-table">' run/index.html
grep -q -- '--accent:#2857c5' run/index.html  # the shared stylesheet, inlined
test "$(grep -c '<tbody class="paper"' run/index.html)" -eq 20

echo "wheel check: [local] extra with no compiler on PATH (cc, gcc, cmake hidden)"
NOCC="$WORK/nocc-bin"
mkdir "$NOCC"
for tool in sh env uname ip; do  # what pip, the venv and the offline namespace call
  if command -v "$tool" >/dev/null; then ln -s "$(command -v "$tool")" "$NOCC/$tool"; fi
done
for tool in cc gcc g++ c++ cmake make; do
  if PATH="$WORK/venv/bin:$NOCC" command -v "$tool" >/dev/null; then
    echo "wheel check: $tool is still on PATH" >&2; exit 1
  fi
done
PATH="$WORK/venv/bin:$NOCC" "$WORK/venv/bin/python" -m pip install --quiet "$WHEEL[local]"
OFFLINE=()
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
  # a network namespace of its own with only loopback up: no route to anywhere else
  OFFLINE=("$(command -v unshare)" -n sh -c "$(command -v ip)"' link set lo up && exec "$@"' offline)
  echo "wheel check: offline (a network namespace with loopback only)"
fi
PATH="$WORK/venv/bin:$NOCC" "${OFFLINE[@]}" "$REVIEWER" review --local-model 0.5b \
  --title "Sparse attention for long documents" \
  --abstract "We propose a sparse attention pattern that scales linearly with sequence length \
and match dense attention on three long-document benchmarks while using 40% less memory." \
  --format json > local-review.json
python3 - <<'PY'
import json
record = json.load(open("local-review.json"))
review = record["review"]
assert review["summary"].strip() and review["decision"] in ("accept", "reject"), review
print("wheel check: embedded review offline,", record["usage"]["completion_tokens"], "tokens")
PY

echo "wheel check: [eval] extra (torch pinned first: any other torch request pulls gigabytes)"
"$WORK/venv/bin/python" -m pip install --quiet "torch==2.13.0"
"$WORK/venv/bin/python" -m pip install --quiet "$WHEEL[eval]"
"$REVIEWER" eval --predictions run --references "$ROOT/tests/fixtures/ci/references" \
  --split test --bootstrap 200 --out eval
grep -q -- '--accent:#2857c5' eval/report.html  # the eval page: the same stylesheet
python3 - <<'PY'
import json
m = json.load(open("eval/metrics.json"))
assert m["references"]["n_papers"] == 20, m["references"]
assert m["rating"]["mae"]["value"] is not None
assert "constant" in m["baselines"], sorted(m["baselines"])
print("wheel check: eval scored", m["references"]["n_papers"], "papers; baselines:",
      ", ".join(sorted(m["baselines"])))
PY
echo "wheel check: passed"
