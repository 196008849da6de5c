"""Schema of the ``sections`` form: five analysis paragraphs, comment lists, scores, decision.

Field order is generation order for grammar-constrained models: reasoning first, scores last.
"""

from typing import Literal

from pydantic import Field

from reviewer.review import Review

Paragraph = Field(min_length=40, max_length=1500)
Comments = Field(min_length=1, max_length=6)


class SectionsReview(Review):
    summary: str = Field(min_length=40, max_length=1200)
    methodology: str = Paragraph
    experiments: str = Paragraph
    reproducibility: str = Paragraph
    limitations: str = Paragraph
    impact: str = Paragraph
    strengths: list[str] = Comments
    weaknesses: list[str] = Comments
    questions: list[str] = Field(min_length=1, max_length=5)
    soundness: int = Field(ge=1, le=4)
    presentation: int = Field(ge=1, le=4)
    contribution: int = Field(ge=1, le=4)
    overall: int = Field(ge=1, le=10)
    confidence: int = Field(ge=1, le=5)
    decision: Literal["accept", "reject"]


SCHEMA = SectionsReview
