"""The completion stage's transport: the only module that imports ``openai``.

Transport failures (429, 5xx, timeouts, dropped connections) are retried here and only here:
the SDK's own retries are switched off (``max_retries=0``) so attempts never multiply.
Structured output is chosen per endpoint: ``json_schema`` (OpenAI, vLLM), ``json_object``
with a ``schema`` (llama.cpp's servers, where older ones reject ``json_schema``), or plain
prompting whose reply the caller repairs. ``auto`` starts with ``json_schema`` and steps down
once when the server rejects the request format.
"""

from __future__ import annotations

import contextlib
import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import openai
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
)

from reviewer.errors import ConfigError, EndpointError
from reviewer.generation.ratelimit import RateLimiter
from reviewer.generation.slots import SlotGate
from reviewer.redact import redact_text

MODES = ("json_schema", "json_object", "prompt")
RETRY_STATUS = {408, 409, 429}
MAX_RETRY_AFTER = 60.0
T = TypeVar("T")
FATAL = (openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError)


@dataclass
class Completion:
    """One raw reply: what the cache stores and the validator re-reads."""

    text: str
    finish_reason: str | None
    prompt_tokens: int
    completion_tokens: int
    model: str = ""
    # Seconds spent sending and being served (all attempts) and waiting for a free slot or
    # the rate limiter before that: a queue is never counted as the model's time.
    service_s: float = 0.0
    queue_s: float = 0.0
    # The structured-output mode the reply was made in ("" when unknown: a batch file's): its
    # cache key must name this mode, not the one the request started in before a step-down.
    mode: str = ""

    def to_dict(self) -> dict[str, Any]:
        """What the cache stores: the reply and its usage, not how long this run waited."""
        data = asdict(self)
        del data["service_s"], data["queue_s"]
        return data

    @classmethod
    def from_response_body(cls, body: dict[str, Any]) -> Completion:
        """From a chat-completion JSON object (as in OpenAI Batch result files)."""
        choices = body.get("choices") or [{}]
        usage = body.get("usage") or {}
        return cls(
            text=(choices[0].get("message") or {}).get("content") or "",
            finish_reason=choices[0].get("finish_reason"),
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            model=str(body.get("model") or ""),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Completion:
        return cls(
            **{k: data.get(k) for k in ("text", "finish_reason", "model")},
            prompt_tokens=int(data.get("prompt_tokens") or 0),
            completion_tokens=int(data.get("completion_tokens") or 0),
        )


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRY_STATUS or exc.status_code >= 500
    return False


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait, from ``Retry-After`` (seconds or HTTP date)."""
    if not isinstance(exc, openai.APIStatusError):
        return None
    value = exc.response.headers.get("retry-after-ms")
    if value:
        try:
            return float(value) / 1000
        except ValueError:
            pass
    value = exc.response.headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value)
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _estimate_tokens(body: dict[str, Any]) -> int:
    """Prompt characters / 4 plus the output cap: what a TPM budget must reserve."""
    chars = sum(len(m.get("content", "")) for m in body["messages"])
    return chars // 4 + int(body.get("max_tokens") or 0)


def request_body(
    model: str,
    messages: list[dict[str, str]],
    *,
    schema: dict[str, Any],
    schema_name: str,
    params: dict[str, Any],
    mode: str,
) -> dict[str, Any]:
    """The chat-completions request for a structured-output mode (live and batch files alike)."""
    body: dict[str, Any] = {"model": model, "messages": messages, **params}
    if mode == "json_schema":
        spec = {"name": schema_name, "schema": schema, "strict": False}
        body["response_format"] = {"type": "json_schema", "json_schema": spec}
    elif mode == "json_object":
        body["response_format"] = {"type": "json_object", "schema": schema}
    return body


@dataclass
class _Clock:
    """Where one completion's time went, over all its attempts."""

    service_s: float = 0.0
    queue_s: float = 0.0


class _Backoff:
    """Honour ``Retry-After`` when given (capped), else exponential backoff with full jitter."""

    def __init__(self, base: float, cap: float) -> None:
        self.base, self.cap = base, cap

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = _retry_after(exc)
        if asked is not None:
            return min(asked, MAX_RETRY_AFTER)
        return random.uniform(0, min(self.cap, self.base * 2 ** (state.attempt_number - 1)))


def _rejects_format(exc: openai.APIStatusError, *, probing: bool) -> bool:
    """Does this error say the server cannot do the requested ``response_format``?

    Some servers (llama.cpp's) reject a format with HTTP 500, so a 500 naming the schema counts
    while the mode is unproven; once a request in it has succeeded, a 500 is the server's fault
    like any other, retried and never a reason to step down for the rest of the run."""
    if exc.status_code not in ({400, 422, 500, 501} if probing else {400, 422, 501}):
        return False
    text = f"{exc.message} {getattr(exc, 'body', '')}".lower()
    return any(w in text for w in ("response_format", "json_schema", "json_object", "schema"))


class ChatClient:
    """Async chat completions against one OpenAI-compatible endpoint."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        model: str,
        structured: str = "auto",
        timeout: float = 120.0,
        max_attempts: int = 4,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
        limiter: RateLimiter | None = None,
        gate: SlotGate | None = None,
        cache_id: str | None = None,
        extra_body: dict[str, Any] | None = None,
    ) -> None:
        """``cache_id``: the endpoint's name in cache keys (default: ``base_url``);
        ``extra_body``: fields every request carries beyond the OpenAI ones."""
        if structured not in (*MODES, "auto"):
            raise ConfigError(f"unknown structured-output mode {structured!r}")
        self.base_url = base_url
        self.cache_id = cache_id or base_url
        self.model = model
        self.mode = "json_schema" if structured == "auto" else structured
        self._auto = structured == "auto"
        self._probing = self._auto  # until one request in the current mode has succeeded
        self.max_attempts = max_attempts
        self._secret = api_key or ""
        self._wait = _Backoff(backoff_base, backoff_cap)
        self._client = openai.AsyncOpenAI(
            base_url=base_url,
            api_key=api_key or "not-needed",
            max_retries=0,
            timeout=timeout,
        )
        self.requests_sent = 0
        self.limiter = limiter
        self.gate = gate
        self.extra_body = extra_body

    def _retryable(self, exc: BaseException) -> bool:
        """Transport faults retry; a format rejection while ``auto`` still probes does not."""
        if (
            self._probing
            and isinstance(exc, openai.APIStatusError)
            and _rejects_format(exc, probing=True)
        ):
            return False
        return _retryable(exc)

    async def _create(self, body: dict[str, Any], clock: _Clock) -> Any:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(self._retryable),
            stop=stop_after_attempt(self.max_attempts),
            wait=self._wait,
            reraise=True,
        ):
            with attempt:
                return await self._send(body, clock)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, body: dict[str, Any], clock: _Clock) -> Any:
        """One attempt: wait for the rate limiter and a free slot, then send. The request
        timeout starts only here, so it covers service time, never time spent queueing."""
        queued = time.monotonic()
        if self.limiter is not None:
            await self.limiter.acquire(_estimate_tokens(body))
        async with self.gate.slot() if self.gate else contextlib.nullcontext(0.0):
            sent = time.monotonic()
            clock.queue_s += sent - queued
            self.requests_sent += 1
            try:
                return await self._client.chat.completions.create(
                    **body, extra_body=self.extra_body
                )
            finally:
                clock.service_s += time.monotonic() - sent

    async def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any],
        schema_name: str,
        params: dict[str, Any],
        render: Callable[[str], list[dict[str, str]]] | None = None,
        paper_id: str = "",
        sample: int = 0,
    ) -> Completion:
        """One completion, transport-retried; raises ``EndpointError`` when it fails for good.

        ``render`` gives the conversation for a structured-output mode: plain prompting carries
        the schema in the prompt text, so a request rendered before ``auto`` stepped down to it
        must be rendered again rather than sent without the schema. ``paper_id`` and ``sample``
        name the request's review; HTTP needs neither (batch files label requests with them)."""
        clock = _Clock()
        while True:
            mode = self.mode  # read once: other requests may step the mode down meanwhile
            body = request_body(
                self.model,
                render(mode) if render is not None else messages,
                schema=schema,
                schema_name=schema_name,
                params=params,
                mode=mode,
            )
            try:
                response = await self._create(body, clock)
            except openai.APIStatusError as exc:
                probing = self._probing or mode != self.mode
                if self._auto and mode != "prompt" and _rejects_format(exc, probing=probing):
                    self._step_down(mode)
                    continue
                fatal = isinstance(exc, FATAL)
                raise EndpointError(self._describe(exc), fatal=fatal) from None
            except openai.APIError as exc:
                raise EndpointError(self._describe(exc)) from None
            if mode == self.mode:
                self._probing = False  # this mode works: from now on a 500 is a server error
            completion = self._completion(response)
            completion.service_s, completion.queue_s = clock.service_s, clock.queue_s
            completion.mode = mode
            return completion

    def _step_down(self, rejected: str) -> None:
        """Step down from the mode the server rejected, once: requests that were in flight in
        that mode, rejected in turn, must not step past the next mode untried."""
        if self.mode == rejected:
            self.mode = MODES[MODES.index(rejected) + 1]
            self._probing = True  # the new mode is unproven until a request in it succeeds

    def _completion(self, response: Any) -> Completion:
        choice = response.choices[0] if response.choices else None
        usage = response.usage
        return Completion(
            text=(choice.message.content or "") if choice else "",
            finish_reason=choice.finish_reason if choice else None,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            model=str(response.model or self.model),
        )

    def _describe(self, exc: openai.APIError) -> str:
        """An error line for users and errors.jsonl, with the API key scrubbed out."""
        status = getattr(exc, "status_code", None)
        kind = type(exc).__name__
        text = f"{kind}{f' (HTTP {status})' if status else ''}: {exc.message}"
        text = redact_text(text[:500])
        return text.replace(self._secret, "[redacted]") if self._secret else text

    async def close(self) -> None:
        await self._client.close()


TERMINAL = {"completed", "failed", "expired", "cancelled"}


class BatchAPI:
    """The files and batches endpoints: upload requests, create a batch, poll, download."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str | None,
        timeout: float = 120.0,
        max_attempts: int = 4,
        backoff_base: float = 1.0,
        backoff_cap: float = 30.0,
    ) -> None:
        self._secret = api_key or ""
        # As for chat requests: the SDK's retries off, ours (Retry-After, jitter) the only layer.
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key or "not-needed", timeout=timeout, max_retries=0
        )
        self._retrying = Retrying(
            retry=retry_if_exception(_retryable),
            stop=stop_after_attempt(max_attempts),
            wait=_Backoff(backoff_base, backoff_cap),
            reraise=True,
        )

    def _call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self._retrying(func, *args, **kwargs)

    def run(
        self,
        requests: Path,
        results: Path,
        *,
        poll_seconds: float = 10.0,
        progress: Callable[[str], None] | None = None,
    ) -> dict[str, Any]:
        """Run one batch to a terminal state; write its output (and error) lines to ``results``."""
        try:
            content = requests.read_bytes()
            uploaded = self._call(
                self._client.files.create, file=(requests.name, content), purpose="batch"
            )
            batch = self._call(
                self._client.batches.create,
                input_file_id=uploaded.id,
                endpoint="/v1/chat/completions",
                completion_window="24h",
            )
            while batch.status not in TERMINAL:
                if progress is not None:
                    counts = batch.request_counts
                    done = f"{counts.completed}/{counts.total}" if counts else "?"
                    progress(f"batch {batch.id}: {batch.status}, {done} requests done")
                time.sleep(poll_seconds)
                batch = self._call(self._client.batches.retrieve, batch.id)
            with results.open("w", encoding="utf-8") as out:
                for file_id in (batch.output_file_id, batch.error_file_id):
                    if file_id:
                        text = self._call(self._client.files.content, file_id).text
                        out.write(text.rstrip("\n") + "\n")
        except openai.APIError as exc:
            message = redact_text(f"{type(exc).__name__}: {exc.message}")
            raise EndpointError(message.replace(self._secret, "[redacted]")) from None
        if batch.status != "completed" and not (batch.output_file_id or batch.error_file_id):
            raise EndpointError(f"batch {batch.id} ended {batch.status} with no output")
        return {"id": batch.id, "status": batch.status}
