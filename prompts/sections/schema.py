"""Schema of the ``sections`` form: five analysis paragraphs, comment lists, scores, decision.

Field order is generation order for grammar-constrained models: reasoning first, scores last.
Texts carry a minimum length (llama.cpp's grammar enforces ``minLength``, so a small model
cannot answer "Yes" for a paragraph) but no maximum: a large ``maxLength`` becomes a grammar
llama.cpp cannot parse. Length is bounded by the prompt and the form's ``max_tokens``.
"""

from typing import Annotated, Literal

from pydantic import Field

from reviewer.review import Review, Score4, Score5, Score10

Paragraph = Annotated[str, Field(min_length=40)]
Comment = Annotated[str, Field(min_length=12)]


class SectionsReview(Review):
    summary: Paragraph
    methodology: Paragraph
    experiments: Paragraph
    reproducibility: Paragraph
    limitations: Paragraph
    impact: Paragraph
    strengths: list[Comment] = Field(min_length=1, max_length=3)
    weaknesses: list[Comment] = Field(min_length=1, max_length=3)
    questions: list[Comment] = Field(min_length=1, max_length=2)
    soundness: Score4
    presentation: Score4
    contribution: Score4
    overall: Score10
    confidence: Score5
    decision: Literal["accept", "reject"]


SCHEMA = SectionsReview
