"""`reviewer data fetch` and `reviewer data list` on the command line (FAKE OpenReview API)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reviewer.cli.app import main
from reviewer.references import references_home
from tests.fake_openreview import VENUE, FakeOpenReview


def test_fetch_then_list_then_eval_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("openreview", reason="needs the [data] extra")
    monkeypatch.setenv("REVIEWER_DATA_DIR", str(tmp_path / "nothing-here"))
    runner = CliRunner()
    with FakeOpenReview(papers=12) as api:
        args = ["data", "fetch", VENUE, "--api-url", api.url, "--delay", "0", "--page-size", "5"]
        result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "iclr_2024: 12 papers" in result.output and "3 requests" in result.output
    listed = runner.invoke(main, ["data", "list"])
    assert listed.exit_code == 0
    line = next(x for x in listed.output.splitlines() if x.startswith("iclr_2024"))
    assert "12 papers" in line and VENUE in line and str(references_home()) in line
    pytest.importorskip("sklearn", reason="reviewer eval needs the [eval] extra")
    import reviewer.eval.run as run_module
    from tests.eval.conftest import HashEncoder

    monkeypatch.setattr(run_module, "Embedder", lambda *a, **k: HashEncoder())
    out = tmp_path / "eval"
    args = ["eval", "-r", "iclr_2024", "--split", "all", "--baseline", "constant"]
    result = runner.invoke(main, [*args, "--bootstrap", "20", "--no-report", "--out", str(out)])
    assert result.exit_code == 0, result.output
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["references"]["n_papers"] == 12  # every status kept, desk-rejected too
    assert metrics["references"]["path"].endswith("iclr_2024")


def test_fetch_at_another_page_size_than_the_kept_pages_is_one_line_naming_refresh(
    tmp_path: Path,
) -> None:
    pytest.importorskip("openreview", reason="needs the [data] extra")
    runner = CliRunner()
    base = ["data", "fetch", VENUE, "--out-dir", str(tmp_path), "--delay", "0"]
    with FakeOpenReview(papers=12) as api:
        first = runner.invoke(main, [*base, "--api-url", api.url, "--page-size", "5"])
        assert first.exit_code == 0, first.output
        again = runner.invoke(main, [*base, "--api-url", api.url, "--page-size", "50"])
        assert again.exit_code == 2, again.output
        assert again.output.count("\n") == 1 and "--refresh" in again.output
        fresh = [*base, "--api-url", api.url, "--page-size", "50", "--refresh"]
        refreshed = runner.invoke(main, fresh)
    assert refreshed.exit_code == 0, refreshed.output
    assert "12 papers" in refreshed.output and "1 requests" in refreshed.output


def test_fetch_without_the_data_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "openreview", None)
    result = CliRunner().invoke(main, ["data", "fetch", VENUE, "--delay", "0"])
    assert result.exit_code == 2
    assert "[data] extra" in result.output and "Traceback" not in result.output


def test_list_with_no_sets_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reviewer.cli.data as module

    monkeypatch.setattr(module, "search_dirs", lambda: [tmp_path / "empty"])
    result = CliRunner().invoke(main, ["data", "list"])
    assert result.exit_code == 0 and "reviewer data fetch VENUE_ID" in result.output


@pytest.fixture
def hash_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``reviewer data embed``'s Embedders, caching in a temporary folder, with the hand-made
    model behind them instead of MiniLM."""
    pytest.importorskip("sklearn", reason="reviewer data embed needs the [eval] extra")
    import reviewer.eval.prepare as prepare_module
    from reviewer.embed import Embedder
    from tests.eval.conftest import HashEncoder

    def embedder(*args: object, **kwargs: object) -> Embedder:
        return Embedder(*args, **{**kwargs, "model": HashEncoder()})  # type: ignore[arg-type]

    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(prepare_module, "Embedder", embedder)


def _embedded(output: str) -> tuple[int, int]:
    """(comment texts, titles and abstracts) embedded, from the command's last line."""
    import re

    found = re.search(r"embedded now ([\d,]+) comment texts and ([\d,]+) titles", output)
    assert found, output
    units, abstracts = (int(g.replace(",", "")) for g in found.groups())
    return units, abstracts


def test_data_embed_fills_the_cache_once_and_names_what_it_did(
    tmp_path: Path, hash_model: None
) -> None:
    from tests.eval.conftest import paper_record

    records = [paper_record(f"p{i}", [5, 7], True) for i in range(3)]
    records += [paper_record(f"t{i}", [4, 6], False, split="train") for i in range(4)]
    refs = tmp_path / "refs" / "papers.jsonl"
    refs.parent.mkdir()
    refs.write_text("".join(json.dumps(r) + "\n" for r in records))
    runner = CliRunner()
    first = runner.invoke(main, ["data", "embed", str(refs.parent), "--no-neighbour"])
    assert first.exit_code == 0, first.output
    assert "refs (test, 3 papers)" in first.output
    units, abstracts = _embedded(first.output)
    assert units > 0 and abstracts == 0  # --no-neighbour: no title or abstract embedded
    second = runner.invoke(main, ["data", "embed", str(refs.parent)])
    assert second.exit_code == 0, second.output
    assert _embedded(second.output) == (0, 7)  # only the neighbour's 4 train + 3 papers' texts
    third = runner.invoke(main, ["data", "embed", str(refs.parent)])
    assert _embedded(third.output) == (0, 0)


def test_data_embed_of_a_form_set_or_a_missing_one_is_one_line(
    tmp_path: Path, hash_model: None
) -> None:
    form = tmp_path / "form" / "papers.jsonl"
    form.parent.mkdir()
    form.write_text(json.dumps({"paper_id": "s1", "split": "test", "abstract": "We study x.",
                                "review": {"summary": "A summary."}}) + "\n")  # fmt: skip
    for target, message in ((form.parent, "nothing to prepare"), (tmp_path / "no", "not found")):
        result = CliRunner().invoke(main, ["data", "embed", str(target)])
        assert result.exit_code == 2, result.output
        assert message in result.output and len(result.output.strip().splitlines()) == 1


def test_fetch_with_embed_prepares_the_new_set(tmp_path: Path, hash_model: None) -> None:
    pytest.importorskip("openreview", reason="needs the [data] extra")
    args = ["data", "fetch", VENUE, "--out-dir", str(tmp_path), "--delay", "0", "--embed"]
    with FakeOpenReview(papers=12) as api:
        result = CliRunner().invoke(main, [*args, "--api-url", api.url])
    assert result.exit_code == 0, result.output
    assert "iclr_2024: 12 papers" in result.output
    assert "iclr_2024 (test, " in result.output and "are in the cache" in result.output
