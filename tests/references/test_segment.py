"""Splitting review text into comment units."""

from __future__ import annotations

from reviewer.references.segment import (
    comment_text,
    evaluative_text,
    review_sections,
    split_comments,
)


def test_bullets_and_sentences_become_comments() -> None:
    text = (
        "**Strengths:**\n"
        "- The method is simple and the results are strong. It also scales to ImageNet.\n"
        "- Clear writing, e.g. Fig. 2 explains the pipeline well.\n"
        "1. Minor:\n"
        "2) The proof of Theorem 1 relies on an unstated assumption.\n"
    )
    assert split_comments(text) == [
        "The method is simple and the results are strong.",
        "It also scales to ImageNet.",
        "Clear writing, e.g. Fig. 2 explains the pipeline well.",
        "The proof of Theorem 1 relies on an unstated assumption.",
    ]


def test_wrapped_lines_are_joined_and_short_fragments_dropped() -> None:
    text = "The experiments are limited to\nsmall datasets only.\n\nNice.\n"
    assert split_comments(text) == ["The experiments are limited to small datasets only."]


def test_sections_of_neurips_texts() -> None:
    text = (
        "SUMMARY:\nA summary sentence here.\n\nSTRENGTHS:\n- Good results on many tasks.\n\n"
        "WEAKNESSES:\n- Missing baselines for the main table.\n\nQUESTIONS:\n- Why this loss?\n"
    )
    assert set(review_sections(text)) == {"SUMMARY", "STRENGTHS", "WEAKNESSES", "QUESTIONS"}
    assert split_comments(comment_text(text)) == [
        "Good results on many tasks.",
        "Missing baselines for the main table.",
    ]
    assert "Why this loss?" in evaluative_text(text)
    assert "summary sentence" not in evaluative_text(text)


def test_2025_combined_section_and_free_text() -> None:
    text = "SUMMARY:\nx\n\nSTRENGTHS AND WEAKNESSES:\n- The analysis is thorough and careful.\n"
    assert split_comments(comment_text(text)) == ["The analysis is thorough and careful."]
    free = "This paper is about X. The evaluation lacks a strong baseline."
    assert comment_text(free) == free
