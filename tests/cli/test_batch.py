"""``reviewer batch`` against the FAKE server: outputs, exit codes, rejected input lines, no
key leak, the summary line; which mode the flags choose."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from reviewer.cli.batch import ExportRequests, ImportResults, Live, ViaOpenAIBatch, choose_mode
from reviewer.errors import ConfigError
from tests.cli.conftest import CANARY
from tests.conftest import EXAMPLES, papers, write_jsonl
from tests.fake_openai import FakeOpenAI, Reply


def test_batch_of_the_examples_then_zero_requests_from_cache(
    run, tmp_path: Path, fake: FakeOpenAI
) -> None:
    fake.latency = 0.05
    result = run("batch", EXAMPLES / "papers.jsonl", "--out", tmp_path / "a", "--concurrency", 8)
    assert result.exit_code == 0, result.output
    n = sum(1 for _ in (EXAMPLES / "papers.jsonl").open())
    records = [json.loads(x) for x in (tmp_path / "a" / "reviews.jsonl").read_text().splitlines()]
    assert len(records) == n == fake.count
    for record in records:
        for section in (
            "summary",
            "methodology",
            "experiments",
            "reproducibility",
            "limitations",
            "impact",
        ):
            assert record["review"][section]
        assert record["usage"]["prompt_tokens"] > 0
    assert "endpoint" in result.output and "reviewed" in result.output
    result = run("batch", EXAMPLES / "papers.jsonl", "--out", tmp_path / "b")
    assert result.exit_code == 0
    assert fake.count == n
    assert "requests 0" in result.output


def test_partial_run_exits_3(run, tmp_path: Path, fake: FakeOpenAI) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [*papers(2), {"id": "bad"}])
    result = run("batch", path, "--out", tmp_path / "run")
    assert result.exit_code == 3
    assert "errors.jsonl" in result.output


def test_limit_reviews_the_first_papers_and_is_recorded_in_the_manifest(
    run, tmp_path: Path, fake: FakeOpenAI
) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", papers(5))
    result = run("batch", path, "--out", tmp_path / "run", "--limit", 2)
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "run" / "reviews.jsonl").read_text().splitlines()
    assert sorted(json.loads(x)["paper_id"] for x in lines) == ["p0", "p1"]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["config"]["limit"] == 2


def test_focus_asks_for_the_predicted_aspects_and_is_recorded(
    run, tmp_path: Path, fake: FakeOpenAI
) -> None:
    """`--focus` with the committed aspect-focus fit: every prompt ends with two aspects."""
    from reviewer.generation.focus import DESCRIPTIONS

    path = write_jsonl(tmp_path / "in.jsonl", papers(2))
    result = run("batch", path, "--out", tmp_path / "run", "--focus")
    assert result.exit_code == 0, result.output
    for request in fake.requests:
        user = request["messages"][-1]["content"]
        tail = user[user.index("</paper>") :]
        assert sum(text in tail for text in DESCRIPTIONS.values()) == 2
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["config"]["focus"] is True


def test_bad_option_exits_2(run) -> None:
    assert run("batch", "x.jsonl", "--out", "d", "--concurrency", "0").exit_code == 2


def test_api_key_never_written(run, tmp_path: Path, fake: FakeOpenAI, isolated_env: Path) -> None:
    echo = Reply(status=500, body={"error": {"message": f"echo {CANARY}"}})
    fake.enqueue(*[echo] * 10)  # two papers x five attempts: both fail with the echoed key
    path = write_jsonl(tmp_path / "in.jsonl", papers(4))
    result = run("batch", path, "--out", tmp_path / "run", "--concurrency", 1)
    assert result.exit_code == 3
    assert "[redacted]" in (tmp_path / "run" / "errors.jsonl").read_text()
    assert fake.headers[0]["authorization"] == f"Bearer {CANARY}"
    assert CANARY not in result.output
    written = [
        p for root in (tmp_path / "run", isolated_env) for p in root.rglob("*") if p.is_file()
    ]
    assert written
    for path in written:
        assert CANARY.encode() not in path.read_bytes(), path


def test_bad_input_lines_are_named_and_the_rest_reviewed(run, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"id": "ok", "title": "Fine", "abstract": "Fine abstract."})
    huge = json.dumps({"id": "huge", "title": "Huge", "abstract": "word " * 200_000})
    path.write_bytes(
        b"\n".join(
            [
                good.encode(),
                b'{"id": "trunc", "title": "T", "abs',
                b'{"id": "noabs", "title": "T"}',
                b'{"id": "empty", "title": "T", "abstract": ""}',
                b'{"id": "types", "title": ["T"], "abstract": 5.5, "year": "soon"}',
                b'{"id": "bytes", "title": "\xff\xfe", "abstract": "A"}',
                good.encode(),
                huge.encode(),
            ]
        )
        + b"\n"
    )
    result = run("batch", path, "--out", tmp_path / "run")
    assert result.exit_code == 3
    assert "Traceback" not in result.output
    for line in (2, 3, 4, 5, 6, 7):
        assert f"bad.jsonl:{line}:" in result.output
    assert "duplicate id 'ok'" in result.output
    reviews = [json.loads(x) for x in (tmp_path / "run" / "reviews.jsonl").read_text().splitlines()]
    assert {r["paper_id"] for r in reviews} == {"ok", "huge"}
    huge_record = next(r for r in reviews if r["paper_id"] == "huge")
    assert huge_record["flags"] == ["truncated_input"] and huge_record["warnings"]


def test_empty_input_file_exits_2(run, tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("")
    result = run("batch", tmp_path / "empty.jsonl", "--out", tmp_path / "run")
    assert result.exit_code == 2 and "no papers" in result.output


def test_batch_summary_line_leads_with_calibrated_scores(
    run, tmp_path: Path, fake: FakeOpenAI
) -> None:
    from reviewer.calibration.fit import fit
    from tests.calibration.test_calibration import _samples

    fit(_samples()).save(tmp_path / "cal.json")
    path = write_jsonl(tmp_path / "in.jsonl", papers(3))
    result = run("batch", path, "--out", tmp_path / "run", "--calibration", tmp_path / "cal.json")
    assert result.exit_code == 0, result.output
    records = [json.loads(x) for x in (tmp_path / "run" / "reviews.jsonl").read_text().splitlines()]
    mean = sum(r["calibrated"]["overall"] for r in records) / 3
    line = next(x for x in result.output.splitlines() if x.startswith("calibrated scores"))
    assert f"mean overall {mean:.2f}" in line and "model's raw scores: mean" in line
    result = run("batch", path, "--out", tmp_path / "raw", "--calibration", "none")
    assert "scores (raw, uncalibrated): mean" in result.output


def _flags(tmp_path: Path, **given: Any) -> dict[str, Any]:
    """``choose_mode``'s arguments as the command line gives them by default, then ``given``."""
    defaults = {"input_path": tmp_path / "in.jsonl", "out": tmp_path / "run", "limit": None,
                "concurrency": 8, "rpm": None, "tpm": None, "export_requests": None,
                "import_results": None, "via": "live", "poll_seconds": 30.0}  # fmt: skip
    return {**defaults, **given}


@pytest.mark.parametrize(
    ("given", "mode"),
    [
        ({}, Live),
        ({"rpm": 60.0, "tpm": 1e5}, Live),
        ({"export_requests": "r.jsonl", "out": None}, ExportRequests),
        ({"import_results": "results.jsonl"}, ImportResults),
        ({"via": "openai-batch"}, ViaOpenAIBatch),
        # more than one: an export first, then an import, then the Batch API
        ({"export_requests": "r", "import_results": "x", "via": "openai-batch"}, ExportRequests),
        ({"import_results": "x", "via": "openai-batch"}, ImportResults),
    ],
)
def test_the_flags_choose_one_mode(tmp_path: Path, given: dict[str, Any], mode: type) -> None:
    assert type(choose_mode(**_flags(tmp_path, **given))) is mode


def test_live_counts_the_input_lines_for_the_progress_bar(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "in.jsonl", papers(5))
    assert choose_mode(**_flags(tmp_path)) == Live(tmp_path / "run", 8, None, None, total=5)
    assert choose_mode(**_flags(tmp_path, limit=3)).total == 3  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"out": None}, "--out is required"),
        ({"out": None, "import_results": "x"}, "--out is required"),
        ({"export_requests": "r.jsonl", "rpm": 60.0}, "--rpm and --tpm limit live requests"),
        ({"via": "openai-batch", "tpm": 1e5}, "--rpm and --tpm limit live requests"),
    ],
)
def test_flags_another_mode_needs_are_refused(
    tmp_path: Path, given: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        choose_mode(**_flags(tmp_path, **given))


def test_rich_markup_in_input_lines_and_titles_is_shown_as_text(
    run, tmp_path: Path, fake: FakeOpenAI
) -> None:
    """A rejected line holding ``[/]`` and a title holding ``[bold]`` are printed literally;
    the batch ends normally and its manifest says finished."""
    path = tmp_path / "in.jsonl"
    good = {"id": "x[/]", "title": "[bold]Loud[/bold] title", "abstract": "An abstract."}
    again = {"id": "x[/]", "title": "[/]", "abstract": "Another."}  # rejected: duplicate id
    write_jsonl(path, [good, again])
    result = run("batch", path, "--out", tmp_path / "run")
    assert result.exit_code == 3, result.output  # one review, one rejected line
    assert "Traceback" not in result.output and "MarkupError" not in result.output
    assert "duplicate id 'x[/]'" in result.output  # the rejected line's id, as written
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["status"] == "finished"
    record = json.loads((tmp_path / "run" / "reviews.jsonl").read_text())
    assert record["title"] == "[bold]Loud[/bold] title"
    assert "[bold]Loud[/bold] title" in (tmp_path / "run" / "index.html").read_text()


def test_a_second_batch_into_a_busy_out_fails_at_once(
    run, tmp_path: Path, fake: FakeOpenAI
) -> None:
    """Another process holds the run folder (its ``.lock``): one line, exit 2, nothing written;
    once it is gone the same command runs."""
    out = tmp_path / "run"
    out.mkdir()
    holder = textwrap.dedent(
        f"""
        import fcntl, os, sys, time
        fd = os.open({str(out / ".lock")!r}, os.O_RDWR | os.O_CREAT, 0o666)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print("holding", flush=True)
        sys.stdin.readline()
        """
    )
    path = write_jsonl(tmp_path / "in.jsonl", papers(2))
    proc = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        result = run("batch", path, "--out", out)
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)
    assert result.exit_code == 2, result.output
    assert "another run is writing to" in result.output and "Traceback" not in result.output
    assert fake.count == 0 and not (out / "manifest.json").exists()
    assert run("batch", path, "--out", out).exit_code == 0


def test_credentials_in_the_base_url_reach_no_file_and_no_log(
    run, tmp_path: Path, fake: FakeOpenAI, isolated_env: Path
) -> None:
    """``user:password@`` and an ``api_key`` query value are used, never written or shown."""
    host = fake.base_url.split("//", 1)[1].split("/", 1)[0]
    url = f"http://user:secret-pw@{host}/v1?api_key=secret-key&region=eu"
    path = write_jsonl(tmp_path / "in.jsonl", [*papers(2), {"id": "bad"}])  # errors.jsonl too
    result = run("batch", path, "--out", tmp_path / "run", "--base-url", url)
    assert result.exit_code == 3, result.output
    assert fake.count == 2  # the URL worked
    assert "secret" not in result.output
    written = [
        p for root in (tmp_path / "run", isolated_env) for p in root.rglob("*") if p.is_file()
    ]
    assert {p.name for p in written} >= {"manifest.json", "index.html", "errors.jsonl"}
    for file in written:
        assert b"secret" not in file.read_bytes(), file
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert host in manifest["config"]["base_url"] and "region=eu" in manifest["config"]["base_url"]
