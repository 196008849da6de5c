"""How often the generation-side text rules fire on text written by people (no model involved).

Two rules are measured on human-quality reviews, whose comments are real comments and whose
specifics are real (they were written from the full paper):

* ``textcheck.non_comment`` on human review comments of the train split: every unit it flags
  is a false positive unless the unit really says nothing ("None.", "Further research is
  needed."); a sample of flagged units is printed to judge which.
* the number and name checks (``reviewer.checks.specifics``) on seed 001's five-section reviews
  and on
  train-split human reviews, each checked against its paper's title and abstract, as an
  abstract-only review would be. These reviews cite the full paper, so most flags are numbers
  and names that the abstract truly lacks; the rule errors are the flags that are not a
  specific number or name at all (a common word, a sentence start, a generic acronym). The
  most frequent flagged names are printed for that judgement.

    python benchmarks/grounding_fp.py --papers 1000 > /tmp/grounding-fp.txt  # quotes human reviews:
                                                                # keep it out of the repo
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter

from reviewer.checks.specifics import Source
from reviewer.checks.textcheck import non_comment
from reviewer.references import data_dir, load_references, select
from reviewer.references.segment import review_sections, split_comments

SEED_001 = "seed_001_sections/seed_001_sections.jsonl"
SETS = ("neurips_2023_2025", "iclr_2017")


def _source(title: str, abstract: str) -> str:
    return f"Title: {title}\nAbstract:\n{abstract}"


def _rate(hit: int, total: int) -> str:
    return f"{hit}/{total} = {100 * hit / max(total, 1):.2f}%"


def non_comments(papers: int, rng: random.Random) -> None:
    print("## textcheck.non_comment on human review comments (train split)")
    for name in SETS:
        refs = select(load_references(data_dir() / name), split="train", limit=papers)
        by_section: Counter[str] = Counter()
        flagged_by_section: Counter[str] = Counter()
        flagged: list[str] = []
        for ref in refs:
            for review in ref.reviews:
                for section, body in review_sections(review.text).items():
                    if section == "SUMMARY":
                        continue
                    for unit in split_comments(body):
                        by_section[section or "(free text)"] += 1
                        if non_comment(unit):
                            flagged_by_section[section or "(free text)"] += 1
                            flagged.append(unit)
        total = sum(by_section.values())
        print(f"{name}: {len(refs)} papers, flagged {_rate(len(flagged), total)} of units")
        for section, count in by_section.most_common():
            print(f"  {section}: {_rate(flagged_by_section[section], count)}")
        print("  sample of flagged units:")
        for unit in rng.sample(flagged, min(40, len(flagged))):
            print(f"    - {unit[:160]}")


def _specifics(pairs: list[tuple[str, list[str]]], label: str, rng: random.Random) -> None:
    units = numbers = names = 0
    unit_numbers = unit_names = 0
    flagged_names: Counter[str] = Counter()
    examples: list[str] = []
    number_examples: list[str] = []
    for source_text, texts in pairs:
        source = Source(source_text)
        for text in texts:
            units += 1
            bad_numbers = source.invented_numbers(text)
            bad_names = source.invented_names(text)
            numbers += len(bad_numbers)
            names += len(bad_names)
            unit_numbers += bool(bad_numbers)
            unit_names += bool(bad_names)
            flagged_names.update(bad_names)
            examples.extend(f"{n}  <-  {text[:140]}" for n in bad_names)
            number_examples.extend(f"{n}  <-  {text[:140]}" for n in bad_numbers)
    print(f"{label}: {units} units; with a flagged number {_rate(unit_numbers, units)}; "
          f"with a flagged name {_rate(unit_names, units)}")  # fmt: skip
    print("  most frequent flagged names: " + ", ".join(
        f"{n} ({c})" for n, c in flagged_names.most_common(60)))  # fmt: skip
    print("  random flagged names in context:")
    for line in rng.sample(examples, min(40, len(examples))):
        print(f"    - {line}")
    print("  random flagged numbers in context:")
    for line in rng.sample(number_examples, min(20, len(number_examples))):
        print(f"    - {line}")


def specifics(papers: int, rng: random.Random) -> None:
    print("\n## numbers and names vs the paper's title + abstract")
    seed = [json.loads(line) for line in (data_dir() / SEED_001).open(encoding="utf-8")]
    _specifics(
        [(_source("", r["abstract"]), list(r["review"].values())) for r in seed],
        f"seed 001 ({len(seed)} papers, review paragraphs)",
        rng,
    )
    for name in SETS:
        refs = select(load_references(data_dir() / name), split="train", limit=papers)
        pairs = [
            (_source(r.title, r.abstract), split_comments(review.comment_source))
            for r in refs
            for review in r.reviews
        ]
        _specifics(pairs, f"{name} train ({len(refs)} papers, strengths/weaknesses units)", rng)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1000, help="train papers per set")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    non_comments(args.papers, rng)
    specifics(args.papers, rng)


if __name__ == "__main__":
    main()
