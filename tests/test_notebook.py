"""``examples/quickstart.ipynb`` runs in a real Jupyter kernel (ipykernel through nbclient),
its cells inside the kernel's running event loop: a sync ``Reviewer.review``, a top-level
``await AsyncReviewer.review``, and ``reviews()`` with its progress bar. The kernel talks to
the FAKE endpoint (``REVIEWER_EXAMPLE_BASE_URL``), so its reviews are placeholder text."""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.fake_openai import FakeOpenAI

nbformat = pytest.importorskip("nbformat", reason="the [dev] extra runs the notebook")
nbclient = pytest.importorskip("nbclient", reason="the [dev] extra runs the notebook")
pytest.importorskip("ipykernel", reason="the [dev] extra runs the notebook")

KERNEL = "reviewer-tests"


def kernel_for_this_python(root: Path) -> None:
    """A kernelspec that runs the interpreter running the tests (a user's own ``python3``
    spec may point at another Python), found through ``JUPYTER_PATH``."""
    spec = root / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "reviewer tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))


def text_of(cell: Any) -> str:
    """Everything a cell showed: printed streams and the plain text of its displays."""
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    return "".join(parts)


def test_the_quickstart_notebook_runs_against_the_fake_endpoint(
    tmp_path: Path, fake: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    kernel_for_this_python(tmp_path / "jupyter")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("REVIEWER_EXAMPLE_BASE_URL", fake.base_url)
    notebook = nbformat.read(EXAMPLES / "quickstart.ipynb", as_version=4)
    assert not any(c.get("outputs") for c in notebook.cells if c.cell_type == "code")  # clean
    assert "fake endpoint" in notebook.cells[0].source  # the reader is told
    client = nbclient.NotebookClient(
        notebook,
        kernel_name=KERNEL,
        timeout=120,
        resources={"metadata": {"path": str(EXAMPLES)}},  # the kernel's working directory
    )
    client.execute()  # raises CellExecutionError if any cell fails

    code = [c for c in notebook.cells if c.cell_type == "code"]
    titles = ast.literal_eval(text_of(code[0]))  # the papers' titles, as the cell shows them
    assert len(titles) == 4
    sync_review, awaited, streamed, async_streamed = (text_of(c) for c in code[1:5])
    assert re.match(r"\d+ (accept|reject)\n", sync_review)  # overall and decision
    assert f"about {titles[0]}," in sync_review
    assert f"about {titles[1]}," in awaited
    ids = [x.split()[0] for x in streamed.splitlines() if " ok {" in x]
    assert len(ids) == 4 and "4/4" in streamed  # four results, and the bar's final count
    assert ast.literal_eval(async_streamed) == sorted(ids)
    assert fake.count == 4  # one request per paper: the faces shared one cache
