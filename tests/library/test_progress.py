"""``progress="bar"`` for library users: the bar's counts, on a stream and on a batch (outside
a notebook; ``tests/test_notebook.py`` shows it in one). Against the FAKE server."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.console import Console

from reviewer import Reviewer
from reviewer.library.progress import ProgressBar, total_of
from tests.conftest import papers
from tests.fake_openai import FakeOpenAI, Reply


def test_the_bar_shows_done_failed_and_total() -> None:
    out = io.StringIO()
    bar = ProgressBar(5, console=Console(file=out, width=100))
    bar.update(2)
    bar.update(4, failed=1)
    bar.close()
    text = out.getvalue()
    assert "reviewing" in text and "4/5" in text and "1 failed" in text


def test_total_is_known_only_without_reading_the_papers() -> None:
    assert total_of(papers(3)) == 3
    assert total_of(iter(papers(3))) is None


def test_a_stream_draws_a_bar_on_stderr(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer], capsys: pytest.CaptureFixture[str]
) -> None:
    fake.enqueue(Reply(content="not json"))
    with make_reviewer(max_reasks=0) as reviewer:
        results = list(reviewer.reviews(papers(3), concurrency=1, progress="bar"))
    assert [r.ok for r in results] == [False, True, True]
    err = capsys.readouterr().err
    assert "3/3" in err and "1 failed" in err


def test_a_batch_draws_a_bar_on_stderr(
    tmp_path: Path, make_reviewer: Callable[..., Reviewer], capsys: pytest.CaptureFixture[str]
) -> None:
    with make_reviewer() as reviewer:
        summary = reviewer.batch(papers(4), tmp_path / "run", progress="bar")
    assert summary.reviewed == 4
    assert "4/4" in capsys.readouterr().err
