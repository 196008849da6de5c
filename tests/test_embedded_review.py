"""End to end with the REAL embedded model (0.5B): no endpoint configured, offline.

Slow (about a minute on 2 cores) and needs the [local] extra; marked ``local_model``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from reviewer import Reviewer, read_papers
from reviewer.local.dry import DRY
from tests.conftest import EXAMPLES, LOCAL_MODEL

pytestmark = LOCAL_MODEL

# The papers and the name each review must use: a review that never names the method it
# reviews is not about this paper.
NAMES = {
    "albert-a-lite-bert-for-self-supervised-learning-of-language": "albert",
    "opt-open-pre-trained-transformer-language-models": "opt",
    "qlora-efficient-finetuning-of-quantized-llms": "qlora",
}


def _server_processes() -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            servers = ("reviewer.local.runtime", "llama-server")
            if any(name in cmdline for name in servers):
                found.append(cmdline)
    return found


def test_three_sample_papers_reviewed_offline(tmp_path: Path, isolated_env: Path) -> None:
    assert not any(os.environ.get(k) for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL"))
    papers = [p for p in read_papers(EXAMPLES / "papers.jsonl") if p.id in NAMES]
    before = _server_processes()
    with Reviewer(local_model="0.5b") as reviewer:
        assert reviewer.endpoint.embedded
        assert reviewer.public_settings()["grounding_reasks"] == 0  # findings dropped at once
        # the manifest names what made the reviews, the repetition penalty included
        assert reviewer.public_settings()["cache_id"].endswith(DRY.fingerprint())
        summary = reviewer.batch(papers, tmp_path / "run", concurrency=1)
    assert summary.reviewed == 3, (tmp_path / "run" / "errors.jsonl").read_text()
    assert not set(_server_processes()) - set(before)  # no server of ours outlives the run
    for line in (tmp_path / "run" / "reviews.jsonl").read_text().splitlines():
        record = json.loads(line)
        review = record["review"]
        text = " ".join(json.dumps(v) for v in review.values()).lower()
        name = NAMES[record["paper_id"]]
        assert re.search(rf"\b{name}\b", text), f"{record['paper_id']}: {review['summary']}"
        assert 1 <= review["overall"] <= 10 and review["decision"] in ("accept", "reject")
        assert record["usage"]["completion_tokens"] > 100


def test_conference_and_referee_forms_with_the_embedded_model(
    tmp_path: Path, isolated_env: Path
) -> None:
    """The two other built-in forms, end to end on the real model: each schema-valid review
    comes back (re-asks allowed) and is about the paper it was given. Both run on the 0.5B
    since each major comment carries its own authors' response (a count rule across two
    lists was what the 0.5B kept breaking)."""
    paper = next(p for p in read_papers(EXAMPLES / "papers.jsonl") if p.id.startswith("opt-"))
    for form in ("conference", "referee"):
        with Reviewer(local_model="0.5b", form=form) as reviewer:
            summary = reviewer.batch([paper], tmp_path / form, concurrency=1)
        assert summary.reviewed == 1, (tmp_path / form / "errors.jsonl").read_text()
        record = json.loads((tmp_path / form / "reviews.jsonl").read_text())
        review = record["review"]
        assert record["form"] == form
        assert re.search(r"\bopt\b", json.dumps(review).lower()), review
        assert review["decision"] in ("accept", "reject")
