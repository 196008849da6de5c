"""Grounding: invented quotes and generic comments are re-asked, then dropped (FAKE server)."""

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from reviewer import Reviewer
from reviewer.checks.grounding import (
    Finding,
    drop,
    find,
    normalise,
    quote_in,
    quotes,
    reask_text,
)
from reviewer.checks.notes import unverified
from reviewer.checks.sentences import cut_off
from reviewer.generation.forms import load_form
from tests.fake_openai import FakeOpenAI, Reply, placeholder_review

ABSTRACT = (
    "We present Open Pre-trained Transformers (OPT), a suite of decoder-only pre-trained "
    "transformers ranging from 125M to 175B parameters. OPT-175B is comparable to GPT-3, "
    "while requiring only 1/7th the carbon footprint to develop."
)
PAPER = {"id": "opt", "title": "OPT: Open Pre-trained Transformers", "abstract": ABSTRACT}
SCHEMA = load_form("sections").schema


def _review(**changes: object) -> dict:
    return {**placeholder_review("OPT"), **changes}


def test_quotes_need_three_words_and_match_despite_case_and_punctuation() -> None:
    text = 'It says "requiring only 1/7th the Carbon Footprint" and calls it "OPT".'
    assert quotes(text) == ["requiring only 1/7th the Carbon Footprint"]
    assert quote_in("requiring only 1/7th the Carbon Footprint", normalise(ABSTRACT))
    assert quote_in("OPT-175B is comparable ... the carbon footprint", normalise(ABSTRACT))
    assert not quote_in("OPT-175B beats GPT-3 on every benchmark", normalise(ABSTRACT))


def test_find_reports_invented_quotes_in_paragraphs_and_list_items() -> None:
    review = SCHEMA.model_validate(
        _review(
            weaknesses=[
                'The claim "comparable to GPT-3" rests on few benchmarks.',
                'The paper admits "we never tested on code" which limits it.',
            ],
            limitations='The authors write "results may not transfer to other languages" only.',
        )
    )
    found = find(review, ABSTRACT)
    assert [(f.field, f.index, f.kind) for f in found] == [
        ("limitations", -1, "invented_quote"),
        ("weaknesses", 1, "invented_quote"),
    ]
    assert (
        found[1].describe()
        == 'weaknesses #2: the quote "we never tested on code" is not in the paper'
    )


def test_drop_keeps_the_schema_minimum_and_warns() -> None:
    review = SCHEMA.model_validate(_review(weaknesses=["One concrete weakness of OPT."]))
    finding = Finding("weaknesses", 0, "invented_quote", "made up words here")
    kept, warnings = drop(review, [finding])
    assert kept.weaknesses == review.weaknesses  # minItems 1: cannot go below
    assert warnings == ['kept weaknesses #1: the quote "made up words here" is not in the paper']
    two = SCHEMA.model_validate(_review(weaknesses=["First weakness of OPT.", "Second weakness."]))
    trimmed, warnings = drop(two, [Finding("weaknesses", 1, "invented_quote", "x y z")])
    assert trimmed.weaknesses == ["First weakness of OPT."]
    assert warnings[0].startswith("dropped weaknesses #2: ")


def test_invented_quote_is_sent_back_and_the_fixed_review_kept(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    invented = _review(weaknesses=['It claims "state of the art on all tasks" without evidence.'])
    fake.enqueue(Reply(content=json.dumps(invented)), Reply(content=json.dumps(_review())))
    outcome = make_reviewer().review_outcome(PAPER)
    assert outcome.attempts == 2 and fake.count == 2
    reask = fake.requests[1]["messages"][-1]["content"]
    assert "state of the art on all tasks" in reask and "not in the paper" in reask
    assert outcome.review.weaknesses == _review()["weaknesses"]
    assert not [w for w in outcome.warnings if w.startswith("grounding")]


def test_still_invented_after_the_last_attempt_is_dropped_and_noted(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    bad = _review(
        weaknesses=["A real weakness of OPT: evaluation is narrow.", 'Says "trained on Mars".']
    )
    fake.enqueue(*[Reply(content=json.dumps(bad))] * 3)
    outcome = make_reviewer(max_reasks=2).review_outcome(PAPER)
    assert fake.count == 3
    assert outcome.review.weaknesses == ["A real weakness of OPT: evaluation is narrow."]
    assert any("dropped weaknesses #2" in w for w in outcome.warnings)


def test_quote_check_can_be_switched_off(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    fake.enqueue(Reply(content=json.dumps(_review(weaknesses=['Says "trained on Mars" oddly.']))))
    outcome = make_reviewer(check_quotes=False).review_outcome(PAPER)
    assert outcome.attempts == 1 and outcome.review.weaknesses == ['Says "trained on Mars" oddly.']


class FlagPhrase:
    """A stand-in generic rule (the real one is tested in tests/eval/test_generic.py)."""

    def flags(self, comments: Sequence[str]) -> list[bool]:
        return ["interesting" in c for c in comments]


def test_generic_comment_is_reasked(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    generic = _review(strengths=["The paper is interesting and well written."])
    fake.enqueue(Reply(content=json.dumps(generic)), Reply(content=json.dumps(_review())))
    outcome = make_reviewer(check_generic=FlagPhrase()).review_outcome(PAPER)
    assert outcome.attempts == 2
    assert "strengths #1: generic" in fake.requests[1]["messages"][-1]["content"]


def test_invented_numbers_names_and_non_comments_are_found_where_they_are() -> None:
    review = SCHEMA.model_validate(
        _review(
            methodology="OPT-175B matches GPT-3 at 1/7th the carbon. It also uses pruning.",
            experiments="The suite spans 125M to 175B parameters and gains 35% on SuperGLUE.",
            weaknesses=[
                "There are no major weaknesses mentioned in the abstract.",
                "The 1/7th carbon figure for OPT-175B relies on an external GPT-3 estimate.",
            ],
            questions=["How does OPT compare to other approaches?"],
        )
    )
    found = {(f.where, f.kind, f.detail) for f in find(review, "Title: OPT: Open\n" + ABSTRACT)}
    assert found == {
        ("methodology", "invented_name", "pruning"),
        ("experiments", "invented_number", "35%"),
        ("experiments", "invented_name", "SuperGLUE"),
        ("weaknesses #1", "non_comment", ""),
        ("questions #1", "non_comment", ""),  # "OPT" is the paper's own name: no specific
    }


def test_invented_number_is_reasked_with_the_number(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    invented = _review(weaknesses=["OPT-175B trails GPT-3 by 12 points on HellaSwag."])
    fake.enqueue(Reply(content=json.dumps(invented)), Reply(content=json.dumps(_review())))
    outcome = make_reviewer().review_outcome(PAPER)
    assert outcome.attempts == 2
    reask = fake.requests[1]["messages"][-1]["content"]
    assert 'the number "12" is not in the paper' in reask
    assert '"HellaSwag" is not mentioned in the paper' in reask
    assert "Use only numbers and names" in reask


def test_non_comment_is_reasked_then_dropped(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    bad = _review(
        weaknesses=[
            "The 1/7th carbon figure for OPT-175B relies on an external GPT-3 estimate.",
            "Further research in this area is needed.",
        ]
    )
    fake.enqueue(*[Reply(content=json.dumps(bad))] * 3)
    outcome = make_reviewer(max_reasks=2).review_outcome(PAPER)
    assert fake.count == 3
    assert "says nothing about this paper" in fake.requests[1]["messages"][-1]["content"]
    assert outcome.review.weaknesses == bad["weaknesses"][:1]
    assert any(w.startswith("grounding: dropped weaknesses #2") for w in outcome.warnings)


def test_grounding_reasks_zero_drops_at_once_but_an_invalid_reply_is_still_reasked(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """With no grounding re-asks (the embedded model's setting) the FAKE endpoint's invented
    comment is dropped from the first valid reply; a reply that fails the schema is still sent
    back, and the manifest records the value used."""
    bad = _review(
        weaknesses=[
            "The 1/7th carbon figure for OPT-175B relies on an external GPT-3 estimate.",
            "OPT-175B trails GPT-3 by 12 points on HellaSwag.",
        ]
    )
    fake.enqueue(Reply(content="{not json"), Reply(content=json.dumps(bad)))
    reviewer = make_reviewer(max_reasks=2, grounding_reasks=0)
    outcome = reviewer.review_outcome(PAPER)
    assert fake.count == 2  # one re-ask, for the invalid reply only
    assert outcome.review.weaknesses == bad["weaknesses"][:1]
    assert any(w.startswith("grounding: dropped weaknesses #2") for w in outcome.warnings)
    assert reviewer.public_settings()["grounding_reasks"] == 0
    assert make_reviewer().public_settings()["grounding_reasks"] == 2  # default: max_reasks


def test_embedded_endpoint_sends_no_grounding_reasks(
    fake: FakeOpenAI, fake_embedded: list[int], isolated_env: Path
) -> None:
    """No endpoint configured: the embedded model's endpoint (here its server is the FAKE one,
    so no model runs) drops an invented comment without a re-ask."""
    bad = _review(weaknesses=["The carbon figure for OPT-175B is estimated.",
                              "OPT-175B trails GPT-3 by 12 points on HellaSwag."])  # fmt: skip
    fake.enqueue(Reply(content=json.dumps(bad)))
    with Reviewer() as reviewer:
        assert reviewer.endpoint.embedded
        outcome = reviewer.review_outcome(PAPER)
        assert reviewer.public_settings()["grounding_reasks"] == 0
    assert fake.count == 1
    assert outcome.review.weaknesses == bad["weaknesses"][:1]
    # the repetition penalty travels in the request, so any server applies the same one
    from reviewer.local.dry import DRY

    sent = fake.requests[0]
    assert {k: sent[k] for k in DRY.request_fields()} == DRY.request_fields()


def test_paragraph_loses_the_sentence_with_an_invented_number() -> None:
    review = SCHEMA.model_validate(
        _review(experiments="OPT-175B is comparable to GPT-3 on many tasks. It wins by 35%.")
    )
    kept, warnings = drop(review, find(review, ABSTRACT))
    assert kept.experiments == "OPT-175B is comparable to GPT-3 on many tasks."
    assert warnings == [
        'removed the sentence with experiments: the number "35%" is not in the paper'
    ]
    named = SCHEMA.model_validate(
        _review(experiments="In the real world OPT-175B matches GPT-3. It needs RL to do so.")
    )
    kept, _ = drop(named, find(named, ABSTRACT))  # "RL" is a word: "world" stays
    assert kept.experiments == "In the real world OPT-175B matches GPT-3."
    short = SCHEMA.model_validate(_review(experiments="It wins by 35% on all tasks they report."))
    kept, warnings = drop(short, find(short, ABSTRACT))  # too short without it: kept, noted
    assert kept.experiments == short.experiments and warnings[0].startswith("kept experiments")


def test_paragraph_loses_the_sentence_that_says_nothing() -> None:
    """noncomment-v5: a paragraph's non-comment sentence is found, named and removed; the rest
    of the paragraph stays."""
    deferral = "More research is needed to fully understand the limitations of the model."
    review = SCHEMA.model_validate(
        _review(limitations=f"The suite stops at 175B parameters and one training run. {deferral}")
    )
    found = find(review, ABSTRACT)
    assert [(f.where, f.kind, f.detail) for f in found] == [
        ("limitations", "non_comment", deferral)
    ]
    assert f'the sentence "{deferral}" says nothing' in reask_text(found)
    kept, warnings = drop(review, found)
    assert kept.limitations == "The suite stops at 175B parameters and one training run."
    assert warnings == [f"removed {found[0].describe()}"]


def test_a_release_the_paper_does_not_mention_is_removed_or_dropped() -> None:
    """The embedded model said "The authors provide code, data, and detailed information" for
    half the papers whose abstract never mentions code."""
    quiet = "Title: DSD\nWe propose DSD, a dense-sparse-dense training flow for deep networks."
    claim = "The authors provide code, data, and detailed information about the experiments."
    review = SCHEMA.model_validate(
        _review(
            reproducibility=f"Reproducing DSD needs the sparsity schedule per layer. {claim}",
            strengths=["DSD needs no change to the architecture.", "The code is available."],
        )
    )
    found = [(f.where, f.kind, f.detail) for f in find(review, quiet)]
    assert ("reproducibility", "invented_release", claim) in found
    assert ("strengths #2", "invented_release", "The code is available.") in found
    assert "released only where the paper says so" in reask_text(find(review, quiet))
    kept, _ = drop(review, find(review, quiet))
    assert kept.reproducibility == "Reproducing DSD needs the sparsity schedule per layer."
    assert kept.strengths == ["DSD needs no change to the architecture."]
    stated = quiet + " Code is at https://github.com/example/dsd."
    assert not [f for f in find(review, stated) if f.kind == "invented_release"]


def test_a_paragraph_cut_off_mid_sentence_loses_that_sentence() -> None:
    """The embedded model once closed its JSON string early: "... by using a technique called "."""
    whole = "OPT-175B is comparable to GPT-3 at 1/7th the carbon footprint."
    cut = "It lowers the cost by using a technique called "
    assert cut_off(cut) and not cut_off(whole) and not cut_off("It is fast (see the abstract)")
    review = SCHEMA.model_validate(_review(methodology=f"{whole} {cut}"))
    found = [f for f in find(review, ABSTRACT) if f.kind == "cut_off"]
    assert [(f.where, f.detail) for f in found] == [("methodology", cut.strip())]
    assert "Finish every sentence." in reask_text(found)
    kept, warnings = drop(review, found)
    assert kept.methodology == whole
    assert warnings == [f"removed {found[0].describe()}"]


def test_what_stays_unverified_is_listed_once_per_finding_with_its_places() -> None:
    warnings = [
        'grounding: kept experiments: "RPO-RNN" is not mentioned in the paper',
        'grounding: removed the sentence with summary: "RPO" is not mentioned in the paper',
        'grounding: kept strengths #2: "RPO-RNN" is not mentioned in the paper',
        'grounding: kept methodology: the number "50%" is not in the paper',
        "parse: repaired a truncated reply",
    ]
    assert unverified(warnings) == [
        'experiments, strengths #2: "RPO-RNN" is not mentioned in the paper',
        'methodology: the number "50%" is not in the paper',
    ]


# --- removal works on sentence spans in place (issue 33, finding 1) -----------------------------

NOISY = (
    "We reach 91.5% accuracy with an error rate of 9.5% under label noise, trained with a "
    "learning rate of 10^-4. Training is stable across seeds."
)


def test_an_invented_number_never_removes_a_sentence_where_it_is_only_part_of_another() -> None:
    """The review's invented "5" must not take the sentence quoting the paper's "91.5%", nor
    "Table 5", which the number check does not read as the claim 5."""
    review = SCHEMA.model_validate(
        _review(
            experiments="It reaches 91.5% accuracy. Table 5 lists the rest. It uses 5 layers. "
            "Training is stable."
        )
    )
    kept, warnings = drop(review, find(review, f"Title: Noisy\n\nAbstract: {NOISY}"))
    assert kept.experiments == (
        "It reaches 91.5% accuracy. Table 5 lists the rest. Training is stable."
    )
    assert [w for w in warnings if "experiments" in w] == [
        'removed the sentence with experiments: the number "5" is not in the paper'
    ]


def test_removal_keeps_paragraph_breaks_and_counts_what_it_removed() -> None:
    text = (
        "OPT-175B is comparable to GPT-3. It wins by 35%.\n\n"
        "The suite spans 125M to 175B parameters. A 35% gain is claimed again.\n\n"
        "The carbon footprint is 1/7th of GPT-3's."
    )
    review = SCHEMA.model_validate(_review(experiments=text))
    kept, warnings = drop(review, find(review, ABSTRACT))
    assert kept.experiments == (
        "OPT-175B is comparable to GPT-3.\n\n"
        "The suite spans 125M to 175B parameters.\n\n"
        "The carbon footprint is 1/7th of GPT-3's."
    )
    assert warnings == [
        'removed 2 sentences with experiments: the number "35%" is not in the paper'
    ]


def test_a_paragraph_made_only_of_a_removed_sentence_loses_its_line_too() -> None:
    text = "OPT-175B is comparable to GPT-3.\n\nIt wins by 35%.\n\nIt needs 1/7th the carbon."
    review = SCHEMA.model_validate(_review(experiments=text))
    kept, _ = drop(review, find(review, ABSTRACT))
    assert kept.experiments == "OPT-175B is comparable to GPT-3.\n\nIt needs 1/7th the carbon."


def test_an_invalid_reply_to_a_grounding_reask_keeps_the_earlier_valid_review(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """Issue 33, finding 5: the first reply is valid but invents a quote; both re-asks come
    back as broken JSON. Before, the whole review was lost (ReviewFailed)."""
    real = "A real weakness of OPT: evaluation is narrow."
    invented = _review(weaknesses=['It claims "trained entirely on Mars rovers" here.', real])
    fake.enqueue(Reply(content=json.dumps(invented)), Reply(content="{not json"),
                 Reply(content="{still not json"))  # fmt: skip
    outcome = make_reviewer(max_reasks=2).review_outcome(PAPER)
    assert fake.count == 3
    assert outcome.review.weaknesses == [real]  # the invented quote dropped, as at the end
    assert any(w.startswith("re-ask: no valid reply") for w in outcome.warnings)
    assert any("trained entirely on Mars rovers" in w for w in outcome.warnings)


def test_no_edits_keeps_the_models_text_and_lists_what_the_checks_found(
    tmp_path: Path, fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    """Issue 33: an option keeps the model's text untouched and only reports the findings."""
    text = "OPT-175B is comparable to GPT-3. It wins by 35% on every task."
    bad = _review(experiments=text)
    fake.enqueue(*[Reply(content=json.dumps(bad))] * 3)
    reviewer = make_reviewer(edit=False, max_reasks=0)
    reviewer.batch([PAPER], tmp_path / "run")
    record = json.loads((tmp_path / "run" / "reviews.jsonl").read_text())
    assert record["review"]["experiments"] == text  # as the model wrote it
    assert 'grounding: kept experiments: the number "35%" is not in the paper' in record["warnings"]
    assert not [
        w for w in record["warnings"] if w.startswith(("grounding: removed", "grounding: dropped"))
    ]
    markdown = (tmp_path / "run" / "reviews" / "opt.md").read_text()
    assert "**Not verified.**" in markdown and "**Edited.**" not in markdown
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["config"]["edit"] is False


def test_a_capital_after_a_list_marker_starts_its_sentence() -> None:
    """Found by benchmarks/check_edits.py on human reviews: "- Empirical results: ..." read
    "Empirical" as a name the paper lacks, and the line was removed."""
    text = (
        "OPT-175B is comparable to GPT-3.\n- Empirical results: the suite is open.\n"
        "2. Writing is clear."
    )
    review = SCHEMA.model_validate(_review(experiments=text))
    assert not [f for f in find(review, ABSTRACT) if f.field == "experiments"]


TTT = (
    "Title: Learning to (Learn at Test Time)\n\nAbstract: We propose TTT-Linear and TTT-MLP, "
    "whose hidden state is a model. Both address the lost-in-the-middle problem of long "
    "contexts, evaluated on General Reasoning tasks."
)


def test_a_misspelt_name_of_the_paper_is_mended_not_removed() -> None:
    """Found by reading the edits of benchmarks/check_edits.py: "TTP-MLP" for the paper's
    TTT-MLP took its correct sentence and comment."""
    review = SCHEMA.model_validate(
        _review(
            experiments="Both TTT-Linear and TTP-MLP match or exceed the baselines they use.",
            weaknesses=[
                "The authors note that TTP-MLP faces challenges in memory I/O.",
                "A second weakness.",
            ],
        )
    )
    findings = [f for f in find(review, TTT) if f.field in {"experiments", "weaknesses"}]
    assert {(f.kind, f.detail, f.spelling) for f in findings} == {
        ("misspelt_name", "TTP-MLP", "TTT-MLP")
    }
    kept, warnings = drop(review, findings)
    assert kept.experiments == "Both TTT-Linear and TTT-MLP match or exceed the baselines they use."
    assert kept.weaknesses[0] == "The authors note that TTT-MLP faces challenges in memory I/O."
    assert warnings == [
        'mended weaknesses #1: "TTP-MLP" misspells the paper\'s "TTT-MLP"',
        'mended experiments: "TTP-MLP" misspells the paper\'s "TTT-MLP"',
    ]
    assert reask_text([]) and not [f for f in findings if f.certain and f.kind != "misspelt_name"]


def test_what_may_be_a_word_an_example_or_a_short_slip_is_reported_never_removed() -> None:
    """A capitalised common word ("Representative") is no name; a capitalised unknown word
    ("Turkishic"), a name given as an example ("e.g., GPT-3") and a short near-miss ("TTP" for
    TTT) are reported; an acronym the review defines from the paper's words is grounded."""
    text = (
        "The data is Representative of long contexts. "
        "The Turkishic tasks are long. "
        "It generalises autoregressive models (e.g., GPT-2, GPT-3). "
        "The TTP layer is new. "
        "It addresses the lost-in-the-middle (LIM) problem, and LIM matters."
    )
    review = SCHEMA.model_validate(_review(methodology=text))
    findings = [f for f in find(review, TTT) if f.field == "methodology"]
    assert {(f.detail, f.certain, f.spelling) for f in findings} == {
        ("Turkishic", False, ""),
        ("GPT-2", False, ""),
        ("GPT-3", False, ""),
        ("TTP", False, "TTT"),
    }
    kept, warnings = drop(review, findings)
    assert kept.methodology == text
    assert all(w.startswith("kept methodology") for w in warnings)


def test_a_strong_invented_name_still_removes_its_sentence() -> None:
    text = "TTT-MLP is evaluated on long contexts of many lengths. It is trained on WebText."
    review = SCHEMA.model_validate(_review(methodology=text))
    kept, warnings = drop(review, [f for f in find(review, TTT) if f.field == "methodology"])
    assert kept.methodology == "TTT-MLP is evaluated on long contexts of many lengths."
    assert warnings == [
        'removed the sentence with methodology: "WebText" is not mentioned in the paper'
    ]


def test_text_written_from_more_than_the_source_is_reported_not_cut() -> None:
    """A human reviewer read the whole paper: checked against the abstract (``complete`` off),
    a number or name the abstract lacks is reported and the sentence stays; a sentence that
    says nothing is still a finding that removes."""
    text = (
        "TTT-MLP is evaluated on long contexts of many lengths. Table 3 reports 76.1% on "
        "WebText. The code is released on GitHub."
    )
    review = SCHEMA.model_validate(_review(experiments=text))
    findings = [f for f in find(review, TTT, complete=False) if f.field == "experiments"]
    assert findings and not any(f.certain for f in findings)
    kept, warnings = drop(review, findings)
    assert kept.experiments == text and all(w.startswith("kept ") for w in warnings)
    strict = [f for f in find(review, TTT) if f.field == "experiments"]
    assert drop(review, strict)[0].experiments != text  # the same text from a model is cut
