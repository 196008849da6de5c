"""The related-work ground truth (issue 37): earlier NeurIPS papers that human reviews name.

Reads the NeurIPS 2023-2025 reference set in place (``REVIEWER_DATA_DIR`` or the checkout's
``../shared/data``), extracts the pairs with ``reviewer.related.pairs.named_pairs`` and writes
them to ``outputs/related-pairs.jsonl`` (git-ignored: derived from the data, never committed),
printing the counts beside the issue's (1,403 pairs of 1,163 papers: train 1,139, dev 141,
test 123).

    python benchmarks/related_pairs.py [--data NAME_OR_PATH] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from reviewer.references import resolve_references
from reviewer.related.corpus import read_records
from reviewer.related.pairs import Pair, named_pairs

ISSUE = {"pairs": 1403, "papers": 1163, "train": 1139, "dev": 141, "test": 123}
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "outputs" / "related-pairs.jsonl"


def load_pairs(data: str = "neurips_2023_2025") -> list[Pair]:
    """Every pair of the reference set ``data`` (its reviews are read, every one)."""
    return named_pairs(read_records(resolve_references(data)))


def counts(pairs: list[Pair]) -> dict[str, int]:
    splits = Counter(p.split for p in pairs)
    return {"pairs": len(pairs), "papers": len({p.paper_id for p in pairs}),
            **{s: splits.get(s, 0) for s in ("train", "dev", "test")}}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="neurips_2023_2025")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    pairs = load_pairs(args.data)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(asdict(p)) + "\n" for p in pairs), encoding="utf-8")
    found = counts(pairs)
    for key, value in found.items():
        print(f"{key:>7}: {value:>5}  (issue: {ISSUE[key]})")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
