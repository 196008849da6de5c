"""Twins of each paper: one clean, one per flaw kind, each flaw written in and seeded.

The flaw goes into the text the reviewer reads: the full text when the paper carries one
(``metadata.full_text``, PDFs read with ``--full-text``), else the abstract. Every random
choice comes from a generator seeded with (catalogue version, seed, paper id, kind), so the
same command writes the same twins on any machine, in any order.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewer.errors import ConfigError
from reviewer.flaws.catalogue import CATALOGUE_VERSION, KINDS, Placement, Planted, plant
from reviewer.flaws.entities import find_entities
from reviewer.flaws.text import anchored, join, sentences
from reviewer.inputs.paper import CHARS_PER_TOKEN, Paper

CLEAN = "clean"
FULL_TEXT_CHARS = 1500 * CHARS_PER_TOKEN
"""A flaw goes into this much of a full text at most: the smallest full-text budget of the
shipped forms (referee: 1,500 tokens), so the reviewer is never shown a text cut before it."""
KEY_FIELDS = ("id", "source", "kind", "planted", "description")
_RESULT = re.compile(
    r"\d\s?%|\d\s?x\b|\d-fold|achiev|outperform|state-of-the-art|state of the art|\bresults\b|"
    r"surpass|\bimproves?\b.*\bby\b|\breach|\bbeats?\b|\bmatch(?:es|ing)\b",
    re.IGNORECASE,
)
_INTRODUCES = re.compile(
    r"\b(?:we|this paper|this work)\s+(?:present|propose|introduce|develop|describe|design|build)",
    re.IGNORECASE,
)
_CLOSING = re.compile(r"\bcode\b|available|github|https?:|\brelease|open-source|publicly", re.I)


@dataclass(frozen=True)
class Twin:
    """A paper to review and its line of the key."""

    paper: Paper
    key: dict[str, Any]


def _position(parts: Sequence[str], placement: Placement, method: str | None) -> int:
    """Index in ``parts`` before which a sentence with this placement goes."""
    closing = len(parts) - 1 if len(parts) > 1 and _CLOSING.search(parts[-1]) else len(parts)
    body = parts[:closing]
    if placement is Placement.INTRO:
        named = [i for i, s in enumerate(body) if method and method in s]
        named += [i for i, s in enumerate(body) if _INTRODUCES.search(s)]
        return min(min(named, default=0) + 1, closing)
    if placement is Placement.RESULTS:
        hits = [i for i, s in enumerate(body) if i > 0 and _RESULT.search(s)]
        if hits:
            return hits[-1] + 1
    return closing


def insert(text: str, planted: Planted, method: str | None = None) -> str:
    """``text`` with the planted sentences placed; the original sentences keep their order."""
    parts = sentences(text)
    slots: dict[int, list[str]] = {}
    for placement, sentence in planted.sentences:
        slots.setdefault(_position(parts, placement, method), []).append(sentence)
    out: list[str] = []
    for i in range(len(parts) + 1):
        if slots.get(i) and out and not out[-1].rstrip().endswith((".", "!", "?")):
            out[-1] = out[-1].rstrip() + "."  # an abstract cut without its final stop
        out.extend(slots.get(i, []))
        if i < len(parts):
            out.append(parts[i])
    return join(out)


def insert_within(text: str, planted: Planted, method: str | None, limit: int) -> str:
    """``insert`` into the part of ``text`` that fits in ``limit`` characters (cut at a
    sentence end), so a later cut of the text cannot drop the flaw."""
    if len(text) <= limit:
        return insert(text, planted, method)
    cut = text.rfind(". ", 0, limit) + 1 or limit
    return f"{insert(text[:cut], planted, method)} {text[cut:].lstrip()}"


def _rng(seed: int, paper_id: str, kind: str) -> random.Random:
    return random.Random(f"{CATALOGUE_VERSION}|{seed}|{paper_id}|{kind}")


def twins(paper: Paper, *, seed: int = 0, kinds: Sequence[str] = tuple(KINDS)) -> list[Twin]:
    """The clean twin of ``paper``, then one flawed twin per kind in ``kinds``."""
    full = paper.metadata.get("full_text")
    where = "full_text" if isinstance(full, str) and full.strip() else "abstract"
    entities = find_entities(paper.title, paper.abstract)
    method = entities.method.text if entities.method.found else None
    common = {
        "source": paper.id,
        "where": where,
        "entities": entities.as_dict(),
        "catalogue": CATALOGUE_VERSION,
        "seed": seed,
    }
    out = [
        Twin(
            paper.model_copy(update={"id": f"{paper.id}--{CLEAN}"}),
            {
                "id": f"{paper.id}--{CLEAN}",
                "kind": CLEAN,
                "planted": "",
                "description": "",
                "variant": "",
                "anchors": [],
                **common,
            },
        )
    ]
    clean_text = full if where == "full_text" else paper.abstract
    for kind in kinds:
        planted = plant(kind, entities, _rng(seed, paper.id, kind))
        # an anchor the clean text already has would point a clean review at the flaw
        anchors = [a for a in planted.anchors if not anchored(str(clean_text), [a])]
        twin_id = f"{paper.id}--{kind}"
        if where == "full_text":
            update: dict[str, Any] = {
                "metadata": {
                    **paper.metadata,
                    "full_text": insert_within(str(full), planted, method, FULL_TEXT_CHARS),
                }
            }
        else:
            update = {"abstract": insert(paper.abstract, planted, method)}
        out.append(
            Twin(
                paper.model_copy(update={"id": twin_id, **update}),
                {
                    "id": twin_id,
                    "kind": kind,
                    "planted": planted.text,
                    "description": planted.description,
                    "variant": planted.variant,
                    "anchors": anchors,
                    **common,
                },
            )
        )
    return out


def parse_kinds(spec: str | None) -> tuple[str, ...]:
    """``--kinds a,b`` as a tuple in catalogue order; every kind when not given."""
    if not spec:
        return tuple(KINDS)
    wanted = [k.strip() for k in spec.split(",") if k.strip()]
    unknown = [k for k in wanted if k not in KINDS]
    if unknown or not wanted:
        named = ", ".join(unknown) or repr(spec)
        raise ConfigError(f"unknown flaw kind {named}: choose from {', '.join(KINDS)}")
    return tuple(k for k in KINDS if k in wanted)


def make_twins(
    papers: Iterable[Paper], out: Path, *, seed: int = 0, kinds: Sequence[str] = tuple(KINDS)
) -> tuple[Path, Path, int]:
    """Write ``out/papers.jsonl`` (the twins) and ``out/key.jsonl``; returns both and the
    number of source papers."""
    out.mkdir(parents=True, exist_ok=True)
    papers_path, key_path = out / "papers.jsonl", out / "key.jsonl"
    n = 0
    with papers_path.open("w", encoding="utf-8") as pf, key_path.open("w", encoding="utf-8") as kf:
        for paper in papers:
            for twin in twins(paper, seed=seed, kinds=kinds):
                pf.write(json.dumps(twin.paper.model_dump(mode="json"), ensure_ascii=False) + "\n")
                kf.write(json.dumps(twin.key, ensure_ascii=False) + "\n")
            n += 1
    if n == 0:
        raise ConfigError("no papers to plant flaws in")
    return papers_path, key_path, n
