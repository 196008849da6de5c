"""Schema of the ``conference`` form: the NeurIPS/ICLR reviewer form.

Field order is generation order for grammar-constrained models: reasoning first, scores last.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from reviewer.review import Review, words_at_least

Paragraph = Annotated[str, AfterValidator(words_at_least(12))]
Comment = Annotated[str, AfterValidator(words_at_least(4))]


class ConferenceReview(Review):
    summary: Paragraph
    strengths: list[Comment] = Field(min_length=1, max_length=6)
    weaknesses: list[Comment] = Field(min_length=1, max_length=6)
    questions: list[Comment] = Field(min_length=1, max_length=5)
    limitations: Paragraph
    soundness: int = Field(ge=1, le=4)
    presentation: int = Field(ge=1, le=4)
    contribution: int = Field(ge=1, le=4)
    overall: int = Field(ge=1, le=10)
    confidence: int = Field(ge=1, le=5)
    decision: Literal["accept", "reject"]


SCHEMA = ConferenceReview
