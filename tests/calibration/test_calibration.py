"""Score calibration: fitting, applying, the file, and records of a batch (FAKE server)."""

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from reviewer import Reviewer, calibration
from reviewer.calibration import (
    POOLED,
    Calibration,
    Prior,
    resolve,
    resolve_default,
    venue_key,
)
from reviewer.calibration.fit import Sample, fit, fit_prior
from reviewer.errors import ConfigError, MissingExtra
from tests.fake_openai import FakeOpenAI


def _samples(n: int = 200, seed: int = 0) -> list[Sample]:
    """Lenient raw scores (6-9) that carry some signal; venue b rates one point higher."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        raw = int(rng.integers(6, 10))
        venue = "a-2024" if i % 2 else "b-2024"
        human = 0.8 * raw - 1.5 + (1.0 if venue == "b-2024" else 0.0) + rng.normal(0, 0.3)
        out.append(Sample({"overall": raw, "soundness": 3}, venue, human, accepted=human >= 5.0))
    return out


def test_fit_beats_the_raw_scores_and_learns_venue_intercepts() -> None:
    cal = fit(_samples())
    assert cal.features == ["overall", "soundness"]
    assert cal.fitted["cv_mae"] < 0.5 < cal.fitted["raw_mae"]
    assert cal.intercepts["b-2024"] - cal.intercepts["a-2024"] == pytest.approx(1.0, abs=0.2)
    assert min(cal.intercepts["a-2024"], cal.intercepts["b-2024"]) < cal.intercepts[POOLED]
    assert cal.predict({"overall": 8, "soundness": 3}, "b-2024") == pytest.approx(5.9, abs=0.3)
    assert cal.predict({"overall": 8, "soundness": 3}, "unknown-1999") == pytest.approx(
        cal.predict({"overall": 8, "soundness": 3}, POOLED)
    )


def test_cv_picks_a_small_penalty_when_the_scores_carry_signal() -> None:
    cal = fit(_samples())
    assert cal.fitted["alpha"] <= 10.0
    assert cal.coef[0] == pytest.approx(0.8, abs=0.1)
    assert set(cal.fitted["cv_mae_by_alpha"]) == {
        "0.1",
        "1.0",
        "10.0",
        "100.0",
        "1000.0",
        "10000.0",
    }


def test_noise_scores_get_no_weight_but_venue_levels_are_kept() -> None:
    """Scores unrelated to the human mean: CV picks the largest penalty, which zeroes the
    score weights and leaves each venue-year's level at its train mean (not shrunk)."""
    rng = np.random.default_rng(3)
    samples = [
        Sample(
            {"overall": int(rng.integers(5, 9))},
            venue := ("a-2024" if i % 2 else "b-2024"),
            (4.0 if venue == "a-2024" else 7.0) + rng.normal(0, 0.5),
        )
        for i in range(200)
    ]
    cal = fit(samples)
    assert cal.fitted["alpha"] >= 100.0 and abs(cal.coef[0]) < 0.01
    for venue in ("a-2024", "b-2024"):
        mean = np.mean([s.human for s in samples if s.venue == venue])
        assert cal.predict({"overall": 9}, venue) == pytest.approx(mean, abs=0.05)
    assert cal.fitted["cv_mae"] <= min(cal.fitted["cv_mae_by_alpha"].values())


def test_a_fixed_alpha_is_used_as_given() -> None:
    cal = fit(_samples(), alpha=1000.0)
    assert cal.fitted["alpha"] == 1000.0 and list(cal.fitted["cv_mae_by_alpha"]) == ["1000.0"]
    assert abs(cal.coef[0]) < fit(_samples()).coef[0]


def test_accept_thresholds_reproduce_each_venues_train_accept_rate() -> None:
    """Venue b rates a point higher and is stricter (accepts from 6.5, a from 5): each venue
    gets its own threshold and keeps its own accept rate, which no pooled one can do. Scores
    are averaged (as an ensemble's are), so the calibrated values have no ties."""
    rng = np.random.default_rng(5)
    samples = []
    for i in range(400):
        raw = round(float(rng.uniform(5, 9)), 2)
        venue = "a-2024" if i % 2 else "b-2024"
        human = 0.8 * raw - 1.5 + (1.0 if venue == "b-2024" else 0.0) + rng.normal(0, 0.3)
        bar = 5.0 if venue == "a-2024" else 6.5
        samples.append(Sample({"overall": raw, "soundness": 3}, venue, human, human >= bar))
    cal = fit(samples)
    for venue in ("a-2024", "b-2024"):
        mine = [s for s in samples if s.venue == venue]
        decisions = [cal.apply(s.scores, venue)["decision"] == "accept" for s in mine]
        assert np.mean(decisions) == pytest.approx(np.mean([s.accepted for s in mine]), abs=0.05)
    assert cal.accept_at["b-2024"] - cal.accept_at["a-2024"] == pytest.approx(1.5, abs=0.3)
    calibrated = [cal.predict(s.scores, s.venue) for s in samples]
    share = np.mean([c >= cal.accept_at[POOLED] for c in calibrated])
    assert share == pytest.approx(np.mean([s.accepted for s in samples]), abs=0.05)
    # a venue-year without a level gets no decision (issue 33, finding 15: at the pooled
    # threshold every ICLR 2018 test paper was accepted)
    unknown = cal.apply({"overall": 9, "soundness": 3}, "unknown-1999")
    assert unknown["decision"] == "withheld" and unknown["venue"] == POOLED


def test_fit_refuses_too_few_samples_and_missing_overall() -> None:
    with pytest.raises(ConfigError, match="too few"):
        fit(_samples(5))
    with pytest.raises(ConfigError, match="overall"):
        fit([Sample({"soundness": 3}, "a-2024", 5.0) for _ in range(20)])


WORDS = [f"w{i}" for i in range(40)]


def _papers(n: int = 600, seed: int = 1) -> tuple[list[str], np.ndarray, list[str]]:
    """Texts of random filler words where 'sound' lifts and 'flawed' lowers the human mean
    (+ noise); two venues a point apart, so the prior must learn the within-venue part only."""
    rng = np.random.default_rng(seed)
    texts, humans = [], []
    venues = ["a-2024" if i % 2 else "b-2024" for i in range(n)]
    for i in range(n):
        words = list(rng.choice(WORDS, size=12))
        quality = int(rng.integers(-1, 2))  # -1, 0 or 1
        words += {1: ["sound", "sound"], -1: ["flawed"], 0: []}[quality]
        texts.append(" ".join(rng.permutation(words)))
        humans.append(5.0 + 1.5 * quality + (1.0 if venues[i] == "b-2024" else 0.0))
    return texts, np.array(humans) + rng.normal(0, 0.3, n), venues


def test_abstract_prior_learns_the_within_venue_signal_out_of_fold() -> None:
    texts, humans, venues = _papers()
    ids = [f"p{i}" for i in range(len(humans))]
    prior, oof = fit_prior(ids, texts, humans, venues)
    assert prior.fitted["cv_spearman_within_venue"] > 0.7
    assert set(oof) == set(ids) and "sound" in prior.terms and "flawed" in prior.terms
    assert prior.coef[prior.terms.index("sound")] > 0 > prior.coef[prior.terms.index("flawed")]
    # out of fold: not the in-sample fit, but close to it on this clean signal
    in_sample = prior.predict(texts)
    oof_arr = np.array([oof[i] for i in ids])
    assert not np.allclose(oof_arr, in_sample) and np.corrcoef(oof_arr, in_sample)[0, 1] > 0.9
    # the venue offset is removed from the prior's target
    assert abs(np.mean(oof_arr[[v == "b-2024" for v in venues]]) - np.mean(oof_arr)) < 0.1


def test_prior_vectors_are_sklearns_tfidf_over_the_saved_vocabulary() -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts, humans, venues = _papers(200)
    prior, _ = fit_prior([str(i) for i in range(200)], texts, humans, venues)
    reference = TfidfVectorizer(ngram_range=(1, 2), max_features=5000, min_df=3, sublinear_tf=True)
    expected = reference.fit_transform(texts)
    assert list(reference.get_feature_names_out()) == prior.terms
    new = ["sound sound w1 w2 w1 unseen", "flawed w3"]
    got = prior.vectors(new).toarray()
    np.testing.assert_allclose(got, reference.transform(new).toarray(), atol=1e-5)
    np.testing.assert_allclose(
        prior.vectors(texts[:5]).toarray(), expected[:5].toarray(), atol=1e-5
    )


def test_calibration_with_the_prior_ranks_papers_the_raw_score_cannot(tmp_path: Path) -> None:
    texts, humans, venues = _papers()
    ids = [f"p{i}" for i in range(len(humans))]
    prior, oof = fit_prior(ids, texts, humans, venues)
    # a lenient model whose raw score is constant: only the prior can rank
    samples = [Sample({"overall": 8}, venues[i], humans[i], prior=oof[ids[i]]) for i in range(200)]
    without = fit(samples)
    with_prior = fit(samples, prior=prior)
    assert with_prior.features == ["overall"] and with_prior.prior is prior
    assert without.fitted["raw_spearman_within_venue"] is None  # constant raw score
    assert abs(without.fitted["cv_spearman_within_venue"] or 0.0) < 0.3  # fold noise only
    assert with_prior.fitted["cv_spearman_within_venue"] > 0.7
    assert with_prior.fitted["cv_mae"] < without.fitted["cv_mae"]
    good, bad = "w1 sound w2 sound w3", "w1 flawed w2 w3"
    assert with_prior.predict({"overall": 8}, "a-2024", good) > with_prior.predict(
        {"overall": 8}, "a-2024", bad
    )
    with pytest.raises(ConfigError, match="abstract prior"):
        with_prior.predict({"overall": 8}, "a-2024")
    with pytest.raises(ConfigError, match="out-of-fold"):
        fit([Sample({"overall": 8}, "a-2024", 5.0) for _ in range(20)], prior=prior)
    # the file keeps the prior: same predictions after a round trip
    with_prior.save(tmp_path / "cal.json")
    again = Calibration.load(tmp_path / "cal.json")
    assert again.predict({"overall": 8}, "a-2024", good) == pytest.approx(
        with_prior.predict({"overall": 8}, "a-2024", good)
    )
    assert len((tmp_path / "cal.json").read_text().splitlines()) < 80  # terms on one line


def test_file_round_trip_and_resolve(tmp_path: Path) -> None:
    cal = fit(_samples())
    path = tmp_path / "cal.json"
    cal.save(path)
    again = Calibration.load(path)
    assert again.predict({"overall": 7, "soundness": 3}, "a-2024") == cal.predict(
        {"overall": 7, "soundness": 3}, "a-2024"
    )
    assert resolve("none") is None and resolve("NONE") is None
    assert resolve(str(path)).intercepts == cal.intercepts
    assert again.accept_at == cal.accept_at
    old = json.loads(path.read_text())  # a file from before per-venue thresholds
    old["accept_at"] = 5.5
    path.write_text(json.dumps(old))
    assert Calibration.load(path).accept_at == {POOLED: 5.5}
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(ConfigError, match="cannot read calibration"):
        resolve(str(tmp_path / "bad.json"))


def test_the_default_file_applies_only_to_the_model_and_form_it_was_fitted_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reviewer.calibration as module

    cal = fit(_samples())
    cal.fitted.update({"model": "small-model", "form": "sections"})
    cal.save(tmp_path / "default.json")
    monkeypatch.setattr(module, "DEFAULT_PATH", tmp_path / "default.json")
    assert resolve(None, "small-model", "sections") is not None
    assert resolve(None, "gpt-4o", "sections") is None  # another model's scores
    assert resolve(None, "small-model", "referee") is None
    assert resolve(str(tmp_path / "default.json")) is not None  # explicit: the user's choice
    monkeypatch.setattr(module, "DEFAULT_PATH", tmp_path / "absent.json")
    assert resolve(None, "small-model", "sections") is None


def test_venue_key() -> None:
    assert venue_key("NeurIPS", 2024) == "neurips-2024"
    assert venue_key(None, 2024) == POOLED and venue_key("ICLR", None) == POOLED


def test_batch_records_keep_raw_scores_and_add_calibrated_ones(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    cal = fit(_samples())
    path = tmp_path / "cal.json"
    cal.save(path)
    papers = [
        {"id": "p1", "title": "Paper One", "abstract": "One.", "venue": "b", "year": 2024},
        {"id": "p2", "title": "Paper Two", "abstract": "Two."},
    ]
    reviewer = make_reviewer(calibration=str(path))
    reviewer.batch(papers, tmp_path / "run")
    records = {
        r["paper_id"]: r
        for r in map(json.loads, (tmp_path / "run" / "reviews.jsonl").read_text().splitlines())
    }
    for pid, venue in (("p1", "b-2024"), ("p2", POOLED)):
        record = records[pid]
        raw = record["review"]
        assert record["calibrated"]["venue"] == venue
        assert record["calibrated"]["overall"] == round(cal.predict(raw, venue), 2)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["config"]["calibration"]["n"] == 200


def test_no_calibration_means_no_calibrated_field(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    make_reviewer(calibration="none").batch(
        [{"id": "p1", "title": "Paper One", "abstract": "One."}], tmp_path / "run"
    )
    record = json.loads((tmp_path / "run" / "reviews.jsonl").read_text())
    assert "calibrated" not in record


def _with_prior(path: Path) -> Calibration:
    prior = Prior(terms=["graph"], idf=[1.0], coef=[0.5], bias=0.0)
    cal = Calibration(["overall"], [0.0], {POOLED: 5.0}, {POOLED: 6.0}, prior=prior)
    cal.fitted.update({"model": "small-model", "form": "sections"})
    cal.save(path)
    return cal


def test_without_scikit_learn_the_default_is_skipped_with_a_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reviewer.calibration as module

    _with_prior(tmp_path / "default.json")
    monkeypatch.setattr(module, "DEFAULT_PATH", tmp_path / "default.json")
    assert resolve_default("small-model", "sections")[0] is not None
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if scikit-learn were missing
    calibration, note = resolve_default("small-model", "sections")
    assert calibration is None and "[local]" in note and "sklearn" in note
    with pytest.raises(MissingExtra, match=r"\[local\] extra"):
        resolve(str(tmp_path / "default.json"))  # asked for by name: an error, exit 2


def test_a_calibration_without_the_prior_needs_no_numpy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cal = Calibration(["overall"], [0.5], {POOLED: 2.0}, {POOLED: 6.0})
    cal.save(tmp_path / "c.json")
    for name in ("numpy", "sklearn", "scipy"):
        monkeypatch.setitem(sys.modules, name, None)
    loaded = resolve(str(tmp_path / "c.json"))
    assert loaded is not None
    assert loaded.apply({"overall": 8}, POOLED) == {
        "overall": 6.0,
        "decision": "accept",
        "venue": POOLED,
    }


def test_fit_stores_an_interval_that_covers_held_out_papers_at_its_level() -> None:
    """The interval comes from cross-validated residuals: on fresh papers from the same
    process it holds the human mean about ``level`` of the time, and each venue with enough
    papers gets its own width (venue b is noisier here)."""

    def draw(n: int, seed: int) -> list[Sample]:
        rng = np.random.default_rng(seed)
        out = []
        for i in range(n):
            raw = int(rng.integers(3, 10))
            venue = "a-2024" if i % 2 else "b-2024"
            noise = rng.normal(0, 0.3 if venue == "a-2024" else 1.2)
            out.append(Sample({"overall": raw}, venue, 0.8 * raw - 1.0 + noise))
        return out

    cal = fit(draw(400, 0))
    iv = cal.interval
    assert iv is not None and iv["level"] == 0.8 and iv["n"] == 400
    a, b = iv["by_venue"]["a-2024"], iv["by_venue"]["b-2024"]
    assert b["high"] - b["low"] > 2 * (a["high"] - a["low"])
    fresh = draw(2000, 1)
    inside = []
    for s in fresh:
        got = cal.score(s.scores, s.venue)
        assert got.low is not None and got.high is not None and got.low < got.overall < got.high
        inside.append(got.low <= s.human <= got.high)
    assert np.mean(inside) == pytest.approx(0.8, abs=0.04)


def test_a_venue_with_few_papers_uses_the_pooled_interval() -> None:
    from reviewer.calibration import MIN_VENUE_RESIDUALS
    from reviewer.calibration.fit import residual_interval

    venues = ["a"] * 100 + ["b"] * (MIN_VENUE_RESIDUALS - 1)
    iv = residual_interval(np.linspace(-1, 1, len(venues)), venues, level=0.5)
    assert set(iv["by_venue"]) == {"a"}
    assert (iv["low"], iv["high"]) == pytest.approx((-0.5, 0.5), abs=0.01)
    cal = fit(_samples())
    cal.interval = {**iv, "by_venue": {}}
    got = cal.score({"overall": 8, "soundness": 3}, "b-2024")
    assert got.high - got.low == pytest.approx(1.0, abs=0.02) and got.level == 0.5


def test_an_unknown_venue_year_gets_an_interval_that_allows_for_its_level() -> None:
    from reviewer.calibration.fit import residual_interval

    # two venue-years one point apart, the same spread inside each: a paper of neither is
    # scored at the pooled level, half a point from both
    res = np.tile(np.linspace(-0.5, 0.5, 101), 2)
    venues = ["a-2024"] * 101 + ["b-2024"] * 101
    iv = residual_interval(res, venues, levels={"a-2024": 5.5, "b-2024": 6.5, POOLED: 6.0})
    known = iv["by_venue"]["a-2024"]
    unknown = iv["by_venue"][POOLED]
    assert unknown["high"] - unknown["low"] > known["high"] - known["low"] + 0.5
    assert unknown["low"] == pytest.approx(-0.8, abs=0.02)  # uniform on [-1, 1]
    assert unknown["high"] == pytest.approx(0.8, abs=0.02)
    assert residual_interval(res, venues)["by_venue"].keys() == {"a-2024", "b-2024"}


def test_a_venue_year_without_a_level_is_scored_and_labelled_as_the_pooled_one() -> None:
    cal = fit(_samples())
    assert cal.interval is not None and POOLED in cal.interval["by_venue"]
    review = {"overall": 8, "soundness": 3}
    unknown, pooled = cal.score(review, "iclr-2018"), cal.score(review, POOLED)
    assert unknown == pooled
    assert unknown.venue_label == "all venue-years pooled"
    assert unknown.decision == "withheld"  # no threshold of its own (issue 33, finding 15)
    known = cal.score(review, "a-2024")
    assert known.venue == "a-2024"
    assert unknown.high - unknown.low > known.high - known.low  # type: ignore[operator]


def test_ranking_words_follow_the_cv_spearman() -> None:
    from reviewer.calibration import ranking_words

    assert ranking_words(0.14).startswith("ranks papers weakly: within-venue Spearman 0.14")
    assert ranking_words(0.02).startswith("does not rank papers")
    assert ranking_words(0.4).startswith("ranks papers moderately")
    assert ranking_words(0.7).startswith("ranks papers well")
    assert ranking_words(None) is None
    cal = fit(_samples())
    text = cal.apply({"overall": 8, "soundness": 3}, "a-2024")["ranking"]
    assert f"{cal.fitted['cv_spearman_within_venue']:.2f}" in text


def test_the_library_review_carries_the_calibrated_score(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    cal = fit(_samples())
    cal.save(tmp_path / "cal.json")
    paper = {"id": "p1", "title": "Paper One", "abstract": "One.", "venue": "b", "year": 2024}
    review = make_reviewer(calibration=str(tmp_path / "cal.json")).review(paper)
    assert review.calibrated is not None
    expected = cal.score(review.model_dump(), "b-2024")
    assert review.calibrated == expected and review.calibrated.venue == "b-2024"
    assert review.calibrated.low < review.calibrated.overall < review.calibrated.high
    assert "calibrated" not in review.model_dump()  # the raw review is unchanged
    assert make_reviewer(calibration="none").review(paper).calibrated is None


def test_imported_batch_results_are_calibrated_like_a_live_run(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    from tests.runs.test_batchfile import read, results_for

    cal = fit(_samples())
    cal.save(tmp_path / "cal.json")
    papers = [{"id": "p1", "title": "Paper One", "abstract": "One.", "venue": "a", "year": 2024}]
    reviewer = make_reviewer(calibration=str(tmp_path / "cal.json"))
    reviewer.export_requests(papers, tmp_path / "req.jsonl")
    (tmp_path / "res.jsonl").write_text(results_for(read(tmp_path / "req.jsonl")))
    reviewer.import_results(papers, tmp_path / "res.jsonl", tmp_path / "run")
    (record,) = read(tmp_path / "run" / "reviews.jsonl")
    assert record["calibrated"] == cal.apply(record["review"], "a-2024")
    assert "Calibrated overall" in (tmp_path / "run" / "reviews" / "p1.md").read_text()
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["config"]["calibration"]["n"] == 200


def _review_calibrated(
    tmp_path: Path, make_reviewer: Callable[..., Reviewer], venue: str, year: int
) -> tuple[dict[str, Any], list[str]]:
    """One paper of ``venue``/``year`` reviewed through the fake endpoint with a calibration
    fitted on venue-years a-2024 and b-2024: its record and its Markdown's lines."""
    fit(_samples()).save(tmp_path / "cal.json")
    paper = {"id": "p1", "title": "Paper One", "abstract": "One.", "venue": venue, "year": year}
    make_reviewer(calibration=str(tmp_path / "cal.json")).batch([paper], tmp_path / "run")
    record = json.loads((tmp_path / "run" / "reviews.jsonl").read_text())
    return record, (tmp_path / "run" / "reviews" / "p1.md").read_text().splitlines()


def test_markdown_leads_with_the_calibrated_score_and_keeps_the_raw_ones(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    record, lines = _review_calibrated(tmp_path, make_reviewer, "b", 2024)
    c, raw = record["calibrated"], record["review"]
    assert lines[2].startswith(
        f"**Calibrated overall {c['overall']:.1f}/10 (80% interval {c['low']:.1f}–{c['high']:.1f})"
        f" · {c['decision']}**"
    )
    assert "b-2024" in lines[2] and "ranks papers" in lines[2]
    assert f"Model's raw scores: overall {raw['overall']}/10 · {raw['decision']}" in lines[4]


def test_markdown_says_when_the_papers_venue_year_has_no_level(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    record, lines = _review_calibrated(tmp_path, make_reviewer, "c", 2018)
    assert record["calibrated"]["venue"] == POOLED
    line = lines[2]
    assert "all venue-years pooled (the paper's venue-year is unknown or has no level" in line
    assert "c-2018" not in line
    # no accept or reject a reader would take for a verdict (issue 33, finding 15)
    assert record["calibrated"]["decision"] == "withheld"
    assert " · no decision**" in line and "No accept or reject" in line
    assert "accept**" not in line and "reject**" not in line


def test_calibrate_writes_into_the_checkout_or_beside_the_user_when_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a checkout the fitted file replaces the repo's default; an installed package's
    shipped file stays as it is and the fit goes to the current folder."""
    assert calibration.default_output() == calibration.DEFAULT_PATH  # this checkout
    installed = tmp_path / "site-packages" / "reviewer" / "_data" / "evals"
    monkeypatch.setattr(calibration, "DEFAULT_PATH", installed / "score-calibration.json")
    monkeypatch.chdir(tmp_path)
    assert calibration.default_output() == tmp_path / "score-calibration.json"


def test_a_calibration_for_sub_scores_is_refused_on_a_form_without_them(
    make_reviewer: Callable[..., Reviewer],
) -> None:
    """Issue 33, finding 4: the shipped calibration reads soundness, presentation and
    contribution; the referee form has none of them. Before, every paper came out 1.0/10."""
    from reviewer.calibration import DEFAULT_PATH

    with pytest.raises(ConfigError, match="soundness.*'referee' form"):
        make_reviewer(form="referee", calibration=str(DEFAULT_PATH))
    shipped = Calibration.load(DEFAULT_PATH)
    with pytest.raises(ConfigError, match="no soundness"):
        shipped.predict({"overall": 6}, "*", "Title. Abstract.")
