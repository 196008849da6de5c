"""Schema of the ``sections`` form: five analysis paragraphs, comment lists, scores, decision.

Field order is generation order for grammar-constrained models: reasoning first, scores last.
Text length is checked by validators rather than ``minLength``/``maxLength``: llama.cpp turns
string-length bounds into one grammar rule per character, which it then fails to parse.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from reviewer.review import Review, words_at_least

Paragraph = Annotated[str, AfterValidator(words_at_least(12))]
Comment = Annotated[str, AfterValidator(words_at_least(3))]


class SectionsReview(Review):
    summary: Paragraph
    methodology: Paragraph
    experiments: Paragraph
    reproducibility: Paragraph
    limitations: Paragraph
    impact: Paragraph
    strengths: list[Comment] = Field(min_length=1, max_length=6)
    weaknesses: list[Comment] = Field(min_length=1, max_length=6)
    questions: list[Comment] = Field(min_length=1, max_length=5)
    soundness: int = Field(ge=1, le=4)
    presentation: int = Field(ge=1, le=4)
    contribution: int = Field(ge=1, le=4)
    overall: int = Field(ge=1, le=10)
    confidence: int = Field(ge=1, le=5)
    decision: Literal["accept", "reject"]


SCHEMA = SectionsReview
