"""Forms load from folders; a user adds one without touching package code."""

import json
import shutil
from pathlib import Path

import pytest

from reviewer import FormError, Paper, list_forms, load_form
from reviewer.generation.forms import BUILTIN_FORMS

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


@pytest.mark.parametrize("name", ["sections", "conference", "referee"])
def test_every_form_shows_what_the_checks_left_unverified(
    name: str, tmp_path: Path, make_reviewer
) -> None:
    reviewer = make_reviewer(form=name)
    reviewer.batch([PAPER.model_dump()], tmp_path / "run")
    record = json.loads((tmp_path / "run" / "reviews.jsonl").read_text().splitlines()[0])
    review = reviewer.form.schema.model_validate(record["review"])
    assert "Not verified" not in reviewer.form.to_markdown(PAPER, review, record)
    record["warnings"] = ['grounding: kept experiments: "RPO-RNN" is not mentioned in the paper']
    markdown = reviewer.form.to_markdown(PAPER, review, record)
    assert '- experiments: "RPO-RNN" is not mentioned in the paper' in markdown
    assert markdown.index("Not verified") < markdown.index("\n---\n")


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


# --- profiles -------------------------------------------------------------------------------

GOLDEN = Path(__file__).resolve().parents[1] / "data" / "compact_prompts.json"


@pytest.mark.parametrize("name", ["sections", "conference", "referee"])
def test_compact_profile_changes_only_on_purpose(name: str) -> None:
    """Rendered messages, template and schema hashes (both part of cache keys) and limits of
    the compact profile equal the golden file (tests/data/compact_prompts.json): what the form
    produced before profiles existed (commit 09631c1), except the sections form's
    reproducibility line, reworded on purpose at 0a53c19. Any other change would silently
    invalidate the embedded model's cached replies and the calibration fitted on them."""
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    papers = [Paper(**p) for p in golden["papers"]]
    expected = golden["forms"][name]
    form = load_form(name, "compact")
    renders = [form.render(p, include_schema=s) for p in papers for s in (False, True)]
    assert renders == expected["renders"]
    assert form.template_hash == expected["template_hash"]
    assert form.schema_hash == expected["schema_hash"]
    limits = ("max_tokens", "temperature", "max_input_tokens", "max_full_text_tokens")
    assert {k: getattr(form, k) for k in limits} == {k: expected[k] for k in limits}


@pytest.mark.parametrize("name", ["sections", "conference", "referee"])
def test_full_profile_asks_for_seed_depth(name: str) -> None:
    compact, full = load_form(name, "compact"), load_form(name, "full")
    system = full.render(PAPER)[0]["content"]
    assert "60-150 words" in system and "at most 30 words" not in system
    assert full.max_tokens > compact.max_tokens
    assert full.max_full_text_tokens > compact.max_full_text_tokens
    assert full.template_hash != compact.template_hash  # the profile is in every cache key
    assert "not instructions" in system and "Deep Nets" not in system
    if name == "referee":
        assert '2-4 objects {"location", "comment", "authors_response"}' in system
    else:
        assert "3-6 specific strengths" in system and "3-6 specific weaknesses" in system


def test_full_sections_profile_raises_list_maxima_only() -> None:
    compact = load_form("sections", "compact").json_schema["properties"]
    full = load_form("sections", "full").json_schema["properties"]
    assert compact["strengths"]["maxItems"] == 3 and full["strengths"]["maxItems"] == 6
    assert full["strengths"]["minItems"] == compact["strengths"]["minItems"] == 1
    assert list(full) == list(compact)  # generation order unchanged
    assert load_form("sections", "full").schema.model_validate(
        {**_placeholder(), "strengths": [f"Strength number {i} of it." for i in range(6)]}
    )


def _placeholder() -> dict:
    from tests.fake_openai import placeholder_review

    return placeholder_review("Deep Nets")


def test_a_profile_is_added_in_form_toml_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(BUILTIN_FORMS / "sections", tmp_path / "mine")
    toml = tmp_path / "mine" / "form.toml"
    toml.write_text(
        toml.read_text() + '\n[profiles.medium]\nsystem = "system_full.j2"\nmax_tokens = 1500\n'
        'paragraph_words = "40-80"\ncomment_words = "15-30"\nstrengths = "2-4"\n'
        'weaknesses = "2-4"\nquestions = "1-3"\nmax_items = { questions = 3 }\n'
    )
    monkeypatch.setenv("REVIEWER_FORMS_PATH", str(tmp_path))
    medium = load_form("mine", "medium")
    system = medium.render(PAPER)[0]["content"]
    assert "40-80 words" in system and "2-4 specific strengths" in system
    assert medium.max_tokens == 1500 and medium.profile == "medium"
    assert medium.json_schema["properties"]["questions"]["maxItems"] == 3


def test_unknown_profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(FormError, match="no profile 'huge'.*compact, full"):
        load_form("sections", "huge")
    shutil.copytree(BUILTIN_FORMS / "sections", tmp_path / "plain")
    toml = tmp_path / "plain" / "form.toml"
    toml.write_text(toml.read_text().split("[profiles.compact]")[0])
    monkeypatch.setenv("REVIEWER_FORMS_PATH", str(tmp_path))
    # a form without profiles keeps its own settings when the profile was chosen automatically
    plain = load_form("plain", "full", explicit=False)
    assert plain.profile == "default" and plain.max_tokens == load_form("plain").max_tokens
    with pytest.raises(FormError, match="no profile 'full'"):
        load_form("plain", "full")


@pytest.mark.parametrize("name", ["sections", "conference", "referee"])
def test_every_form_shows_what_the_checks_changed(name: str, tmp_path: Path, make_reviewer) -> None:
    """Issue 33: no edit is silent. Removed sentences, dropped comments and mended words are
    listed with their reason under the review; what the guard did to the paper is not."""
    reviewer = make_reviewer(form=name)
    reviewer.batch([PAPER.model_dump()], tmp_path / "run")
    record = json.loads((tmp_path / "run" / "reviews.jsonl").read_text().splitlines()[0])
    review = reviewer.form.schema.model_validate(record["review"])
    assert "**Edited.**" not in reviewer.form.to_markdown(PAPER, review, record)
    record["warnings"] = [
        'grounding: removed the sentence with experiments: the number "35%" is not in the paper',
        "words: mended 1 damaged word(s): singleGPU -> single GPU",
        "prompt_injection: 1 instruction-like sentence(s) removed",
    ]
    markdown = reviewer.form.to_markdown(PAPER, review, record)
    assert '- removed the sentence with experiments: the number "35%" is not in' in markdown
    assert "- words: mended 1 damaged word(s): singleGPU -> single GPU" in markdown
    assert "prompt_injection" not in markdown.split("**Edited.**")[1]
    assert markdown.index("**Edited.**") < markdown.index("\n---\n")
