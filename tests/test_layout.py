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
    "reviewer.library.session",
    "reviewer.library.engine",
    "reviewer.library.stream",
    "reviewer.library.portal",
    "reviewer.generation.generate",
    "reviewer.generation.ensemble",
    "reviewer.runs.batch",
    "reviewer.runs.batchfile",
    "reviewer.generation.client",
    "reviewer.generation.backend",
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


def imports(module: str, runtime_only: bool = False) -> set[str]:
    """Package modules ``module`` imports anywhere in its source (its parents not counted);
    ``runtime_only``: not those under ``if TYPE_CHECKING`` (types only, never loaded)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(sub)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for sub in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if runtime_only and id(node) in typing_only:
            continue
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
        found.update(
            t
            for n in names
            if (t := _target(n)) is not None and t != module and not module.startswith(t + ".")
        )
    return found


GRAPH = {m: imports(m) for m in MODULES}


def _within(module: str, packages: tuple[str, ...] | set[str]) -> bool:
    return any(module == s or module.startswith(s + ".") for s in packages)


def _eval_side(module: str) -> bool:
    return _within(module, EVAL_SIDE)


def test_the_graph_sees_lazy_imports() -> None:
    """The reader below counts imports inside functions (a command imports its library when
    it runs)."""
    assert "reviewer.eval.run" in GRAPH["reviewer.cli.eval"]
    assert "reviewer.checks.generic" in GRAPH["reviewer.library.session"]


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


def _folder(module: str) -> str:
    """The folder a module lives in: ``reviewer.runs`` for ``reviewer.runs.batch``; a module
    at the top is a folder of its own."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_folder_arrow_points_back_up() -> None:
    """The folders' imports form no cycle: what a folder uses never uses it back (the eval and
    the planted flaws never import the command line, the checks never import generation)."""
    arrows: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        for target in targets:
            if _folder(module) != _folder(target):
                arrows.setdefault(_folder(module), set()).add(_folder(target))
    back = sorted((a, b) for a in arrows for b in arrows[a] if a in arrows.get(b, set()))
    assert back == []


MAX_FLOORS = 12
"""Floors of the import map: the longest chain of modules each importing the next when the
program runs (``TYPE_CHECKING`` imports aside, ``__main__`` aside). 15 before the regrouping
of issue 35 (measured the same way on commit 038342f)."""


RUNTIME = {
    m: {t for t in imports(m, runtime_only=True) if not t.endswith("__main__")}
    for m in MODULES
    if not m.endswith("__main__")
}


def test_the_import_map_has_at_most_max_floors() -> None:
    floors: dict[str, int] = {}
    for _ in RUNTIME:  # relax until stable: the graph has no cycles (tested above)
        for module, targets in RUNTIME.items():
            floors[module] = 1 + max((floors.get(t, 1) for t in targets), default=0)
    deepest = max(floors, key=lambda m: floors[m])
    assert floors[deepest] <= MAX_FLOORS, deepest
