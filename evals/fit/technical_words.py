"""Build the word list that adds the field's vocabulary to wordfreq's, for glued-word checks.

    python evals/fit/technical_words.py          # writes evals/technical_words.txt

wordfreq's English list (general text) lacks words every ML paper uses ("pretrained",
"tokenizer", "subword"), and the glued-word rule would split them into two common words. This
keeps every lower-case word that wordfreq does not know but that at least ``MIN_PAPERS`` train
papers' titles and abstracts use (NeurIPS 2023-2025 and ICLR 2017, train split only): edited
text, where a run-together typo is rare and never shared by several papers. The list is frozen
in the repo and versioned with ``TEXT_QUALITY_VERSION`` (``reviewer/eval/textquality.py``).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from reviewer.checks.glued import KNOWN_ZIPF, WORDS_PATH, zipf  # noqa: E402
from reviewer.references import load_references, select  # noqa: E402

MIN_PAPERS = 3
SETS = ("neurips_2023_2025", "iclr_2017")


def main() -> None:
    papers = [p for name in SETS for p in select(load_references(name), split="train")]
    seen: Counter[str] = Counter()
    for paper in papers:
        seen.update(set(re.findall(r"[a-z]+", f"{paper.title} {paper.abstract}".lower())))
    words = sorted(w for w, n in seen.items() if n >= MIN_PAPERS and len(w) > 2
                   and zipf(w) < KNOWN_ZIPF)  # fmt: skip
    header = (
        f"# words of >= {MIN_PAPERS} train titles+abstracts ({', '.join(SETS)}; "
        f"{len(papers)} papers) unknown to wordfreq en large: evals/fit/technical_words.py\n"
    )
    WORDS_PATH.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words from {len(papers)} train papers -> {WORDS_PATH}")


if __name__ == "__main__":
    main()
