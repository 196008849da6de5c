"""Glued words: the repair splits what the embedded model ran together, and leaves real words,
names and human reviews alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("wordfreq")

from reviewer.checks.words import (  # noqa: E402
    damaged_words,
    foreign_runs,
    glued_words,
    repair_text,
    repair_value,
)

SEED = Path(__file__).resolve().parents[3] / "shared" / "data" / "seed_001_sections"


@pytest.mark.parametrize(
    ("glued", "split"),
    [
        # the six of issue 16's demo reviews
        ("singleGPU", "single GPU"),
        ("andchatbot", "and chatbot"),
        ("accuracyof", "accuracy of"),
        ("tohuman", "to human"),
        ("chatbotperformance", "chatbot performance"),
        ("instruction-followingdataset", "instruction-following dataset"),
        # seen in embedded batch runs
        ("tuningwith", "tuning with"),
        ("longersequences", "longer sequences"),
        ("memory_usage", "memory usage"),  # joined by an underscore instead
        ("toChatGPT", "to ChatGPT"),  # a function word run into a name (textquality-v2)
    ],
)
def test_glued_words_are_split_at_the_word_boundary(glued: str, split: str) -> None:
    text, fixes = repair_text(f"It reports {glued}, as shown.")
    assert text == f"It reports {split}, as shown."
    assert len(fixes) == 1 and fixes[0].endswith(f"-> {split.split('-')[-1]}")


def test_real_words_names_and_the_papers_own_words_stay_whole() -> None:
    text = (
        "The model overfits; hardcoding a tokenizer, pretrained ImageNet LoRA mBERT weights "
        "and crowdworker labels infeasibly fast."
    )
    assert repair_text(text) == (text, [])
    assert glued_words("infeasibly") == ["infeasibly"]  # the frozen count flags it; the repair not
    assert repair_text("we use dataof", source="a dataof b") == ("we use dataof", [])
    assert repair_text("set max_tokens", source="the max_tokens flag") == ("set max_tokens", [])
    assert repair_text("set qkv_proj") == ("set qkv_proj", [])  # not two plain words
    assert repair_text("our Data_Loader") == ("our Data_Loader", [])  # not the paper's


def test_rare_listed_words_that_are_two_words_run_together_are_split() -> None:
    """textquality-v5: the web repeats some typos often enough for the word list to hold them."""
    text = "the state of theart, forexample, they are ableto do inpainting on indel data"
    assert repair_text(text)[0] == (
        "the state of the art, for example, they are able to do inpainting on indel data"
    )
    assert glued_words(text) == ["theart", "forexample", "ableto"]


def test_words_joined_by_an_underscore_get_the_papers_separator_back() -> None:
    source = "We propose Dynamic Cross-Layer Preference Correction and a cross-layer prefix."
    text, fixes = repair_text("DCPC (Preference_correction) uses cross_layer prefixes.", source)
    assert text == "DCPC (Preference Correction) uses cross-layer prefixes."
    assert fixes == ["Preference_correction -> Preference Correction", "cross_layer -> cross-layer"]
    assert repair_text("the model_size grows")[0] == "the model size grows"


PAPER = (
    "Unlike ChatGPT and GPT models, we compress the value cache of upper layers and report "
    "perplexity on MMLU, FLORES and AlignBench with diffusion-based decoders, improving "
    "robustness and model performance."
)


@pytest.mark.parametrize(
    ("damaged", "mended"),
    [
        # a phrase of the paper run together: the paper's space or hyphen comes back
        ("valuecache", "value cache"),
        ("upperlayers", "upper layers"),
        ("modelperformance", "model performance"),
        ("diffusionbased", "diffusion-based"),
        ("GPTmodels", "GPT models"),  # the paper's capitals kept
        ("FLORESbenchmark", "FLORES benchmark"),  # a name of the paper and an everyday word
        # broken capitals: the paper's spelling of a name, lower case for a plain word
        ("MMLu", "MMLU"),
        ("FLOres", "FLORES"),
        ("AlignBENCH", "AlignBench"),
        ("perplexITY", "perplexity"),
        ("Chatgpt", "ChatGPT"),  # a title-case name of the paper with its capitals lost
        # misspelled: the paper's word (two edits from 7 letters on), else a common one (one)
        ("robustess", "robustness"),
        ("perfromance", "performance"),
        ("experiemnt", "experiment"),
        ("distilation", "distillation"),
    ],
)
def test_damaged_words_are_mended_from_the_papers_words(damaged: str, mended: str) -> None:
    text, fixes = repair_text(f"It reports {damaged}, as shown.", source=PAPER)
    assert text == f"It reports {mended}, as shown."
    assert fixes == [f"{damaged} -> {mended}"]
    assert damaged_words(f"It reports {damaged}.", PAPER) == [damaged]


CAPITALS_PAPER = (
    "Title: Generalized Correctness Models: Reliable LLM Confidence Estimation\n"
    "We find that reliable LLM confidence estimation is a generalizable and model-agnostic "
    "skill, measured on GLUE, RACE and SQuAD with GPT models and the Transformer baseline, "
    "and that history encoding matters for Generalized Correctness Models in practice."
)


def test_capitals_the_paper_does_not_write_are_mended() -> None:
    """textquality-v5: the embedded model slips past the anti-copy penalty by capitalising a
    plain word inside a sentence, and loses a name's capitals. A capitalised word the paper
    itself writes (its title's "Estimation") is never changed, though the frozen measure
    counts it."""
    text = (
        "The authors find that history Encoding matters and confidence Estimation is a "
        "generalizable and Model-agnostic skill, shown on Race and Squad with Gpt models."
    )
    mended, fixes = repair_text(text, CAPITALS_PAPER)
    assert mended == (
        "The authors find that history encoding matters and confidence Estimation is a "
        "generalizable and model-agnostic skill, shown on RACE and SQuAD with GPT models."
    )
    assert fixes == ["Encoding -> encoding", "Model -> model", "Race -> RACE",
                     "Squad -> SQuAD", "Gpt -> GPT"]  # fmt: skip
    assert damaged_words(text, CAPITALS_PAPER) == [
        "Encoding", "Estimation", "Model", "Race", "Squad", "Gpt"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "Estimation of confidence is studied.",  # the start of a sentence
        "They build Generalized Correctness Models on history.",  # a run of capitals: a name
        "It beats the Transformer baseline.",  # the paper capitalises it inside a sentence
        "See Algorithm 1 for the encoding of history.",  # a number after it
        "It is similar to the Learning to Prompt (L2P) approach.",  # a name, short word inside
        "Results: Reliable Confidence Estimation Across Models.",  # a heading
    ],
)
def test_capitals_of_names_starts_and_headings_stay(text: str) -> None:
    assert repair_text(text, CAPITALS_PAPER) == (text, [])


def test_names_urls_and_rare_real_words_are_not_mended() -> None:
    text = (
        "GitHub hosts ZeRO and mBERT code at github.com/yourusername; docstring, fairseq and "
        "resblock are fine, as are autonomically and infeasibly."
    )
    assert repair_text(text, source=PAPER + " github") == (text, [])
    assert damaged_words(text, PAPER) == ["infeasibly"]  # the frozen glued count, as before
    assert repair_text("a valuecache", source="no such phrase here") == ("a valuecache", [])


def test_repair_value_walks_a_review_and_keeps_its_numbers() -> None:
    review = {"summary": "Strong accuracyof 91%.", "strengths": ["Runs on a singleGPU"],
              "overall": 6, "decision": "accept"}  # fmt: skip
    repaired, fixes = repair_value(review)
    assert repaired == {"summary": "Strong accuracy of 91%.",
                        "strengths": ["Runs on a single GPU"], "overall": 6,
                        "decision": "accept"}  # fmt: skip
    assert fixes == ["accuracyof -> accuracy of", "singleGPU -> single GPU"]


@pytest.mark.skipif(not SEED.is_dir(), reason="needs ../shared/data/seed_001_sections")
def test_seed_001_human_reviews_need_no_repair() -> None:
    changed = []
    for line in (SEED / "seed_001_sections.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        changed += repair_value(record["review"], record["abstract"])[1]
    assert changed == []


def test_literal_escapes_become_the_characters_they_name() -> None:
    from reviewer.checks.words import unescape_value

    review = {
        "impact": "On GLUE, RACE, \\u2018SQuAD\\u2019.",
        "questions": ["Why \\u201cX\\u201d?"],
        "overall": 6,
    }
    fixed, count = unescape_value(review)
    assert fixed == {
        "impact": "On GLUE, RACE, \u2018SQuAD\u2019.",
        "questions": ["Why \u201cX\u201d?"],
        "overall": 6,
    }
    assert count == 4
    assert unescape_value("a lone \\ud83d half") == ("a lone \\ud83d half", 0)


@pytest.mark.parametrize(
    ("written", "source", "repaired"),
    [  # from embedded reviews, each where the abstract's next word was what the penalty forbade
        ("of the search空间. The", "exploitation of the search space.", "of the search space. The"),
        ("open-loop и closed-loop", "open-loop and closed-loop tests", "open-loop and closed-loop"),
        ("Accuracy Degрадation", "No Compromise to Accuracy Degradation", "Accuracy Degradation"),
        ("layer sampling机制 to", "a layer sampling mechanism that", "layer sampling mechanism to"),
        ("results，which hold", "", "results, which hold"),
    ],
)  # fmt: skip
def test_a_word_of_another_script_becomes_the_papers_word(
    written: str, source: str, repaired: str
) -> None:
    assert foreign_runs(written, source)
    text, fixes = repair_text(written, source)
    assert text == repaired and not foreign_runs(text) and len(fixes) == 1
    assert set(foreign_runs(written, source)) <= set(damaged_words(written, source))  # v6


def test_a_foreign_run_the_paper_does_not_explain_is_removed_and_named() -> None:
    source = "We train on synthetic data and on synthetic images."  # two words follow "synthetic"
    assert repair_text("biases in the synthetic数据.", source) == (
        "biases in the synthetic.",
        ["synthetic数据 -> synthetic"],
    )
    assert repair_text("a stray 空间 token", "")[0] == "a stray token"


def test_greek_symbols_and_the_papers_own_script_are_not_foreign() -> None:
    text = "It converges at O(1/√T) for any α, and reads 中文 text."
    assert foreign_runs(text, "A benchmark of 中文 text.") == []
    assert repair_text(text, "A benchmark of 中文 text.") == (text, [])


def test_a_known_word_with_broken_capitals_is_mended_without_the_paper() -> None:
    """textquality-v6: "unstated" is the prompt's word, not the abstract's, and the penalty
    broke it all the same."""
    text = "The authors do not provide any unstATED assumptions."
    assert damaged_words(text) == ["unstATED"]
    assert repair_text(text)[0] == "The authors do not provide any unstated assumptions."
    names = "NeurIPS, OpenAI, gradNCP, speechLMs and mBERT."
    assert damaged_words(names) == [] and repair_text(names) == (names, [])


@pytest.mark.parametrize(
    ("token", "paper", "mended"),
    [
        ("unifrom", "We sample from a uniform grid.", "uniform"),  # not "uni from"
        ("denoiers", "UL2's mixture-of-denoiser objective.", "denoisers"),  # its number kept
        ("dateset", "We release two datasets.", "dataset"),
        ("optimzers", "We use paged optimziers.", "optimizers"),  # not the paper's typo
        ("Key_Space", "the FFL key space, and Key Space Detection.", "Key Space"),  # its capitals
    ],
)
def test_a_mend_takes_the_nearest_right_word(token: str, paper: str, mended: str) -> None:
    """Found by reading the edits of benchmarks/check_edits.py, each wrong before."""
    fixed, fixes = repair_text(f"It uses the {token} here.", paper)
    assert fixed == f"It uses the {mended} here." and fixes == [f"{token} -> {mended}"]


def test_a_misspelling_with_two_near_words_is_counted_but_left_as_written() -> None:
    """ "thught" is one edit from "thought" and from "taught": the frozen measure counts it as
    damaged, the repair cannot know which word was meant and leaves it."""
    assert damaged_words("It reports thught.", PAPER) == ["thught"]
    assert repair_text("It reports thught, as shown.", PAPER) == (
        "It reports thught, as shown.",
        [],
    )
