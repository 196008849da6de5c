"""Reference data for anyone: an OpenReview venue's public reviews as a references set.

``reviewer data fetch ICLR.cc/2024/Conference`` asks the OpenReview API (v2) through the
official client library, openreview-py (the ``[data]`` extra), for every submission of the
venue with its replies, one page at a time with a pause between pages, and keeps each page as it
arrives, so an interrupted fetch resumes where it stopped. The page size is kept beside the
pages (``raw/pages.json``): page N of another size starts elsewhere, so a resume at another
size is refused rather than misaligned or cut short. From the pages it writes a folder in
the shape of ``../shared/data``: one record per paper (title, abstract, keywords, decision,
``accepted``, ``status``, ``split``, the official reviews with rating, confidence, sub-scores and
their text fields, and the meta-review kept apart from the reviews), ``splits.tsv`` and a
manifest. Withdrawn and desk-rejected papers are kept and labelled. Author names are never
written, not even in the kept pages (see ``scrub``). Splits are deterministic: within each
status, papers sorted by sha256(paper_id), the first 10% test, the next 10% dev, the rest
train.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reviewer.errors import ConfigError, EndpointError, require_extra
from reviewer.redact import redact_text, redact_url
from reviewer.references import decision_accepts, references_home

API_URL = "https://api2.openreview.net"
PAGE_SIZE = 100  # submissions per request, each with its replies
PAGES = "pages.json"  # beside the kept pages: their page size
DELAY_SECONDS = 1.0  # between requests: the API is shared by everyone
SPLIT_SHARES = (("test", 0.1), ("dev", 0.1))
RATING_FIELDS = ("rating", "recommendation", "overall_recommendation", "overall_rating")
NOT_TEXT = {"title", "confidence", "code_of_conduct", "first_time_reviewer"}
SECTION_ORDER = ("summary", "strengths", "weaknesses", "strengths_and_weaknesses", "questions")
NUMBER_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)(?:\s*:|\s+[A-Za-z]|\s*$)")  # 6, "6: ok", "3 good"
STATUSES = ("accepted", "rejected", "withdrawn", "desk_rejected", "undecided")
# What a kept page holds of a submission's content: what ``build_record`` reads and nothing that
# names a person (authors, authorids, _bibtex and paperhash all name the authors).
SUBMISSION_FIELDS = ("title", "abstract", "keywords", "venue", "venueid", "TLDR", "primary_area")
NOTE_KEYS = ("id", "forum", "number", "invitations", "content", "details")
# Of a reply: its place and its content; signatures, writers and readers can name people.
REPLY_KEYS = ("id", "forum", "replyto", "number", "invitations", "content")
AUTHOR_FIELDS = {"authors", "authorids", "_bibtex", "paperhash"}


@dataclass
class Venue:
    """What the venue's group says about its invitations and outcome venue ids."""

    venue_id: str
    submission_invitation: str
    withdrawn_id: str
    desk_rejected_id: str
    rejected_id: str
    review_name: str = "Official_Review"
    meta_review_name: str = "Meta_Review"
    decision_name: str = "Decision"
    rating_field: str = "rating"
    rating_scale: list[float] | None = None

    @property
    def short(self) -> str:
        """``ICLR`` for ``ICLR.cc/2024/Conference``."""
        return self.venue_id.split("/")[0].split(".")[0]

    @property
    def year(self) -> int | None:
        match = re.search(r"(?:^|/)(\d{4})(?:/|$)", self.venue_id)
        return int(match.group(1)) if match else None


def set_name(venue_id: str) -> str:
    """The references set's folder name: ``iclr_2024`` (other id parts than the conference
    appended: ``neurips_2024_datasets_and_benchmarks_track``)."""
    parts = venue_id.strip("/").split("/")
    words = [parts[0].split(".")[0]] + [p for p in parts[1:] if p.lower() != "conference"]
    slug = "_".join(re.sub(r"[^0-9a-z]+", "_", w.lower()).strip("_") for w in words)
    return slug or "venue"


def number(value: Any) -> float | None:
    """A rating from ``6``, ``"6"`` or ``"6: marginally above the acceptance threshold"``."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    match = NUMBER_RE.match(str(value))
    return float(match.group(1)) if match else None


def _value(content: dict[str, Any] | None, key: str, default: Any = None) -> Any:
    field_ = (content or {}).get(key)
    if isinstance(field_, dict):
        return field_.get("value", default)
    return default if field_ is None else field_


def _enum_scale(node: Any, name: str) -> list[float] | None:
    """The min and max of the options of field ``name`` anywhere in an invitation's JSON."""
    if isinstance(node, dict):
        spec = node.get(name)
        if isinstance(spec, dict):
            value = spec.get("value") if isinstance(spec.get("value"), dict) else {}
            options = (value.get("param") or {}).get("enum") or []
            values = [number(o.get("value") if isinstance(o, dict) else o) for o in options]
            found = [v for v in values if v is not None]
            if found:
                return [min(found), max(found)]
        for child in node.values():
            scale = _enum_scale(child, name)
            if scale:
                return scale
    elif isinstance(node, list):
        for child in node:
            scale = _enum_scale(child, name)
            if scale:
                return scale
    return None


def read_venue(client: Any, venue_id: str) -> Venue:
    """The venue's group (and its review invitation, for the rating scale)."""
    import openreview

    try:
        group = client.get_group(venue_id)
    except openreview.OpenReviewException as exc:
        raise ConfigError(f"OpenReview has no public venue {venue_id!r}: {exc}") from None
    content = group.content or {}
    name = _value(content, "submission_name", "Submission")
    venue = Venue(
        venue_id=venue_id,
        submission_invitation=_value(content, "submission_id", f"{venue_id}/-/{name}"),
        withdrawn_id=_value(content, "withdrawn_venue_id", f"{venue_id}/Withdrawn_Submission"),
        desk_rejected_id=_value(
            content, "desk_rejected_venue_id", f"{venue_id}/Desk_Rejected_Submission"
        ),
        rejected_id=_value(content, "rejected_venue_id", f"{venue_id}/Rejected_Submission"),
        review_name=_value(content, "review_name", "Official_Review"),
        meta_review_name=_value(content, "meta_review_name", "Meta_Review"),
        decision_name=_value(content, "decision_name", "Decision"),
        rating_field=_value(content, "review_rating", "rating"),
    )
    try:
        invitation = client.get_invitation(f"{venue_id}/-/{venue.review_name}")
        venue.rating_scale = _enum_scale(invitation.edit or {}, venue.rating_field)
    except openreview.OpenReviewException:
        pass  # not public: the per-venue-year default scale applies
    return venue


def _is(reply: dict[str, Any], name: str) -> bool:
    return any(str(i).endswith(f"/-/{name}") for i in reply.get("invitations") or [])


def _review(reply: dict[str, Any], index: int, venue: Venue) -> dict[str, Any]:
    """Rating, confidence, numeric sub-scores, and the text fields as ``SECTION:`` blocks."""
    content = reply.get("content") or {}
    fields = [venue.rating_field, *(f for f in RATING_FIELDS if f != venue.rating_field)]
    given = [_value(content, f) for f in fields if _value(content, f) is not None]
    rating = number(given[0]) if given else None
    scores, texts = {}, {}
    for key in content:
        value = _value(content, key)
        if key in NOT_TEXT or key in fields or value is None:
            continue
        score = number(value)
        if score is not None and (not isinstance(value, str) or len(value) < 80):
            scores[key] = score
        elif isinstance(value, str) and value.strip():
            texts[key] = value.strip()
    order = [k for k in SECTION_ORDER if k in texts] + [k for k in texts if k not in SECTION_ORDER]
    text = "\n\n".join(f"{k.replace('_', ' ').upper()}:\n{texts[k]}" for k in order)
    return {
        "review_index": index,
        "rating": rating,
        "confidence": number(_value(content, "confidence")),
        "scores": scores,
        "text": text,
    }


def build_record(note: dict[str, Any], venue: Venue) -> dict[str, Any] | None:
    """One paper's reference record; None for a note without a title or abstract."""
    content = note.get("content") or {}
    title, abstract = str(_value(content, "title", "")), str(_value(content, "abstract", ""))
    if not title.strip() or not abstract.strip():
        return None
    replies = (note.get("details") or {}).get("replies") or []
    reviews = [r for r in replies if _is(r, venue.review_name)]
    decision_note = next((r for r in replies if _is(r, venue.decision_name)), None)
    meta = next((r for r in replies if _is(r, venue.meta_review_name)), None)
    venueid = _value(content, "venueid", "")
    decision = _value((decision_note or {}).get("content"), "decision")
    if venueid == venue.withdrawn_id:
        status, decision = "withdrawn", "Withdrawn"
    elif venueid == venue.desk_rejected_id:
        status, decision = "desk_rejected", "Desk Rejected"
    else:
        accepted = decision_accepts(decision) if decision else None
        if accepted is None and venueid in (venue.venue_id, venue.rejected_id):
            accepted = venueid == venue.venue_id
        status = {True: "accepted", False: "rejected", None: "undecided"}[accepted]
    meta_text = ""
    if meta is not None:
        meta_content = meta.get("content") or {}
        meta_text = "\n\n".join(
            str(_value(meta_content, k)) for k in meta_content
            if isinstance(_value(meta_content, k), str) and k not in NOT_TEXT
        )  # fmt: skip
    keywords = _value(content, "keywords", []) or []
    return {
        "paper_id": str(note.get("forum") or note["id"]),
        "venue": venue.short,
        "year": venue.year,
        "title": title.strip(),
        "abstract": abstract.strip(),
        "keywords": [str(k) for k in keywords] if isinstance(keywords, list) else [str(keywords)],
        "decision": decision,
        "accepted": status == "accepted" if status != "undecided" else None,
        "status": status,
        "reviews": [_review(r, i, venue) for i, r in enumerate(reviews)],
        "meta_review": {"text": meta_text} if meta is not None else None,
        **({"rating_scale": venue.rating_scale} if venue.rating_scale else {}),
    }


def assign_splits(records: list[dict[str, Any]]) -> None:
    """Deterministic, stratified by status: within each, sha256(paper_id) order; the first 10%
    test, the next 10% dev, the rest train (shares rounded half up)."""
    by_status: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_status.setdefault(record["status"], []).append(record)
    for group in by_status.values():
        group.sort(key=lambda r: hashlib.sha256(r["paper_id"].encode()).hexdigest())
        start = 0
        for split, share in SPLIT_SHARES:
            count = int(len(group) * share + 0.5)
            for record in group[start : start + count]:
                record["split"] = split
            start += count
        for record in group[start:]:
            record["split"] = "train"


@dataclass
class FetchResult:
    """What a fetch wrote, for the command's summary line."""

    folder: Path
    papers: int = 0
    reviews: int = 0
    requests: int = 0
    pages_reused: int = 0
    statuses: dict[str, int] = field(default_factory=dict)


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(path.suffix + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def scrub(notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A page as it may be kept on disk: no author names (see ``SUBMISSION_FIELDS``)."""
    kept = []
    for note in notes:
        content = note.get("content") or {}
        replies = (note.get("details") or {}).get("replies") or []
        kept.append(
            {
                **{k: note.get(k) for k in NOTE_KEYS},
                "content": {k: v for k, v in content.items() if k in SUBMISSION_FIELDS},
                "details": {"replies": [_scrub_reply(r) for r in replies]},
            }
        )
    return kept


def _scrub_reply(reply: dict[str, Any]) -> dict[str, Any]:
    content = reply.get("content") or {}
    return {
        **{k: reply[k] for k in REPLY_KEYS if k in reply},
        "content": {k: v for k, v in content.items() if k not in AUTHOR_FIELDS},
    }


def _page_size(raw: Path, asked: int | None) -> int:
    """The page size of this fetch: the kept pages' when there are some (``asked`` must then
    be the same or None), else ``asked``, else ``PAGE_SIZE``; recorded beside the pages."""
    record = raw / PAGES
    kept = any(raw.glob("page-*.json"))
    if kept and not record.exists():
        raise ConfigError(
            f"{raw} holds pages of an unrecorded page size (kept by an older version): rerun "
            "with --refresh to fetch them again"
        )
    if kept:
        saved = int(json.loads(record.read_text(encoding="utf-8"))["page_size"])
        if asked is not None and asked != saved:
            raise ConfigError(
                f"the pages kept in {raw} were fetched {saved} to a page, not {asked}: rerun "
                f"with --page-size {saved} (or without it) to resume, or with --refresh to "
                "fetch them again"
            )
        return saved
    size = asked or PAGE_SIZE
    _write_atomic(record, json.dumps({"page_size": size}).encode("utf-8"))
    return size


def _pages(
    client: Any, venue: Venue, raw: Path, page_size: int, delay: float, result: FetchResult
) -> Iterator[list[dict[str, Any]]]:
    """Every page of submissions (with replies): kept pages first, then the API's, politely."""
    page = 0
    while True:
        path = raw / f"page-{page:05d}.json"
        if path.exists():
            kept = json.loads(path.read_text(encoding="utf-8"))
            notes = scrub(kept)
            if notes != kept:  # kept by a version that saved author names
                _write_atomic(path, json.dumps(notes, ensure_ascii=False).encode("utf-8"))
            result.pages_reused += 1
        else:
            if result.requests:
                time.sleep(delay)
            notes = scrub(_get_page(client, venue, page * page_size, page_size))
            result.requests += 1
            _write_atomic(path, json.dumps(notes, ensure_ascii=False).encode("utf-8"))
        yield notes
        if len(notes) < page_size:
            return
        page += 1


def _get_page(client: Any, venue: Venue, offset: int, limit: int) -> list[dict[str, Any]]:
    import openreview

    try:
        notes = client.get_notes(
            invitation=venue.submission_invitation,
            details="replies",
            sort="number:asc",
            offset=offset,
            limit=limit,
        )
    except (openreview.OpenReviewException, OSError) as exc:
        raise EndpointError(
            redact_text(f"OpenReview request failed at offset {offset}: {exc}; rerun to resume")
        ) from None
    return [{k: getattr(n, k, None) for k in NOTE_KEYS} for n in notes]


def fetch_venue(
    venue_id: str,
    *,
    out_dir: Path | None = None,
    name: str | None = None,
    api_url: str | None = None,
    page_size: int | None = None,
    delay: float = DELAY_SECONDS,
    client: Any = None,
    log: Callable[[str], None] = lambda message: None,
) -> FetchResult:
    """Fetch (or resume) ``venue_id`` into ``out_dir/name`` and write its references set.
    ``page_size``: submissions per request (default: the kept pages', else ``PAGE_SIZE``)."""
    require_extra("reviewer data fetch", "data")
    import openreview

    folder = (out_dir or references_home()) / (name or set_name(venue_id))
    raw = folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    page_size = _page_size(raw, page_size)
    url = api_url or os.environ.get("REVIEWER_OPENREVIEW_API") or API_URL
    try:
        client = client or openreview.api.OpenReviewClient(baseurl=url)
    except openreview.OpenReviewException as exc:  # e.g. a failed login from the environment
        raise ConfigError(
            redact_text(f"cannot open the OpenReview API at {redact_url(url)}: {exc}")
        ) from None
    cached = raw / "venue.json"
    if cached.exists():
        venue = Venue(**json.loads(cached.read_text(encoding="utf-8")))
    else:
        venue = read_venue(client, venue_id)
        _write_atomic(cached, json.dumps(asdict(venue), indent=1).encode("utf-8"))
    result = FetchResult(folder)
    records: dict[str, dict[str, Any]] = {}
    for notes in _pages(client, venue, raw, page_size, delay, result):
        for note in notes:
            record = build_record(note, venue)
            if record is not None:
                records.setdefault(record["paper_id"], record)
        log(f"{len(records)} papers so far")
    _write_set(folder, venue, list(records.values()), url, result)
    return result


def _write_set(
    folder: Path, venue: Venue, records: list[dict[str, Any]], url: str, result: FetchResult
) -> None:
    if not records:
        raise ConfigError(f"OpenReview returned no submissions for {venue.venue_id}")
    assign_splits(records)
    records.sort(key=lambda r: r["paper_id"])
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as gz:  # same input, same bytes
        gz.write(lines)
    _write_atomic(folder / f"{folder.name}.jsonl.gz", buffer.getvalue())
    splits = "paper_id\tstatus\tdecision\tsplit\n" + "".join(
        f"{r['paper_id']}\t{r['status']}\t{r['decision'] or ''}\t{r['split']}\n" for r in records
    )
    _write_atomic(folder / "splits.tsv", splits.encode("utf-8"))
    result.papers = len(records)
    result.reviews = sum(len(r["reviews"]) for r in records)
    result.statuses = dict(Counter(r["status"] for r in records))
    manifest = {
        "venue_id": venue.venue_id,
        "name": folder.name,
        "source": f"OpenReview API v2 ({redact_url(url)}) through openreview-py",
        "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "papers": result.papers,
        "reviews": result.reviews,
        "statuses": result.statuses,
        "splits": dict(Counter(r["split"] for r in records)),
        "rating_field": venue.rating_field,
        "rating_scale": venue.rating_scale,
        "refetch": f"reviewer data fetch {venue.venue_id} --refresh",
    }
    _write_atomic(folder / "manifest.json", (json.dumps(manifest, indent=1) + "\n").encode())
