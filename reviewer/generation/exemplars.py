"""Few-shot exemplars: human reviews of the most similar train-split papers.

Shown before the paper, they give a small model the register, specificity and score range of
real reviews at the venue. Retrieval is by abstract embedding over the TRAIN split only (dev
and test reviews are what the eval scores against, so they must never reach a prompt), and a
paper never retrieves itself or a paper with the same title.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from reviewer.inputs.paper import Paper

if TYPE_CHECKING:
    from reviewer.embed import Encoder
    from reviewer.references import Reference

EXCERPT_CHARS = 700


@dataclass(frozen=True)
class Exemplar:
    """One human review of a similar paper, cut to what the prompt can afford."""

    paper_id: str
    title: str
    rating: float | None
    review: str


class ExemplarSource(Protocol):
    def for_paper(self, paper: Paper) -> list[Exemplar]: ...


def _norm_title(title: str) -> str:
    return " ".join(title.lower().split())


class ExemplarIndex:
    """Nearest train papers by abstract embedding; ``k`` exemplars per paper."""

    def __init__(self, references: Sequence[Reference], encoder: Encoder, k: int = 2) -> None:
        train = [r for r in references if r.split == "train" and r.reviews]
        if not train:
            raise ValueError("exemplars need train-split papers with human reviews")
        self.k = k
        self.references = train
        self.encoder = encoder
        self.matrix = encoder.encode([r.abstract for r in train])

    @classmethod
    def from_train_split(cls, references: str | None = None, k: int = 2) -> ExemplarIndex:
        """The train split of the reference data (``REVIEWER_DATA_DIR``), embedded once."""
        from reviewer.embed import ABSTRACT_MAX_TOKENS, Embedder
        from reviewer.references import load_references, select

        train = select(load_references(references), split="train")
        return cls(train, Embedder(ABSTRACT_MAX_TOKENS, progress=False), k)

    def for_paper(self, paper: Paper) -> list[Exemplar]:
        import numpy as np  # the [eval] extra: a core install imports this module without it

        query = self.encoder.encode([paper.abstract])[0]
        order = np.argsort(-(self.matrix @ query), kind="stable")
        title = _norm_title(paper.title)
        out: list[Exemplar] = []
        for i in order:
            ref = self.references[int(i)]
            if ref.paper_id == paper.id or _norm_title(ref.title) == title:
                continue
            out.append(_exemplar(ref))
            if len(out) == self.k:
                break
        return out


def _exemplar(ref: Reference) -> Exemplar:
    """The reference's first review with text: its strengths/weaknesses part, cut."""
    review = next((r for r in ref.reviews if r.text.strip()), ref.reviews[0])
    text = " ".join((review.comment_source or review.text).split())
    text = text.replace("<", "(").replace(">", ")")  # never a tag of the prompt
    if len(text) > EXCERPT_CHARS:
        text = text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + " [...]"
    rating = round(review.rating, 1) if review.rating is not None else None
    return Exemplar(ref.paper_id, ref.title, rating, text)
