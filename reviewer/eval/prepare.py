"""What an eval embeds, and embedding it ahead of time (``reviewer data embed``).

An eval pays for the texts its papers need and nothing more: the selected papers' human comment
units, every scored system's comment and aspect units (ours and the neighbour baselines'), the
generic rule's reference pool and, for the MiniLM nearest-neighbour baseline only, the train
titles and abstracts. ``run_eval`` and ``prepare`` gather them with the same functions, so what
is prepared is exactly what an eval of the same papers then reads from the cache. Vectors are a
function of the text alone (``reviewer.embed``), so it makes no difference to any figure which
run embedded them first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewer.checks import generic
from reviewer.embed import ABSTRACT_MAX_TOKENS, Embedder, Encoder, Progress
from reviewer.errors import ConfigError
from reviewer.eval.baselines import (
    ALL_BASELINES,
    abstract_prior_baseline,
    constant_baseline,
    lexical_neighbour_baseline,
    nearest_neighbour_baseline,
)
from reviewer.eval.predictions import Prediction
from reviewer.eval.scoring import Prepared
from reviewer.references import (
    Reference,
    is_form_reference_set,
    load_references,
    resolve_references,
    select,
)

Systems = dict[str, dict[str, Prediction]]
StageProgress = Callable[[str, int, int], None]
"""Told after each batch: what is embedded (``ABSTRACTS`` or ``UNITS``), texts done, to do."""
ABSTRACTS = "titles and abstracts"
UNITS = "comment units"


def stage(progress: StageProgress | None, name: str) -> Progress | bool:
    """An Embedder's ``progress`` for one stage: the callback bound to ``name``, else lines."""
    if progress is None:
        return True
    return lambda done, total: progress(name, done, total)


def build_baselines(
    names: Sequence[str],
    everything: list[Reference],
    train: list[Reference],
    papers: list[Reference],
    abstract_encoder: Callable[[], Encoder],
    log: Callable[[str], None] = lambda msg: None,
) -> tuple[Systems, dict[str, str]]:
    """The named baselines' predictions for ``papers``, and the reason each skipped one was.

    ``abstract_encoder`` is called only when the MiniLM nearest neighbour is asked for."""
    builders: dict[str, Callable[[], dict[str, Prediction]]] = {
        "constant": lambda: constant_baseline(train, papers),
        "lexical-neighbour": lambda: lexical_neighbour_baseline(train, papers),
        "nearest-neighbour": lambda: nearest_neighbour_baseline(train, papers, abstract_encoder()),
        # every year's train papers: the prior learns offsets from each venue-year's mean
        "abstract-prior": lambda: abstract_prior_baseline(
            select(everything, split="train"), papers
        ),
    }
    systems: Systems = {}
    skipped: dict[str, str] = {}
    for name in names:
        try:
            systems[name] = builders[name]()
        except ConfigError as exc:  # no (or a small) train split: everything else is scored
            skipped[name] = str(exc)
            log(f"{name} baseline skipped: {exc}")
    return systems, skipped


def comment_texts(
    prep: Prepared, pool_units: Iterable[Sequence[str]], systems: Systems
) -> list[str]:
    """Every comment text an eval embeds: human units, the generic pool, systems' units."""
    texts = [u for paper in prep.human_comments for r in paper for u in r]
    texts += [u for units in pool_units for u in units]
    for preds in systems.values():
        for pred in preds.values():
            texts.extend(pred.comments)
            texts.extend(pred.aspect_units)
    return texts


@dataclass(frozen=True)
class Preparation:
    """What ``prepare`` found and embedded."""

    references: Path
    papers: int
    comment_texts: int  # distinct comment texts an eval of these papers reads
    embedded_abstracts: int  # titles and abstracts that went to the model (not cached before)
    embedded_units: int  # comment texts that went to the model
    seconds: float
    skipped: dict[str, str]


def prepare(
    references: str | Path | None,
    *,
    split: str | None = "test",
    years: Sequence[int] = (),
    limit: int | None = None,
    baselines: Sequence[str] = ALL_BASELINES,
    cache_dir: Path | None = None,
    progress: StageProgress | None = None,
    log: Callable[[str], None] = lambda msg: None,
) -> Preparation:
    """Embed into the cache every reference-side text an eval of these papers needs (all
    but the reviews it scores), so the eval itself encodes only those reviews."""
    start = time.perf_counter()
    root = resolve_references(references)
    everything = load_references(root)
    papers = select(everything, split=split, years=years, limit=limit)
    if not papers:
        raise ConfigError(f"no reference papers in {root} for split={split} years={list(years)}")
    if is_form_reference_set(papers):
        raise ConfigError(
            f"{root.name} is a form reference set: its eval embeds only the paragraphs of the "
            "reviews it scores, so there is nothing to prepare"
        )
    train = select(everything, split="train", years=years)
    abstracts = Embedder(ABSTRACT_MAX_TOKENS, cache_dir=cache_dir,
                         progress=stage(progress, ABSTRACTS))  # fmt: skip
    units = Embedder(cache_dir=cache_dir, progress=stage(progress, UNITS))
    try:
        systems, skipped = build_baselines(
            baselines, everything, train, papers, lambda: abstracts, log
        )
        pool_units, _ = generic.generic_reference_pool(train, papers)
        texts = list(dict.fromkeys(comment_texts(Prepared.build(papers), pool_units, systems)))
        units.encode(texts)
    finally:
        abstracts.close()
        units.close()
    return Preparation(
        references=root,
        papers=len(papers),
        comment_texts=len(texts),
        embedded_abstracts=abstracts.encoded,
        embedded_units=units.encoded,
        seconds=round(time.perf_counter() - start, 1),
        skipped=skipped,
    )
