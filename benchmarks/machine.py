"""The machine a benchmark ran on, recorded beside every figure."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _field(path: str, prefix: str) -> str | None:
    """The value after ``prefix`` in a /proc file (Linux); None elsewhere."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(prefix):
            return line.split(":", 1)[1].strip()
    return None


def _cpu_model() -> str:
    return _field("/proc/cpuinfo", "model name") or platform.processor() or "unknown"


def _memory_gib() -> float | None:
    value = _field("/proc/meminfo", "MemTotal")
    return round(int(value.split()[0]) / 2**20, 1) if value else None


def _commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
        )
        return out.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


# The code a benchmark runs is the code it imported at start: later commits during a long run
# must not be credited with its figures.
_STARTED_AT_COMMIT = _commit()


def describe() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "commit": _STARTED_AT_COMMIT,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", *sys.argv]),
    }


def peak_rss_mib(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a live process, in MiB."""
    value = _field(f"/proc/{pid}/status", "VmHWM")
    return round(int(value.split()[0]) / 1024, 1) if value else None


def write_results(stem: str, title: str, result: dict[str, Any], intro: str = "") -> Path:
    """Write results/<stem>.json and .md (machine, command, one row per figure)."""
    machine = result.setdefault("machine", describe())
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    rows = "\n".join(f"| {k} | {v} |" for k, v in result.items() if k != "machine")
    (out / f"{stem}.md").write_text(
        f"# {title}\n\n{intro}Machine: {machine['cpus']} CPUs ({machine['cpu_model']}), "
        f"{machine['memory_gib']} GiB, Python {machine['python']}, commit {machine['commit']}, "
        f"{machine['date']}\n\nCommand: `{machine['command']}`\n\n"
        f"| figure | value |\n|---|---|\n{rows}\n"
    )
    return out / f"{stem}.md"
