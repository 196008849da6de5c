"""OpenAI Batch files: export the requests a live run would send, import their results.

The OpenAI Batch API and vLLM's ``run_batch`` read and write the same JSONL. Both directions
run the ordinary ``Generator`` with ``FileClient`` standing in for the HTTP client, so
prompts, cache keys, validation and re-asks are exactly those of a live run. Exporting
writes each request the generator would send next. Importing answers those requests from a
results file (caching every reply, as a live run does); a reply that needs a re-ask, and a
request with no result, becomes a line of a follow-up requests file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from reviewer.cache import CompletionCache
from reviewer.errors import ConfigError, EndpointError, InputError, ReviewFailed
from reviewer.generation.client import Completion, request_body
from reviewer.generation.ensemble import review_paper
from reviewer.generation.forms import Form
from reviewer.generation.generate import Generator
from reviewer.inputs.paper import Paper

CHAT_URL = "/v1/chat/completions"


class Pending(EndpointError):
    """The generator needs a request that has no result yet (it went to a requests file)."""

    kind = "pending"


def messages_hash(messages: list[dict[str, str]]) -> str:
    blob = json.dumps(messages, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def custom_id(form: str, sample: int, messages: list[dict[str, str]], paper_id: str) -> str:
    """``form|sample|hash of the conversation|paper id`` (the id last: it may contain '|')."""
    return f"{form}|{sample}|{messages_hash(messages)}|{paper_id}"


def parse_custom_id(value: str) -> tuple[str, int, str, str]:
    try:
        form, sample, digest, paper_id = value.split("|", 3)
        return form, int(sample), digest, paper_id
    except ValueError:
        raise ValueError(f"custom_id {value!r} was not written by reviewer") from None


@dataclass
class FileClient:
    """Answers from batch results; any other request is written out and raises ``Pending``."""

    base_url: str
    model: str
    mode: str
    form: str
    requests_out: IO[str] | None = None
    answers: dict[tuple[str, int, str], Completion] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    requests_sent: int = 0
    written: int = 0

    @property
    def cache_id(self) -> str:
        return self.base_url

    async def complete(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any],
        schema_name: str,
        params: dict[str, Any],
        render: Any = None,  # the mode is fixed, so the messages are already rendered for it
        paper_id: str = "",
        sample: int = 0,
    ) -> Completion:
        answer = self.answers.pop((paper_id, sample, messages_hash(messages)), None)
        if answer is not None:
            return answer
        body = request_body(
            self.model,
            messages,
            schema=schema,
            schema_name=schema_name,
            params=params,
            mode=self.mode,
        )
        if self.requests_out is not None:
            line = {
                "custom_id": custom_id(self.form, sample, messages, paper_id),
                "method": "POST",
                "url": CHAT_URL,
                "body": body,
            }
            self.requests_out.write(json.dumps(line, ensure_ascii=False) + "\n")
            self.written += 1
        reason = self.failures.get(paper_id, "no batch result yet for this paper's next request")
        where = "written to the requests file" if self.requests_out else "not written"
        raise Pending(f"{reason}; the request was {where}")

    async def close(self) -> None:
        if self.requests_out is not None:
            self.requests_out.flush()


def read_results(path: Path) -> Iterable[tuple[str, Completion | None, str]]:
    """(custom_id, completion or None, error text) for each line of a Batch output file."""
    if not path.is_file():
        raise ConfigError(f"results file not found: {path}")
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                cid = str(record["custom_id"])
            except (json.JSONDecodeError, KeyError, TypeError):
                raise ConfigError(f"{path}:{number}: not an OpenAI Batch result line") from None
            response = record.get("response") or {}
            if record.get("error") or response.get("status_code") != 200:
                detail = record.get("error") or response.get("body") or "no response"
                yield cid, None, f"batch request failed: {json.dumps(detail)[:300]}"
                continue
            yield cid, Completion.from_response_body(response.get("body") or {}), ""


def paper_index(items: Iterable[Paper | InputError]) -> dict[str, Paper]:
    return {p.id: p for p in items if isinstance(p, Paper)}


@dataclass
class BatchFiles:
    """Export and import for one form, model and endpoint (whose URL is part of cache keys)."""

    form: Form
    cache: CompletionCache
    base_url: str
    model: str
    mode: str = "json_schema"
    # Generator options (``Reviewer._options``: re-asks, samples, exemplars, generic check...),
    # the same as a live run's, so the requests and their validation are the same too.
    options: dict[str, Any] = field(default_factory=dict)

    def client(self, requests_out: IO[str] | None) -> FileClient:
        return FileClient(self.base_url, self.model, self.mode, self.form.name, requests_out)

    def generator(self, client: FileClient) -> Generator:
        return Generator(client, self.cache, self.form, **self.options)  # type: ignore[arg-type]

    async def export(self, papers: dict[str, Paper], path: Path) -> dict[str, int]:
        """Write the next requests of every paper without a valid cached review.

        With an ensemble, the samples go first; the meta-review and reflections follow in
        later rounds, once their inputs are cached.
        """
        counts = {"requests": 0, "already_reviewed": 0, "failed": 0}
        with path.open("w", encoding="utf-8") as out:
            client = self.client(out)
            generator = self.generator(client)
            for paper in papers.values():
                try:
                    await review_paper(generator, paper)
                    counts["already_reviewed"] += 1
                except Pending:
                    pass
                except ReviewFailed:
                    counts["failed"] += 1
            counts["requests"] = client.written
        return counts

    def answering(
        self, papers: dict[str, Paper], results: Path, followups: IO[str]
    ) -> tuple[FileClient, list[str]]:
        """A client holding every result of ``results``; problems come back as messages."""
        client = self.client(followups)
        problems: list[str] = []
        for cid, completion, error in read_results(results):
            try:
                form, sample, digest, paper_id = parse_custom_id(cid)
            except ValueError as exc:
                problems.append(str(exc))
                continue
            if form != self.form.name or paper_id not in papers:
                problems.append(f"result {cid!r} is for another form or an unknown paper")
            elif completion is None:
                client.failures[paper_id] = error
            else:
                client.answers[(paper_id, sample, digest)] = completion
        return client, problems
