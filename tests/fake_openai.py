"""A FAKE OpenAI-compatible chat-completions server on loopback, for tests and benchmarks.

It speaks real HTTP/1.1 (keep-alive) so the real ``openai`` client is exercised end to end.
Replies come from a scripted queue (``enqueue``) and, when the queue is empty, from a
responder that writes a schema-valid *placeholder* review naming the paper's title. That
placeholder is test data, not a review: no model is involved.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TITLE = re.compile(r"Title:\s*(.+)")


def placeholder_review(title: str, overall: int = 6) -> dict[str, Any]:
    """A schema-valid ``sections`` review that names ``title`` (fake data for tests)."""
    para = f"Placeholder paragraph about {title}, written by the fake test endpoint, not a model."
    return {
        "summary": f"The fake test endpoint sums up {title} in one short placeholder paragraph.",
        "methodology": para,
        "experiments": para,
        "reproducibility": para,
        "limitations": para,
        "impact": para,
        "strengths": [f"A placeholder strength of {title}"],
        "weaknesses": [f"A placeholder weakness of {title}"],
        "questions": [f"A placeholder question about {title}?"],
        "soundness": 3,
        "presentation": 3,
        "contribution": 3,
        "overall": overall,
        "confidence": 3,
        "decision": "accept" if overall >= 6 else "reject",
    }


def title_of(request: dict[str, Any]) -> str:
    for message in request.get("messages", []):
        match = TITLE.search(str(message.get("content", "")))
        if match:
            return match.group(1).strip()
    return "an untitled paper"


def placeholder_for_schema(schema: dict[str, Any], title: str) -> Any:
    """A minimal instance of a JSON schema whose texts name ``title`` (fake data for tests)."""
    defs = schema.get("$defs", {})

    def build(node: dict[str, Any]) -> Any:
        if "$ref" in node:
            return build(defs[node["$ref"].rsplit("/", 1)[1]])
        if "enum" in node:  # the middle of a score scale, the first of anything else
            values = node["enum"]
            return values[len(values) // 2] if node.get("type") == "integer" else values[0]
        kind = node.get("type")
        if kind == "object":
            return {k: build(v) for k, v in node.get("properties", {}).items()}
        if kind == "array":
            return [build(node["items"]) for _ in range(max(1, node.get("minItems", 1)))]
        if kind == "integer":
            return (node.get("minimum", 1) + node.get("maximum", 10) + 1) // 2
        return f"A placeholder text about {title}, written by the fake test endpoint, not a model."

    return build(schema)


def default_responder(request: dict[str, Any]) -> str:
    """Fill the requested schema when there is one; the ``sections`` shape otherwise."""
    fmt = request.get("response_format") or {}
    schema = fmt.get("schema") or (fmt.get("json_schema") or {}).get("schema")
    if schema:
        return json.dumps(placeholder_for_schema(schema, title_of(request)))
    return json.dumps(placeholder_review(title_of(request)))


@dataclass
class Reply:
    """One scripted reply. ``content`` becomes a chat completion; ``status`` != 200 an error."""

    content: str | None = None
    status: int = 200
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering (a reset)
    body: dict[str, Any] | None = None


@dataclass
class FaultMix:
    """Probabilities of injected faults per request (seeded, so runs are repeatable)."""

    rate_limit: float = 0.0
    server_error: float = 0.0
    invalid_json: float = 0.0
    truncated: float = 0.0
    wrong_shape: float = 0.0
    empty: float = 0.0
    refusal: float = 0.0
    reset: float = 0.0
    hang: float = 0.0
    hang_seconds: float = 30.0
    retry_after: str = "0"
    seed: int = 0

    def pick(self, rng: random.Random) -> Reply | None:
        roll = rng.random()
        table: list[tuple[float, Callable[[], Reply]]] = [
            (self.rate_limit, lambda: Reply(status=429, headers={"retry-after": self.retry_after})),
            (self.server_error, lambda: Reply(status=rng.choice([500, 503]))),
            (self.invalid_json, lambda: Reply(content='{"summary": "unterminated')),
            (self.truncated, lambda: Reply(content='{"summary": "cut', finish_reason="length")),
            (self.wrong_shape, lambda: Reply(content=json.dumps({"verdict": "good"}))),
            (self.empty, lambda: Reply(content="")),
            (self.refusal, lambda: Reply(content="I'm sorry, I can't help with that.")),
            (self.reset, lambda: Reply(drop=True)),
            (self.hang, lambda: Reply(delay=self.hang_seconds)),
        ]
        edge = 0.0
        for probability, make in table:
            edge += probability
            if roll < edge:
                return make()
        return None


class FakeBatches:
    """The files and batches endpoints: a batch runs through the chat responder when created
    and reports ``in_progress`` once before ``completed``, so clients must poll."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.state: dict[str, dict[str, Any]] = {}
        self.fail_ids: set[str] = set()  # custom_ids answered with an error line
        self.upload_failures = 0  # the next N file uploads are answered with HTTP 500
        self.upload_attempts = 0

    def upload(self, content_type: str, raw: bytes) -> dict[str, Any]:
        message = email.message_from_bytes(
            f"content-type: {content_type}\r\n\r\n".encode() + raw, policy=email.policy.HTTP
        )
        data = b""
        for part in message.iter_parts():
            if (
                part.get_filename()
                or part.get_param("name", header="content-disposition") == "file"
            ):
                data = part.get_payload(decode=True) or b""
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = data
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(data),
            "purpose": "batch",
            "filename": "requests.jsonl",
            "created_at": 0,
            "status": "processed",
        }

    def create(self, request: dict[str, Any], fake: FakeOpenAI) -> dict[str, Any]:
        lines, errors = [], []
        for raw in self.files[request["input_file_id"]].decode().splitlines():
            item = json.loads(raw)
            cid = item["custom_id"]
            if cid in self.fail_ids:
                errors.append(
                    {
                        "id": "r",
                        "custom_id": cid,
                        "response": None,
                        "error": {"code": "server_error", "message": "fake failure"},
                    }
                )
                continue
            reply = fake._next(item["body"])
            body = _completion(item["body"], reply, fake.usage)
            lines.append(
                {
                    "id": "r",
                    "custom_id": cid,
                    "error": None,
                    "response": {"status_code": 200, "request_id": "q", "body": body},
                }
            )
        batch_id = f"batch-{len(self.state) + 1}"
        out_id, err_id = f"{batch_id}-out", f"{batch_id}-err"
        self.files[out_id] = "".join(json.dumps(x) + "\n" for x in lines).encode()
        self.files[err_id] = "".join(json.dumps(x) + "\n" for x in errors).encode()
        total = len(lines) + len(errors)
        self.state[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": request["endpoint"],
            "input_file_id": request["input_file_id"], "completion_window": "24h",
            "created_at": 0, "status": "validating", "output_file_id": None,
            "error_file_id": None, "polls": 0,
            "request_counts": {"total": total, "completed": 0, "failed": 0},
            "final": {"output_file_id": out_id, "error_file_id": err_id if errors else None,
                      "request_counts": {"total": total, "completed": len(lines),
                                         "failed": len(errors)}},
        }  # fmt: skip
        return self.retrieve(batch_id, count=False)

    def retrieve(self, batch_id: str, count: bool = True) -> dict[str, Any]:
        state = self.state[batch_id]
        if count:
            state["polls"] += 1
            if state["polls"] == 1:
                state["status"] = "in_progress"
            else:
                state.update(status="completed", **state["final"])
        return {k: v for k, v in state.items() if k not in ("final", "polls")}


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # the default backlog of 5 drops connections under concurrency
    daemon_threads = True


class FakeOpenAI:
    """Start with ``with FakeOpenAI() as fake: fake.base_url``; inspect ``fake.requests``."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        responder: Callable[[dict[str, Any]], str] = default_responder,
        faults: FaultMix | None = None,
        usage: tuple[int, int] = (100, 50),
        record: bool = True,
        slots: int | None = None,
    ) -> None:
        self.latency = latency
        # Like llama.cpp's server: at most ``slots`` completions generated at once, the rest
        # wait in the server's queue (their time there counts against the client's timeout).
        self.slots = threading.BoundedSemaphore(slots) if slots else None
        self.in_service = 0
        self.max_in_service = 0
        self.responder = responder
        self.faults = faults
        self.usage = usage
        self.record = record
        self.queue: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.count = 0
        self.batches = FakeBatches()
        # response_format types answered with HTTP 400 "not supported" ("none": no format)
        self.reject_formats: set[str] = set()
        self._lock = threading.Lock()
        self._rng = random.Random(faults.seed if faults else 0)
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self.queue.extend(replies)

    def _next(self, request: dict[str, Any]) -> Reply:
        with self._lock:
            self.count += 1
            if self.record:
                self.requests.append(request)
            if self.queue:
                return self.queue.popleft()
            injected = self.faults.pick(self._rng) if self.faults else None
        return injected or Reply(content=self.responder(request))

    def _rejected(self, request: dict[str, Any]) -> None:
        with self._lock:
            self.count += 1
            if self.record:
                self.requests.append(request)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if self.path.startswith("/v1/batches/"):
                self._send(200, fake.batches.retrieve(self.path.rsplit("/", 1)[1]), {})
            elif self.path.startswith("/v1/files/") and self.path.endswith("/content"):
                body = fake.batches.files[self.path.split("/")[3]]
                self.send_response(200)
                self.send_header("content-type", "application/octet-stream")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            else:
                self._send(200, {"object": "list", "data": [{"id": "fake-model"}]}, {})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("content-length", 0))
            raw = self.rfile.read(length)
            if self.path.startswith("/v1/files"):
                fake.batches.upload_attempts += 1
                if fake.batches.upload_failures > 0:
                    fake.batches.upload_failures -= 1
                    self._send(500, {"error": {"message": "fake upload failure"}}, {})
                    return
                self._send(200, fake.batches.upload(self.headers["content-type"], raw), {})
                return
            if self.path.startswith("/v1/batches"):
                self._send(200, fake.batches.create(json.loads(raw), fake), {})
                return
            request = json.loads(raw or b"{}")
            if fake.record:
                with fake._lock:
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
            fmt = (request.get("response_format") or {}).get("type", "none")
            if fmt in fake.reject_formats:
                fake._rejected(request)
                time.sleep(fake.latency)
                message = f"response_format {fmt} is not supported by this server"
                self._send(400, {"error": {"message": message}}, {})
                return
            with fake.slots or contextlib.nullcontext():
                with fake._lock:
                    fake.in_service += 1
                    fake.max_in_service = max(fake.max_in_service, fake.in_service)
                try:
                    reply = fake._next(request)
                    time.sleep(fake.latency + reply.delay)
                finally:
                    with fake._lock:
                        fake.in_service -= 1
            if reply.drop:
                self.close_connection = True
                self.connection.close()
                return
            if reply.status != 200:
                error = reply.body or {"error": {"message": f"fake error {reply.status}"}}
                self._send(reply.status, error, reply.headers)
                return
            self._send(200, _completion(request, reply, fake.usage), reply.headers)

    return Handler


def _completion(request: dict[str, Any], reply: Reply, usage: tuple[int, int]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        },
    }


def main() -> None:
    """Serve the fake endpoint in its own process (benchmarks): prints its base URL."""
    import argparse

    parser = argparse.ArgumentParser(description="FAKE OpenAI-compatible endpoint (no model)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    args = parser.parse_args()
    with FakeOpenAI(latency=args.latency, record=False) as fake:
        print(fake.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
