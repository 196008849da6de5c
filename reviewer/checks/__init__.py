"""The checks: what the pipeline finds in, repairs in or removes from text it does not trust,
the paper going into a prompt and the model's review coming out.

Every check has one interface (:class:`Check`): a ``kind``; ``find`` (what is wrong, and where);
``fix`` (the text with exactly those findings mended or removed, and one line per edit with
its reason, for the record's warnings and the reader); ``describe`` (a finding in words). They
run in one declared order:

- on the paper before it enters a prompt: :class:`Guard` (instructions to a reviewer or a
  model, hidden characters, our own delimiters, the size budget);
- on each valid review (:func:`review_checks`): :class:`WordRepair` first (damaged words
  mended from the paper's own words, else "singleGPU" would read as an invented name), then
  :class:`Grounding` (quotes, numbers, names, non-comments, release claims, cut-off sentences:
  re-asked first by ``reviewer.generation.generate``, then removed);
- on a review whose prompt carried related work (``reviewer.related``): :class:`RelatedCitations`
  (a related paper the review cites must be one it was given).

The rules they apply live beside them: ``specifics`` (numbers and names), ``textcheck``
(comments that say nothing), ``release`` (claims of released code or data), ``generic`` (the
eval's generic-comment rule). The eval's frozen text-quality measure
(``reviewer.eval.textquality``) calls the same finders under a version tag of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from pydantic import ValidationError

from reviewer.checks import grounding, guard, notes, related, words
from reviewer.inputs.paper import Paper
from reviewer.review import Review

T = TypeVar("T")
F = TypeVar("F")


class Check(Protocol[T, F]):
    """One check over a ``T`` (a review or a paper) whose findings are ``F``s; ``source`` is
    the paper text the model was shown (what a review is checked against)."""

    kind: str

    def find(self, target: T, source: str) -> list[F]:
        """What is wrong in ``target``."""
        ...

    def fix(self, target: T, findings: Sequence[F], source: str) -> tuple[T, list[str]]:
        """``target`` with ``findings`` mended or removed, and one line per edit."""
        ...

    def describe(self, finding: F) -> str:
        """The finding in words, with where it is."""
        ...


@dataclass(frozen=True)
class WordRepair:
    """Words the embedded model's anti-copy penalty damaged, mended from the paper's own words
    (``reviewer.checks.words``); a finding is one repair, ``"singleGPU -> single GPU"``."""

    kind: str = "words"

    def find(self, target: Review, source: str) -> list[str]:
        return words.repair_value(words.unescape_value(target.model_dump())[0], source)[1]

    def fix(self, target: Review, findings: Sequence[str], source: str) -> tuple[Review, list[str]]:
        """The repairs are made where they were found, all in one pass over the review (and
        characters the model wrote as escapes, "\\u2019", decoded)."""
        data, escapes = words.unescape_value(target.model_dump())
        data, fixes = words.repair_value(data, source)
        notes = []
        if escapes:
            notes.append(f"words: decoded {escapes} character(s) written as escapes (\\u2019)")
        if fixes:
            shown = "; ".join(fixes[:5]) + ("; ..." if len(fixes) > 5 else "")
            notes.append(f"words: mended {len(fixes)} damaged word(s): {shown}")
        if not notes:
            return target, []
        try:
            return type(target).model_validate(data), notes
        except ValidationError:  # decoding made a field shorter than its schema allows
            return target, []

    def describe(self, finding: str) -> str:
        return f"damaged word {finding}"


@dataclass(frozen=True)
class Grounding:
    """Parts of a review not grounded in the paper (``reviewer.checks.grounding``): removed
    where the schema allows, listed as kept otherwise."""

    generic: grounding.GenericRule | None = None
    # the source is all the writer saw (a model's prompt); False for text written from more
    # (a human review checked against the abstract): absences are then reported, not removed
    complete: bool = True
    kind: str = "grounding"

    def find(self, target: Review, source: str) -> list[grounding.Finding]:
        return grounding.find(target, source, self.generic, self.complete)

    def fix(
        self, target: Review, findings: Sequence[grounding.Finding], source: str = ""
    ) -> tuple[Review, list[str]]:
        review, lines = grounding.drop(target, findings)
        return review, [notes.WARNING + line for line in lines]

    def describe(self, finding: grounding.Finding) -> str:
        return finding.describe()


@dataclass(frozen=True)
class Guard:
    """What a paper may put into a prompt (``reviewer.checks.guard``), within a form's budget."""

    max_input_tokens: int
    max_full_text_tokens: int = 2000
    kind: str = "guard"

    def find(self, target: Paper, source: str = "") -> list[str]:
        return guard.scan(target)

    def fix(
        self, target: Paper, findings: Sequence[str] = (), source: str = ""
    ) -> tuple[Paper, list[str]]:
        guarded = self.guarded(target)
        return guarded.paper, guarded.warnings

    def guarded(self, target: Paper) -> guard.Guarded:
        """The cleaned paper with the flags and warnings a run records."""
        return guard.guard(
            target,
            max_input_tokens=self.max_input_tokens,
            max_full_text_tokens=self.max_full_text_tokens,
        )

    def describe(self, finding: str) -> str:
        return finding


@dataclass(frozen=True)
class RelatedCitations:
    """Citations of papers the review was not given among its related work
    (``reviewer.checks.related``): an id it was never shown is removed, an author-named paper
    reported; a review without related work in its prompt has no findings."""

    kind: str = "related"

    def find(self, target: Review, source: str) -> list[related.Citation]:
        return related.find(target, source)

    def fix(
        self, target: Review, findings: Sequence[related.Citation], source: str = ""
    ) -> tuple[Review, list[str]]:
        review, lines = related.drop(target, findings)
        return review, [notes.WARNING + line for line in lines]

    def describe(self, finding: related.Citation) -> str:
        return finding.describe()


def review_checks(
    generic: grounding.GenericRule | None = None, complete: bool = True
) -> tuple[WordRepair, Grounding]:
    """The review checks in the order they run: words first, then grounding (with the
    generic-comment rule when one is enabled; ``complete``: see :class:`Grounding`)."""
    return WordRepair(), Grounding(generic, complete)
