"""A FAKE OpenReview API (v2) on loopback: a made-up venue's notes in the API's JSON shape.

Serves ``/groups``, ``/invitations`` and ``/notes`` (with ``details=replies``, ``offset``,
``limit``) the way api2 does, so the real openreview-py client is exercised end to end. Every
paper, review and name here is invented test data.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

VENUE = "ICLR.cc/2024/Conference"
RATINGS = [
    "1: strong reject",
    "3: reject, not good enough",
    "5: marginally below the acceptance threshold",
    "6: marginally above the acceptance threshold",
    "8: accept, good paper",
    "10: strong accept, should be highlighted at the conference",
]
WITHDRAWN, DESK_REJECTED, UNDECIDED = 3, 4, 5  # submission numbers with those outcomes


def _v(value: Any) -> dict[str, Any]:
    return {"value": value}


def venue_group() -> dict[str, Any]:
    content = {
        "submission_id": _v(f"{VENUE}/-/Submission"),
        "submission_name": _v("Submission"),
        "withdrawn_venue_id": _v(f"{VENUE}/Withdrawn_Submission"),
        "desk_rejected_venue_id": _v(f"{VENUE}/Desk_Rejected_Submission"),
        "rejected_venue_id": _v(f"{VENUE}/Rejected_Submission"),
        "review_name": _v("Official_Review"),
        "meta_review_name": _v("Meta_Review"),
        "decision_name": _v("Decision"),
        "review_rating": _v("rating"),
    }
    return {"id": VENUE, "content": content, "members": [], "readers": ["everyone"]}


def review_invitation() -> dict[str, Any]:
    enum = [{"value": int(r.split(":")[0]), "description": r} for r in RATINGS]
    content = {"rating": {"value": {"param": {"type": "integer", "enum": enum}}}}
    edit = {"invitation": {"edit": {"note": {"content": content}}}}
    return {"id": f"{VENUE}/-/Official_Review", "edit": edit}


def _reply(number: int, name: str, content: dict[str, Any], k: int = 0) -> dict[str, Any]:
    forum = f"forum{number:03d}"
    return {
        "id": f"{forum}-{name}-{k}",
        "forum": forum,
        "replyto": forum,
        "invitations": [f"{VENUE}/Submission{number}/-/{name}"],
        "content": content,
    }


def submission(number: int) -> dict[str, Any]:
    """Paper ``number``: three reviews; a decision and a meta-review unless withdrawn,
    desk-rejected or still undecided."""
    forum = f"forum{number:03d}"
    venueid = VENUE if number % 2 else f"{VENUE}/Rejected_Submission"
    if number == WITHDRAWN:
        venueid = f"{VENUE}/Withdrawn_Submission"
    elif number == DESK_REJECTED:
        venueid = f"{VENUE}/Desk_Rejected_Submission"
    elif number == UNDECIDED:
        venueid = f"{VENUE}/Submission"
    replies = []
    if number != DESK_REJECTED:
        for k in range(3):
            rating = RATINGS[(number + k) % len(RATINGS)]
            content = {
                "summary": _v(f"The paper {number} studies topic {number} with method {number}."),
                "strengths": _v(f"- The method {number} is evaluated on benchmark {k}."),
                "weaknesses": _v(f"- The ablation of stage {k} of paper {number} is missing."),
                "questions": _v(f"Why does method {number} need stage {k}?"),
                "soundness": _v("3 good"),
                "rating": _v(rating),
                "confidence": _v("4: You are confident in your assessment."),
                "code_of_conduct": _v("Yes"),
            }
            replies.append(_reply(number, "Official_Review", content, k))
    if number not in (WITHDRAWN, DESK_REJECTED, UNDECIDED):
        accepted = number % 2 == 1
        decision = "Accept (poster)" if accepted else "Reject"
        replies.append(_reply(number, "Decision", {"decision": _v(decision)}))
        meta = {
            "metareview": _v(f"META-REVIEW SECRET for paper {number}."),
            "recommendation": _v(decision),
        }
        replies.append(_reply(number, "Meta_Review", meta))
    if number == WITHDRAWN:
        replies.append(_reply(number, "Withdrawal", {"withdrawal_confirmation": _v("I agree")}))
    return {
        "id": forum,
        "forum": forum,
        "number": number,
        "invitations": [f"{VENUE}/-/Submission"],
        "content": {
            "title": _v(f"Paper {number} on topic {number}"),
            "abstract": _v(f"We study topic {number} and propose method {number}."),
            "keywords": _v(["kw1", f"topic{number}"]),
            "authors": _v(["Ada Secretauthor", "Bob Hiddenname"]),
            "authorids": _v(["~Ada_Secretauthor1", "~Bob_Hiddenname1"]),
            "_bibtex": _v(
                f"@inproceedings{{secretauthor2024paper{number},\n"
                f"title={{Paper {number} on topic {number}}},\n"
                "author={Ada Secretauthor and Bob Hiddenname},\nyear={2024}\n}"
            ),
            "venue": _v("ICLR 2024"),
            "venueid": _v(venueid),
        },
        "details": {"replies": replies},
    }


class FakeOpenReview:
    """``with FakeOpenReview(papers=25) as api: api.url``; ``api.note_requests`` holds
    (offset, time) of each notes request; ``fail_from`` makes the notes request with that
    index (0-based) and later ones fail with 403 (an interrupted fetch)."""

    def __init__(self, papers: int = 25) -> None:
        self.notes = [submission(n) for n in range(1, papers + 1)]
        self.note_requests: list[tuple[int, float]] = []
        self.fail_from: int | None = None
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeOpenReview:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if path == "/groups":
            if query.get("id") == VENUE:
                return 200, {"groups": [venue_group()]}
            return 404, {"name": "NotFoundError", "message": f"Group Not Found: {query.get('id')}"}
        if path == "/invitations":
            if query.get("id") == f"{VENUE}/-/Official_Review":
                return 200, {"invitations": [review_invitation()]}
            return 404, {"name": "NotFoundError", "message": "Invitation Not Found"}
        if path == "/notes":
            if self.fail_from is not None and len(self.note_requests) >= self.fail_from:
                return 403, {"name": "ForbiddenError", "message": "fake interruption"}
            offset, limit = int(query.get("offset", 0)), int(query.get("limit", 1000))
            self.note_requests.append((offset, time.monotonic()))
            chosen = [n for n in self.notes if query.get("invitation") in n["invitations"]]
            page = chosen[offset : offset + limit]
            if query.get("details") != "replies":
                page = [{k: v for k, v in n.items() if k != "details"} for n in page]
            return 200, {"notes": page, "count": len(chosen)}
        return 404, {"name": "NotFoundError", "message": path}


def _handler(api: FakeOpenReview) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlparse(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            status, payload = api.answer(url.path, query)
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler
