"""The one HTTP layer every API source uses: session, auth, retries, rate limits, paging.

Nothing else in cbe-bridge opens a network connection. Pieces, one job per module:

* :mod:`.client`: :class:`HttpClient`, a ``requests.Session`` per source with pooling,
  connect/read timeouts, tenacity retries (:mod:`.retry`), token refresh on 401;
* :mod:`.auth`: OAuth 2.0 client credentials, OAuth 1.0a HMAC-SHA256 signing, bearer tokens;
* :mod:`.secrets`: secrets from environment variables or a secrets file, never from the config;
* :mod:`.ratelimit`: a token bucket and Canvas's leaky-bucket governor;
* :mod:`.paging`: offset/limit, Link header and cursor paginators;
* :mod:`.pull`: concurrent fetching, in-order hand-over of pages;
* :mod:`.streams`, :mod:`.live`: stream declarations and the resumable page-by-page sync
  loop the adapters share; :mod:`.settings`: their common configuration.

Errors (:mod:`.errors`)::

    SourceError
     +-- HttpError            a request failed for good (after retries)
     |    +-- AuthError        credentials refused, even after one token refresh
     |    +-- PageLoopError    the server handed back a page already seen
     |    +-- ProtocolError    the answer is not what the API promises
     +-- (RetriableError)      internal: one attempt failed in a retriable way
"""

from __future__ import annotations

from typing import Any

from cbe_bridge.sources.http.errors import AuthError, HttpError, PageLoopError, ProtocolError
from cbe_bridge.sources.http.secrets import SecretRef

__all__ = ["AuthError", "HttpClient", "HttpError", "LiveSource", "PageLoopError", "ProtocolError", "SecretRef"]


def __getattr__(name: str) -> Any:
    # The client and the sync loop pull in requests and the store: only when asked for.
    if name == "HttpClient":
        from cbe_bridge.sources.http.client import HttpClient

        return HttpClient
    if name == "LiveSource":
        from cbe_bridge.sources.http.live import LiveSource

        return LiveSource
    raise AttributeError(name)
