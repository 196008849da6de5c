"""The validated output: ``Review`` is the base every form's schema subclasses.

The base declares no fields on purpose: JSON-schema property order is generation order for
grammar-constrained models, and a form must be free to put its reasoning before its scores.
What every form must have (``overall`` 1-10 and ``decision``) is checked when a form loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr

if TYPE_CHECKING:
    from reviewer.calibration import CalibratedScore

# Scores as enums, not min/max bounds: llama.cpp's schema grammar enforces an enum but not
# ``minimum``/``maximum`` (a 0.5B model wrote presentation 5 on a 1-4 scale).
Score4 = Literal[1, 2, 3, 4]
Score5 = Literal[1, 2, 3, 4, 5]
Score10 = Literal[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

COMMENT_KEYS = ("strengths", "weaknesses", "major_comments", "minor_comments")
"""List fields whose items are comments on the paper: what the eval matches with human ones."""
TEXT_LIST_KEYS = (*COMMENT_KEYS, "questions")
"""List fields whose items the grounding check reads: the comments and the questions."""
SCORE_KEYS = frozenset({"soundness", "presentation", "contribution", "overall", "confidence",
                        "decision"})  # fmt: skip
"""Fields that hold a score or the decision, not text."""
TEXT_FIELDS = ("comment", "text", "content", "description", "body", "point", "issue", "question")
"""Keys of a list item object that hold its text, in order of preference."""


class Review(BaseModel):
    """A schema-valid review. Subclasses (one per form) define the fields."""

    model_config = ConfigDict(extra="forbid")
    # Set by ``Reviewer`` when a calibration applies; never part of the schema or the dump.
    _calibrated: CalibratedScore | None = PrivateAttr(default=None)

    @property
    def calibrated(self) -> CalibratedScore | None:
        """The calibrated overall, decision and interval (``Reviewer`` sets it when a score
        calibration applies to the model and form); the fields above stay the model's raw ones."""
        return self._calibrated

    @property
    def overall_score(self) -> int:
        return int(self.overall)  # type: ignore[attr-defined]

    @property
    def accept(self) -> bool:
        return str(self.decision).lower() == "accept"  # type: ignore[attr-defined]

    def comments(self) -> list[str]:
        """Every list item under the comment-like keys, flattened to text (for eval and checks)."""
        out: list[str] = []
        data = self.model_dump()
        for key in TEXT_LIST_KEYS:
            for item in data.get(key) or []:
                out.append(item_text(item))
        return [c for c in out if c]


def item_text(item: Any) -> str:
    """The text of one list item: a string, or the first text field of an object (a referee
    comment's ``comment``), else its string values joined; one rule for checks and eval alike."""
    if isinstance(item, str):
        return item.strip()
    if isinstance(item, Mapping):
        for key in TEXT_FIELDS:
            value = item.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return " ".join(v for v in item.values() if isinstance(v, str)).strip()
    return str(item).strip() if item is not None else ""
