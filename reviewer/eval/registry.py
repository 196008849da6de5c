"""Every figure the eval reports, declared once: its group, name, whether it is a headline
figure, a bar of the comparison plot or a line of the console summary, and its digits.

``metrics.json`` holds the groups in this order; the report's tables (``reviewer.eval.tables``),
its plots (``reviewer.eval.plots``) and ``reviewer eval``'s summary read this registry instead
of naming metrics themselves, so a new figure is one line here (and its scorer).
"""

from __future__ import annotations

from dataclasses import dataclass

from reviewer.eval.textquality import METRICS as TEXT_QUALITY_METRICS
from reviewer.eval.textquality import TEXT_QUALITY_VERSION


@dataclass(frozen=True)
class Group:
    """A group of ``metrics.json`` (a key of every system's figures) and its report title."""

    name: str
    title: str
    digits: int = 3  # text quality: 4 (its goals are tenths of a percent)


@dataclass(frozen=True)
class Metric:
    """One figure: ``group.name`` in ``metrics.json``; where it is shown besides its group's
    table; ``human``: the held-out human reviewer's figure it is plotted beside."""

    group: str
    name: str
    headline: bool = False
    bar: bool = False
    summary: bool = False
    human: str | None = None

    @property
    def dotted(self) -> str:
        return f"{self.group}.{self.name}"


GROUPS = (
    Group("decision", "Decision (threshold rule on the overall rating)"),
    Group("decision_field", "Decision (the review's own decision field)"),
    Group("rating", "Rating against the mean human rating (1-10)"),
    Group("comments", "Comment overlap with human reviewers"),
    Group("specificity", "Specificity"),
    Group("coverage", "Coverage"),
    Group("text", "Text similarity to the closest human review"),
    Group(
        "text_quality",
        f"Text quality against the paper text the model was shown ({TEXT_QUALITY_VERSION})",
        digits=4,
    ),
)
GROUP_NAMES = tuple(g.name for g in GROUPS)

_HEADLINE_TEXT = ("glued_word_rate", "damaged_word_rate", "unsupported_number_rate",
                  "unsupported_release_rate", "non_comment_rate", "copy_rate")  # fmt: skip
"""Text-quality figures in the headline table, in its order (every one is in the console
summary, in ``textquality.METRICS`` order)."""

METRICS = (
    Metric("decision", "balanced_accuracy", headline=True, bar=True, summary=True,
           human="single_reviewer_balanced_accuracy"),
    Metric("decision", "auc", headline=True, bar=True, summary=True),
    Metric("decision", "pred_accept_rate", headline=True),
    Metric("rating", "mae", headline=True, summary=True),
    Metric("rating", "pearson", headline=True, bar=True, human="loo_pearson"),
    Metric("rating", "spearman", headline=True, bar=True, summary=True, human="loo_spearman"),
    Metric("rating", "mean_pred", headline=True),
    Metric("rating", "exact_match_any_human", bar=True),
    Metric("comments", "hit_rate", headline=True, bar=True, summary=True,
           human="loo_comment_hit_rate"),
    Metric("comments", "shuffled_hit_rate", headline=True, bar=True, summary=True,
           human="loo_comment_shuffled_hit_rate"),
    Metric("comments", "precision", bar=True),
    Metric("specificity", "generic_rate", headline=True, bar=True, summary=True),
    Metric("coverage", "aspects_covered", headline=True, bar=True),
    Metric("text", "rouge_l", headline=True, bar=True),
    Metric("text", "embedding_similarity", bar=True),
    Metric("rating", "interval_coverage", headline=True, summary=True),
    *(Metric("text_quality", name, headline=True, summary=True) for name in _HEADLINE_TEXT),
    *(
        Metric("text_quality", name, summary=True)
        for name in TEXT_QUALITY_METRICS
        if name not in _HEADLINE_TEXT
    ),
)  # fmt: skip


def headline() -> list[Metric]:
    return [m for m in METRICS if m.headline]


def bars() -> list[Metric]:
    return [m for m in METRICS if m.bar]


def summary() -> list[Metric]:
    """The console summary's lines: text quality in ``textquality.METRICS`` order, last."""
    text = sorted(
        (m for m in METRICS if m.summary and m.group == "text_quality"),
        key=lambda m: TEXT_QUALITY_METRICS.index(m.name),
    )
    return [m for m in METRICS if m.summary and m.group != "text_quality"] + text


def digits(group: str) -> int:
    """How many decimals a figure of ``group`` is shown with."""
    return next((g.digits for g in GROUPS if g.name == group), 3)
