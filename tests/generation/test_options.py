"""Generation options are declared once (``reviewer.generation.options``): the flags, the library's
arguments, the manifest record and the resume check all come from the same fields."""

from __future__ import annotations

from dataclasses import fields

import pytest
from click.testing import CliRunner

from reviewer.cli.app import main
from reviewer.generation.options import GenerationOptions, maker_defaults
from reviewer.runs.batch import MAKER_DEFAULTS, mixed_note


def test_every_option_with_a_flag_is_a_flag_of_batch_and_review() -> None:
    flagged = [f for f in fields(GenerationOptions) if f.metadata["option"] is not None]
    for command in ("batch", "review"):
        text = CliRunner().invoke(main, [command, "--help"]).output
        for f in flagged:
            flag = f.metadata["option"]
            decl = next(d for d in _decls(flag) if d.startswith("--"))
            assert decl.split("/")[0] in text, (command, f.name)


def _decls(option) -> list[str]:
    """The declarations a click option decorator was made with."""

    @option
    def probe(**_: object) -> None: ...

    return list(probe.__click_params__[0].opts)  # type: ignore[attr-defined]


def test_parsed_flags_become_the_options_and_unknown_names_are_refused() -> None:
    values = {"form": "referee", "samples": 3, "check_quotes": False, "model": "m", "out": "x"}
    options = GenerationOptions.from_values(values)
    assert (options.form, options.samples, options.check_quotes) == ("referee", 3, False)
    assert options.max_reasks == GenerationOptions().max_reasks  # not given: the default
    with pytest.raises(TypeError, match="unknown option.*sample.*the options are: form"):
        GenerationOptions().with_changes(sample=2)


def test_the_record_holds_plain_values_for_a_rule_given_in_place_of_a_flag() -> None:
    class Rule:
        def flags(self, comments: list[str]) -> list[bool]:
            return [False] * len(comments)

    record = GenerationOptions(check_generic=Rule()).record()  # type: ignore[arg-type]
    assert record["check_generic"] is True
    assert set(record) == {f.name for f in fields(GenerationOptions)}


def test_the_resume_check_reads_the_options_that_change_a_review() -> None:
    assert maker_defaults() == MAKER_DEFAULTS
    assert {"samples", "reflect", "exemplars", "focus", "temperature", "edit", "related"} == set(
        MAKER_DEFAULTS
    )
    before = {"model": "m", "config": {"samples": 1}, "form": {"name": "sections"}}
    now = {"model": "m", "config": {"samples": 3, "edit": False}, "form": {"name": "sections"}}
    note = mixed_note(before, now, done=4)
    assert note and "samples 1 -> 3" in note and "edit True -> False" in note
