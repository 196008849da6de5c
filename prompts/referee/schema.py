"""Schema of the ``referee`` form: a deeper referee report with a simulated rebuttal.

The pith and the load-bearing premise come first so the comments are written against them.
Each major comment carries its own simulated authors' response, so "one response per major
comment" is part of the structure the grammar enforces, not a count a validator re-asks for
(with the responses in a separate list, the 0.5B model never matched the counts).
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

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


class MajorComment(Comment):
    authors_response: Response


class RefereeReview(Review):
    pith: Sentence
    core_claim: Sentence
    what_carries_the_argument: Sentence
    load_bearing_premise: Sentence
    what_would_settle_it: Sentence
    summary: Paragraph
    significance: Paragraph
    major_comments: list[MajorComment] = Field(min_length=1, max_length=4)
    minor_comments: list[Comment] = Field(min_length=1, max_length=4)
    overall: Score10
    confidence: Score5
    decision: Literal["accept", "reject"]


SCHEMA = RefereeReview
