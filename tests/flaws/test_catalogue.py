"""The catalogue: six kinds, seeded variants, anchors taken from the planted text."""

import random

import pytest

from reviewer.flaws.catalogue import CATALOGUE_VERSION, KINDS, plant
from reviewer.flaws.entities import find_entities
from reviewer.flaws.text import anchored

ENTITIES = find_entities(
    "ALBERT: A Lite BERT", "We present ALBERT. It sets a new state of the art on GLUE accuracy."
)


def test_the_catalogue_has_the_six_kinds_of_the_issue_and_a_version() -> None:
    assert set(KINDS) == {
        "impossible_number",
        "unsupported_claim",
        "missing_baseline",
        "single_dataset",
        "test_leak",
        "contradiction",
    }
    assert CATALOGUE_VERSION.startswith("flaws-v")


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_variant_names_the_paper_and_its_anchors_are_in_the_planted_text(kind: str) -> None:
    variants = set()
    for seed in range(40):
        planted = plant(kind, ENTITIES, random.Random(seed))
        variants.add(planted.variant)
        assert planted.kind == kind
        assert "ALBERT" in planted.text and "ALBERT" in planted.description
        assert planted.anchors and all(anchored(planted.text, [a]) for a in planted.anchors)
        # the description names the problem in the kind's own words
        assert KINDS[kind].cues.search(planted.description.lower()), planted.description
    assert len(variants) >= 2


def test_the_same_generator_state_plants_the_same_text() -> None:
    a = plant("impossible_number", ENTITIES, random.Random("x"))
    b = plant("impossible_number", ENTITIES, random.Random("x"))
    assert a == b


def test_an_impossible_number_is_impossible() -> None:
    for seed in range(30):
        p = plant("impossible_number", ENTITIES, random.Random(seed))
        if p.variant == "percent_over_100":
            assert float(p.anchors[0].rstrip("%")) > 100
        else:  # the claimed speed-up is not the ratio of the stated times
            claimed, fast, slow = (float(a.split()[0].rstrip("x")) for a in p.anchors)
            assert abs(claimed - slow / fast) > 1.0
