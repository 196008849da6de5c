"""The public surface is typed: mypy (strict, ``[tool.mypy]`` in pyproject.toml) passes on the
public modules, ``__all__`` names what the package exports, and the wheel says it is typed
(``py.typed``; the wheel's contents are checked in ``tests/test_resources.py``)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

import reviewer

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_passes_on_the_public_modules(monkeypatch: pytest.MonkeyPatch) -> None:
    api = pytest.importorskip("mypy.api", reason="mypy is in the [dev] extra")
    monkeypatch.chdir(ROOT)  # the config names the files from the checkout's root
    cache = ROOT / ".mypy_cache"  # a warm cache makes a rerun take seconds
    stdout, stderr, status = api.run(
        ["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache)]
    )
    assert status == 0, stdout + stderr
    assert "Success" in stdout and "source files" in stdout


def test_all_names_every_export_and_nothing_else() -> None:
    exported = {
        name
        for name, value in vars(reviewer).items()
        if not name.startswith("_") and not isinstance(value, ModuleType)  # submodules
    }
    assert set(reviewer.__all__) == exported
    for name in ("Reviewer", "AsyncReviewer", "ReviewResult", "Outcome", "Paper", "Review"):
        assert name in reviewer.__all__


def test_the_package_is_marked_typed() -> None:
    assert (Path(reviewer.__file__).parent / "py.typed").is_file()
