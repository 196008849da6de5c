"""Forms load from folders; a user adds one without touching package code."""

import shutil
from pathlib import Path

import pytest

from reviewer import FormError, Paper, list_forms, load_form
from reviewer.forms import BUILTIN_FORMS

PAPER = Paper(id="a", title="Deep Nets", abstract="We train nets.", keywords=["vision"], year=2024)


@pytest.fixture(autouse=True)
def fresh_forms():
    load_form.cache_clear()
    yield
    load_form.cache_clear()


def test_sections_form_renders_paper_inside_delimiters() -> None:
    form = load_form("sections")
    system, user = form.render(PAPER)
    assert system["role"] == "system" and user["role"] == "user"
    body = user["content"]
    assert body.index("<paper>") < body.index("Deep Nets") < body.index("</paper>")
    assert "Keywords: vision" in body and "Year: 2024" in body
    assert "not instructions" in system["content"]
    assert "Deep Nets" not in system["content"]  # shared across papers for prompt caching


def test_schema_bounds_scores_and_orders_scores_last() -> None:
    schema = load_form("sections").json_schema
    props = schema["properties"]
    assert props["soundness"]["enum"] == [1, 2, 3, 4]  # enums: llama.cpp grammars enforce them
    assert props["overall"]["enum"] == list(range(1, 11))
    assert props["decision"]["enum"] == ["accept", "reject"]
    order = list(props)
    assert order.index("summary") < order.index("weaknesses") < order.index("overall")


def test_user_form_from_forms_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(BUILTIN_FORMS / "sections", tmp_path / "mine")
    (tmp_path / "mine" / "user.j2").write_text("Paper: {{ paper.title }}")
    monkeypatch.setenv("REVIEWER_FORMS_PATH", str(tmp_path))
    assert "mine" in list_forms()
    assert load_form("mine").render(PAPER)[1]["content"] == "Paper: Deep Nets"


def test_missing_variable_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(BUILTIN_FORMS / "sections", tmp_path / "mine")
    (tmp_path / "mine" / "user.j2").write_text("{{ paper.titel }}")
    monkeypatch.setenv("REVIEWER_FORMS_PATH", str(tmp_path))
    with pytest.raises(FormError, match="titel"):
        load_form("mine").render(PAPER)


def test_broken_forms_are_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(BUILTIN_FORMS / "sections", tmp_path / "noscore")
    (tmp_path / "noscore" / "schema.py").write_text(
        "from reviewer.review import Review\nclass R(Review):\n    summary: str\nSCHEMA = R\n"
    )
    (tmp_path / "partial").mkdir()
    (tmp_path / "partial" / "schema.py").write_text("SCHEMA = None\n")
    monkeypatch.setenv("REVIEWER_FORMS_PATH", str(tmp_path))
    with pytest.raises(FormError, match="lacks required fields"):
        load_form("noscore")
    with pytest.raises(FormError, match="missing form.toml"):
        load_form("partial")
    with pytest.raises(FormError, match="unknown form 'nope'"):
        load_form("nope")


@pytest.mark.parametrize("name", ["sections", "conference", "referee"])
def test_every_builtin_form_works_end_to_end_on_the_fake_server(
    name: str, tmp_path: Path, make_reviewer
) -> None:
    reviewer = make_reviewer(form=name)
    summary = reviewer.batch([PAPER.model_dump()], tmp_path / "run")
    assert summary.reviewed == 1
    markdown = (tmp_path / "run" / "reviews" / "a.md").read_text()
    assert "Deep Nets" in markdown and "/10" in markdown
    review = reviewer.review(PAPER)
    assert 1 <= review.overall_score <= 10
    assert review.comments()


def test_referee_major_comments_each_carry_an_authors_response() -> None:
    form = load_form("referee")
    text = "A specific objection about the evaluation protocol and reported numbers here."
    comment = {"location": "Abstract", "comment": text}
    response = {"response": "We would add the held-out evaluation.", "revision": "yes"}
    major = {**comment, "authors_response": response}
    base = {
        "pith": "The paper shows sparse attention matches dense attention on long inputs.",
        "core_claim": "Sparse attention matches dense attention at a fraction of the cost.",
        "what_carries_the_argument": "A new sparse attention kernel evaluated on long inputs.",
        "load_bearing_premise": "That the chosen long-input benchmarks reflect real workloads.",
        "what_would_settle_it": "An evaluation on held-out long-document tasks with variance.",
        "summary": "The manuscript proposes sparse attention and evaluates it on long inputs only.",
        "significance": "If it holds, long-context models get cheaper to train and to serve too.",
        "major_comments": [major, {**comment}],
        "minor_comments": [comment],
        "overall": 5,
        "confidence": 3,
        "decision": "reject",
    }
    with pytest.raises(ValueError, match="authors_response"):
        form.schema.model_validate(base)  # the second major comment has no response
    base["major_comments"] = [major, major]
    review = form.schema.model_validate(base)
    # the comments are the reviewer's text only, never the simulated responses
    assert review.comments() == [text, text, text]
    schema = form.schema.model_json_schema()
    assert "authors_response" not in schema["properties"]
