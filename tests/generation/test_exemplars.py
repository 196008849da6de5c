"""Few-shot exemplars: nearest TRAIN papers' human reviews before the paper (FAKE server)."""

import json
from collections.abc import Callable

from reviewer import Reviewer
from reviewer.generation.exemplars import ExemplarIndex
from reviewer.inputs.paper import Paper
from reviewer.references import reference_from_record
from tests.eval.conftest import HashEncoder, paper_record, review_text
from tests.fake_openai import FakeOpenAI, Reply, placeholder_review


def _ref(pid: str, abstract: str, split: str, weakness: str, title: str | None = None):
    text = review_text(["A strength."], [weakness])
    record = paper_record(pid, [5], False, split=split, texts=[text], abstract=abstract)
    if title:
        record["title"] = title
    return reference_from_record(record)


REFS = [
    _ref("t-graph", "graph neural networks for molecules", "train", "The graph pooling is ad hoc."),
    _ref("t-speech", "speech recognition with transducers", "train", "No word error rates."),
    _ref("t-vision", "vision transformers for detection", "train", "Detection AP is missing."),
    _ref("x-graph", "graph neural networks for molecules", "test", "TEST REVIEW SECRET."),
    _ref("d-graph", "graph neural networks for molecules", "dev", "DEV REVIEW SECRET."),
]
PAPER = Paper(id="new", title="New graph paper", abstract="graph neural networks for molecules")


def test_nearest_train_papers_only_never_dev_test_or_itself() -> None:
    index = ExemplarIndex(REFS, HashEncoder(), k=2)
    shots = index.for_paper(PAPER)
    assert [s.paper_id for s in shots][0] == "t-graph"
    assert all(s.paper_id.startswith("t-") for s in shots)
    assert "graph pooling is ad hoc" in shots[0].review and shots[0].rating == 5.0
    same = Paper(id="t-graph", title="Other", abstract="graph neural networks for molecules")
    assert "t-graph" not in [s.paper_id for s in index.for_paper(same)]
    retitled = Paper(id="z", title=REFS[0].title.upper(), abstract=PAPER.abstract)
    assert "t-graph" not in [s.paper_id for s in index.for_paper(retitled)]


def test_exemplars_go_before_the_paper_and_are_not_a_quote_source(
    fake: FakeOpenAI, make_reviewer: Callable[..., Reviewer]
) -> None:
    quoting = placeholder_review("graph") | {
        "weaknesses": ['As said elsewhere, "the graph pooling is ad hoc" here too.']
    }
    fake.enqueue(Reply(content=json.dumps(quoting)))
    reviewer = make_reviewer(exemplars=ExemplarIndex(REFS, HashEncoder(), k=1))
    outcome = reviewer.review_outcome(PAPER.model_dump())
    user = fake.requests[0]["messages"][1]["content"]
    assert user.index("<example_review") < user.index("<paper>")
    assert "graph pooling is ad hoc" in user and "SECRET" not in user
    assert outcome.attempts == 2  # the exemplar's words are not the paper's: re-asked
    assert "not in the paper" in fake.requests[1]["messages"][-1]["content"]
