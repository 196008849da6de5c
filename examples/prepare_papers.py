"""Prepare the sample papers in ``examples/`` from the seed page-text files.

One-off data preparation, not a product feature: the seeds are scraped page text, and this
script turns them into clean paper records. Rerun it with::

    python examples/prepare_papers.py [--seeds-dir ../shared/seeds] [--out-dir examples] [--limit N]

It writes ``papers.jsonl`` (the first ``--limit`` papers in seed order, default 100; 0 keeps all),
``paper.json`` (the OPT paper) and ``papers.csv`` (one paper per seed file, to exercise the CSV
reader). Standard library only.

Sources (file names are in the seeds directory):

* ``000_...``: a hub page for ALBERT (title and full abstract).
* ``001_...``: 107 landmark papers with full abstracts but *no titles*. A paper from this file
  is kept only when its exact title appears in another seed (the ALBERT hub's citing-paper
  list or the OPT page's citing-paper list) next to a summary that matches the abstract; see
  ``LANDMARK_TITLES``. The review paragraphs and curator notes are never copied.
* ``002_...``: a machine review page for OPT (title, arXiv id, date, full abstract).
* ``003_...``: a daily listing (title, abstract, author count or organisation, date, upvotes).
* ``004_...``: a search listing (title and abstract).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import unicodedata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"
DEFAULT_OUT_DIR = REPO_ROOT / "examples"

SEED_ALBERT = "000_d46d929bed31b752"
SEED_LANDMARKS = "001_06a6cde976e73bd4"
SEED_OPT = "002_34b97d59650fa997"
SEED_DAILY = "003_56ea15411a913d93"
SEED_SEARCH = "004_6d83ff233e5692df"

# Titles for papers of the landmark file (001), which gives abstracts without titles. Each entry
# is (a phrase that occurs in exactly one 001 abstract, the exact title, the seed that prints
# that title). Every title was checked by hand: the other seed prints it beside a one-line
# summary that describes the same paper (same model name, numbers or benchmarks). The script
# re-checks both that the phrase is unique in 001 and that the title occurs verbatim in the
# named seed. Landmark papers without such evidence are skipped: no title is guessed.
LANDMARK_TITLES: list[tuple[str, str, str]] = [
    (
        "we introduce LLaVA: Large Language and Vision Assistant",
        "Visual Instruction Tuning",
        SEED_OPT,
    ),
    (
        "We present QLoRA, an efficient finetuning approach",
        "QLoRA: Efficient Finetuning of Quantized LLMs",
        SEED_OPT,
    ),
    (
        "we propose PagedAttention, an attention algorithm",
        "Efficient Memory Management for Large Language Model Serving with PagedAttention",
        SEED_OPT,
    ),
    (
        "propose GPTQ, a new one-shot weight quantization method",
        "GPTQ: Accurate Post-Training Quantization for Generative Pre-trained Transformers",
        SEED_OPT,
    ),
    (
        "we train GPT-3, an autoregressive language model with 175 billion parameters",
        "Language Models are Few-Shot Learners",
        SEED_ALBERT,
    ),
    (
        "We propose a new test to measure a text model's multitask accuracy",
        "Measuring Massive Multitask Language Understanding",
        SEED_ALBERT,
    ),
    (
        "a more sample-efficient pre-training task called replaced token detection",
        "ELECTRA: Pre-training Text Encoders as Discriminators Rather Than Generators",
        SEED_ALBERT,
    ),
    (
        "converts all text-based language problems into a text-to-text format",
        "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer",
        SEED_ALBERT,
    ),
    (
        "we propose XLNet, a generalized autoregressive pretraining method",
        "XLNet: Generalized Autoregressive Pretraining for Language Understanding",
        SEED_ALBERT,
    ),
    (
        "intra-layer model parallel approach that enables training transformer models",
        "Megatron-LM: Training Multi-Billion Parameter Language Models Using Model Parallelism",
        SEED_ALBERT,
    ),
]

MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        start=1,
    )
}
# "Jun 22, 2024 3" (date with year, then upvotes), "Oct 14 2" (no year), "Apr 2" (no upvotes).
DAILY_DATE_RE = re.compile(
    r"^(?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<upvotes>\d+))?$"
)
AUTHOR_COUNT_RE = re.compile(r"^•\s*(?P<count>\d+) authors?$")
ARXIV_LINE_RE = re.compile(
    r"^arxiv: (?P<id>\d{4}\.\d{4,5}) · v\d+ · submitted (?P<date>\d{4}-\d{2}-\d{2}) · (?P<rest>.*)$"
)
SLUG_MAX_LEN = 60
# The sample set is meant to be 70-100 papers; the search listing (read last) has more.
DEFAULT_LIMIT = 100
UNKNOWN_INSTITUTION = re.compile(r"^(unknown|not specified)", re.IGNORECASE)


def normalise(text: str) -> str:
    """Collapse all whitespace runs to single spaces."""
    return " ".join(text.split())


def is_truncated(abstract: str) -> bool:
    """True when a listing visibly cut the abstract (ellipsis or no sentence ending)."""
    if abstract.endswith(("…", "...")):
        return True
    last_word = abstract.rsplit(" ", 1)[-1]
    if re.match(r"^https?://\S+$", last_word):
        return False
    return not abstract.endswith((".", "!", "?", ".)", '."', ".'", "'", '"', ")"))


def make_record(
    title: str, abstract: str, year: int | None, url: str | None, metadata: dict
) -> dict:
    abstract = normalise(abstract)
    metadata = dict(metadata)
    if is_truncated(abstract):
        metadata["abstract_truncated"] = True
    return {
        "id": "",
        "title": normalise(title),
        "abstract": abstract,
        "authors": None,
        "venue": None,
        "year": year,
        "keywords": [],
        "url": url,
        "metadata": {key: value for key, value in metadata.items() if value not in (None, "", [])},
    }


def read_lines(path: Path) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]


def seed_path(seeds_dir: Path, stem: str) -> Path:
    return seeds_dir / f"{stem}.txt"


def parse_albert(path: Path) -> list[dict]:
    lines = read_lines(path)
    i = lines.index("abstract")
    if not lines[i - 1].startswith("Canonical reference"):
        raise ValueError(f"{path.name}: unexpected layout around the abstract")
    return [make_record(lines[i - 2], lines[i + 1], None, None, {"source": path.stem})]


def split_institutions(raw: str) -> list[str]:
    """Split 'A, University of California, Berkeley, B' without breaking campus names."""
    parts: list[str] = []
    for piece in (p.strip() for p in raw.split(",")):
        if parts and parts[-1] == "University of California":
            parts[-1] = f"{parts[-1]}, {piece}"
        elif piece:
            parts.append(piece)
    return parts


def parse_landmarks(path: Path, seeds_dir: Path) -> list[dict]:
    lines = read_lines(path)
    blocks = []
    for i, line in enumerate(lines):
        if line.startswith("Primary:"):
            institutions_line = lines[i + 1]
            if not institutions_line.startswith("All Institutions:"):
                raise ValueError(f"{path.name}:{i + 2}: expected 'All Institutions:'")
            blocks.append(
                {
                    "abstract": lines[i - 1],
                    "primary": line.removeprefix("Primary:").strip(),
                    "all": institutions_line.removeprefix("All Institutions:").strip(),
                }
            )
    records = []
    for phrase, title, title_seed in LANDMARK_TITLES:
        matches = [block for block in blocks if phrase in block["abstract"]]
        if len(matches) != 1:
            raise ValueError(f"{path.name}: phrase {phrase!r} matches {len(matches)} abstracts")
        if title not in seed_path(seeds_dir, title_seed).read_text(encoding="utf-8"):
            raise ValueError(f"title {title!r} does not occur in seed {title_seed}")
        block = matches[0]
        institution = None if UNKNOWN_INSTITUTION.match(block["primary"]) else block["primary"]
        institutions = (
            [] if UNKNOWN_INSTITUTION.match(block["all"]) else split_institutions(block["all"])
        )
        metadata = {
            "source": path.stem,
            "title_source": title_seed,
            "institution": institution,
            "institutions": institutions,
        }
        records.append(make_record(title, block["abstract"], None, None, metadata))
    return records


def parse_opt(path: Path) -> list[dict]:
    lines = [line for line in read_lines(path) if line]
    for i, line in enumerate(lines):
        match = ARXIV_LINE_RE.match(line)
        if match:
            title = lines[i + 1]
            break
    else:
        raise ValueError(f"{path.name}: no arXiv line")
    abstract = lines[lines.index("read the original abstract") + 1]
    date = match["date"]
    categories = re.findall(r"\b[a-z\-]+\.[A-Z]{2}\b", match["rest"])
    metadata = {
        "source": path.stem,
        "arxiv_id": match["id"],
        "date": date,
        "categories": categories,
    }
    url = f"https://arxiv.org/abs/{match['id']}"
    return [make_record(title, abstract, int(date[:4]), url, metadata)]


def parse_daily(path: Path) -> list[dict]:
    lines = [line for line in read_lines(path) if line]
    start = lines.index("byAK and the research community") + 2  # skip the page's own date line
    lines = lines[start:]
    # A footer is "<byline>", "·", "<date [upvotes]>"; the byline is "• N authors" or an
    # organisation ("<handle> <Name>"). Some papers have no footer at all.
    footers: dict[int, tuple[str, str]] = {}
    for i, line in enumerate(lines):
        if line == "·":
            footers[i - 1] = (lines[i - 1], lines[i + 1])
    footer_lines = {j for i in footers for j in (i, i + 1, i + 2)}
    records: list[dict] = []
    pending: list[str] = []
    for i, line in enumerate(lines):
        if i in footers:
            if len(pending) != 0 or not records:
                raise ValueError(f"{path.name}: footer without a paper near {line!r}")
            records[-1]["metadata"].update(daily_footer(*footers[i]))
            continue
        if i in footer_lines:
            continue
        pending.append(line)
        if len(pending) == 2:
            title, abstract = pending
            pending = []
            records.append(make_record(title, abstract, None, None, {"source": path.stem}))
    if pending:
        raise ValueError(f"{path.name}: dangling line {pending[0]!r}")
    for record in records:
        date = record["metadata"].get("date")
        if date:
            record["year"] = int(date[:4])
        # make_record dropped empty values; the footer may add keys, keep the order stable.
        record["metadata"] = order_metadata(record["metadata"])
    return records


def daily_footer(byline: str, date_line: str) -> dict:
    metadata: dict = {}
    author_match = AUTHOR_COUNT_RE.match(byline)
    if author_match:
        metadata["author_count"] = int(author_match["count"])
    else:
        _, _, name = byline.partition(" ")
        metadata["organization"] = name or byline
    date_match = DAILY_DATE_RE.match(date_line)
    if not date_match:
        raise ValueError(f"unparsed date line {date_line!r}")
    month, day = MONTHS[date_match["month"]], int(date_match["day"])
    if date_match["year"]:
        metadata["date"] = f"{date_match['year']}-{month:02d}-{day:02d}"
    else:
        metadata["date_text"] = f"{date_match['month']} {day}"  # the listing omits the year
    if date_match["upvotes"]:
        metadata["upvotes"] = int(date_match["upvotes"])
    return metadata


METADATA_ORDER = [
    "source",
    "title_source",
    "arxiv_id",
    "date",
    "date_text",
    "categories",
    "author_count",
    "organization",
    "upvotes",
    "institution",
    "institutions",
    "abstract_truncated",
]


def order_metadata(metadata: dict) -> dict:
    known = {key: metadata[key] for key in METADATA_ORDER if key in metadata}
    return known | {key: value for key, value in metadata.items() if key not in known}


def parse_search(path: Path) -> list[dict]:
    lines = []
    for line in read_lines(path):
        if not line or line.startswith("Get trending papers"):
            continue
        if line.startswith("Subscribe") and line[len("Subscribe") :][:1].isupper():
            line = line[len("Subscribe") :]
        lines.append(line)
    if len(lines) % 2:
        raise ValueError(f"{path.name}: odd number of title/abstract lines")
    records = []
    for title, abstract in zip(lines[::2], lines[1::2], strict=True):
        if len(title) > 300 or len(abstract) < 200:
            raise ValueError(f"{path.name}: title/abstract pairing looks wrong at {title!r}")
        records.append(make_record(title, abstract, None, None, {"source": path.stem}))
    return records


def title_key(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", unicodedata.normalize("NFKD", title).casefold())


def dedupe(records: list[dict]) -> tuple[list[dict], list[tuple[dict, dict]]]:
    """Keep one record per title (the one with the longer abstract), in first-seen order."""
    kept: dict[str, dict] = {}
    dropped: list[tuple[dict, dict]] = []
    for record in records:
        key = title_key(record["title"])
        other = kept.get(key)
        if other is None:
            kept[key] = record
        elif len(record["abstract"]) > len(other["abstract"]):
            kept[key] = record
            dropped.append((other, record))
        else:
            dropped.append((record, other))
    return list(kept.values()), dropped


def slugify(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if len(slug) > SLUG_MAX_LEN:
        cut = slug[: SLUG_MAX_LEN + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:SLUG_MAX_LEN]
    return slug.strip("-") or "paper"


def assign_ids(records: list[dict]) -> None:
    seen: set[str] = set()
    for record in records:
        base = slugify(record["title"])
        slug, n = base, 2
        while slug in seen:
            slug, n = f"{base}-{n}", n + 1
        seen.add(slug)
        record["id"] = slug


def collect(seeds_dir: Path, limit: int) -> tuple[list[dict], list[tuple[dict, dict]]]:
    records = (
        parse_albert(seed_path(seeds_dir, SEED_ALBERT))
        + parse_landmarks(seed_path(seeds_dir, SEED_LANDMARKS), seeds_dir)
        + parse_opt(seed_path(seeds_dir, SEED_OPT))
        + parse_daily(seed_path(seeds_dir, SEED_DAILY))
        + parse_search(seed_path(seeds_dir, SEED_SEARCH))
    )
    records, dropped = dedupe(records)
    if limit > 0:
        records = records[:limit]
    assign_ids(records)
    return records, dropped


def write_outputs(records: list[dict], out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / "papers.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")

    opt = next(r for r in records if r["metadata"]["source"] == SEED_OPT)
    (out_dir / "paper.json").write_text(
        json.dumps(opt, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )

    # One paper per seed file, so the CSV sample covers every source.
    sample, sources = [], set()
    for record in records:
        if record["metadata"]["source"] not in sources:
            sources.add(record["metadata"]["source"])
            sample.append(record)
    with (out_dir / "papers.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL)
        writer.writerow(["paper_id", "title", "abstract", "year"])
        for record in sample:
            year = "" if record["year"] is None else record["year"]
            writer.writerow([record["id"], record["title"], record["abstract"], year])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--seeds-dir",
        type=Path,
        default=DEFAULT_SEEDS_DIR,
        help=f"directory holding the seed .txt files (default: {DEFAULT_SEEDS_DIR})",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"where to write papers.jsonl, paper.json and papers.csv (default: {DEFAULT_OUT_DIR})",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help="keep the first N papers in seed order, 0 for all (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    records, dropped = collect(args.seeds_dir, args.limit)
    write_outputs(records, args.out_dir)

    counts: dict[str, int] = {}
    for record in records:
        counts[record["metadata"]["source"]] = counts.get(record["metadata"]["source"], 0) + 1
    for source, count in sorted(counts.items()):
        print(f"{source}: {count} papers")
    for lost, kept in dropped:
        print(
            f"duplicate dropped: {lost['title']!r} ({lost['metadata']['source']}), "
            f"kept the one from {kept['metadata']['source']}"
        )
    print(f"wrote {len(records)} papers to {args.out_dir / 'papers.jsonl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
