"""A small threaded HTTP server on 127.0.0.1 for integration tests, with fault injection.

Routes are ``(method, regex) -> handler(request) -> Reply``; the API fakes (OneRoster, Ed-Fi,
Canvas) register theirs. Faults are rules matched against each request before its handler:

* ``status``: answer with a status (429, 500, 502, 503 ...) and optional ``Retry-After``;
* ``timeout``: wait ``delay`` seconds before answering (longer than the client's read timeout);
* ``truncate``: a valid HTTP answer whose JSON body is cut in half;
* ``short_read``: announce the full length, send half, close the connection;
* ``reset``: close the connection without an answer;
* ``expire_tokens``: forget every issued token (the next request gets 401).

``latency`` delays every answer; ``on_request`` hooks run before each request is handled
(mutate the data between pages, or tell a test that the N-th request arrived).
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    url: str  # the absolute URL as the client asked for it

    def arg(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.query if k == name), default)

    def args(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serializable, or bytes
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        return b"" if self.body is None else json.dumps(self.body).encode()


@dataclass
class Fault:
    kind: str
    match: str = ""  # a substring of the path (and query) the request must contain
    times: int = 1  # how many matching requests it hits
    skip: int = 0  # matching requests to let through first
    status: int = 503
    retry_after: str | None = None
    delay: float = 2.0
    body: Any = None
    hits: int = 0


class FakeServer:
    """See the module docstring. Use as a context manager; ``url`` is its base URL."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Callable[[Request, re.Match], Reply]]] = []
        self.faults: list[Fault] = []
        self.hooks: list[Callable[[Request, int], None]] = []
        self.latency = 0.0
        self.tokens: dict[str, float] = {}  # token -> expiry (monotonic)
        self.clients: dict[str, str] = {}  # client id -> secret
        self.token_lifetime = 3600
        self.log: list[Request] = []
        self.count = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._server.handle_error = lambda *_: None  # a client killed mid-request is expected here
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- configuration ------------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Callable[[Request, re.Match], Reply]) -> None:
        self.routes.append((method, re.compile(pattern + r"/?$"), handler))

    def fault(self, kind: str, **kw: Any) -> Fault:
        f = Fault(kind, **kw)
        self.faults.append(f)
        return f

    def on_request(self, hook: Callable[[Request, int], None]) -> None:
        self.hooks.append(hook)

    def paths(self, contains: str = "") -> list[str]:
        return [r.path for r in self.log if contains in r.path]

    # -- auth helpers the API fakes use -----------------------------------------------------
    def issue_token(self) -> Reply:
        token = secrets.token_hex(12)
        self.tokens[token] = time.monotonic() + self.token_lifetime
        return Reply(200, {"access_token": token, "token_type": "bearer", "expires_in": self.token_lifetime})

    def token_endpoint(self, request: Request) -> Reply:
        import base64

        auth = request.headers.get("authorization", "")
        form = dict(parse_qsl(request.body.decode()))
        if auth.lower().startswith("basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        else:
            cid, secret = form.get("client_id", ""), form.get("client_secret", "")
        if form.get("grant_type") != "client_credentials" or self.clients.get(cid) != secret:
            return Reply(401, {"error": "invalid_client"})
        return self.issue_token()

    def bearer_ok(self, request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        token = auth[7:] if auth.lower().startswith("bearer ") else ""
        expiry = self.tokens.get(token)
        return expiry is not None and time.monotonic() < expiry

    def expire_tokens(self) -> None:
        self.tokens.clear()

    # -- dispatch ---------------------------------------------------------------------------------
    def handle(self, request: Request) -> tuple[Reply | None, Fault | None]:
        with self._lock:
            self.count += 1
            count = self.count
            self.log.append(request)
        for hook in list(self.hooks):
            hook(request, count)
        if self.latency:
            time.sleep(self.latency)
        target = request.path + "?" + "&".join(f"{k}={v}" for k, v in request.query)
        with self._lock:
            for f in self.faults:
                if f.hits < f.skip + f.times and f.match in target:
                    f.hits += 1
                    if f.hits > f.skip:
                        break
            else:
                f = None
        if f is not None:
            if f.kind == "expire_tokens":
                self.expire_tokens()
            elif f.kind == "status":
                headers = {"Retry-After": f.retry_after} if f.retry_after is not None else {}
                return Reply(f.status, f.body if f.body is not None else {"error": "injected"}, headers), None
            elif f.kind == "timeout":
                time.sleep(f.delay)
            elif f.kind in ("truncate", "short_read", "reset"):
                return self._route(request), f
        return self._route(request), None

    def _route(self, request: Request) -> Reply:
        for method, pattern, handler in self.routes:
            if method == request.method:
                m = pattern.match(request.path)
                if m:
                    return handler(request, m)
        return Reply(404, {"error": f"no route for {request.method} {request.path}"})


def _handler(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the client's connection pool is exercised

        def log_message(self, *_: Any) -> None:  # quiet
            pass

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            host = self.headers.get("Host", "127.0.0.1")
            request = Request(method, parts.path, parse_qsl(parts.query, keep_blank_values=True),
                              {k.lower(): v for k, v in self.headers.items()}, body, f"http://{host}{self.path}")
            try:
                reply, fault = server.handle(request)
                payload = reply.payload()
                if fault is not None and fault.kind == "reset":
                    self.close_connection = True
                    return
                if fault is not None and fault.kind == "truncate":
                    payload = payload[: max(len(payload) // 2, 1)]
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if fault is not None and fault.kind == "short_read":
                    self.wfile.write(payload[: len(payload) // 2])
                    self.close_connection = True
                    return
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802
            self._serve("GET")

        def do_POST(self) -> None:  # noqa: N802
            self._serve("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._serve("PUT")

        def do_DELETE(self) -> None:  # noqa: N802
            self._serve("DELETE")

    return Handler
