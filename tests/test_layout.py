"""The package's shape: data flows one way, so a reader can walk it the way the data does.

Imports are read with ``ast`` from every module, lazy ones inside functions and
``TYPE_CHECKING`` blocks included (they are dependencies all the same), so no import has to
run for the rule to hold.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "reviewer"
EVAL_SIDE = ("reviewer.eval", "reviewer.flaws")
"""The scoring harnesses: they read what generation wrote and may call it through its API."""
ENTRY_POINTS = ("reviewer.cli",)
"""The command line (a package) mounts every command, ``reviewer eval`` included: it may
import both."""
GENERATION_INTERNALS = {
    "reviewer.session",
    "reviewer.engine",
    "reviewer.stream",
    "reviewer.portal",
    "reviewer.generate",
    "reviewer.ensemble",
    "reviewer.batch",
    "reviewer.batchfile",
    "reviewer.client",
    "reviewer.backend",
    "reviewer.local",  # and its modules
}
"""Generation stages the eval must not reach into (it goes through ``reviewer.api``, or
``reviewer.aio`` for async code)."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _target(name: str) -> str | None:
    """The package module ``name`` refers to: itself, else its nearest enclosing module."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(module: str) -> set[str]:
    """Package modules ``module`` imports anywhere in its source (its parents not counted)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # ``from reviewer import generic`` imports the module reviewer.checks.generic
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                     for a in node.names]  # fmt: skip
        else:
            continue
        found.update(t for n in names if (t := _target(n)) is not None and t != module)
    return found


GRAPH = {m: imports(m) for m in MODULES}


def _within(module: str, packages: tuple[str, ...] | set[str]) -> bool:
    return any(module == s or module.startswith(s + ".") for s in packages)


def _eval_side(module: str) -> bool:
    return _within(module, EVAL_SIDE)


def test_the_graph_sees_lazy_imports() -> None:
    """The reader below counts imports inside functions (the CLI mounts the eval lazily)."""
    assert "reviewer.eval.cli" in GRAPH["reviewer.cli.app"]
    assert "reviewer.cli.app" in GRAPH["reviewer.cli"]
    assert "reviewer.checks.generic" in GRAPH["reviewer.session"]


def test_generation_never_imports_the_eval() -> None:
    offenders = {
        m: sorted(t for t in targets if _eval_side(t))
        for m, targets in GRAPH.items()
        if not _eval_side(m) and not _within(m, ENTRY_POINTS)
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def test_the_eval_reaches_generation_only_through_the_api() -> None:
    offenders = {
        m: sorted(x for x in t if _within(x, GENERATION_INTERNALS))
        for m, t in GRAPH.items()
        if _eval_side(m)
    }
    assert {m: t for m, t in offenders.items() if t} == {}


def test_no_import_cycles() -> None:
    """Every module's imports, followed transitively, never lead back to it."""
    cycles = []
    for start in GRAPH:
        seen: set[str] = set()
        stack = list(GRAPH[start])
        while stack:
            module = stack.pop()
            if module == start:
                cycles.append(start)
                break
            if module not in seen:
                seen.add(module)
                stack.extend(GRAPH[module])
    assert cycles == []
