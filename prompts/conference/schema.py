"""Schema of the ``conference`` form: the NeurIPS/ICLR reviewer form.

Field order is generation order for grammar-constrained models: reasoning first, scores last.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from reviewer.review import Review, Score4, Score5, Score10, words_at_least

Paragraph = Annotated[str, AfterValidator(words_at_least(6))]
Comment = Annotated[str, AfterValidator(words_at_least(2))]


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
