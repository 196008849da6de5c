"""Transport retries: one layer, honouring Retry-After, against the FAKE server."""

import time
from collections.abc import Callable

import pytest

from reviewer import EndpointError, Reviewer
from tests.fake_openai import FakeOpenAI, Reply

PAPER = {"id": "a", "title": "A paper", "abstract": "An abstract."}


@pytest.mark.parametrize(
    "fault",
    [
        Reply(status=429, headers={"retry-after": "0"}),
        Reply(status=500),
        Reply(status=503),
        Reply(drop=True),
    ],
    ids=["429", "500", "503", "connection-reset"],
)
def test_transport_faults_are_retried(
    fault: Reply, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(fault, fault)
    outcome = make_reviewer().review_outcome(PAPER)
    assert fake.count == 3
    assert outcome.attempts == 1  # transport retries are not re-asks


def test_retry_after_is_honoured(fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]) -> None:
    fake.enqueue(Reply(status=429, headers={"retry-after": "1"}))
    start = time.perf_counter()
    make_reviewer().review(PAPER)
    assert time.perf_counter() - start >= 1.0
    assert fake.count == 2


def test_attempts_are_bounded_and_sdk_retries_do_not_multiply(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(*[Reply(status=500)] * 10)
    with pytest.raises(EndpointError, match="HTTP 500"):
        make_reviewer(max_retries=2).review(PAPER)
    assert fake.count == 3


def test_read_timeout_cuts_a_hung_request(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(Reply(delay=5.0))
    start = time.perf_counter()
    make_reviewer(timeout=0.5).review(PAPER)
    assert time.perf_counter() - start < 4.0
    assert fake.count == 2


@pytest.mark.parametrize("status", [400, 401, 404])
def test_client_errors_are_not_retried(
    status: int, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(Reply(status=status))
    with pytest.raises(EndpointError) as info:
        make_reviewer().review(PAPER)
    assert fake.count == 1
    assert info.value.fatal == (status in (401, 404))


def test_api_key_is_sent_as_bearer_and_scrubbed_from_errors(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    key = "sk-canary-1234567890"
    fake.enqueue(Reply(status=401, body={"error": {"message": f"bad key {key}"}}))
    with pytest.raises(EndpointError) as info:
        make_reviewer(api_key=key).review(PAPER)
    assert fake.headers[0]["authorization"] == f"Bearer {key}"
    assert key not in str(info.value)


def _formats(fake: FakeOpenAI) -> list[str]:
    return [(r.get("response_format") or {}).get("type", "none") for r in fake.requests]


def test_auto_steps_down_once_under_concurrency(
    tmp_path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """Eight requests rejected for json_schema at once step down to json_object, not past it."""
    from tests.conftest import papers

    fake.latency, fake.reject_formats = 0.2, {"json_schema"}
    summary = make_reviewer(structured="auto").batch(papers(8), tmp_path / "run", concurrency=8)
    assert summary.reviewed == 8 and summary.ok
    sent = _formats(fake)
    assert sent.count("json_schema") == 8  # all in flight together, all rejected
    assert "none" not in sent  # json_object was never skipped
    assert sent.count("json_object") == 8


def test_requests_in_flight_at_a_step_down_to_prompt_carry_the_schema(
    tmp_path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """A request rendered before the step-down to plain prompting is sent with the schema text."""
    from tests.conftest import papers

    fake.latency, fake.reject_formats = 0.2, {"json_schema", "json_object"}
    summary = make_reviewer(structured="auto").batch(papers(8), tmp_path / "run", concurrency=8)
    assert summary.reviewed == 8 and summary.ok
    prompted = [r for r in fake.requests if "response_format" not in r]
    assert len(prompted) == 8
    for request in prompted:
        assert "It must match this JSON schema" in request["messages"][0]["content"]


def test_after_probing_a_500_naming_the_schema_is_a_transport_error_not_a_step_down(
    tmp_path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """json_schema worked for the first paper; a server error on the second (its message
    mentions the schema) is retried and then fails that paper, and the run stays in
    json_schema."""
    from tests.conftest import papers

    crash = Reply(status=500, body={"error": {"message": "schema compiler crashed"}})
    reviewer = make_reviewer(structured="auto", max_retries=2)

    def second_paper_crashes(paper_id: str, summary: object) -> None:
        if paper_id == "p0":
            fake.enqueue(crash, crash, crash)  # every attempt of the next paper

    summary = reviewer.batch(
        papers(3), tmp_path / "run", concurrency=1, progress=second_paper_crashes
    )
    assert (summary.reviewed, summary.failed) == (2, 1)
    assert _formats(fake) == ["json_schema"] * 5  # 1 + three attempts + 1, never json_object
    manifest = (tmp_path / "run" / "manifest.json").read_text()
    assert '"structured_output": "json_schema"' in manifest
