"""The shared options: one-line errors with exit code 2; endpoint options declared once."""

import os
from pathlib import Path

import click
import pytest

from tests.conftest import papers, write_jsonl


@pytest.mark.parametrize(
    "args, message",
    [
        (["batch", "missing.jsonl", "--out", "x"], "not found"),
        (["batch", "in.jsonl", "--out", "x", "--form", "nope"], "unknown form 'nope'"),
        (["review", "--title", "T"], "give PAPER_FILE"),
    ],
)
def test_user_errors_are_one_line_exit_2(run, tmp_path: Path, args, message) -> None:
    write_jsonl(tmp_path / "in.jsonl", papers(1))
    os.chdir(tmp_path)
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def _declared(command: click.Command, name: str) -> tuple[object, ...]:
    param = next(p for p in command.params if p.name == name)
    assert isinstance(param, click.Option)
    return (tuple(param.opts), param.default, repr(param.type), param.help)


def test_every_command_that_generates_reviews_declares_batchs_endpoint_options() -> None:
    from reviewer.cli.app import main
    from reviewer.cli.eval import eval_command
    from reviewer.cli.flaws import flaws_group

    batch, review = main.commands["batch"], main.commands["review"]
    eval_generate, flaws_run = eval_command, flaws_group.commands["run"]
    for name in ("model", "base_url", "local_model", "form"):
        assert len({_declared(c, name) for c in (batch, review, eval_generate, flaws_run)}) == 1
    concurrency = {_declared(c, "concurrency") for c in (batch, eval_generate, flaws_run)}
    assert len(concurrency) == 1 and next(iter(concurrency))[1] == 8  # batch's default
