"""Credentials out of URLs, wherever a URL is written to disk or shown.

An endpoint URL may carry a password (``https://user:secret@host/v1``) or a key in its query
(``?api_key=...``). The URL is used as given; every copy that reaches a file (manifest.json,
errors.jsonl, index.html, a references set's manifest) or a log line goes through
:func:`redact`, which keeps where the URL points and drops what opens it.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

HIDDEN = "***"
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>`]+")
# query parameters whose value opens something: api_key, key, token, access_token, secret,
# password, auth, sig/signature, credential... (too broad only ever hides a harmless value)
_SECRET_PARAM = re.compile(r"key|token|secret|pass|pwd|auth|sig|cred|session", re.IGNORECASE)
T = TypeVar("T")


def redact_url(url: str) -> str:
    """``url`` without a user name or password and without the values of secret-looking query
    parameters: ``http://u:p@host/v1?api_key=k&x=1`` -> ``http://***@host/v1?api_key=***&x=1``."""
    try:
        parts = urlsplit(url)
        host = parts.netloc
    except ValueError:  # not parseable as a URL: drop anything that looks like user info
        return re.sub(r"//[^/@\s]*@", f"//{HIDDEN}@", url)
    if "@" in host:
        host = f"{HIDDEN}@{host.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.search(k) for k, _ in pairs):
            hidden = [(k, HIDDEN if _SECRET_PARAM.search(k) else v) for k, v in pairs]
            query = urlencode(hidden, safe="*")
    return urlunsplit((parts.scheme, host, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """``text`` with every URL in it redacted."""
    return _URL.sub(lambda m: redact_url(m.group(0)), text) if "://" in text else text


def redact(value: T) -> T:
    """A JSON-like value (settings, a manifest, an error record) with every URL in its
    strings redacted."""
    result: Any
    if isinstance(value, str):
        result = redact_text(value)
    elif isinstance(value, dict):
        result = {k: redact(v) for k, v in value.items()}
    elif isinstance(value, list | tuple):
        result = type(value)(redact(v) for v in value)
    else:
        result = value
    return result
