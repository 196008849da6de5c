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
    assert (props["soundness"]["minimum"], props["soundness"]["maximum"]) == (1, 4)
    assert (props["overall"]["minimum"], props["overall"]["maximum"]) == (1, 10)
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
