"""The validation stage against the FAKE server: parse, repair, re-ask, cache."""

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reviewer import Reviewer, ReviewFailed
from reviewer.cache import CompletionCache
from reviewer.generation.client import ChatClient, Completion
from reviewer.generation.forms import load_form
from reviewer.generation.generate import Generator, Outcome, check_reply, extract_json
from reviewer.inputs.paper import Paper
from tests.fake_openai import FakeOpenAI, Reply, placeholder_review

PAPER = {"id": "opt", "title": "OPT: Open Pre-trained Transformers", "abstract": "We present OPT."}


def test_extract_json_strips_fences_and_prose() -> None:
    assert extract_json('Sure!\n```json\n{"a": 1}\n```\nDone.') == {"a": 1}
    assert extract_json('Here you go: {"a": {"b": [1]}} hope it helps') == {"a": {"b": [1]}}
    with pytest.raises(ValueError, match="empty"):
        extract_json("  ")
    with pytest.raises(ValueError, match="not valid JSON"):
        extract_json('{"a": ')
    with pytest.raises(ValueError, match="not an object"):
        extract_json("[1, 2]")


def test_check_reply_rejects_truncation_and_out_of_range_scores() -> None:
    form = load_form("sections")
    good = placeholder_review("X")
    assert check_reply(form, Completion(json.dumps(good), "stop", 1, 1)).overall == 6
    with pytest.raises(ValueError, match="cut off"):
        check_reply(form, Completion(json.dumps(good), "length", 1, 1))
    with pytest.raises(ValueError, match="overall"):
        check_reply(form, Completion(json.dumps({**good, "overall": 11}), "stop", 1, 1))
    with pytest.raises(ValueError, match="decision"):
        check_reply(form, Completion(json.dumps({**good, "decision": "maybe"}), "stop", 1, 1))


def test_valid_reply_first_time(fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]) -> None:
    outcome = make_reviewer().review_outcome(PAPER)
    assert outcome.attempts == 1 and not outcome.cached
    assert "OPT" in outcome.review.summary
    assert (outcome.prompt_tokens, outcome.completion_tokens) == (100, 50)
    request = fake.requests[0]
    assert request["response_format"]["type"] == "json_schema"
    assert request["max_tokens"] == load_form("sections", "full").max_tokens  # an endpoint: full
    assert "<paper>" in request["messages"][1]["content"]


@pytest.mark.parametrize(
    "bad",
    [
        Reply(content='{"summary": "unterminated'),
        Reply(content=json.dumps({"verdict": "good"})),
        Reply(content=json.dumps(placeholder_review("OPT")), finish_reason="length"),
        Reply(content=""),
    ],
    ids=["invalid-json", "wrong-schema", "truncated", "empty"],
)
def test_bad_reply_is_sent_back_with_the_error(
    bad: Reply, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(bad)
    outcome = make_reviewer().review_outcome(PAPER)
    assert outcome.attempts == 2
    assert fake.count == 2
    reask = fake.requests[1]["messages"]
    echoed = bad.content if bad.finish_reason != "length" else bad.content[:300] + " [...]"
    assert reask[-2] == {"role": "assistant", "content": echoed}
    assert reask[-1]["role"] == "user" and "could not be used" in reask[-1]["content"]
    assert (outcome.prompt_tokens, outcome.completion_tokens) == (200, 100)
    assert fake.requests[1]["temperature"] == pytest.approx(fake.requests[0]["temperature"] + 0.3)


def test_reasks_are_bounded_and_failure_keeps_reason_and_excerpt(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(*[Reply(content="not json at all")] * 5)
    with pytest.raises(ReviewFailed) as info:
        make_reviewer(max_reasks=2).review(PAPER)
    assert fake.count == 3
    assert info.value.attempts == 3
    assert "not valid JSON" in info.value.reason
    assert info.value.raw_excerpt == "not json at all"


def test_plain_prompt_mode_puts_schema_in_prompt_and_repairs_fences(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(Reply(content="```json\n" + json.dumps(placeholder_review("OPT")) + "\n```"))
    outcome = make_reviewer(structured="prompt").review_outcome(PAPER)
    assert outcome.attempts == 1
    request = fake.requests[0]
    assert "response_format" not in request
    assert '"overall"' in request["messages"][0]["content"]


def test_json_object_mode_sends_schema(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer(structured="json_object").review(PAPER)
    fmt = fake.requests[0]["response_format"]
    assert fmt["type"] == "json_object"
    assert fmt["schema"]["properties"]["overall"]["enum"][-1] == 10


def test_auto_mode_steps_down_when_server_rejects_json_schema(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    rejected = Reply(
        status=500, body={"error": {"message": "response_format json_schema unsupported"}}
    )
    fake.enqueue(rejected)
    outcome = make_reviewer(structured="auto").review_outcome(PAPER)
    assert outcome.attempts == 1
    assert [r["response_format"]["type"] for r in fake.requests] == ["json_schema", "json_object"]


def test_cache_hit_sends_nothing_and_revalidates(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(Reply(content="oops"))  # first reply invalid: the re-ask is cached too
    first = make_reviewer().review_outcome(PAPER)
    assert fake.count == 2 and first.attempts == 2
    again = make_reviewer().review_outcome(PAPER)
    assert fake.count == 2
    assert again.cached and again.attempts == 2
    assert again.review == first.review


def test_no_cache_always_sends(fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]) -> None:
    make_reviewer(cache=False).review(PAPER)
    make_reviewer(cache=False).review(PAPER)
    assert fake.count == 2


def test_cache_key_changes_with_output_relevant_inputs_only(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer().review(PAPER)
    make_reviewer(timeout=99.0, max_retries=2).review(PAPER)  # not part of the key
    make_reviewer(api_key="sk-other").review(PAPER)  # nor is the key
    assert fake.count == 1
    make_reviewer(model="other-model").review(PAPER)
    assert fake.count == 2
    make_reviewer(temperature=0.9).review(PAPER)
    assert fake.count == 3
    make_reviewer().review({**PAPER, "abstract": "We present OPT, changed."})
    assert fake.count == 4
    make_reviewer().review(PAPER, sample=1)
    assert fake.count == 5
    make_reviewer(structured="json_object").review(PAPER)
    assert fake.count == 6


class LoopProbe:
    """Records whether it was called on the event loop's thread (where it would stall every
    request in flight) or off it; stands in for MiniLM-backed exemplars and generic rule."""

    k = 1

    def __init__(self) -> None:
        self.on_loop: list[bool] = []

    def _note(self) -> None:
        try:
            asyncio.get_running_loop()
            self.on_loop.append(True)
        except RuntimeError:
            self.on_loop.append(False)

    def for_paper(self, paper: object) -> list:
        self._note()
        return []

    def flags(self, comments: list[str]) -> list[bool]:
        self._note()
        return [False] * len(comments)


def test_embedding_work_runs_off_the_event_loop(
    tmp_path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    from tests.conftest import papers

    exemplars, generic = LoopProbe(), LoopProbe()
    reviewer = make_reviewer(exemplars=exemplars, check_generic=generic)
    summary = reviewer.batch(papers(4), tmp_path / "run", concurrency=4)
    assert summary.reviewed == 4
    assert exemplars.on_loop == [False] * 4
    assert generic.on_loop and not any(generic.on_loop)


BODY = "The body of the paper. " * 20_000  # about 115,000 tokens of full text


def _with_body(**metadata: object) -> Paper:
    return Paper(id="f", title="Deep Nets", abstract="We train nets.",
                 metadata={"full_text": BODY, **metadata})  # fmt: skip


def _generator(profile: str, context_window: int | None) -> Generator:
    client = ChatClient(base_url="http://127.0.0.1:9/v1", api_key="k", model="m")
    cache = CompletionCache(enabled=False)
    return Generator(client, cache, load_form("sections", profile), context_window=context_window)


def test_full_text_budget_follows_the_context_window() -> None:
    paper = _with_body()
    # the embedded model (4096 tokens, compact): today's 2,000 tokens
    assert _generator("compact", 4096).full_text_budget(paper) == 2000
    # a configured 128k window with the full profile: the profile's cap
    full = load_form("sections", "full")
    assert _generator("full", 128_000).full_text_budget(paper) == full.max_full_text_tokens
    # unknown window: the profile's assumed context minus reply and prompt
    assumed = _generator("full", None).full_text_budget(paper)
    assert 2000 < assumed < full.default_context_window - full.max_tokens
    # and what is sent fits: prompt estimate + reply <= window
    for window in (8192, 32_768):
        generator = _generator("full", window)
        messages = asyncio.run(generator.prompt_for(paper)).messages
        generator._check_size(messages)  # raises when the prompt would not fit
        assert "truncated_input" in asyncio.run(generator.prompt_for(paper)).flags


def test_embedded_repair_splits_glued_words_and_says_so(fake: FakeOpenAI, tmp_path: Path) -> None:
    """The FAKE endpoint answers with words run together, as the embedded model's anti-copy
    penalty makes them; with ``repair_words`` (on for the embedded model) they come back split,
    with a warning naming each repair; without it the text is the model's."""
    pytest.importorskip("wordfreq")
    glued = placeholder_review("Deep Nets") | {
        "summary": "It improves the accuracyof deep nets trained on small images."
    }
    paper = Paper(id="g", title="Deep Nets", abstract="We train nets.")

    def run(repair: bool, **options: Any) -> Outcome:
        fake.enqueue(Reply(content=json.dumps(glued)))
        client = ChatClient(base_url=fake.base_url, api_key="k", model="m")
        cache = CompletionCache(enabled=False)
        form = load_form("sections")
        generator = Generator(client, cache, form, repair_words=repair, **options)
        return asyncio.run(generator.review(paper))

    repaired = run(True)
    assert (
        repaired.review.summary == "It improves the accuracy of deep nets trained on small images."
    )  # type: ignore[attr-defined]
    assert repaired.warnings == ["words: mended 1 damaged word(s): accuracyof -> accuracy of"]
    untouched = run(False)
    assert untouched.review.summary == glued["summary"]  # type: ignore[attr-defined]
    assert untouched.warnings == []
    # a quote escaped twice in the reply's JSON reaches the text as "\\u2018deep nets\\u2019"
    glued["summary"] = "It trains \\u2018deep nets\\u2019 on small images of everyday things."
    escaped = run(True)
    assert escaped.review.summary == (  # type: ignore[attr-defined]
        "It trains \u2018deep nets\u2019 on small images of everyday things."
    )
    assert escaped.warnings == ["words: decoded 2 character(s) written as escapes (\\u2019)"]
    # decoding never costs the review: a summary it would cut below the schema's 40 characters
    # stays as the model wrote it
    glued["summary"] = "It trains \\u2018deep nets\\u2019 on small images."
    kept = run(True, check_quotes=False)
    assert kept.review.summary == glued["summary"]  # type: ignore[attr-defined]
    assert kept.warnings == []


@pytest.mark.parametrize(
    ("rejected", "made_in"),
    [({"json_schema"}, "json_object"), ({"json_schema", "json_object"}, "prompt")],
)
def test_a_reply_made_after_a_step_down_is_cached_under_the_mode_it_was_made_in(
    rejected: set[str], made_in: str, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """``auto`` steps down from json_schema; the reply is the stepped-down mode's, so a run in
    that mode finds it and a run in json_schema does not."""
    fake.reject_formats = rejected
    make_reviewer(structured="auto").review(PAPER)
    sent = fake.count
    fake.reject_formats = set()
    make_reviewer(structured=made_in).review(PAPER)
    assert fake.count == sent  # served from the cache
    make_reviewer(structured="json_schema").review(PAPER)
    assert fake.count == sent + 1  # never served the other mode's reply
    assert fake.requests[-1]["response_format"]["type"] == "json_schema"
