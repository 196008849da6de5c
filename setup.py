"""Build step: ship the top-level ``prompts/`` and ``evals/`` in the wheel as package data.

They stay the sources in the repo; ``build_py`` copies them to ``reviewer/_data/`` in the
build, where ``reviewer.resources.builtin`` finds them through ``importlib.resources``. An
editable install (``./setup.sh``) copies nothing: the package reads the checkout's folders.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# folder -> the files of it that ship (evals/: the frozen detectors and calibrations, not scripts)
DATA = {"prompts": ("**/*",), "evals": ("*.json", "technical_words.txt", "README.md")}


class BuildWithData(build_py):
    """``build_py`` plus the data folders under ``reviewer/_data``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "reviewer" / "_data"
        for folder, patterns in DATA.items():
            for pattern in patterns:
                for source in sorted((ROOT / folder).glob(pattern)):
                    if not source.is_file() or "__pycache__" in source.parts:
                        continue
                    dest = target / folder / source.relative_to(ROOT / folder)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, dest)


setup(cmdclass={"build_py": BuildWithData})
