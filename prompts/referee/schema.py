"""Schema of the ``referee`` form: a deeper referee report with a simulated rebuttal.

The pith and the load-bearing premise come first so the comments are written against them;
each major comment gets exactly one simulated authors' response, checked by a validator.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from reviewer.review import Review, Score5, Score10

Sentence = Annotated[str, Field(min_length=30)]
Paragraph = Annotated[str, Field(min_length=40)]


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    location: str = Field(min_length=3)
    comment: str = Field(min_length=20)


class Response(BaseModel):
    model_config = ConfigDict(extra="forbid")

    response: str = Field(min_length=20)
    revision: Literal["yes", "partial", "no"]


class RefereeReview(Review):
    pith: Sentence
    core_claim: Sentence
    what_carries_the_argument: Sentence
    load_bearing_premise: Sentence
    what_would_settle_it: Sentence
    summary: Paragraph
    significance: Paragraph
    major_comments: list[Comment] = Field(min_length=1, max_length=4)
    minor_comments: list[Comment] = Field(min_length=1, max_length=4)
    authors_response: list[Response] = Field(min_length=1, max_length=4)
    overall: Score10
    confidence: Score5
    decision: Literal["accept", "reject"]

    @model_validator(mode="after")
    def _one_response_per_major_comment(self) -> "RefereeReview":
        if len(self.authors_response) != len(self.major_comments):
            raise ValueError(
                f"authors_response needs one entry per major comment "
                f"({len(self.major_comments)}), got {len(self.authors_response)}"
            )
        return self


SCHEMA = RefereeReview
