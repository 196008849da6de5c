"""Text-quality figures: each rule on hand-made text, on seed 001's reviews (clean) and on
damaged copies of them made here."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

pytest.importorskip("wordfreq")

from reviewer.checks.glued import FUNCTION_WORDS, known  # noqa: E402
from reviewer.eval import textquality as tq  # noqa: E402
from reviewer.eval.metrics import Bootstrap  # noqa: E402
from reviewer.references import data_dir  # noqa: E402
from reviewer.runs.store import RunStore  # noqa: E402

SEED = data_dir() / "seed_001_sections" / "seed_001_sections.jsonl"
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason="needs seed_001_sections")


def test_glued_words_are_found_and_names_left_alone() -> None:
    text = ("We use a singleGPU andchatbot accuracyof tohuman chatbotperformance "
            "instruction-followingdataset.")  # fmt: skip
    assert tq.glued_words(text) == [
        "singleGPU", "andchatbot", "accuracyof", "tohuman", "chatbotperformance",
        "followingdataset",
    ]  # fmt: skip
    legit = ("GPT-4, BERT, ImageNet, LoRA, QLoRA, mBERT, iPhone, Codeforces, the pretrained "
             "tokenizer, hyperparameters, finetuning, overfitting, upsampled, docstring, "
             "hardcoding and crowdworker annotations, proteinMPNN, cryoSPARC, sarsa")  # fmt: skip
    assert tq.glued_words(legit) == []
    assert tq.glued_words("the zorbnet layer") == []  # unknown, but no two common words
    assert tq.glued_words("we use dataof", source="") == ["dataof"]
    assert tq.glued_words("we use dataof", source="a dataof b") == []  # the paper's own word


def test_numbers_absent_from_the_paper_text_are_unsupported() -> None:
    source = "We reach 93.50% on 1,000 images with 4-bit weights in 2023."
    review = {"summary": "It reaches 93.5% on 1000 images (1) with 8 GPUs and 4 bits in 2021."}
    got = tq.measure(review, source)
    assert tq.numbers(review["summary"]) == ["93.5", "1000", "8", "4", "2021"]
    assert (got.numbers, got.unsupported_numbers) == (5, 2)
    assert got.examples["numbers"] == ["8", "2021"]


def test_names_absent_from_the_paper_text_are_unsupported() -> None:
    source = "We propose parameter-efficient fine-tuning of GPT4 on SQuAD with LLMs."
    text = ("PEFT of GPT-4 beats RoBERTa on SQuAD; LLMs and GPUs help; RL-driven XyzNet-7 "
            "gains, unlike LLaMA's.")  # fmt: skip
    assert tq.names(text) == ["PEFT", "GPT-4", "RoBERTa", "SQuAD", "XyzNet-7", "LLaMA"]
    got = tq.measure({"weaknesses": [text]}, source)
    assert got.examples["names"] == ["RoBERTa", "XyzNet-7", "LLaMA"]
    assert (got.names, got.unsupported_names) == (6, 3)


def test_release_claims_the_paper_text_does_not_support_are_counted() -> None:
    quiet = "We propose DSD, a dense-sparse-dense training flow."
    review = {"reproducibility": "The authors provide code and data. DSD needs a schedule.",
              "strengths": ["The code is available.", "DSD is simple."]}  # fmt: skip
    got = tq.measure(review, quiet)
    assert (got.release_claims, got.unsupported_releases) == (2, 2)
    assert got.examples["releases"] == ["The authors provide code and data.",
                                        "The code is available."]  # fmt: skip
    linked = tq.measure(review, quiet + " Code: https://github.com/example/dsd")
    assert (linked.release_claims, linked.unsupported_releases) == (2, 0)
    assert linked.ratios()["unsupported_release_rate"] == 0


def test_copy_rate_redundancy_and_words_per_paragraph_count_exactly() -> None:
    abstract = "we show that sparse attention keeps accuracy on long inputs at low cost"
    review = {
        "summary": "In short, we show that sparse attention keeps accuracy on long inputs.",  # 12
        "methodology": "Sparse attention keeps accuracy on long inputs, they argue here.",  # 10
        "strengths": ["A new idea."],
        "overall": 7,
    }
    got = tq.measure(review, abstract)
    # summary: 8 5-grams, 6 copied; methodology: 6 5-grams, 3 copied; strengths: none
    assert (got.ngrams, got.copied) == (14, 9)
    # "sparse attention keeps accuracy on long inputs" is in both paragraphs: 3 5-grams each
    assert got.repeated == 6
    assert (got.paragraphs, got.paragraph_words) == (2, 22)
    assert got.ratios()["words_per_paragraph"] == 11


def _seed() -> list[dict]:
    return [json.loads(line) for line in SEED.open(encoding="utf-8")]


def _without_restated_summary(review: dict) -> dict:
    """Seed 001's impact paragraphs end with the summary, word for word (all 107 of them)."""
    return {**review, "impact": review["impact"].replace(review["summary"].strip(), "")}


@needs_seed
def test_seed_001_reviews_come_out_clean() -> None:
    records = _seed()
    assert all(r["review"]["summary"].strip() in r["review"]["impact"] for r in records)
    total = sum(
        (tq.measure(_without_restated_summary(r["review"]), r["abstract"]) for r in records),
        tq.Counts(),
    )
    rates = total.ratios()
    assert total.words > 50_000 and total.glued == 0 and total.damaged == 0
    assert total.non_comments == 0
    assert rates["copy_rate"] < 0.01 and rates["redundancy"] < 0.01
    assert 60 < rates["words_per_paragraph"] < 120


def _glue(text: str, rng: random.Random, k: int) -> tuple[str, int]:
    """Run ``k`` function words into the next lower-case word ("of the" -> "ofthe")."""
    words = text.split(" ")
    spots = [i for i in range(len(words) - 1) if words[i] in FUNCTION_WORDS
             and re.fullmatch(r"[a-z]{4,}", words[i + 1]) and words[i + 1] not in FUNCTION_WORDS
             and (i == 0 or words[i - 1] not in FUNCTION_WORDS)
             and not known(words[i] + words[i + 1])]  # fmt: skip
    chosen = sorted(rng.sample(spots, min(k, len(spots))), reverse=True)
    for i in chosen:
        words[i : i + 2] = [words[i] + words[i + 1]]
    return " ".join(words), len(chosen)


@needs_seed
def test_damaged_seed_reviews_are_caught() -> None:
    rng = random.Random(0)
    for record in _seed()[:20]:
        review, abstract = _without_restated_summary(record["review"]), record["abstract"]
        clean = tq.measure(review, abstract)
        glued, n = _glue(review["methodology"], rng, 3)
        assert n > 0
        got = tq.measure({**review, "methodology": glued}, abstract)
        assert got.glued == clean.glued + n and got.damaged == clean.damaged + n
        misspelt = f"{review['methodology']} It lacks robustess; its perfromance is unclear."
        got = tq.measure({**review, "methodology": misspelt}, abstract)
        assert got.damaged == clean.damaged + 2
        invented = f"{review['experiments']} It reports 97.31% with XyzNet-7."
        got = tq.measure({**review, "experiments": invented}, abstract)
        assert got.unsupported_numbers == clean.unsupported_numbers + 1
        assert got.unsupported_names == clean.unsupported_names + 1
        copied = tq.measure({**review, "summary": abstract}, abstract)
        assert copied.copied > clean.copied + 20
        repeated = tq.measure({**review, "experiments": review["methodology"]}, abstract)
        assert repeated.repeated > clean.repeated + 20
        deferred = f"{review['impact']} Further research in this area is needed."
        got = tq.measure({**review, "impact": deferred}, abstract)
        assert got.non_comments == clean.non_comments + 1


def test_score_run_pools_a_run_directory(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run")
    reviews = {
        "a": {"summary": "It reaches 91% on 3 tasks with singleGPU training.", "overall": 6},
        "b": {"summary": "No numbers here, only a plain paragraph of words.", "overall": 5},
        "c": {"summary": "A paper we have no text for.", "overall": 5},
    }
    for pid, review in reviews.items():
        store.write_review({"paper_id": pid, "review": review}, "md")
    store.close()
    sources = {"a": "We reach 91% accuracy.", "b": "Plain words."}
    got = tq.score_run(tmp_path / "run", sources)
    assert got["n_reviews"] == 2 and got["n_skipped"] == 1
    assert got["counts"]["unsupported_number_rate"] == [1, 2]
    # words hold a letter ("91%" and "3" do not): 7 in a, 9 in b
    assert got["counts"]["glued_word_rate"] == [1, 16]
    assert got["version"] == tq.TEXT_QUALITY_VERSION and got["examples"]["glued"] == ["singleGPU"]
    papers = tmp_path / "papers.jsonl"
    papers.write_text("".join(json.dumps({"id": k, "title": "T", "abstract": v}) + "\n"
                              for k, v in sources.items()))  # fmt: skip
    assert tq.score_run(tmp_path / "run", papers)["counts"] == got["counts"]


def test_bootstrap_group_pools_numerators_and_denominators() -> None:
    a = tq.Counts(words=100, glued=1, paragraphs=1, paragraph_words=100)
    b = tq.Counts(words=300, glued=0, paragraphs=3, paragraph_words=300)
    group = tq.bootstrap_group([a, b], Bootstrap(50, 0))
    assert group["glued_word_rate"]["value"] == pytest.approx(1 / 400)
    assert group["words_per_paragraph"]["value"] == 100
    assert group["unsupported_number_rate"]["value"] is None
    assert group["glued_word_rate"]["n_papers"] == 2
