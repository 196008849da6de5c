"""Twins: every kind applies to every sample paper, fluently placed, seeded, with its key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reviewer.errors import ConfigError
from reviewer.flaws.catalogue import KINDS
from reviewer.flaws.make import (
    CLEAN,
    FULL_TEXT_CHARS,
    KEY_FIELDS,
    make_twins,
    parse_kinds,
    twins,
)
from reviewer.flaws.text import anchored, normalise, sentences
from reviewer.inputs.paper import Paper, read_papers


def test_every_kind_applies_to_every_sample_paper_with_the_stated_key_fields(
    sample_papers: list[Paper],
) -> None:
    assert len(sample_papers) == 100
    named = 0
    for paper in sample_papers:
        out = twins(paper)
        assert [t.key["kind"] for t in out] == [CLEAN, *KINDS]
        clean = out[0]
        assert clean.paper.abstract == paper.abstract and clean.key["planted"] == ""
        named += clean.key["entities"]["method_found"]
        for twin in out[1:]:
            key = twin.key
            assert all(key[f] for f in KEY_FIELDS), key
            assert key["id"] == twin.paper.id == f"{paper.id}--{key['kind']}"
            assert key["source"] == paper.id
            # the planted text is in the twin, the original sentences are kept in order
            for sentence in sentences(key["planted"]):
                assert twin.paper.abstract.count(sentence) == 1
            kept = twin.paper.abstract
            for sentence in sentences(key["planted"]):
                kept = kept.replace(sentence, "", 1)
            assert " ".join(kept.split()).rstrip(".") == " ".join(paper.abstract.split()).rstrip(
                "."
            )
            # every anchor is the flaw's own: named by the flawed twin, absent from the clean one
            assert key["anchors"], key
            for anchor in key["anchors"]:
                assert anchored(twin.paper.abstract, [anchor])
                assert not anchored(paper.abstract, [anchor]), (paper.id, anchor)
            # restating the planted text is not a catch: it holds none of its kind's cue words
            assert not KINDS[key["kind"]].cues.search(normalise(key["planted"])), key["planted"]
            # the entities are the paper's: the method named in the planted text is its own
            if key["entities"]["method_found"]:
                method = key["entities"]["method"]
                assert method in key["planted"]
                assert method in paper.title or method in paper.abstract
    assert named >= 70  # the paper's own method name in most twins (72 of 100 when written)


def test_flaws_go_before_a_closing_code_sentence_and_a_contradiction_keeps_its_order(
    sample_papers: list[Paper],
) -> None:
    albert = next(p for p in sample_papers if p.id.startswith("albert"))
    last = sentences(albert.abstract)[-1]
    assert "github" in last
    for twin in twins(albert)[1:]:
        assert sentences(twin.paper.abstract)[-1] == last
    contradiction = twins(albert)[-1]
    first, second = sentences(contradiction.key["planted"])
    text = contradiction.paper.abstract
    assert text.index(first) < text.index(second)


def test_the_same_seed_gives_the_same_twins_and_another_seed_other_ones(
    sample_papers: list[Paper],
) -> None:
    papers = sample_papers[:10]
    a = [t.key for p in papers for t in twins(p, seed=0)]
    b = [t.key for p in reversed(papers) for t in twins(p, seed=0)]
    c = [t.key for p in papers for t in twins(p, seed=1)]
    assert sorted(json.dumps(k) for k in a) == sorted(json.dumps(k) for k in b)
    assert [k["planted"] for k in a] != [k["planted"] for k in c]


def test_a_full_text_paper_gets_the_flaw_in_its_body() -> None:
    body = (
        "1 Introduction. We present TinyNet for image tagging. "
        "4 Results. TinyNet achieves 91.2% accuracy on CIFAR-10, beating ResNet-18. "
        "5 Conclusion. TinyNet is small."
    )
    paper = Paper(
        id="p",
        title="TinyNet: small nets",
        abstract="We present TinyNet.",
        metadata={"full_text": body},
    )
    for twin in twins(paper)[1:]:
        assert twin.paper.abstract == paper.abstract
        assert twin.key["where"] == "full_text"
        full = twin.paper.metadata["full_text"]
        assert twin.key["planted"].split(". ")[-1] in full and full != body


def test_a_long_full_text_gets_the_flaw_where_the_reviewer_still_reads(
    sample_papers: list[Paper],
) -> None:
    body = " ".join(p.abstract for p in sample_papers[:40])  # far longer than any budget
    assert len(body) > 3 * FULL_TEXT_CHARS
    paper = Paper(
        id="long",
        title="ALBERT: a lite BERT",
        abstract="We present ALBERT.",
        metadata={"full_text": body},
    )
    for twin in twins(paper)[1:]:
        full = twin.paper.metadata["full_text"]
        for sentence in sentences(twin.key["planted"]):
            assert 0 <= full.index(sentence) < FULL_TEXT_CHARS
        assert full.endswith(body[-200:])


def test_make_writes_papers_ready_for_batch_and_a_key(
    tmp_path: Path, sample_papers: list[Paper]
) -> None:
    papers_path, key_path, n = make_twins(sample_papers[:3], tmp_path / "f", kinds=("test_leak",))
    assert n == 3
    twins_read = list(read_papers(papers_path))
    assert all(isinstance(t, Paper) for t in twins_read) and len(twins_read) == 6
    key = [json.loads(line) for line in key_path.read_text().splitlines()]
    assert [k["id"] for k in key] == [t.id for t in twins_read]
    assert {k["kind"] for k in key} == {CLEAN, "test_leak"}
    assert all("test set" in normalise(t.abstract) for t in twins_read if "test_leak" in t.id)


def test_kinds_are_checked() -> None:
    assert parse_kinds(None) == tuple(KINDS)
    assert parse_kinds("contradiction, test_leak") == ("test_leak", "contradiction")
    with pytest.raises(ConfigError, match="unknown flaw kind nope:"):
        parse_kinds("nope")
