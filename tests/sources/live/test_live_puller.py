"""The puller on its own, with a stub client: order, failures, and fetching while a page is stored."""

from __future__ import annotations

import random
import threading
import time

import pytest

from cbe_bridge.sources.http.client import Response
from cbe_bridge.sources.http.errors import HttpError
from cbe_bridge.sources.http.paging import OffsetPaginator, PageRequest
from cbe_bridge.sources.http.pull import Collection, Puller

PAGE = 10


class StubClient:
    """Answers offset pages of ``total`` numbered records, after ``delay()`` seconds."""

    source = "stub"

    def __init__(self, total: int, delay=lambda: 0.0, fail_at: int | None = None) -> None:
        self.total, self.delay, self.fail_at = total, delay, fail_at
        self.started = 0
        self.lock = threading.Lock()
        self.cancelled = False

    def get(self, url: str, params: list[tuple[str, str]]) -> Response:
        with self.lock:
            self.started += 1
        args = dict(params)
        offset, limit = int(args["offset"]), int(args["limit"])
        time.sleep(self.delay())
        if offset == self.fail_at:
            raise HttpError("stub: HTTP 500 from /items; gave up after 3 attempts", status=500)
        items = list(range(offset, min(offset + limit, self.total)))
        return Response(200, {"X-Total-Count": str(self.total)}, items, url, 0.0)

    def cancel(self) -> None:
        self.cancelled = True


def collection(key: str = "items") -> Collection:
    return Collection(key, key, PageRequest.make("http://stub/items"), OffsetPaginator(limit=PAGE), lambda body: body)


def test_pages_are_handed_over_in_order_whatever_order_they_arrive_in():
    rng = random.Random(7)
    client = StubClient(total=200, delay=lambda: rng.random() * 0.01)
    seen: list[int] = []
    Puller(client, lambda page: seen.extend(page.records), concurrency=6).run(iter([collection()]))
    assert seen == list(range(200))


def test_fetch_threads_keep_fetching_while_the_calling_thread_stores_a_page():
    concurrency = 4
    client = StubClient(total=20 * PAGE)
    more_started = threading.Event()

    def watch() -> None:  # set once fetches beyond the first `concurrency + 1` have started
        while not more_started.is_set():
            if client.started >= concurrency + 3:
                more_started.set()
            time.sleep(0.001)

    threading.Thread(target=watch, daemon=True).start()
    blocked: list[bool] = []

    def on_page(page) -> None:
        if page.number == 1:  # a slow store: the first page waits for the network to move on
            blocked.append(more_started.wait(5))

    Puller(client, on_page, concurrency=concurrency, max_buffered=16).run(iter([collection()]))
    assert blocked == [True], "no page was fetched while the first page was being stored"


def test_a_failed_page_raises_after_every_page_before_it_is_handed_over():
    client = StubClient(total=100, fail_at=50)
    seen: list[int] = []
    with pytest.raises(HttpError):
        Puller(client, lambda page: seen.extend(page.records), concurrency=4).run(iter([collection()]))
    assert seen == list(range(50))
    assert client.cancelled


def test_the_next_collection_starts_while_the_first_finishes():
    client = StubClient(total=3 * PAGE, delay=lambda: 0.005)
    order: list[tuple[str, int]] = []
    plan = iter([collection("a"), collection("b")])
    Puller(client, lambda page: order.append((page.collection.key, page.number)), concurrency=4).run(plan)
    assert order == [("a", 1), ("a", 2), ("a", 3), ("b", 1), ("b", 2), ("b", 3)]


def test_a_bug_in_a_fetch_threads_bookkeeping_stops_the_pull_instead_of_hanging_it():
    class Broken(Puller):
        def _file(self, state, run, seq, answer):  # noqa: ANN001, ANN202
            if seq == 3:
                raise RuntimeError("bookkeeping bug")
            return super()._file(state, run, seq, answer)

    client = StubClient(total=10 * PAGE)
    outcome: list[BaseException] = []

    def pull() -> None:
        try:
            Broken(client, lambda page: None, concurrency=4).run(iter([collection()]))
        except BaseException as exc:  # noqa: BLE001 - what the pull raised is the result
            outcome.append(exc)

    worker = threading.Thread(target=pull, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive(), "the pull hung"
    assert len(outcome) == 1 and "bookkeeping bug" in str(outcome[0])
