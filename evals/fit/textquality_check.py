"""How often the text-quality rules fire on human reviews (their false-alarm floor).

    python evals/fit/textquality_check.py --limit 150      # NeurIPS dev papers, sha256 order

Human reviews were written from the full paper, so only the rules that do not depend on what
the writer saw are checked: glued and damaged words (against the paper's title, keywords and
abstract; a human typo counts as a damaged word) and non-comments (on the harness's comment
units). Prints the rates and every token or unit flagged, to read by eye. Dev only: the rules
were adjusted after reading these.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from reviewer.checks.textcheck import non_comment  # noqa: E402
from reviewer.eval import textquality as tq  # noqa: E402
from reviewer.references import load_references, select  # noqa: E402
from reviewer.references.segment import split_comments  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--references", default="neurips_2023_2025")
    parser.add_argument("--limit", type=int, default=150)
    args = parser.parse_args()
    papers = select(load_references(args.references), split="dev", limit=args.limit)
    words, glued, damaged, units, flagged = 0, [], [], 0, []
    for paper in papers:
        source = tq.paper_source(paper.title, paper.abstract, paper.keywords)
        for review in paper.reviews:
            words += len(tq._WORD.findall(review.text))
            glued += tq.glued_words(review.text, source)
            damaged += tq.damaged_words(review.text, source)
            for unit in split_comments(review.text):
                units += 1
                if non_comment(unit):
                    flagged.append(unit)
    reviews = sum(len(p.reviews) for p in papers)
    print(f"{len(papers)} dev papers, {reviews} human reviews ({tq.TEXT_QUALITY_VERSION})")
    print(f"glued words: {len(glued)} of {words} ({len(glued) / words:.4%}): {glued}")
    print(f"damaged words: {len(damaged)} of {words} ({len(damaged) / words:.4%}): {damaged}")
    print(f"non-comments: {len(flagged)} of {units} units ({len(flagged) / units:.4%})")
    for unit in flagged:
        print(f"  - {unit[:160]}")


if __name__ == "__main__":
    main()
