"""Reliability under endpoint faults, crashes and concurrent processes (FAKE endpoint)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.fault_injection import DEFAULT_MIX, run
from tests.conftest import write_jsonl
from tests.fake_openai import FakeOpenAI

ROOT = Path(__file__).resolve().parent.parent


def test_fault_mix_loses_no_paper_and_bounds_requests(tmp_path: Path) -> None:
    result = run(DEFAULT_MIX, 200, tmp_path / "run", timeout=2.0)
    assert result["every_paper_one_line"]
    assert result["reviewed_rate"] >= 0.95
    assert result["requests_per_paper"] <= 3
    assert result["seconds"] < 60  # hung requests were cut by the timeout, not waited for
    lines = (tmp_path / "run" / "reviews.jsonl").read_text().splitlines()
    assert len(lines) == len({json.loads(x)["paper_id"] for x in lines})


def _papers(n: int) -> list[dict]:
    return [
        {"id": f"c{i:03d}", "title": f"Crash paper {i}", "abstract": "An abstract."}
        for i in range(n)
    ]


def _batch(inp: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-m",
        "reviewer",
        "batch",
        str(inp),
        "--out",
        str(out),
        "--concurrency",
        "4",
    ]
    return subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _env(fake: FakeOpenAI, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text("backoff_base = 0.01\n")
    return {
        **os.environ,
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_API_KEY": "sk-crash",
        "REVIEWER_MODEL": "fake-model",
        "REVIEWER_CONFIG": str(config),
    }


def _count(path: Path) -> int:
    return len(path.read_bytes().splitlines()) if path.exists() else 0


def test_kill_9_mid_batch_then_rerun(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.latency = 0.05
    inp = write_jsonl(tmp_path / "in.jsonl", _papers(120))
    out = tmp_path / "run"
    env = _env(fake, tmp_path)
    proc = _batch(inp, out, env)
    deadline = time.time() + 60
    while _count(out / "reviews.jsonl") < 40 and time.time() < deadline:
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = {
        json.loads(x)["paper_id"]
        for x in (out / "reviews.jsonl").read_text().splitlines()
        if x.endswith("}")
    }
    assert 40 <= len(before) < 120
    sent_before = fake.count
    rerun = _batch(inp, out, env)
    assert rerun.wait(timeout=120) == 0, rerun.stderr.read().decode() if rerun.stderr else ""
    records = [json.loads(x) for x in (out / "reviews.jsonl").read_text().splitlines()]
    ids = [r["paper_id"] for r in records]
    assert sorted(ids) == sorted(p["id"] for p in _papers(120))
    titles = [r["messages"][1]["content"] for r in fake.requests if "messages" in r]
    for paper_id in before:  # received before the crash: never asked again
        number = int(paper_id[1:])
        assert sum(f"Crash paper {number}\n" in t for t in titles) == 1, paper_id
    # only requests in flight at the kill may be sent twice
    assert fake.count - sent_before <= 120 - len(before) + 4


def test_two_processes_share_one_cache(tmp_path: Path, fake: FakeOpenAI) -> None:
    fake.latency = 0.01
    inp = write_jsonl(tmp_path / "in.jsonl", _papers(60))
    env = _env(fake, tmp_path)
    procs = [_batch(inp, tmp_path / f"run{i}", env) for i in range(2)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    for i in range(2):
        lines = (tmp_path / f"run{i}" / "reviews.jsonl").read_text().splitlines()
        assert len({json.loads(x)["paper_id"] for x in lines}) == len(lines) == 60
    third = _batch(inp, tmp_path / "run3", env)
    sent = fake.count
    assert third.wait(timeout=60) == 0
    assert fake.count == sent  # everything either process received is in the shared cache
