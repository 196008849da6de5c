"""Id files resolved to papers: arXiv ids a batch at a time, OpenReview ids one by one."""

from __future__ import annotations

from pathlib import Path

from reviewer.errors import InputError
from reviewer.inputs.paper import Numbered, Paper
from reviewer.inputs.sources.arxiv import BATCH, fetch_arxiv
from reviewer.inputs.sources.fetch import Fetcher, FetchError
from reviewer.inputs.sources.ids import SourceId, read_ids
from reviewer.inputs.sources.openreview import fetch_openreview


def read_id_file(path: Path, fetcher: Fetcher | None = None) -> Numbered:
    """Papers for an id file, in line order; arXiv ids are fetched ``BATCH`` at a time."""
    own = fetcher is None
    client = fetcher or Fetcher()
    try:
        window: list[tuple[int, SourceId | InputError]] = []
        arxiv_ids = 0
        for item in read_ids(path):
            window.append(item)
            arxiv_ids += isinstance(item[1], SourceId) and item[1].kind == "arxiv"
            if arxiv_ids >= BATCH:
                yield from _resolve(window, client, str(path))
                window, arxiv_ids = [], 0
        yield from _resolve(window, client, str(path))
    finally:
        if own:
            client.close()


def _resolve(
    window: list[tuple[int, SourceId | InputError]], fetcher: Fetcher, source: str
) -> Numbered:
    arxiv_ids = [i.value for _, i in window if isinstance(i, SourceId) and i.kind == "arxiv"]
    found: dict[str, Paper | str] = {}
    if arxiv_ids:
        try:
            found = fetch_arxiv(arxiv_ids, fetcher)
        except FetchError as exc:
            found = {a: f"arXiv request failed: {exc}" for a in arxiv_ids}
    for line, item in window:
        if isinstance(item, InputError):
            yield line, item
            continue
        if item.kind == "arxiv":
            result = found[item.value]
        else:
            try:
                result = fetch_openreview(item.value, fetcher)
            except FetchError as exc:
                result = f"OpenReview request failed: {exc}"
        yield line, result if isinstance(result, Paper) else InputError(result, source, line)
