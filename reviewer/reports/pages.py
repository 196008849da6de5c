"""The HTML pages: one Jinja2 environment over ``reviewer/templates``, the formatters they share.

Every page (the run report, the eval report) is a template shipped as package data beside this
module, with one stylesheet; this module holds no markup. Autoescaping is on because paper
text and model output are untrusted: a title holding a script tag shows as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader
from markupsafe import Markup

TEMPLATES = "templates"


def label(key: Any) -> str:
    """``load_bearing_premise`` -> ``Load bearing premise``."""
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def money(value: float | None) -> str:
    """Dollars, with enough decimals that a fraction of a cent does not show as zero."""
    if value is None:
        return "—"
    if value < 0.01:
        return "$" + (f"{value:.6f}".rstrip("0").rstrip(".") or "0")
    return f"${value:,.4f}" if value < 1 else f"${value:,.2f}"


def value_kind(value: Any) -> str:
    """How a review field renders: ``text`` (paragraphs), ``fields`` (an object), ``bullets``
    (a list of plain values), ``items`` (a list of objects) or ``other``."""
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "fields"
    if isinstance(value, list):
        plain = all(isinstance(v, str | int | float) for v in value)
        return "bullets" if plain else "items"
    return "other"


def code_spans(line: str) -> list[tuple[str, bool]]:
    """A line's Markdown-style `code` spans: (text, is code) pieces in order."""
    pieces = re.split(r"`([^`]+)`", line)
    return [(piece, i % 2 == 1) for i, piece in enumerate(pieces) if piece]


FILTERS: dict[str, Callable[..., Any]] = {
    "label": label,
    "money": money,
    "dash": lambda v: "—" if v is None or v == "" else v,
    "sortkey": lambda v: "" if v is None else v,
    "thousands": lambda v: f"{int(v):,}",
    "seconds": lambda ms: f"{ms / 1000:.1f} s",
    "basename": lambda path: Path(str(path)).name if path else "",
    "paragraphs": lambda text: [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()],
    "code_spans": code_spans,
}


@cache
def environment() -> Environment:
    """The one environment: package templates, autoescape on, block tags leave no blank lines."""
    env = Environment(
        loader=PackageLoader("reviewer.reports", TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    env.globals.update(asset=_asset, value_kind=value_kind)
    return env


def _asset(name: str) -> Markup:
    """A stylesheet or script of the templates folder, inlined as is so the page stays one
    self-contained file (read raw, not as a template: CSS braces are not Jinja syntax)."""
    env = environment()
    assert env.loader is not None
    source, _, _ = env.loader.get_source(env, name)
    return Markup(source)


def render(template: str, **context: Any) -> str:
    """A page of the templates folder, rendered."""
    return environment().get_template(template).render(**context)


def macro(template: str, name: str) -> Callable[..., Markup]:
    """A macro of the templates folder, callable from Python (returns escaped HTML)."""
    return getattr(environment().get_template(template).module, name)
