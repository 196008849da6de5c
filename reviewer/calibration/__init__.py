"""The calibration stage: raw model scores -> the human rating scale of a venue-year.

Small (and large) models are lenient and barely vary their scores, so a review's raw
``overall`` says little on its own. A ridge regression fitted on the train split maps the raw
scores and one intercept per venue-year to the mean human rating on the common 1-10 scale.
Optionally an abstract prior is added: a second ridge, from the TF-IDF of the title and abstract
to how far a paper's human mean sits from its venue-year's, fitted on every rated train paper
(thousands, no model calls needed). It already predicts in rating units, so it enters as a fixed
offset rather than a weight learned from the few reviewed papers (which shrank it to noise); the
first ridge is fitted on what the prior leaves, using each paper's out-of-fold prior value. The
fitted parameters are a small JSON file (``fit`` writes it with the command that refits it); the
raw scores always stay in the review, the calibrated ones go beside them in the run record.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.errors import ConfigError, MissingExtra, require_extra
from reviewer.resources import CHECKOUT, builtin

if TYPE_CHECKING:  # numpy and sklearn come with the [local] and [eval] extras: imported where used
    import numpy as np

SCORE_FEATURES = ("overall", "soundness", "presentation", "contribution", "confidence")
POOLED = "*"
DEFAULT_PATH = builtin("evals") / "score-calibration.json"
INSTALLED_FIT_NAME = "score-calibration.json"
"""Where ``reviewer calibrate`` writes by default outside a checkout: the current folder (an
installed package's shipped file is neither the user's to overwrite nor always writable)."""
INTERVAL_LEVEL = 0.8
"""Nominal coverage of the interval shown around a calibrated overall."""
MIN_VENUE_RESIDUALS = 30
"""A venue-year gets its own interval from at least this many held-out residuals; fewer, and
the pooled one is used (the tails of 20 residuals are too noisy to trust)."""


def venue_key(venue: str | None, year: int | None) -> str:
    """``neurips-2024``; ``*`` when either is unknown (the pooled intercept is used)."""
    if not venue or not year:
        return POOLED
    return f"{venue.strip().lower()}-{year}"


def paper_text(title: str, abstract: str) -> str:
    """What the abstract prior reads (and the eval's baselines embed): title and abstract."""
    return f"{title}. {abstract}".strip()


@dataclass
class Prior:
    """Ridge from the TF-IDF of title and abstract to (human mean - venue-year mean).

    TF-IDF is sklearn's (sublinear term frequency, L2 norm) over a fixed vocabulary of the most
    frequent uni- and bigrams of the train abstracts; the file keeps each term's idf and weight.
    On the full dev split (1,367 papers) it ranked papers within their venue-year better than a
    ridge on MiniLM embeddings (Spearman 0.23 vs 0.16) and needs no embedding model.
    """

    terms: list[str]
    idf: list[float]
    coef: list[float]
    bias: float
    ngram_max: int = 2
    fitted: dict[str, Any] = field(default_factory=dict)

    def vectors(self, texts: Sequence[str]) -> Any:
        """Rows of TF-IDF over the saved vocabulary, exactly as the fitted vectorizer made them."""
        import numpy as np
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.preprocessing import normalize

        counts = CountVectorizer(
            vocabulary=self.terms, ngram_range=(1, self.ngram_max), dtype=np.float64
        ).transform(texts)
        counts.data = 1.0 + np.log(counts.data)
        return normalize(counts.multiply(np.asarray(self.idf)).tocsr())

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        """The prior (rating units, relative to the venue-year mean) of each text."""
        import numpy as np

        return self.vectors(texts) @ np.asarray(self.coef) + self.bias


WITHHELD = "withheld"
"""The calibrated decision of a paper whose venue-year has no level: no accept or reject."""


@dataclass(frozen=True)
class CalibratedScore:
    """A review's overall and decision on the human scale of a venue-year, as shown to people.

    ``low``-``high`` is the interval that held the human mean rating ``level`` of the time on
    held-out train folds; ``ranking`` says in words how well the calibration orders papers.
    Stored flat in each run record under ``calibrated`` (``to_record`` / ``from_record``).
    """

    overall: float
    decision: str
    venue: str
    low: float | None = None
    high: float | None = None
    level: float | None = None
    ranking: str | None = None

    @property
    def venue_label(self) -> str:
        """``neurips-2024``, or words for the pooled level of an unknown venue-year."""
        return "all venue-years pooled" if self.venue == POOLED else self.venue

    def to_record(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> CalibratedScore:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in record.items() if k in names})


def ranking_words(spearman: float | None) -> str | None:
    """How well a calibration orders papers within a venue-year, in words a reader follows."""
    if spearman is None:
        return None
    if spearman < 0.1:
        verdict = "does not rank papers"
    elif spearman < 0.3:
        verdict = "ranks papers weakly"
    elif spearman < 0.5:
        verdict = "ranks papers moderately"
    else:
        verdict = "ranks papers well"
    return (
        f"{verdict}: within-venue Spearman {spearman:.2f} on held-out train folds "
        "(0 is chance, 1 is the human order)"
    )


@dataclass
class Calibration:
    """Fitted ridge parameters; ``predict`` is all the pipeline and the eval need.

    ``interval`` (from :func:`reviewer.calibration.fit.residual_interval`, on the
    cross-validated residuals of the fit) gives the range shown around a calibrated overall;
    files without it show none.
    """

    features: list[str]
    coef: list[float]
    intercepts: dict[str, float]
    accept_at: dict[str, float]
    prior: Prior | None = None
    fitted: dict[str, Any] = field(default_factory=dict)
    interval: dict[str, Any] | None = None

    def predict(self, scores: Mapping[str, Any], venue: str, text: str | None = None) -> float:
        """Calibrated overall on the common 1-10 scale (clipped to it); ``text`` is the
        paper's :func:`paper_text`, needed when the calibration has the abstract prior."""
        x = [_score(scores, f) for f in self.features]
        if any(math.isnan(v) for v in x):
            missing = [f for f, v in zip(self.features, x, strict=True) if math.isnan(v)]
            raise ConfigError(f"the review has no {', '.join(missing)} for the calibration")
        value = self.intercepts.get(venue, self.intercepts[POOLED])
        value += sum(c * v for c, v in zip(self.coef, x, strict=True))  # no numpy needed
        if self.prior is not None:
            if text is None:
                raise ConfigError("this calibration uses the abstract prior; no text was given")
            value += float(self.prior.predict([text])[0])
        return min(10.0, max(1.0, value))

    def score(
        self, review: Mapping[str, Any], venue: str, text: str | None = None
    ) -> CalibratedScore:
        """The calibrated overall, decision and interval of a review of a ``venue`` paper.

        A venue-year without a level of its own is scored, labelled and bounded as the pooled
        one (``*``): its interval, when the file has one for it, allows for not knowing the
        venue-year's level."""
        # A calibration fitted per venue-year has no threshold for a paper of a venue-year it
        # never saw, or of none: at the pooled one the calibrated scores sit close together
        # and all above it (ICLR 2018 test: 97 of 97 accepted), so no decision is made. One
        # fitted on a single pooled level decides at its threshold, as fitted.
        venue = venue if venue in self.intercepts else POOLED
        withheld = venue == POOLED and len(self.intercepts) > 1
        overall = round(self.predict(review, venue, text), 2)
        threshold = self.accept_at.get(venue, self.accept_at[POOLED])
        decision = WITHHELD if withheld else "accept" if overall >= threshold else "reject"
        low = high = level = None
        if self.interval:
            bounds = self.interval.get("by_venue", {}).get(venue, self.interval)
            low = round(max(1.0, overall + bounds["low"]), 2)
            high = round(min(10.0, overall + bounds["high"]), 2)
            level = float(self.interval["level"])
        ranking = ranking_words(self.fitted.get("cv_spearman_within_venue"))
        return CalibratedScore(overall, decision, venue, low, high, level, ranking)

    def apply(
        self, review: Mapping[str, Any], venue: str, text: str | None = None
    ) -> dict[str, Any]:
        """What a run record stores beside the raw review (:class:`CalibratedScore`, flat)."""
        return self.score(review, venue, text).to_record()

    def require_fields(self, fields: set[str], form: str) -> Calibration:
        """This calibration, when every score it reads is a field of ``form``'s reviews; else
        a ConfigError (a missing score would be read as NaN and clip every paper to 1.0)."""
        missing = [f for f in self.features if f not in fields]
        if missing:
            raise ConfigError(
                f"this calibration reads {', '.join(missing)}, which the {form!r} form's "
                "reviews do not have; use a calibration fitted on that form, or none"
            )
        return self

    def matches(self, model: str | None, form: str | None) -> bool:
        """Whether reviews by ``model`` in ``form`` are what this calibration was fitted on
        (another model's scores mean something else)."""
        return self.fitted.get("model") in (None, model) and self.fitted.get("form") in (None, form)

    def save(self, path: Path) -> None:
        path.write_text(_dump(asdict(self)) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> Calibration:
        p = Path(path).expanduser()
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
            if "embedding_coef" in data:
                raise ValueError("it has the old embedding prior; refit it with reviewer calibrate")
            prior = data.pop("prior", None)
            if isinstance(data.get("accept_at"), int | float):  # files from before per-venue
                data["accept_at"] = {POOLED: float(data["accept_at"])}
            calibration = cls(**data, prior=None if prior is None else Prior(**prior))
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"cannot read calibration file {p}: {exc}") from exc
        if POOLED not in calibration.intercepts or POOLED not in calibration.accept_at:
            raise ConfigError(f"calibration file {p} has no pooled ('*') intercept or threshold")
        return calibration


def _dump(value: Any, indent: str = "") -> str:
    """JSON with one key per line but lists of numbers or strings on one line, so a prior's
    thousands of terms stay a few long lines rather than tens of thousands of short ones."""
    if isinstance(value, dict) and value:
        inner = indent + " "
        items = [f"{inner}{json.dumps(k)}: {_dump(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    return json.dumps(value, ensure_ascii=False)


def default_output() -> Path:
    """``reviewer calibrate``'s default file: the checkout's ``evals/`` file (the default every
    run of this checkout reads), or ``./score-calibration.json`` for an installed package."""
    if DEFAULT_PATH.parent == CHECKOUT / "evals":
        return DEFAULT_PATH
    return Path.cwd() / INSTALLED_FIT_NAME


def resolve(
    spec: str | None, model: str | None = None, form: str | None = None
) -> Calibration | None:
    """``none`` -> no calibration; a path -> that file; unset -> the repo's file, but only for
    reviews by the model and form it was fitted on."""
    if spec is not None and spec.lower() == "none":
        return None
    if spec is None:
        if not DEFAULT_PATH.is_file():
            return None
        calibration = Calibration.load(DEFAULT_PATH)
        if not calibration.matches(model, form):
            return None
    else:
        calibration = Calibration.load(spec)
    if calibration.prior is not None:  # TF-IDF through scikit-learn
        require_extra(
            "the score calibration's abstract prior (--calibration none skips it)", "calibration"
        )
    return calibration


def resolve_default(model: str | None, form: str | None) -> tuple[Calibration | None, str]:
    """The default calibration for ``model`` and ``form``, or None with the reason it is not
    applied when it needs an extra that is missing (a note, not an error: nobody asked)."""
    try:
        return resolve(None, model, form), ""
    except MissingExtra as exc:
        return None, f"scores left uncalibrated: {exc}"


def _score(scores: Mapping[str, Any], name: str) -> float:
    value = scores.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan
