"""Paginators: how to ask for the next page of a collection, shared by every adapter.

A paginator is made fresh for each collection pull (state never leaks between runs, as in
dlt). It is driven by the puller (:mod:`.pull`) one call at a time: ``first`` gives the first
request, ``after`` turns one answer into the requests that follow it. Every request is a
plain, JSON-serializable :class:`PageRequest`, which is also the resume position saved with
each committed page. A paginator refuses a request it has already issued (a server that
hands back the same ``next`` link or cursor forever): :class:`~.errors.PageLoopError`.

* :class:`OffsetPaginator`: ``offset``/``limit`` with a total (``X-Total-Count`` or Ed-Fi's
  ``Total-Count``): once the first answer tells the total, every remaining page is known and
  the puller fetches them in parallel. A server that caps ``limit`` below what was asked is
  detected on the first page and followed. Without a total it walks page by page until an
  empty page.
* :class:`LinkHeaderPaginator`: RFC 8288 ``Link: <...>; rel="next"`` (Canvas, OneRoster).
* :class:`CursorPaginator`: a cursor from the body (dotted path) or a header, sent back as a
  query parameter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from requests.utils import parse_header_links

from cbe_bridge.sources.http.client import Response
from cbe_bridge.sources.http.errors import PageLoopError, safe_url


@dataclass(frozen=True)
class PageRequest:
    """One page to fetch: absolute URL, query parameters, and the offset when paging by offset."""

    url: str
    params: tuple[tuple[str, str], ...] = ()
    offset: int | None = None

    @classmethod
    def make(cls, url: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
             offset: int | None = None) -> PageRequest:
        pairs = params.items() if isinstance(params, Mapping) else (params or ())
        items = tuple((str(k), str(v)) for k, v in pairs if v is not None)
        return cls(url, items, offset)

    def with_params(self, **changes: Any) -> PageRequest:
        # Keys may repeat (Canvas: include[]=a&include[]=b): replace only the changed ones.
        kept = tuple((k, v) for k, v in self.params if k not in changes)
        return PageRequest(self.url, kept + tuple((k, str(v)) for k, v in changes.items()), self.offset)

    @property
    def key(self) -> str:
        return self.url + "?" + "&".join(f"{k}={v}" for k, v in sorted(self.params))

    def to_state(self) -> dict[str, Any]:
        return {"url": self.url, "params": [list(p) for p in self.params], "offset": self.offset}

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> PageRequest:
        return cls(state["url"], tuple((str(k), str(v)) for k, v in state.get("params", [])), state.get("offset"))

    def describe(self) -> str:
        return safe_url(self.url) + (f" offset {self.offset}" if self.offset is not None else "")


class Paginator:
    """Base: single page, no follow-up. Subclasses override :meth:`after`."""

    parallel = False  # the puller may fetch the planned pages of this collection concurrently

    def __init__(self) -> None:
        self._issued: set[str] = set()

    def first(self, request: PageRequest) -> PageRequest:
        self._issued.add(request.key)
        return request

    def after(self, request: PageRequest, response: Response, records: list[Any]) -> list[PageRequest]:
        """The requests that follow this answer (none: the collection ends with it)."""
        return []

    def total(self, response: Response) -> int | None:
        """How many records the listing holds, when the server says."""
        return None

    def _issue(self, request: PageRequest, came_from: PageRequest) -> PageRequest:
        if request.key in self._issued:
            raise PageLoopError(f"the server sent the same next page twice ({request.describe()}, after "
                                f"{came_from.describe()}); stopping rather than looping",
                                url=safe_url(request.url),
                                hint="a server-side paging bug; report it to the API's vendor")
        self._issued.add(request.key)
        return request


SinglePage = Paginator


@dataclass
class OffsetPaginator(Paginator):
    """``offset``/``limit`` paging; see the module docstring."""

    limit: int = 100
    total_headers: tuple[str, ...] = ("X-Total-Count", "Total-Count")
    offset_param: str = "offset"
    limit_param: str = "limit"
    _planned: bool = field(default=False, init=False)
    _issued: set[str] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self.parallel = True

    def first(self, request: PageRequest) -> PageRequest:
        offset = request.offset or 0
        return super().first(self.at(request, offset, self.limit))

    def at(self, request: PageRequest, offset: int, limit: int) -> PageRequest:
        page = request.with_params(**{self.offset_param: offset, self.limit_param: limit})
        return PageRequest(page.url, page.params, offset)

    def total(self, response: Response) -> int | None:
        for name in self.total_headers:
            value = response.headers.get(name)
            if value is not None:
                try:
                    return int(value)
                except ValueError:
                    return None
        return None

    def after(self, request: PageRequest, response: Response, records: list[Any]) -> list[PageRequest]:
        offset = request.offset or 0
        total = self.total(response)
        if total is None:
            self.parallel = False
            if not records:
                return []
            return [self._issue(self.at(request, offset + len(records), self.limit), request)]
        if self._planned:
            return []  # every page was planned from the first answer
        self._planned = True
        if records and len(records) < self.limit and offset + len(records) < total:
            self.limit = len(records)  # the server caps page size: follow its size, or we skip records
        step = max(self.limit, 1)
        return [self._issue(self.at(request, start, self.limit), request)
                for start in range(offset + step, total, step)]

    def window(self, request: PageRequest, start: int, size: int) -> PageRequest:
        """A request for records ``[start, start+size)``: re-reads around a page boundary."""
        return self.at(request, max(start, 0), max(size, 1))


@dataclass
class LinkHeaderPaginator(Paginator):
    """Follows ``Link: <url>; rel="next"``; the next URL carries every parameter."""

    _issued: set[str] = field(default_factory=set, init=False)

    def after(self, request: PageRequest, response: Response, records: list[Any]) -> list[PageRequest]:
        header = response.headers.get("Link")
        if not header:
            return []
        for link in parse_header_links(header):
            rels = str(link.get("rel", "")).split()
            if "next" in rels and link.get("url"):
                return [self._issue(PageRequest(link["url"]), request)]
        return []


@dataclass
class CursorPaginator(Paginator):
    """A cursor read from ``cursor_path`` in the body (or ``cursor_header``), sent as ``cursor_param``."""

    cursor_param: str = "cursor"
    cursor_path: str | None = "next_cursor"
    cursor_header: str | None = None
    _issued: set[str] = field(default_factory=set, init=False)

    def after(self, request: PageRequest, response: Response, records: list[Any]) -> list[PageRequest]:
        cursor = None
        if self.cursor_header:
            cursor = response.headers.get(self.cursor_header)
        elif self.cursor_path and isinstance(response.data, dict):
            node: Any = response.data
            for part in self.cursor_path.split("."):
                node = node.get(part) if isinstance(node, dict) else None
            cursor = node
        if cursor in (None, ""):
            return []
        return [self._issue(request.with_params(**{self.cursor_param: cursor}), request)]
