"""Entities come from the paper's own title and abstract, with marked fallbacks."""

from reviewer.flaws.entities import find_entities


def test_method_from_title_head_dataset_and_metric_from_abstract() -> None:
    e = find_entities(
        "QLoRA: Efficient Finetuning of Quantized LLMs",
        "We present QLoRA. It reaches 99.3% accuracy on the Vicuna benchmark and matches "
        "results on GLUE.",
    )
    assert (e.method.text, e.method.found) == ("QLoRA", True)
    assert (e.dataset.text, e.dataset.found) == ("GLUE", True)  # Vicuna is a model's name
    assert (e.metric.text, e.metric.found) == ("accuracy", True)
    assert e.percents == (99.3,)


def test_method_from_an_introducing_sentence_when_the_title_has_no_name() -> None:
    e = find_entities("Visual Instruction Tuning", "In this paper we introduce LLaVA, a model.")
    assert e.method.text == "LLaVA" and e.method.found


def test_fallbacks_are_marked_and_read_as_phrases() -> None:
    e = find_entities("A study of things", "We study things carefully and report findings.")
    assert not e.method.found and e.method.cap == "Our method"
    assert not e.dataset.found and e.dataset.text == "the main benchmark"
    assert not e.metric.found
