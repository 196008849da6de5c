"""`reviewer flaws make | score | run` end to end, generation against the FAKE endpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from reviewer.cli.app import main
from tests.conftest import EXAMPLES
from tests.eval.conftest import HashEncoder
from tests.fake_openai import FakeOpenAI, default_responder

CANARY = "sk-canary-flaws-0123456789"


@pytest.fixture
def hash_embeddings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scoring without the embedding model: bag-of-words vectors (tests/eval/conftest.py)."""
    monkeypatch.setattr("reviewer.flaws.score.Embedder", lambda *a, **k: HashEncoder())


def invoke(*args: Any) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_make_writes_twins_and_key(tmp_path: Path) -> None:
    result = invoke(
        "flaws", "make", EXAMPLES / "papers.jsonl", "--out", tmp_path, "-n", 2, "--seed", 3
    )
    assert result.exit_code == 0, result.output
    key = [json.loads(x) for x in (tmp_path / "key.jsonl").read_text().splitlines()]
    assert len(key) == 14 and {k["seed"] for k in key} == {3}
    assert len((tmp_path / "papers.jsonl").read_text().splitlines()) == 14
    assert "2 papers x (clean + 6 flaws) = 14 twins" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["make", "missing.jsonl", "--out", "o"], "input not found"),
        (
            ["make", str(EXAMPLES / "papers.jsonl"), "--out", "o", "--kinds", "typo"],
            "unknown flaw kind typo:",
        ),
        (["score", "--predictions", "nope", "--key", "k.jsonl", "--out", "o"], "key not found"),
    ],
)
def test_user_errors_are_one_line_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke("flaws", *args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def _critic(request: dict[str, Any]) -> str:
    """A FAKE reviewer that quotes every abstract sentence with a digit as a weakness, calling
    it wrong in every kind's words (test data, not a model)."""
    review = json.loads(default_responder(request))
    user = str(request["messages"][-1].get("content", ""))
    abstract = user.split("Abstract:", 1)[-1].split("</paper>", 1)[0]
    picks = [s.strip() for s in re.split(r"(?<=[.])\s+", abstract) if re.search(r"\d", s)]
    blame = "Inconsistent and unsupported, with no baseline named"
    items = [" ".join(f'{blame}: "{s}".' for s in picks[k::3]) for k in range(3)]
    review["weaknesses"] = [i for i in items if i] or review["weaknesses"]
    return json.dumps(review)


def test_run_makes_reviews_through_the_endpoint_and_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hash_embeddings: None
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    with FakeOpenAI(responder=_critic) as fake:
        result = invoke(
            "flaws",
            "run",
            EXAMPLES / "papers.jsonl",
            "--out",
            tmp_path,
            "-n",
            2,
            "--kinds",
            "impossible_number,missing_baseline",
            "--base-url",
            fake.base_url,
            "--model",
            "fake",
            "--bootstrap",
            50,
        )
        assert result.exit_code == 0, result.output
        assert fake.count == 6  # 2 papers x (clean + 2 flaws)
    metrics = json.loads((tmp_path / "score" / "metrics.json").read_text())
    assert metrics["recall"]["value"] == 1.0 and metrics["recall"]["n"] == 4
    assert metrics["coverage"]["reviewed"] == 6
    assert (tmp_path / "run" / "reviews.jsonl").is_file()
    assert "| **all** | 1.000" in result.output
    assert CANARY not in (tmp_path / "score" / "metrics.json").read_text()

    # the placeholder reviews of the default fake say nothing specific: recall 0
    with FakeOpenAI() as fake:
        result = invoke(
            "flaws",
            "run",
            EXAMPLES / "papers.jsonl",
            "--out",
            tmp_path / "b",
            "-n",
            2,
            "--base-url",
            fake.base_url,
            "--model",
            "fake",
        )
        assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "b" / "score" / "metrics.json").read_text())
    assert metrics["recall"]["value"] == 0.0 and metrics["recall"]["n"] == 12


def test_run_with_failed_reviews_scores_the_rest_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hash_embeddings: None
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", CANARY)
    monkeypatch.setenv("REVIEWER_CONFIG", str(tmp_path / "c.toml"))
    (tmp_path / "c.toml").write_text("backoff_base = 0.01\nmax_retries = 0\n")

    def flaky(request: dict[str, Any]) -> str:
        """Valid reviews for the flawed twin (it has the planted number), junk for the clean."""
        user = str(request["messages"][-1].get("content", ""))
        planted = re.search(r"\b1\d\d\.\d%|x speed-up", user)
        return _critic(request) if planted else "not json"

    with FakeOpenAI(responder=flaky) as fake:
        result = invoke(
            "flaws",
            "run",
            EXAMPLES / "papers.jsonl",
            "--out",
            tmp_path / "o",
            "-n",
            1,
            "--kinds",
            "impossible_number",
            "--base-url",
            fake.base_url,
            "--model",
            "fake",
            "--bootstrap",
            0,
        )
    assert result.exit_code == 3, result.output
    metrics = json.loads((tmp_path / "o" / "score" / "metrics.json").read_text())
    assert metrics["coverage"] == {"twins": 2, "reviewed": 1, "papers": 1}


def test_score_reads_a_mapped_jsonl(tmp_path: Path, hash_embeddings: None) -> None:
    invoke("flaws", "make", EXAMPLES / "papers.jsonl", "--out", tmp_path, "-n", 1)
    key = [json.loads(x) for x in (tmp_path / "key.jsonl").read_text().splitlines()]
    other = tmp_path / "other.jsonl"
    other.write_text(
        "".join(
            json.dumps({"pid": k["id"], "critique": f"Wrong and unsupported: {k['planted']}"})
            + "\n"
            for k in key
        )
    )
    result = invoke(
        "flaws",
        "score",
        "-p",
        other,
        "-k",
        tmp_path / "key.jsonl",
        "-o",
        tmp_path / "s",
        "--map",
        "paper_id=pid",
        "--map",
        "text=critique",
        "--name",
        "other-system",
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads((tmp_path / "s" / "metrics.json").read_text())
    assert metrics["system"] == "other-system" and metrics["recall"]["n"] == 6
