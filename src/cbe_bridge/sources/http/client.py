"""The one way cbe-bridge talks to an API: :class:`HttpClient`, one per configured source.

A ``requests.Session`` with a connection pool sized to the source's concurrency, connect and
read timeouts on every request, retries (tenacity; :mod:`.retry`), a token refreshed once on
401 (:mod:`.auth`), client-side rate limits (:mod:`.ratelimit`), JSON decoding that treats a
truncated body as retriable, and counters for the run summary. Thread-safe: the source's
fetch threads share it. Nothing it raises or logs carries a secret (:mod:`.errors`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from cbe_bridge import __version__
from cbe_bridge.sources.http.auth import RefreshableAuth
from cbe_bridge.sources.http.errors import SCRUB, AuthError, HttpError, RetriableError, safe_url
from cbe_bridge.sources.http.ratelimit import LeakyBucketGovernor, TokenBucket
from cbe_bridge.sources.http.retry import RETRY_STATUSES, RetryPolicy, WaitRetryAfterOrBackoff, parse_retry_after

log = logging.getLogger(__name__)

USER_AGENT = f"cbe-bridge/{__version__} (+https://github.com/cbe-bridge)"


@dataclass
class HttpStats:
    """What the client did, for the run summary (updated from several threads)."""

    requests: int = 0
    retries: int = 0
    refreshes: int = 0
    bytes: int = 0
    throttled: float = 0.0  # seconds spent waiting on rate limits and Retry-After
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **amounts: float) -> None:
        with self._lock:
            for key, value in amounts.items():
                setattr(self, key, getattr(self, key) + value)


@dataclass
class Response:
    """A decoded answer: status, headers (case-insensitive), JSON body, the URL asked."""

    status: int
    headers: Mapping[str, str]
    data: Any
    url: str
    elapsed: float
    retries: int = 0  # attempts beyond the first this answer took


ErrorDetail = Callable[[requests.Response], "str | None"]
Params = Mapping[str, Any] | list[tuple[str, Any]] | None  # a list when keys repeat (include[]=...)


class HttpClient:
    """Sends GETs (and idempotent writes, :meth:`write`) for one source; see the module docstring."""

    def __init__(self, source: str, *, auth: RefreshableAuth | None = None,
                 timeout: tuple[float, float] = (10.0, 60.0), retry: RetryPolicy | None = None,
                 concurrency: int = 4, rate_limit: TokenBucket | None = None,
                 governor: LeakyBucketGovernor | None = None, verify: bool | str = True,
                 headers: Mapping[str, str] | None = None, error_detail: ErrorDetail | None = None,
                 sleep: Callable[[float], object] | None = None) -> None:
        self.source = source
        self.auth = auth
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.rate_limit = rate_limit
        self.governor = governor
        self.error_detail = error_detail
        self.stats = HttpStats()
        self._stop = threading.Event()
        # Waiting on the stop event, not time.sleep: a cancelled pull wakes its threads at once.
        self._sleep = sleep if sleep is not None else self._stop.wait
        self.session = requests.Session()
        # One pooled connection per worker thread (plus one for the token endpoint); never
        # urllib3's own retries: every retry goes through the policy below, and is counted.
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=max(concurrency + 1, 2), max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.verify = verify
        self.session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self.session.headers.update(headers or {})

    def post_form(self, url: str, **kwargs: Any) -> requests.Response:
        """A bare POST on this session (the OAuth 2 token request), without the API's auth."""
        return self.session.post(url, **kwargs)

    def close(self) -> None:
        self.session.close()

    def cancel(self) -> None:
        """Make every thread of this client give up at its next wait (the pull is stopping)."""
        self._stop.set()

    # -- requests ---------------------------------------------------------------------------
    def get(self, url: str, params: Params = None, *, auth: bool = True) -> Response:
        """GET ``url`` and decode its JSON, retrying what is worth retrying."""
        return self._request("GET", url, params, None, auth)

    def write(self, method: str, url: str, body: Any, *, params: Params = None) -> Response:
        """Send ``body`` as JSON with POST, PUT or DELETE: retries, token refresh and limits as for GET.

        Only for idempotent writes (an Ed-Fi POST upserts by natural key, a OneRoster PUT
        replaces by sourcedId, a DELETE of a known id): a retried attempt whose first try did
        reach the server changes nothing more. A 4xx answer raises :class:`HttpError` with the
        server's explanation (its ``status`` tells a rejection from a conflict); ``Location``
        and the other headers of a success are in the returned :class:`Response`.
        """
        if method not in ("POST", "PUT", "DELETE"):
            raise ValueError(f"not a write method: {method}")
        payload = None if body is None else json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        return self._request(method, url, params, payload, True)

    def _request(self, method: str, url: str, params: Params, payload: bytes | None, auth: bool) -> Response:
        retrying = Retrying(
            stop=stop_after_attempt(self.retry.attempts),
            wait=WaitRetryAfterOrBackoff(self.retry),
            retry=retry_if_exception_type(RetriableError),
            sleep=self._sleep_counted,
            before_sleep=self._before_retry,
            reraise=True,
        )
        try:
            response = retrying(self._attempt, url, params, auth, method, payload)
            response.retries = max(int(retrying.statistics.get("attempt_number", 1)) - 1, 0)
            return response
        except RetriableError as exc:
            raise HttpError(
                f"{self.source}: {SCRUB(str(exc))}; gave up after {self.retry.attempts} attempts",
                status=exc.status, url=exc.url,
                hint="the source will resume from its last committed page on the next sync" if method == "GET"
                else "what was not written is sent by the next write-back") from None

    def _sleep_counted(self, seconds: float) -> None:
        self.stats.add(throttled=seconds)
        self._sleep(seconds)
        if self._stop.is_set():
            raise HttpError(f"{self.source}: the pull was stopped", hint="another request failed first")

    def _before_retry(self, state: Any) -> None:
        self.stats.add(retries=1)
        exc = state.outcome.exception() if state.outcome else None
        log.info("retrying after: %s", SCRUB(str(exc)),
                 extra={"source": self.source, "event": "retry", "attempt": state.attempt_number})

    def _attempt(self, url: str, params: Params, use_auth: bool, method: str = "GET",
                 payload: bytes | None = None) -> Response:
        refreshed = False
        while True:
            if self._stop.is_set():
                raise HttpError(f"{self.source}: the pull was stopped", hint="another request failed first")
            if self.rate_limit is not None:
                before = self.rate_limit.waited
                self.rate_limit.acquire()
                self.stats.add(throttled=self.rate_limit.waited - before)
            if self.governor is not None:
                before = self.governor.waited
                self.governor.before_request()
                self.stats.add(throttled=self.governor.waited - before)
            raw = self._send(url, params, use_auth, method, payload)
            if raw.status_code == 401 and use_auth and self.auth is not None and not refreshed:
                # An expired or revoked token: renew it once, then try again at once. Only the
                # first thread refused with a given token renews it (see RefreshableAuth).
                generation = getattr(raw.request, "auth_generation", None)
                if self.auth.refresh(generation):
                    refreshed = True
                    self.stats.add(refreshes=1)
                    continue
            return self._decode(raw, lenient=method != "GET")

    def _send(self, url: str, params: Params, use_auth: bool, method: str = "GET",
              payload: bytes | None = None) -> requests.Response:
        where = safe_url(url)
        started = time.monotonic()
        headers = {"Content-Type": "application/json"} if payload is not None else None
        try:
            raw = self.session.request(method, url, params=params, data=payload, headers=headers,
                                       timeout=self.timeout, auth=self.auth if use_auth else None)
            raw.content  # noqa: B018 - read the body inside the try: a short read is retriable
        except requests.Timeout:
            raise RetriableError(f"timed out on {where}", url=where) from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise RetriableError(f"connection failed on {where} ({type(exc).__name__})", url=where) from None
        finally:
            self.stats.add(requests=1)
        self.stats.add(bytes=len(raw.content))
        log.debug("%s %s -> %s in %.3fs", method, where, raw.status_code, time.monotonic() - started,
                  extra={"source": self.source, "event": "request"})
        return raw

    def _decode(self, raw: requests.Response, *, lenient: bool = False) -> Response:
        where = safe_url(raw.url)
        status = raw.status_code
        if self.governor is not None:
            self.governor.observe(raw.headers)
        if status in RETRY_STATUSES:
            retry_after = parse_retry_after(raw.headers.get("Retry-After"))
            raise RetriableError(f"HTTP {status} from {where}", status=status, retry_after=retry_after, url=where)
        if status == 403 and b"rate limit exceeded" in raw.content[:2000].lower():
            pause = self.governor.overflowed() if self.governor is not None else None
            raise RetriableError(f"rate limit exceeded on {where}", status=403, retry_after=pause, url=where)
        if status >= 500:
            raise RetriableError(f"HTTP {status} from {where}", status=status, url=where)
        if status in (401, 403):
            raise AuthError(f"{self.source}: HTTP {status} from {where}{self._detail(raw)}", status=status,
                            url=where, hint="check the source's credentials and what they are allowed to read")
        if status >= 400:
            raise HttpError(f"{self.source}: HTTP {status} from {where}{self._detail(raw)}", status=status,
                            url=where)
        data: Any = None
        if raw.content:
            try:
                data = json.loads(raw.content)
            except ValueError:
                if lenient:  # a write succeeded; its answer's body (often empty or text) is a courtesy
                    return Response(status, raw.headers, None, raw.url, raw.elapsed.total_seconds())
                # Most often a body cut short by a proxy or a dropped connection: ask again.
                raise RetriableError(f"truncated or unreadable JSON from {where}", status=status,
                                     url=where) from None
        return Response(status, raw.headers, data, raw.url, raw.elapsed.total_seconds())

    def _detail(self, raw: requests.Response) -> str:
        text = None
        if self.error_detail is not None:
            try:
                text = self.error_detail(raw)
            except Exception:  # noqa: BLE001 - a detail must never hide the error itself
                text = None
        return f": {SCRUB(text)[:300]}" if text else ""
