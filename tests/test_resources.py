"""The wheel is the product: forms, default calibration, frozen eval files, the templates of
the HTML pages and the ``py.typed`` marker ship inside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reviewer import resources
from reviewer.resources import CHECKOUT, builtin


def test_a_checkout_reads_the_top_level_folders() -> None:
    assert builtin("prompts") == CHECKOUT / "prompts"
    assert (builtin("evals") / "score-calibration.json").is_file()


def test_packaged_data_wins_when_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "_data" / "prompts").mkdir(parents=True)
    monkeypatch.setattr(resources, "files", lambda package: tmp_path)
    assert builtin("prompts") == tmp_path / "_data" / "prompts"
    assert builtin("evals") == CHECKOUT / "evals"  # not packaged here: the checkout's


def test_the_wheel_holds_every_form_and_frozen_eval_file(tmp_path: Path) -> None:
    """Built offline from a copy of the sources (the checkout gets no build/ folder)."""
    source = tmp_path / "src"
    for name in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(CHECKOUT / name, source / name)
    skip = shutil.ignore_patterns("__pycache__", "_data")
    for name in ("reviewer", "prompts", "evals"):
        shutil.copytree(CHECKOUT / name, source / name, ignore=skip)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("reviewer-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = [
        f"reviewer/_data/prompts/{p.relative_to(CHECKOUT / 'prompts').as_posix()}"
        for p in (CHECKOUT / "prompts").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    expected += [f"reviewer/_data/evals/{p.name}" for p in (CHECKOUT / "evals").glob("*.json")]
    assert expected and not [n for n in expected if n not in names]
    assert "reviewer/_data/evals/score-calibration.json" in names
    templates = [
        f"reviewer/reports/templates/{p.name}"
        for p in (CHECKOUT / "reviewer" / "reports" / "templates").iterdir()
    ]  # the HTML pages, their stylesheet and script: package data of reviewer itself
    assert "reviewer/reports/templates/run_report.html.j2" in templates
    assert not [n for n in templates if n not in names]
    assert not [n for n in names if n.startswith("reviewer/_data/evals/") and n.endswith(".py")]
    assert "reviewer/py.typed" in names  # PEP 561: type checkers read the package's annotations
