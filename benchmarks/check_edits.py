"""What the review checks edit, and how often an edit is wrong: a sample to read by hand.

    python benchmarks/check_edits.py --raw RAW --root . --out outputs/edits/now

Applies the review checks (``reviewer.checks.review_checks``: the word repair, then grounding)
of the checkout at ``--root`` to two sets of text:

- the embedded model's reviews of the sample papers, as the model wrote them: a run made with
  ``reviewer batch examples/papers.jsonl --out RAW --no-edits``, each checked against the paper
  text its prompt carried;
- ``--human`` human reviews of NeurIPS dev papers treated as model output: each review's
  sections (summary, strengths, weaknesses, questions, limitations) as the paragraphs of a
  ``sections`` review, checked against the paper's title and abstract (only the human text is
  counted; the other fields hold neutral filler). Human reviewers read the whole paper, more
  than the abstract, so grounding runs with ``complete=False``: what the abstract lacks is
  reported, not removed. The same reviews are also run as if a model had written them from
  the abstract alone ("human as-model"), to count what that would remove.

Every edit is one mended word or name, or one removed sentence or comment. Writes
OUT/edits.jsonl (every edit with the text it changed, its reason and the paper text),
OUT/sample.md (``--sample`` edits of each set drawn with a fixed seed, to be read by hand: is
the edit wrong, i.e. was the text it changed correct?) and OUT/counts.json.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

SECTIONS = ("SUMMARY", "STRENGTHS", "WEAKNESSES", "QUESTIONS", "LIMITATIONS")
FIELDS = {"SUMMARY": "summary", "STRENGTHS": "methodology", "WEAKNESSES": "experiments",
          "QUESTIONS": "reproducibility", "LIMITATIONS": "limitations"}  # fmt: skip
FILLER = "This field holds neutral filler text for the measurement of edits only."


def load(root: Path) -> tuple[Any, Any]:
    """``reviewer.checks`` and ``load_form`` of the checkout at ``root`` (a checks package with
    the ``complete`` switch: commit 038342f's copy of this script measures older ones)."""
    sys.path.insert(0, str(root))
    for name in [m for m in sys.modules if m == "reviewer" or m.startswith("reviewer.")]:
        del sys.modules[name]
    from reviewer import checks
    from reviewer.generation.forms import load_form

    if not Path(checks.__file__).resolve().is_relative_to(root):
        raise SystemExit(f"{checks.__file__} is not from {root}")
    return checks, load_form


def sentences_gone(before: str, after: str) -> list[str]:
    """The sentences of ``before`` that ``after`` no longer has."""
    split = re.compile(r"(?<=[.!?])\s+|\n+")
    kept = set(s.strip() for s in split.split(after))
    return [s.strip() for s in split.split(before) if s.strip() and s.strip() not in kept]


def edits_of(review: Any, source: str, checks: Any, order: Any, fields: set[str] | None):
    """(kind, field, changed text, reason) for every edit the checks make to ``review``, and
    the number of findings they only reported."""
    repair, ground = order
    out = [("word", "", fix, "damaged word mended") for fix in repair.find(review, source)]
    review, _ = repair.fix(review, (), source)
    findings = ground.find(review, source)
    kept, lines = ground.fix(review, findings, source)
    lines = [line.removeprefix("grounding: ") for line in lines]
    out += [("name", "", line, "misspelt name mended") for line in lines
            if line.startswith("mended ")]  # fmt: skip
    after = kept.model_dump()
    before = review.model_dump()
    for f in findings:  # a mended name is counted above, not as its sentence or comment gone
        if f.kind == "misspelt_name":
            at = (before, f.field) if f.index < 0 else (before[f.field], f.index)
            at[0][at[1]] = checks.grounding.respell(at[0][at[1]], f.detail, f.spelling)
    for key, value in before.items():
        if fields is not None and key not in fields:
            continue
        if isinstance(value, str) and value != after.get(key):
            reasons = [x for x in lines if x.startswith("removed") and f" {key}:" in x]
            for gone in sentences_gone(value, after[key]):
                out.append(("sentence", key, gone, "; ".join(reasons)[:400]))
        elif isinstance(value, list) and value != after.get(key):
            reasons = [x for x in lines if x.startswith(f"dropped {key} ")]
            for item in value:
                if item not in after[key]:
                    out.append(("comment", key, json.dumps(item), "; ".join(reasons)[:400]))
    reported = sum(1 for line in lines if line.startswith("kept "))
    return out, reported


def model_reviews(raw: Path, load_form: Any) -> list[tuple[str, Any, str, set[str] | None]]:
    """(paper id, unedited review, paper text the prompt carried, None) from a --no-edits run."""
    from reviewer import read_papers

    examples = Path(__file__).resolve().parent.parent / "examples" / "papers.jsonl"
    papers = {p.id: p for p in read_papers(examples) if not isinstance(p, Exception)}
    form = load_form("sections")
    out = []
    for line in (raw / "reviews.jsonl").read_text().splitlines():
        record = json.loads(line)
        paper = papers[record["paper_id"]]
        source = form.render(paper)[-1]["content"]
        out.append((paper.id, form.schema.model_validate(record["review"]), source, None))
    return out


def human_reviews(n: int, load_form: Any) -> list[tuple[str, Any, str, set[str] | None]]:
    """``n`` human reviews of NeurIPS dev papers as ``sections`` reviews (see the docstring)."""
    from reviewer.references import data_dir, load_references, select

    form = load_form("sections")
    base = {"summary": FILLER, "methodology": FILLER, "experiments": FILLER,
            "reproducibility": FILLER, "limitations": FILLER, "impact": FILLER,
            "strengths": [FILLER, FILLER], "weaknesses": [FILLER, FILLER], "questions": [FILLER],
            "soundness": 3, "presentation": 3, "contribution": 3, "overall": 5, "confidence": 3,
            "decision": "reject"}  # fmt: skip
    out = []
    for ref in select(load_references(data_dir() / "neurips_2023_2025"), split="dev"):
        for review in ref.reviews:
            parts = re.split(rf"^({'|'.join(SECTIONS)}):\s*$", review.text, flags=re.M)
            sections = {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
            fields = {FIELDS[k]: v for k, v in sections.items() if len(v) >= 40}
            if len(fields) < 3:
                continue
            try:
                parsed = form.schema.model_validate({**base, **fields})
            except ValueError:
                continue
            source = f"Title: {ref.title}\n\nAbstract: {ref.abstract}"
            out.append((ref.paper_id, parsed, source, set(fields)))
            if len(out) >= n:
                return out
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="a run made with --no-edits")
    parser.add_argument("--root", type=Path, required=True, help="the checkout whose checks run")
    parser.add_argument("--human", type=int, default=150, help="human dev reviews")
    parser.add_argument("--sample", type=int, default=50, help="edits of each set to read")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    checks, load_form = load(args.root.resolve())
    review_checks = checks.review_checks
    # the model saw exactly its prompt; a human reviewer saw the whole paper, more than the
    # abstract the review is checked against; the same human text as if a model wrote it from
    # the abstract alone is counted too (``as-model``), to show what that would remove
    sets = (("model", model_reviews(args.raw, load_form), review_checks()),
            ("human", human_reviews(args.human, load_form), review_checks(complete=False)),
            ("human as-model", human_reviews(args.human, load_form), review_checks()))  # fmt: skip
    rows, reported = [], Counter()
    for origin, items, order in sets:
        for paper_id, review, source, fields in items:
            edits, kept = edits_of(review, source, checks, order, fields)
            reported[origin] += kept
            for kind, field, text, reason in edits:
                rows.append({"origin": origin, "paper_id": paper_id, "kind": kind,
                             "field": field, "text": text, "reason": reason,
                             "source": source[-1500:]})  # fmt: skip
        print(f"{origin}: {len(items)} reviews", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "edits.jsonl").open("w") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    counts = Counter(f"{r['origin']} {r['kind']}" for r in rows)
    counts.update({f"{origin} reported, not edited": n for origin, n in reported.items()})
    (args.out / "counts.json").write_text(json.dumps(dict(sorted(counts.items())), indent=1))
    lines = [f"# Edits of {args.root} to read by hand ({args.sample} of each set)\n"]
    for origin in ("model", "human"):
        pool = [r for r in rows if r["origin"] == origin]
        drawn = random.Random(33).sample(pool, min(args.sample, len(pool)))
        lines.append(f"# {origin}: {len(drawn)} of {len(pool)} edits\n")
        for n, r in enumerate(drawn, 1):
            head = f"## {n}. {r['origin']} {r['kind']} {r['field']} ({r['paper_id']})"
            lines.append(f"{head}\n\nchanged: {r['text']}\n\nreason: {r['reason']}\n\nverdict: \n")
    (args.out / "sample.md").write_text("\n".join(lines))
    print(json.dumps(dict(sorted(counts.items()))))


if __name__ == "__main__":
    main()
