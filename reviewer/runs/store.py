"""The run-record stage: the only module that writes run outputs.

``reviews.jsonl`` and ``errors.jsonl`` are append-only, one whole JSON object per line,
flushed per record, so a crash loses at most the line being written. On reopening, a torn
last line is cut off (never kept as corrupt) and the ids already reviewed are skipped.

A run holds its folder (``flock`` on ``.lock``, see :meth:`RunStore.claim`) so that a second
run into the same folder fails at once instead of interleaving its lines, cutting a line the
first is writing or replacing its manifest. Where ``fcntl`` is missing there is no such lock.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from reviewer.errors import ConfigError
from reviewer.redact import redact

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

REVIEWS = "reviews.jsonl"
ERRORS = "errors.jsonl"
MANIFEST = "manifest.json"
LOCK = ".lock"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_filename(paper_id: str) -> str:
    """The Markdown name (without ``.md``) runs used before records named their file: kept to
    find those runs' files. It is not unique ("a/b" and "a:b" are both ``a_b``)."""
    name = _UNSAFE.sub("_", paper_id).strip("._") or "paper"
    return name[:150]


def review_filename(paper_id: str) -> str:
    """The paper's file in ``reviews/``: one per id, the same on every run, readable.

    A lower-case id of safe characters is its own name; any other id gets its slug plus
    ``~`` and a hash of the exact id. No id can name a file ``~``, so the two kinds never
    meet, and names differing only in case ("Paper", "paper") stay apart on disks that ignore
    case.
    """
    slug = _UNSAFE.sub("_", paper_id).strip("._")[:120]
    if slug == paper_id and paper_id == paper_id.lower():
        return f"{slug}.md"
    digest = hashlib.sha256(paper_id.encode("utf-8")).hexdigest()[:12]
    return f"{slug.lower() or 'paper'}~{digest}.md"


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Whole, parseable object lines of a JSONL file; anything else is skipped."""
    if not path.exists():
        return
    with path.open("rb") as fh:
        for raw in fh:
            try:
                value = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                continue
            if isinstance(value, dict):
                yield value


def repair_tail(path: Path) -> bool:
    """Cut a torn last line (no newline, or not JSON) left by a crash; True if cut."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    with path.open("rb+") as fh:
        data = fh.read()
        end = data.rfind(b"\n") + 1
        tail = data[end:]
        if not tail:
            return False
        fh.truncate(end)
        fh.flush()
        os.fsync(fh.fileno())
    return True


_held: dict[str, list[int]] = {}  # run folder -> [descriptor, holders in this process]
_held_guard = threading.Lock()


def _hold(directory: Path) -> None:
    """Take the folder's lock, or count one more holder if this process has it already (a
    Batch API round trip holds the folder while each round's import holds it again)."""
    key = str(directory.resolve())
    with _held_guard:
        if key in _held:
            _held[key][1] += 1
            return
        if fcntl is None:  # pragma: no cover - not POSIX
            _held[key] = [-1, 1]
            return
        fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ConfigError(
                f"another run is writing to {directory} (it holds {directory / LOCK}): wait "
                "for it to finish or use another --out"
            ) from None
        _held[key] = [fd, 1]


def _let_go(directory: Path) -> None:
    key = str(directory.resolve())
    with _held_guard:
        entry = _held.get(key)
        if entry is None:
            return
        entry[1] -= 1
        if entry[1] == 0:
            del _held[key]
            if entry[0] >= 0:
                os.close(entry[0])  # closing the descriptor releases its flock


class RunStore:
    """One output directory: reviews, errors, per-paper Markdown and the manifest."""

    def __init__(self, out_dir: str | Path) -> None:
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "reviews").mkdir(exist_ok=True)
        self.repaired = False
        self._claimed = False
        self._reviews: IO[str] | None = None
        self._errors: IO[str] | None = None

    def claim(self) -> None:
        """Hold the folder until :meth:`close`, then cut a torn last line (only safe while no
        other run writes here). Raises ``ConfigError`` at once when another process holds it."""
        if self._claimed:
            return
        _hold(self.dir)
        self._claimed = True
        self.repaired = repair_tail(self.dir / REVIEWS)

    def done_ids(self, form: str | None = None) -> set[str]:
        """Paper ids (optionally of one form) that already have a review in this directory."""
        return {
            str(r["paper_id"])
            for r in iter_jsonl(self.dir / REVIEWS)
            if "paper_id" in r and (form is None or r.get("form") == form)
        }

    def start_errors(self) -> None:
        """Failed papers are retried by a rerun, so the previous run's error list is replaced."""
        (self.dir / ERRORS).unlink(missing_ok=True)

    @staticmethod
    def _append(handle: IO[str], record: dict[str, Any]) -> None:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()

    def write_review(self, record: dict[str, Any], markdown: str) -> None:
        """The review's line, naming its Markdown file (``markdown``, relative to the run)."""
        if self._reviews is None:
            self._reviews = (self.dir / REVIEWS).open("a", encoding="utf-8")
        relative = f"reviews/{review_filename(str(record['paper_id']))}"
        (self.dir / relative).write_text(markdown + "\n", encoding="utf-8")
        self._append(self._reviews, {**record, "markdown": relative})

    def write_error(self, record: dict[str, Any]) -> None:
        """An error line; URLs in it lose their credentials (see ``reviewer.redact``)."""
        if self._errors is None:
            self._errors = (self.dir / ERRORS).open("a", encoding="utf-8")
        self._append(self._errors, redact(record))

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """The manifest, atomically; URLs in it (the endpoint's) lose their credentials."""
        tmp = self.dir / f".{MANIFEST}.tmp"
        text = json.dumps(redact(manifest), indent=2, ensure_ascii=False) + "\n"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(self.dir / MANIFEST)

    def read_manifest(self) -> dict[str, Any] | None:
        path = self.dir / MANIFEST
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def close(self) -> None:
        for handle in (self._reviews, self._errors):
            if handle is not None:
                handle.close()
        self._reviews = self._errors = None
        if self._claimed:
            self._claimed = False
            _let_go(self.dir)
