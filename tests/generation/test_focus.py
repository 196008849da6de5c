"""Weakness focus: aspects chosen by lift from the abstract, asked for after the paper (FAKE
server)."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewer import Reviewer
from reviewer.calibration import Prior
from reviewer.errors import ConfigError
from reviewer.generation.focus import DESCRIPTIONS, FOCUS_PATH, AspectFocus, load_focus
from reviewer.inputs.paper import Paper
from tests.conftest import EXAMPLES
from tests.fake_openai import FakeOpenAI

BASE = {
    "motivation": 0.05,
    "originality": 0.08,
    "soundness": 0.2,
    "substance": 0.3,
    "replicability": 0.05,
    "meaningful_comparison": 0.07,
    "clarity": 0.25,
}


def _focus() -> AspectFocus:
    """Two terms: 'theorem' raises soundness, 'benchmark' raises meaningful_comparison; without
    either every aspect sits at its base rate (lift 1)."""
    terms, idf = ["theorem", "benchmark"], [1.0, 1.0]
    weights = {a: [0.0, 0.0] for a in BASE}
    weights["soundness"] = [0.3, 0.0]
    weights["meaningful_comparison"] = [0.0, 0.2]
    weights["replicability"] = [0.0, 0.05]
    priors = {a: Prior(terms, idf, w, BASE[a]) for a, w in weights.items()}
    return AspectFocus(priors, dict(BASE), top=2)


def test_aspects_are_chosen_by_lift_not_by_share() -> None:
    focus = _focus()
    bench = focus.aspects("A benchmark", "We compare on a new benchmark.")
    # substance has the largest share, but meaningful_comparison and replicability rise most
    assert bench == ["meaningful_comparison", "replicability"]
    assert focus.aspects("A theorem", "We prove a theorem.")[0] == "soundness"
    paper = Paper(id="p", title="A benchmark", abstract="A new benchmark.")
    assert focus.for_paper(paper) == [DESCRIPTIONS[a] for a in bench]


def test_round_trip_and_clear_errors(tmp_path: Path) -> None:
    path = tmp_path / "focus.json"
    path.write_text(json.dumps(_focus().to_json()))
    again = load_focus(path)
    assert again.aspects("A theorem", "We prove a theorem.") == _focus().aspects(
        "A theorem", "We prove a theorem."
    )
    with pytest.raises(ConfigError, match="aspect_focus.py"):
        load_focus(tmp_path / "missing.json")
    bad = _focus().to_json()
    bad["aspects"]["novelty!"] = bad["aspects"].pop("originality")
    path.write_text(json.dumps(bad))
    with pytest.raises(ConfigError, match="unknown aspects"):
        load_focus(path)
    path.write_text("{}")
    with pytest.raises(ConfigError, match="cannot read"):
        load_focus(path)


def test_shipped_focus_names_different_aspects_for_different_papers() -> None:
    """The committed fit is paper-specific: its dev check found more than one choice, and two
    sample papers of different kinds get different aspects."""
    focus = load_focus(FOCUS_PATH)
    assert focus.info and focus.info["dev_distinct_choices"] > 1
    chosen = {
        tuple(focus.aspects(p["title"], p["abstract"]))
        for p in map(json.loads, (EXAMPLES / "papers.jsonl").read_text().splitlines()[:20])
    }
    assert len(chosen) > 1 and all(len(c) == 2 for c in chosen)


def test_focus_is_asked_after_the_paper_and_recorded(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer], tmp_path: Path
) -> None:
    paper = Paper(id="b", title="A benchmark", abstract="We compare on a new benchmark.")
    reviewer = make_reviewer(focus=_focus())
    reviewer.review_outcome(paper.model_dump())
    user = fake.requests[0]["messages"][1]["content"]
    assert user.index("</paper>") < user.index(DESCRIPTIONS["meaningful_comparison"])
    assert DESCRIPTIONS["replicability"] in user and DESCRIPTIONS["clarity"] not in user
    assert reviewer._options_record()["focus"] is True
    plain = make_reviewer()
    plain.review_outcome(paper.model_dump())
    assert "more often than usual" not in fake.requests[-1]["messages"][1]["content"]
    assert plain._options_record()["focus"] is False
