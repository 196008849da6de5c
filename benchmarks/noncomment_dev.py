"""What the non-comment rule flags in real human reviews (a false-alarm check on dev).

    python benchmarks/noncomment_dev.py                 # first 300 NeurIPS dev papers
    python benchmarks/noncomment_dev.py --papers 600

Human reviewers rarely write a review item that says nothing about the paper, so every
sentence the rule (``reviewer.checks.textcheck.non_comment``) flags in their reviews is a candidate
false alarm, to be read. The script splits each human review of the first N dev papers (the
eval's fixed sha256 order) into lines and sentences, runs the rule on each, prints every
distinct flagged sentence and writes the counts by kind to benchmarks/results/noncomment-dev.*
(the human text itself stays in ../shared/data).
Run it at two commits to see what a rule change adds.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.machine import write_results  # noqa: E402
from reviewer.checks.textcheck import NON_COMMENT_VERSION, _sentences, non_comment  # noqa: E402
from reviewer.references import data_dir, load_references, select  # noqa: E402


def sentences(text: str) -> list[str]:
    """Each line of a review, cut into sentences: list items and paragraphs alike."""
    return [s for line in text.splitlines() for s in _sentences(line) if s]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=300, help="first N dev papers")
    args = parser.parse_args()
    references = load_references(data_dir() / "neurips_2023_2025")
    papers = select(references, split="dev", limit=args.papers)
    kinds: collections.Counter[str] = collections.Counter()
    flagged: collections.Counter[tuple[str, str]] = collections.Counter()
    total = 0
    for paper in papers:
        for review in paper.reviews:
            for sentence in sentences(review.text):
                total += 1
                kind = non_comment(sentence)
                if kind is not None:
                    kinds[kind] += 1
                    flagged[(kind, sentence)] += 1
    result = {
        "rule": NON_COMMENT_VERSION,
        "papers": len(papers),
        "sentences": total,
        "flagged": sum(kinds.values()),
        "by_kind": dict(kinds),
    }
    for (kind, text), n in sorted(flagged.items(), key=lambda x: (-x[1], x[0])):
        print(f"- {kind} ({n}x): {text}")  # to read; not written: the data stays in ../shared
    title = f"Non-comments flagged in human reviews ({NON_COMMENT_VERSION}, NeurIPS dev)"
    print(write_results("noncomment-dev", title, result))


if __name__ == "__main__":
    main()
