"""Errors of the HTTP layer, and the scrubber that keeps secrets out of every message.

::

    SourceError (cbe_bridge.errors)      a source could not be read           (exit 1)
     +-- HttpError                       a request failed for good (status, url, what to do)
     |    +-- AuthError                  credentials refused (401/403 after one token refresh)
     |    +-- PageLoopError              a paginator was handed a page it has already seen
     |    +-- ProtocolError              the answer is not what the API promises (bad JSON, shape)
     +-- RetriableError                 internal: one attempt failed in a way worth retrying
                                        (429, 5xx, connection errors, timeouts, truncated JSON);
                                        becomes HttpError when the retries run out

Every message goes through a :class:`Scrubber` first: registered secret values, and the
values of query parameters that carry credentials (``access_token``, ``oauth_signature`` ...),
are replaced by ``***``. Messages name the URL path, never record contents.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from cbe_bridge.errors import SourceError

# Query parameters that carry credentials in some APIs (Canvas accepts access_token=...).
SECRET_PARAMS = frozenset({"access_token", "token", "client_secret", "oauth_signature", "password",
                           "api_key", "apikey", "key", "secret", "refresh_token"})


class Scrubber:
    """Replaces known secret values in text. One per process, shared by every source."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def register(self, value: str | None) -> None:
        """Remember a secret so it never appears in a message or a log line."""
        if not value or len(value) < 4:  # a 1-3 character "secret" would scrub ordinary words
            return
        with self._lock:
            if value not in self._secrets:
                self._secrets.add(value)
                ordered = sorted(self._secrets, key=len, reverse=True)  # longest first: no partial leaks
                self._pattern = re.compile("|".join(re.escape(s) for s in ordered))

    def __call__(self, text: str) -> str:
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub("***", text)
        return _scrub_params(text)


_PARAM = re.compile(r"(?i)\b(" + "|".join(sorted(SECRET_PARAMS)) + r")=([^&\s\"']+)")
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")


def _scrub_params(text: str) -> str:
    text = _PARAM.sub(lambda m: f"{m.group(1)}=***", text)
    return _BEARER.sub(lambda m: f"{m.group(1)} ***", text)


SCRUB = Scrubber()


def safe_url(url: str) -> str:
    """A URL fit for a message: credentials in the query and any user:password removed."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return SCRUB(url)
    query = urlencode([(k, "***" if k.lower() in SECRET_PARAMS else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)])
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return SCRUB(urlunsplit((parts.scheme, netloc, parts.path, query, "")))


@dataclass
class HttpError(SourceError):
    """A request that failed for good."""

    status: int | None = None
    url: str | None = None


@dataclass
class AuthError(HttpError):
    """The API refused the credentials, even after one token refresh."""


@dataclass
class PageLoopError(HttpError):
    """A paginator was handed a page (token, URL or content) it has already seen."""


@dataclass
class ProtocolError(HttpError):
    """The answer does not have the shape the API promises."""


class RetriableError(Exception):
    """One attempt failed in a way worth retrying; ``retry_after`` is the server's wish, if any."""

    def __init__(self, message: str, *, status: int | None = None, retry_after: float | None = None,
                 url: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after
        self.url = url
