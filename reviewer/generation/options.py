"""How a review is generated, declared once: ``GenerationOptions``.

Every generation option is one field here, with its default, its command-line flag and whether
it changes what a review says. The command line's flags (``reviewer.cli.options``), what a
``Reviewer`` or ``AsyncReviewer`` takes, what the manifest and the run report record, and the
resume check (which settings made a run's reviews, ``reviewer.runs.batch``) are all read from these
fields, so a new option is one field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from reviewer.checks.grounding import GenericRule
    from reviewer.generation.exemplars import ExemplarSource
    from reviewer.generation.focus import FocusSource
    from reviewer.related.find import RelatedSource

DEFAULT_MAX_REASKS = 2
F = TypeVar("F", bound=Callable[..., Any])


def _opt(default: Any, *decls: str, maker: bool = False, **click_kwargs: Any) -> Any:
    """A field with its default, its click option (``decls``, the last one its name) and
    ``maker``: whether it changes what a review says (a resumed run with another value holds
    reviews made another way)."""
    option = click.option(*decls, default=default, **click_kwargs) if decls else None
    return field(default=default, metadata={"option": option, "maker": maker})


@dataclass(frozen=True)
class GenerationOptions:
    """How a review is generated, from the form to the checks (not where it is generated: the
    endpoint, model and transport are the ``Reviewer``'s own arguments).

    ``check_generic``, ``exemplars``, ``focus`` and ``related`` also take a ready rule or
    source (tests, or a caller that built one), in place of the flag that builds it."""

    form: str = _opt("sections", "--form", "-f", "form", show_default=True, help="Review form.")
    profile: str | None = _opt(
        None,
        "--profile",
        "profile",
        help="The form's depth profile (see `reviewer forms`). Default: `profile` in the config "
        "file, else full for a configured endpoint, compact for the embedded model.",
    )
    structured: str | None = _opt(
        None,
        "--structured",
        "structured",
        type=click.Choice(["auto", "json_schema", "json_object", "prompt"]),
        help="How to ask for JSON: auto (default) tries json_schema and steps down.",
    )
    cache: bool = _opt(
        True, "--cache/--no-cache", "cache", help="Read and write the cache (default: on)."
    )
    max_reasks: int = _opt(
        DEFAULT_MAX_REASKS,
        "--max-reasks",
        "max_reasks",
        type=click.IntRange(0, 10),
        show_default=True,
        help="Times an invalid reply is sent back to be fixed.",
    )
    grounding_reasks: int | None = _opt(
        None,
        "--grounding-reasks",
        "grounding_reasks",
        type=click.IntRange(0, 10),
        help="Times a valid review with invented numbers, names or quotes, or comments that say "
        "nothing, is sent back before they are dropped (default: --max-reasks; 0 for the "
        "embedded model, whose re-asked replies invented more).",
    )
    temperature: float | None = _opt(None, maker=True)  # the form's own when None
    samples: int = _opt(
        1,
        "--samples",
        "samples",
        maker=True,
        type=click.IntRange(1, 20),
        show_default=True,
        help="Independent reviews per paper, merged by a meta-review.",
    )
    reflect: int = _opt(
        0,
        "--reflect",
        "reflect",
        maker=True,
        type=click.IntRange(0, 5),
        show_default=True,
        help="Self-critique rounds after the (meta-)review.",
    )
    check_quotes: bool = _opt(
        True,
        "--quote-check/--no-quote-check",
        "check_quotes",
        show_default=True,
        help="Re-ask (then drop) comments with quotes, numbers or names not in the paper, and "
        "comments that say nothing (no weaknesses, further research needed).",
    )
    edit: bool = _opt(
        True,
        "--edits/--no-edits",
        "edit",
        maker=True,
        show_default=True,
        help="Apply the checks' edits to the model's text (remove sentences and comments with "
        "names or numbers not in the paper, mend damaged words). --no-edits keeps the text as "
        "the model wrote it and lists what the checks found under 'Not verified'.",
    )
    exemplars: int | ExemplarSource = _opt(
        0,
        "--exemplars",
        "exemplars",
        maker=True,
        type=click.IntRange(0, 5),
        show_default=True,
        help="Human reviews of the K most similar train-split papers shown before the paper "
        "(needs the [eval] extra and the reference data).",
    )
    focus: bool | FocusSource = _opt(
        False,
        "--focus/--no-focus",
        "focus",
        maker=True,
        show_default=True,
        help="Aim the weaknesses at the aspects human reviewers of papers like this one comment "
        "on more than usual, predicted from title and abstract by a model fitted on NeurIPS "
        "train reviews (evals/aspect-focus.json; needs the [eval] extra).",
    )
    related: int | RelatedSource = _opt(
        0,
        "--related",
        "related",
        maker=True,
        type=click.IntRange(0, 20),
        show_default=True,
        help="List the K most similar papers of earlier years beside each review (needs the "
        "[related] and [eval] extras); with the full profile they also go into the prompt, and "
        "the review gets a novelty paragraph relative to them.",
    )
    related_corpus: str | None = _opt(
        None,
        "--related-corpus",
        "related_corpus",
        metavar="NAME|FILE",
        help="Where --related looks: a reference set (default neurips_2023_2025), a papers file, "
        "or openalex, arxiv, semanticscholar (the [online] extra; offline, the local set alone).",
    )
    calibration: str | None = _opt(
        None,
        "--calibration",
        "calibration",
        help="Score calibration file (see `reviewer calibrate`), or none. Default: "
        "evals/score-calibration.json when it exists; calibrated scores go beside the raw ones "
        "in each record.",
    )
    check_generic: bool | GenericRule = _opt(
        False,
        "--generic-check",
        "check_generic",
        is_flag=True,
        help="Also re-ask comments the eval's generic rule flags (needs the [eval] extra and "
        "the reference data; loads an embedding model).",
    )

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> GenerationOptions:
        """The options among ``values`` (a command's parsed flags, or keyword arguments);
        other keys are ignored, missing ones take their defaults."""
        return cls(**{f.name: values[f.name] for f in fields(cls) if f.name in values})

    def with_changes(self, **changes: Any) -> GenerationOptions:
        """These options with ``changes``; a name that is no option is a ``TypeError`` that
        lists them."""
        unknown = sorted(set(changes) - {f.name for f in fields(self)})
        if unknown:
            names = ", ".join(f.name for f in fields(self))
            raise TypeError(f"unknown option(s) {', '.join(unknown)}; the options are: {names}")
        return replace(self, **changes)

    def record(self) -> dict[str, Any]:
        """The options as plain values, as a manifest records them (a rule or source given
        in place of a flag is recorded as the flag it stands for)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["check_generic"] = bool(self.check_generic)
        out["focus"] = bool(self.focus)
        if not isinstance(self.exemplars, int):
            out["exemplars"] = getattr(self.exemplars, "k", 1)
        if not isinstance(self.related, int):
            out["related"] = getattr(self.related, "k", 1)
        return out


def maker_defaults() -> dict[str, Any]:
    """The options that change what a review says, each with its default: what a manifest
    written before an option existed meant by its absence."""
    return {f.name: f.default for f in fields(GenerationOptions) if f.metadata["maker"]}


def cli_option(name: str) -> Callable[[F], F]:
    """The click option of the field ``name``."""
    for f in fields(GenerationOptions):
        if f.name == name and f.metadata["option"] is not None:
            option: Callable[[F], F] = f.metadata["option"]
            return option
    raise KeyError(name)


def cli_options(skip: tuple[str, ...] = ()) -> list[Callable[[F], F]]:
    """Every field's click option in declaration order, except ``skip``."""
    return [
        f.metadata["option"]
        for f in fields(GenerationOptions)
        if f.metadata["option"] is not None and f.name not in skip
    ]
