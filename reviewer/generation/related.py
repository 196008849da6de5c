"""Related work in a prompt: the earlier papers as a fenced block, guarded like the paper, and
the form's one extra field, a novelty paragraph relative to them.

Only the ``full`` profile (a configured, larger model) gets the block in its prompt; the
embedded model's reviews list the related papers beside the review without it: in its prompt,
measured on dev, the block did not raise comment hit rate (docs/related-work.md). Each related
paper's title and abstract pass through the paper's own guard (instructions, hidden
characters, size), and angle brackets become parentheses, so no text of theirs can close or
open a tag of the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, create_model

from reviewer.checks.guard import guard
from reviewer.generation.forms import Form
from reviewer.inputs.paper import Paper

if TYPE_CHECKING:
    from reviewer.related.index import Hit

ABSTRACT_TOKENS = 250
"""Each related abstract's budget in the prompt (the paper's own is 1,500)."""
NOVELTY_MIN_CHARS = 40
IN_PROMPT_PROFILES = frozenset({"full"})
"""Profiles whose prompt carries the related papers; the others only list them."""


@dataclass
class Block:
    """The rendered block, and what the guard found in the related papers' text."""

    text: str
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Shown:
    """One related paper as the template shows it."""

    id: str
    title: str
    abstract: str
    year: int | None
    venue: str | None


def in_prompt(form: Form) -> bool:
    """Whether reviews of this form and profile get the related papers in their prompt."""
    return form.profile in IN_PROMPT_PROFILES


def _defused(text: str) -> str:
    return text.replace("<", "(").replace(">", ")")


def related_block(form: Form, hits: Sequence[Hit]) -> Block:
    """The fenced block of ``hits`` for ``form``'s prompt, each paper guarded first."""
    shown, flags, warnings = [], [], []
    for number, hit in enumerate(hits, start=1):
        p = hit.paper
        guarded = guard(Paper(id=p.paper_id, title=p.title, abstract=p.abstract),
                        max_input_tokens=ABSTRACT_TOKENS)  # fmt: skip
        warnings += [f"related [R{number}] {w}" for w in guarded.warnings
                     if not w.startswith("truncated_input")]  # fmt: skip
        flags += [f for f in guarded.flags if f == "prompt_injection" and f not in flags]
        venue = _defused(p.venue)[:100] if p.venue else None
        shown.append(Shown(f"R{number}", _defused(guarded.paper.title),
                           _defused(guarded.paper.abstract), p.year, venue))  # fmt: skip
    text = form.shared_template("related.j2").render(papers=shown).strip()
    return Block(text, flags, warnings)


def with_novelty(form: Form) -> Form:
    """``form`` whose schema also asks for ``novelty``, a paragraph relative to the related
    papers (after the form's own fields: its order is unchanged)."""
    if "novelty" in form.schema.model_fields:
        return form
    paragraph = Annotated[str, Field(min_length=NOVELTY_MIN_CHARS)]
    schema = create_model(form.schema.__name__, __base__=form.schema, novelty=(paragraph, ...))
    return replace(form, schema=schema)
