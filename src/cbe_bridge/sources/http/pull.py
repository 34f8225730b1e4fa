"""The puller: fetch pages concurrently, hand them over in order, one at a time.

A source describes what to fetch as a lazy *plan*: an iterator of :class:`Collection` (one
paged listing: a stream, or a stream for one parent such as a course) and :data:`BARRIER`
markers. The puller keeps up to ``concurrency`` requests in flight across the plan (pages of
one collection in parallel when the paginator knows them all, and the next collections'
first pages while the head one finishes), and calls ``on_page`` on the calling thread, in
plan order, page after page. So the store is only touched from one thread, parents are
loaded before the records that refer to them, and a page's position is always "everything
before it is committed", which is what makes a killed sync resumable.

``BARRIER``: the plan asks for everything so far to be committed before it is asked for more
(Canvas reads the courses it just stored to plan the per-course collections).

Two guards on offset paging: a page whose content repeats the previous page's (a server
ignoring ``offset``) stops the pull (:class:`~.errors.PageLoopError`); and when the total
shrinks between two neighbouring pages (records left the listing mid-pull, moving later
records to lower offsets), the window around their boundary is read again before the second
page is handed over, so no record slips between pages unseen.

``Page.flush`` is False when the collection's next page has already arrived: the source may
then load the two together (fewer, larger store batches when the network is faster than the
store), committing at the next page that has ``flush`` set (at most ``max_batch`` pages apart).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from cbe_bridge.sources.http.client import HttpClient, Response
from cbe_bridge.sources.http.errors import PageLoopError, ProtocolError
from cbe_bridge.sources.http.paging import OffsetPaginator, PageRequest, Paginator

BARRIER = object()
Extract = Callable[[Any], list]


@dataclass
class Collection:
    """One paged listing to pull. ``meta`` is the adapter's own (stream, parent id, window)."""

    key: str  # unique within the source; names its resume position and watermark
    label: str  # for progress, logs and reject locations
    request: PageRequest  # the first page, or the resume position
    paginator: Paginator
    extract: Extract
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Page:
    """One answer handed to ``on_page``; ``next`` is None on the collection's last page."""

    collection: Collection
    number: int  # 1-based, in collection order (gap re-reads share the number of the page they precede)
    request: PageRequest
    response: Response
    records: list
    next: PageRequest | None  # for a gap re-read: the page it precedes (the position stays there)
    total: int | None
    gap: bool = False
    flush: bool = True  # False: the next page of this collection is already here; commit with it

    @property
    def last(self) -> bool:
        return self.next is None and not self.gap


@dataclass
class _Fetched:
    request: PageRequest
    response: Response
    records: list
    total: int | None


@dataclass
class _LoopState:
    """Shared between the calling thread and the fetch threads; guarded by ``cond``."""

    plan: Iterator[Any]
    executor: ThreadPoolExecutor
    cond: threading.Condition = field(default_factory=threading.Condition)
    active: deque[_Run] = field(default_factory=deque)
    inflight: int = 0  # fetch threads at work
    plan_done: bool = False
    waiting_barrier: bool = False
    failed: _Run | None = None  # a fetch failed: finish what comes before it, then stop
    stopping: bool = False
    crashed: BaseException | None = None  # the puller's own bookkeeping failed in a fetch thread


@dataclass
class _Failed:
    """A fetch that raised, kept in its place in the order."""

    error: BaseException


@dataclass
class _Run:
    """The puller's bookkeeping for one collection."""

    collection: Collection
    planned: list[PageRequest] = field(default_factory=list)
    issued: int = 0
    answers: dict[int, _Fetched | _Failed] = field(default_factory=dict)
    committed: int = 0
    unflushed: int = 0  # pages handed over since the last one with ``flush``
    prev: _Fetched | None = None

    @property
    def complete(self) -> bool:
        # Follow-up requests are planned as soon as an answer arrives, before it is handed
        # over, so "all planned pages handed over" means the collection is done.
        return self.committed == len(self.planned)


class Puller:
    """See the module docstring. ``on_page`` runs on the calling thread; exceptions stop the pull.

    A fetch thread that finishes a page takes the next planned page itself, so the network
    never waits while the calling thread parses or commits; only advancing the plan (which
    may read the store) is left to the calling thread.
    """

    def __init__(self, client: HttpClient, on_page: Callable[[Page], None], *, concurrency: int = 4,
                 max_buffered: int | None = None, max_batch: int = 16) -> None:
        self.client = client
        self.on_page = on_page
        self.concurrency = max(1, concurrency)
        self.max_buffered = max_buffered or max(self.concurrency * 4, max_batch)
        self.max_batch = max(1, max_batch)

    def run(self, plan: Iterator[Any]) -> None:
        executor = ThreadPoolExecutor(self.concurrency, thread_name_prefix=f"fetch-{self.client.source}")
        state = _LoopState(plan, executor)
        try:
            self._loop(state)
        except BaseException:
            with state.cond:
                state.stopping = True  # no thread takes another page
            self.client.cancel()  # threads still retrying give up at their next wait
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)

    def _fetch(self, run: _Run, request: PageRequest) -> _Fetched:
        response = self.client.get(request.url, list(request.params))
        try:
            records = run.collection.extract(response.data)
        except ValueError as exc:  # the body is not the listing the API promises
            raise ProtocolError(f"{run.collection.label}: {exc} at {request.describe()}",
                                url=request.describe()) from None
        return _Fetched(request, response, records, run.collection.paginator.total(response))

    def _work(self, state: _LoopState, run: _Run, seq: int) -> None:
        """A fetch thread: fetch the page, file the answer, take the next page while there is one."""
        while True:
            try:
                answer: _Fetched | _Failed = self._fetch(run, run.planned[seq])
            except BaseException as exc:  # noqa: BLE001 - raised on the calling thread, in its turn
                answer = _Failed(exc)
            with state.cond:
                try:
                    self._file(state, run, seq, answer)
                    claim = None if state.stopping else self._claim(state)
                except BaseException as exc:  # noqa: BLE001 - a bookkeeping bug must stop the pull, not hang it
                    state.crashed, state.stopping, claim = exc, True, None
                if claim is None:
                    state.inflight -= 1
                state.cond.notify_all()
            if claim is None:
                return
            run, seq = claim

    def _loop(self, state: _LoopState) -> None:
        cond = state.cond
        while True:
            self._fill(state)
            with cond:
                if state.crashed is not None:
                    raise state.crashed
                active = state.active
                if not active:
                    if state.plan_done:
                        return
                    state.waiting_barrier = False  # everything before the barrier is committed
                    continue
                if not self._head_ready(active):
                    room = state.inflight < self.concurrency and self._claim(state, peek=True) is not None
                    if state.inflight == 0 and not room:
                        raise RuntimeError("puller stalled: nothing in flight and nothing to hand over")
                    if not room:
                        cond.wait()  # woken by every answer a fetch thread files (or its crash)
                    continue  # to _fill: a commit may have made room for more fetches
                run = active[0]
                seq = run.committed
                answer = run.answers.pop(seq)
                nxt = run.planned[seq + 1] if seq + 1 < len(run.planned) else None
                following = run.answers.get(seq + 1)
            # Outside the lock: the fetch threads file their answers while the page is stored.
            self._hand_over(run, answer, nxt, following)
            with cond:
                run.committed += 1
                if run.complete:
                    active.popleft()

    def _fill(self, state: _LoopState) -> None:
        """Start fetches for free slots: planned pages first, then further down the plan."""
        while True:
            with state.cond:
                while state.inflight < self.concurrency and not state.stopping:
                    claim = self._claim(state)
                    if claim is None:
                        break
                    state.inflight += 1
                    state.executor.submit(self._work, state, *claim)
                if not self._wants_plan(state):
                    return
            item = next(state.plan, None)  # outside the lock: a plan step may read the store
            with state.cond:
                if item is None:
                    state.plan_done = True
                elif item is BARRIER:
                    state.waiting_barrier = True
                else:
                    new = _Run(item)
                    new.planned.append(item.paginator.first(item.request))
                    state.active.append(new)

    def _claim(self, state: _LoopState, *, peek: bool = False) -> tuple[_Run, int] | None:
        """The next planned page a thread may fetch (with the lock held). The head collection
        may always fetch (it is what unblocks commits); the others only while the buffer of
        answered-but-not-handed-over pages has room. After a failure, only the collections
        before the failed one go on."""
        active = state.active
        if not active:
            return None
        order = list(active)
        before = order[: order.index(state.failed)] if state.failed is not None else order
        run = next((r for r in before if r.issued < len(r.planned)), None)
        if run is None or (run is not order[0] and self._buffered(active) >= self.max_buffered):
            return None
        if peek:
            return run, run.issued
        run.issued += 1
        return run, run.issued - 1

    def _wants_plan(self, state: _LoopState) -> bool:
        """Whether the calling thread should take the plan's next item now (lock held)."""
        return not (state.plan_done or state.stopping or state.failed is not None
                    or state.inflight >= self.concurrency
                    or (state.waiting_barrier and state.active)
                    or self._buffered(state.active) >= self.max_buffered)

    def _file(self, state: _LoopState, run: _Run, seq: int, answer: _Fetched | _Failed) -> None:
        """Take in a finished fetch and plan what follows it (sequential paging); lock held."""
        if isinstance(answer, _Fetched):
            try:
                run.planned.extend(run.collection.paginator.after(answer.request, answer.response, answer.records))
            except BaseException as exc:  # noqa: BLE001 - a paging error stops the pull at this page
                answer = _Failed(exc)
        run.answers[seq] = answer
        if isinstance(answer, _Failed):
            # Raised when its turn to be handed over comes, so every page before it is
            # committed first (the next sync resumes right at it).
            order = list(state.active)
            if state.failed is None or order.index(run) < order.index(state.failed):
                state.failed = run

    @staticmethod
    def _buffered(active: deque[_Run]) -> int:
        return sum(r.issued - r.committed for r in active)

    @staticmethod
    def _head_ready(active: deque[_Run]) -> bool:
        return bool(active) and active[0].committed in active[0].answers

    def _hand_over(self, run: _Run, fetched: _Fetched | _Failed, nxt: PageRequest | None,
                   following: _Fetched | _Failed | None) -> None:
        """Give one page to ``on_page``. ``nxt`` is the position after it (known by now: for
        offset paging from the first answer, for sequential paging when this answer arrived);
        ``following`` is the next page's answer if it is already here."""
        if isinstance(fetched, _Failed):
            raise fetched.error
        collection = run.collection
        if run.prev is not None:
            self._check_repeat(run.prev, fetched, collection)
            if isinstance(collection.paginator, OffsetPaginator):
                self._reread_gap(run, run.prev, fetched)
        run.unflushed += 1
        flush = (nxt is None or following is None or isinstance(following, _Failed)
                 or run.unflushed >= self.max_batch)
        if flush:
            run.unflushed = 0
        self.on_page(Page(collection, run.committed + 1, fetched.request, fetched.response, fetched.records, nxt,
                          fetched.total, flush=flush))
        run.prev = fetched

    @staticmethod
    def _fingerprint(records: list) -> tuple:
        if not records:
            return (0,)
        return (len(records), json.dumps(records[0], sort_keys=True, default=str),
                json.dumps(records[-1], sort_keys=True, default=str))

    def _check_repeat(self, prev: _Fetched, cur: _Fetched, collection: Collection) -> None:
        if cur.records and self._fingerprint(prev.records) == self._fingerprint(cur.records):
            raise PageLoopError(
                f"{collection.label}: the page at {cur.request.describe()} repeats the page before it; "
                "the server seems to ignore the paging parameters", url=cur.request.describe(),
                hint="check the source's page_size against what the server supports")

    def _reread_gap(self, run: _Run, prev: _Fetched, cur: _Fetched) -> None:
        """Records left the listing between the two fetches: re-read around the boundary."""
        paginator = run.collection.paginator
        assert isinstance(paginator, OffsetPaginator)
        if prev.total is None or cur.total is None or cur.request.offset is None:
            return
        shift = prev.total - cur.total  # > 0: records left between the two fetches
        expected = cur.total
        boundary = cur.request.offset
        for _ in range(3):  # the listing may keep shrinking while we look; bounded
            if shift <= 0:
                return
            start, end = max(boundary - shift, 0), boundary + shift
            least = expected
            while start < end:  # in pages no larger than the server takes
                size = min(end - start, paginator.limit)
                request = paginator.window(cur.request, start, size)
                gap = self._fetch(run, request)
                self.on_page(Page(run.collection, run.committed + 1, request, gap.response, gap.records,
                                  cur.request, gap.total, gap=True, flush=False))
                if gap.total is not None:
                    least = min(least, gap.total)
                start += size
            if least >= expected:
                return
            shift, expected = prev.total - least, least
