"""Texts per CPU-second of the two encoder configurations on real dev-split texts.

    python benchmarks/embed_speed.py                       # 3,000 comment units, 600 abstracts
    python benchmarks/embed_speed.py --units 1000 --abstracts 200 --configs torch-chars,torch-tokens

CPU time of this process (``time.process_time``, every thread counted), not wall time: the
machine is shared, and CPU-seconds are what a cold ``reviewer eval`` spends whatever else runs.
Each configuration first encodes one batch untimed (model load, first-call setup),
then the whole sample. Comment units are encoded at 256 tokens and titles + abstracts at 128, as
the eval does. Writes benchmarks/results/embed_speed.json and .md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.embed_sample import BATCH_SIZE, CONFIGS, MAX_TOKENS, encoder, load_split  # noqa: E402
from benchmarks.machine import write_results  # noqa: E402
from reviewer.embed import load_model, token_lengths  # noqa: E402


def measure(config: str, kind: str, texts: list[str]) -> dict[str, Any]:
    """CPU and wall seconds to encode ``texts`` once, after an untimed warm-up batch."""
    encode = encoder(config, MAX_TOKENS[kind])
    encode(texts[:BATCH_SIZE])
    cpu, wall = time.process_time(), time.perf_counter()
    encode(texts)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "texts": len(texts),
        "cpu_s": round(cpu, 2),
        "wall_s": round(wall, 2),
        "texts_per_cpu_s": round(len(texts) / cpu, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=600, help="dev papers the sample is from")
    parser.add_argument("--units", type=int, default=3000, help="comment units (256 tokens)")
    parser.add_argument("--abstracts", type=int, default=600, help="titles + abstracts (128)")
    parser.add_argument("--configs", default=",".join(CONFIGS))
    parser.add_argument("--stem", default="embed_speed", help="results/STEM.{json,md}")
    args = parser.parse_args()
    sample = load_split("dev", args.papers)
    texts = {
        "units": sample.flat_units[: args.units],
        "abstracts": sample.abstracts[: args.abstracts],
    }
    result: dict[str, Any] = {}
    tokenizer = load_model().tokenizer
    for kind, batch in texts.items():
        lengths = token_lengths(tokenizer, batch, MAX_TOKENS[kind])
        result[f"{kind}: texts, mean tokens (cap {MAX_TOKENS[kind]})"] = (
            f"{len(batch)}, {lengths.mean():.1f}"
        )
    rows: dict[str, dict[str, Any]] = {}
    for kind, batch in texts.items():
        for config in args.configs.split(","):
            rows[f"{kind} {config}"] = measure(config, kind, batch)
            print(kind, config, rows[f"{kind} {config}"], flush=True)
    for name, row in rows.items():
        kind = name.split()[0]
        base = rows.get(f"{kind} torch-chars")
        ratio = row["texts_per_cpu_s"] / base["texts_per_cpu_s"] if base else float("nan")
        result[f"{name}: texts/CPU-s (x torch-chars)"] = (
            f"{row['texts_per_cpu_s']} ({ratio:.2f}x; {row['cpu_s']} CPU-s, {row['wall_s']} s wall)"
        )
    cold = _cold_estimate(rows, len(texts["units"]), len(texts["abstracts"]))
    result.update(cold)
    result["raw"] = rows
    path = write_results(
        args.stem,
        "Encoder speed: texts per CPU-second (issue 19)",
        result,
        intro="Real NeurIPS dev-split texts; process CPU time, so other jobs on the machine "
        "do not move the figures much.\n\n",
    )
    print(f"wrote {path}")
    return 0


def _cold_estimate(rows: dict[str, dict[str, Any]], units: int, abstracts: int) -> dict[str, str]:
    """The cold eval's bill at these rates: ~93,100 units at 256 and ~11,800 abstracts at 128."""
    out = {}
    for config in CONFIGS:
        u, a = rows.get(f"units {config}"), rows.get(f"abstracts {config}")
        if u and a and units and abstracts:
            cpu = 93_100 / u["texts_per_cpu_s"] + 11_800 / a["texts_per_cpu_s"]
            out[f"cold eval encoding, predicted CPU-s ({config})"] = f"{np.round(cpu):.0f}"
    return out


if __name__ == "__main__":
    raise SystemExit(main())
