"""Shared by the embedded model's tests: a cache per test and a stand-in server.

The stand-in is a tiny stdlib HTTP server that answers ``/v1/models`` the way llama.cpp's does,
so process handling and reuse are tested without llama.cpp or model weights.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reviewer.local.server import LocalServer

FAKE_SERVER = """
import http.server, json, sys
port, alias = int(sys.argv[1]), sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"data": [{"id": alias}]}).encode()
        self.send_response(200 if self.path == "/v1/models" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
print("fake server starting", flush=True)
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv("REVIEWER_CACHE_DIR", str(root))
    return root


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> None:
    def command(self: LocalServer) -> list[str]:
        return [sys.executable, "-c", FAKE_SERVER, str(self.port), self.model]

    monkeypatch.setattr(LocalServer, "command", command)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid
