"""Where the package's own data is: review forms, the default calibration, frozen eval files.

The repo keeps them in the top-level ``prompts/`` and ``evals/`` folders (their sources, part of
the design); the wheel build (``setup.py``) copies them into the package as ``reviewer/_data``,
so an installed package reads them through ``importlib.resources`` and a checkout or editable
install reads the top-level folders, with the same code.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def builtin(name: str) -> Path:
    """The folder ``name`` (``prompts`` or ``evals``): packaged in the wheel, else the checkout's.

    Forms are loaded with Jinja2's file loader and ``schema.py`` imports, which need real files;
    wheels install unpacked, so the package's resources are a folder on disk."""
    packaged = files("reviewer") / "_data" / name
    if packaged.is_dir():
        return Path(str(packaged))
    return CHECKOUT / name
