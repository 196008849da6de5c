"""Invariants of what grounding removes, over generated paragraphs (hypothesis): text outside
the removed sentences is byte-identical, and a sentence whose numbers and names all occur in the
paper is never removed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.checks.grounding import drop, find
from reviewer.checks.sentences import cut, sentence_spans
from reviewer.generation.forms import load_form
from tests.fake_openai import placeholder_review

SCHEMA = load_form("sections").schema
PAPER = (
    "Title: Noisy Labels\n\nAbstract: We reach 91.5% accuracy on CIFAR-10 with an error rate of "
    "9.5% under label noise, trained with a learning rate of 10^-4 for 200 epochs. ResNet-50 "
    "and ViT-B/16 are compared on ImageNet."
)
# Sentences whose every number and name is in the paper, and sentences that invent one.
GROUNDED = [
    "The method reaches 91.5% accuracy on CIFAR-10.",
    "An error rate of 9.5% is reported under label noise.",
    "Training runs for 200 epochs with a learning rate of 10^-4.",
    "ResNet-50 and ViT-B/16 are compared on ImageNet.",
    "The comparison covers two architectures.",
]
INVENTED = [
    "It beats the baseline by 5 points.",
    "The gain over BERT-large is large.",
    "It also reaches 93% on SVHN.",
]
words = st.sampled_from(["alpha", "beta", "gamma", "delta", "data", "model"])
sentence = st.one_of(
    st.sampled_from(GROUNDED + INVENTED),
    st.lists(words, min_size=2, max_size=8).map(lambda w: " ".join(w).capitalize() + "."),
)
paragraphs = st.lists(st.lists(sentence, min_size=1, max_size=4), min_size=1, max_size=3)


def _join(paras: list[list[str]]) -> str:
    return "\n\n".join(" ".join(p) for p in paras)


@settings(max_examples=200, deadline=None)
@given(paragraphs, st.data())
def test_cut_leaves_everything_outside_the_removed_sentences_as_it_was(
    paras: list[list[str]], data: st.DataObject
) -> None:
    text = _join(paras)
    spans = sentence_spans(text)
    assert [text[a:b] for a, b in spans] == [s for p in paras for s in p]
    chosen = data.draw(st.sets(st.sampled_from(range(len(spans)))))
    # expected: the same paragraphs, the chosen sentences gone, empty paragraphs gone
    flat = [(k, s) for k, p in enumerate(paras) for s in p]
    kept_paras = [[s for n, (k2, s) in enumerate(flat) if k2 == k and n not in chosen]
                  for k in range(len(paras))]  # fmt: skip
    expected = "\n\n".join(" ".join(p) for p in kept_paras if p)
    assert cut(text, [spans[i] for i in chosen]) == expected


@settings(max_examples=150, deadline=None)
@given(paragraphs)
def test_a_sentence_whose_numbers_and_names_are_all_in_the_paper_is_never_removed(
    paras: list[list[str]],
) -> None:
    text = _join([[GROUNDED[0]], *paras])  # long enough for the schema's minimum
    review = SCHEMA.model_validate({**placeholder_review("Noisy"), "experiments": text})
    kept, _ = drop(review, find(review, PAPER))
    for s in {s for p in paras for s in p if s in GROUNDED}:
        assert s in kept.experiments, (s, kept.experiments)
