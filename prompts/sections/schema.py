"""Schema of the ``sections`` form: five analysis paragraphs, comment lists, scores, decision.

Field order is generation order for grammar-constrained models: reasoning first, scores last.
Text length is checked by validators rather than ``minLength``/``maxLength``: llama.cpp turns
string-length bounds into one grammar rule per character, which it then fails to parse.
"""

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from reviewer.review import Review, Score4, Score5, Score10, words_at_least

Paragraph = Annotated[str, AfterValidator(words_at_least(6))]
Comment = Annotated[str, AfterValidator(words_at_least(2))]


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
    soundness: Score4
    presentation: Score4
    contribution: Score4
    overall: Score10
    confidence: Score5
    decision: Literal["accept", "reject"]


SCHEMA = SectionsReview
