"""Schema of the ``conference`` form: the NeurIPS/ICLR reviewer form.

Field order is generation order for grammar-constrained models: reasoning first, scores last.
"""

from typing import Annotated, Literal

from pydantic import Field

from reviewer.review import Review, Score4, Score5, Score10

Paragraph = Annotated[str, Field(min_length=40)]
Comment = Annotated[str, Field(min_length=12)]


class ConferenceReview(Review):
    summary: Paragraph
    strengths: list[Comment] = Field(min_length=1, max_length=6)
    weaknesses: list[Comment] = Field(min_length=1, max_length=6)
    questions: list[Comment] = Field(min_length=1, max_length=5)
    limitations: Paragraph
    soundness: Score4
    presentation: Score4
    contribution: Score4
    overall: Score10
    confidence: Score5
    decision: Literal["accept", "reject"]


SCHEMA = ConferenceReview
