"""The machine a benchmark ran on, recorded beside every figure."""

from __future__ import annotations

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


def describe() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gib": _memory_gib(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "commit": _commit(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python", *sys.argv]),
    }


def peak_rss_mib(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a live process, in MiB."""
    value = _field(f"/proc/{pid}/status", "VmHWM")
    return round(int(value.split()[0]) / 1024, 1) if value else None
