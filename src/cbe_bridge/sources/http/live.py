"""The sync loop every live adapter shares: cycles, resume, page commits, watermarks, sweeps.

An adapter (OneRoster REST, Ed-Fi, Canvas) subclasses :class:`LiveSource` and provides three
things: ``open_client`` (auth and limits), ``start_cycle`` (what a cycle needs to know at its
start: the server's newest change version, the time the window closes) and ``plan`` (the
collections to pull, in dependency order). Everything else happens here, the same way for all:

* A *cycle* is one pass over every collection. It is recorded in ``sync_state`` when it
  starts; a run that finds an unfinished cycle (the last one was killed) resumes it: the
  collections it finished are skipped, the one it was in resumes at its saved position.
* Each page is parsed into canonical rows, loaded through ``EntityLoad`` (a delta batch),
  and committed with the position of the next page. The collection's last page also commits
  its new watermark (which therefore covers exactly the data committed with it), the
  ``done`` marker, and, for a full pull, the deletion of records the pull did not see.
* ``--full`` starts a new full cycle, whatever was in progress.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import requests
import sqlalchemy as sa

from cbe_bridge.errors import CbeBridgeError, ConfigError, Problem
from cbe_bridge.sources.base import RunContext
from cbe_bridge.sources.http.client import HttpClient
from cbe_bridge.sources.http.errors import SCRUB
from cbe_bridge.sources.http.paging import PageRequest
from cbe_bridge.sources.http.ratelimit import TokenBucket
from cbe_bridge.sources.http.retry import RetryPolicy
from cbe_bridge.sources.http.pull import BARRIER, Collection, Page, Puller
from cbe_bridge.sources.http.settings import LiveSettings
from cbe_bridge.sources.http.streams import ParseContext, Rows, SourceInfo, Stream
from cbe_bridge.store.database import utc_now
from cbe_bridge.store.ingest import EntityLoad, record_rejects
from cbe_bridge.store.schema import ENTITIES, rejects

log = logging.getLogger(__name__)

ENTITY_ORDER = list(ENTITIES)  # declaration order is reference order (parents first)
COMMIT_INTERVAL = 1.0  # seconds: how often pages of a collection commit at most (but see flush)
MAX_PENDING_ROWS = 50_000  # ... or as soon as this many rows wait


class LiveSource:
    """Base of the API adapters; see the module docstring."""

    kind: ClassVar[str]
    info: ClassVar[SourceInfo]
    streams: ClassVar[tuple[Stream, ...]]

    def __init__(self, settings: LiveSettings) -> None:
        self.settings = settings
        self.name = settings.name
        self._pending: Rows | None = None  # rows of pages handed over but not yet loaded
        self._pending_page: Page | None = None  # the last of those pages (its ``next`` is the position)
        self._last_commit = 0.0

    # -- what adapters provide --------------------------------------------------------------
    def open_client(self) -> HttpClient:
        raise NotImplementedError

    def start_cycle(self, run: RunContext, client: HttpClient, mode: str) -> dict[str, Any]:
        """Cycle-wide facts recorded when a cycle starts (kept when it resumes)."""
        return {}

    def plan(self, run: RunContext, client: HttpClient, cycle: dict[str, Any]) -> Iterator[Any]:
        raise NotImplementedError

    # -- shared ------------------------------------------------------------------------------
    def new_client(self, error_detail: Callable[[requests.Response], str | None], **extra: Any) -> HttpClient:
        """A client with the settings every API source has (timeouts, retries, concurrency,
        quota, TLS); adapters add their auth, governor and error reading."""
        s = self.settings
        return HttpClient(self.name, timeout=(s.timeout.connect, s.timeout.read),
                          retry=RetryPolicy.from_settings(s.retries), concurrency=s.concurrency,
                          rate_limit=TokenBucket(s.rate_limit) if s.rate_limit else None,
                          verify=s.verify, error_detail=error_detail, **extra)

    def preflight(self) -> list[Problem]:
        """Problems to report before any sync starts (every missing secret at once)."""
        problems = []
        for field_name, ref in self.settings.secret_refs().items():
            try:
                ref.resolve()
            except ConfigError as exc:
                problems.append(Problem(exc.message, f"sources.{self.name}.{field_name}", exc.hint))
        return problems

    def selected(self) -> list[Stream]:
        """The streams to pull: the configured ones, or every default stream."""
        wanted = self.settings.streams
        if wanted is None:
            return [s for s in self.streams if s.default]
        return [s for s in self.streams if s.name in wanted]

    def stream(self, name: str) -> Stream:
        return next(s for s in self.streams if s.name == name)

    def sync(self, run: RunContext) -> None:
        client = self.open_client()
        self._pending, self._pending_page = None, None
        try:
            cycle = self._cycle(run, client)
            puller = Puller(client, lambda page: self._on_page(run, page, cycle),
                            concurrency=self.settings.concurrency)
            try:
                puller.run(self._resumable(run, cycle, self.plan(run, client, cycle)))
            except CbeBridgeError:
                # A fetch failed for good: keep the pages that arrived before it.
                if self._pending_page is not None:
                    self._flush(run, self._pending_page)
                raise
            self._retry_rejects(run)
            run.clear_seen()  # ids remembered for this cycle
            run.clear_state(prefix="done:")
            run.clear_state("cycle")
            run.checkpoint()
        finally:
            client.close()

    def _retry_rejects(self, run: RunContext) -> None:
        """Records refused for a reference to a record that had not arrived get another chance.

        (A record that changed while the pull ran arrives with the next pull, after the
        records that refer to it; nothing else would load their entity again.)
        """
        pending = set(run.conn.execute(
            sa.select(rejects.c.entity).distinct().where(
                rejects.c.source == self.name, rejects.c.status == "pending",
                rejects.c.reason.like("unknown reference%"))).scalars())
        for entity in ENTITY_ORDER:
            if entity in pending:
                load = EntityLoad(run.conn, self.name, entity, run.run_id, "earlier rejects", bulk=False)
                run.counts_for(entity).add(load.finish())
        run.checkpoint()

    def _cycle(self, run: RunContext, client: HttpClient) -> dict[str, Any]:
        current = run.get_state("cycle")
        if current is not None and not run.full:
            log.info("resuming the interrupted cycle of run %s", current.get("run"),
                     extra={"source": self.name, "event": "resume"})
            return current
        run.clear_state(prefix="pos:")
        run.clear_state(prefix="done:")
        mode = "full" if run.full else "incremental"
        cycle = {"run": run.run_id, "mode": mode, "started": utc_now(),
                 **self.start_cycle(run, client, mode)}
        run.set_state("cycle", cycle)
        run.checkpoint()
        return cycle

    def watermark(self, run: RunContext, key: str, cycle: dict[str, Any]) -> Any:
        """The watermark a collection starts from (None in a full cycle or before the first pull)."""
        if cycle.get("mode") == "full":
            return None
        return run.get_state(key)

    def _resumable(self, run: RunContext, cycle: dict[str, Any], plan: Iterator[Any]) -> Iterator[Any]:
        for item in plan:
            if item is BARRIER or not isinstance(item, Collection):
                yield item
                continue
            if run.get_state(f"done:{item.key}") == cycle["run"]:
                continue  # finished earlier in this (resumed) cycle
            position = run.get_state(f"pos:{item.key}")
            if position is not None:
                item.request = PageRequest.from_state(position["request"])
                item.meta["sweep"] = position.get("sweep", False)
                item.meta["resumed"] = True
            else:
                item.meta["sweep"] = self._needs_sweep(run, item)
            run.stats_for(item.key)
            item.meta["t0"] = time.monotonic()  # the puller takes the item now: its clock starts
            yield item

    @staticmethod
    def _needs_sweep(run: RunContext, item: Collection) -> bool:
        """A full pull deletes what it did not see, if there is anything it could delete."""
        stream: Stream = item.meta["stream"]
        if not item.meta.get("full") or stream.sweep is None or item.meta.get("deletes"):
            return False
        where, params = item.meta.get("sweep_scope") or (stream.sweep, {})
        return run.has_rows(stream.entity, where, params)

    # -- one page ----------------------------------------------------------------------------
    def _on_page(self, run: RunContext, page: Page, cycle: dict[str, Any]) -> None:
        """Parse a page; load and commit when the puller says so (``flush``), or at the end."""
        collection = page.collection
        meta = collection.meta
        stream: Stream = meta["stream"]
        stats = run.stats_for(collection.key)
        if self._pending is None:
            self._pending = Rows()
        rows = self._pending
        context = ParseContext(meta)
        if stream.prepare is not None and page.records:
            stream.prepare(page.records, context, run)
        # Records are numbered in listing order from the start of this run (pages loaded
        # together share one batch, so a page-relative number would be ambiguous):
        # rejects read "<collection> line <n>", like a CSV file's.
        label = collection.label
        parse = self.parse_delete if meta.get("deletes") else stream.parse
        for line, record in enumerate(page.records, stats.fetched + 1):
            context.line = line
            try:
                parse(record, rows, context)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                # The message names the field, never the record's content.
                rows.reject(stream.entity, f"{label} line {line}",
                            f"unreadable record ({type(exc).__name__}: {SCRUB(str(exc))[:120]})",
                            record_id=_record_id(record, stream))
        stats.fetched += len(page.records)
        stats.pages += 1
        stats.retries += page.response.retries
        self._pending_page = page
        if not page.last and (not page.flush or self._too_soon(rows)):
            return  # load with the next page(s): fewer, larger store batches
        self._flush(run, page)

    def _flush(self, run: RunContext, page: Page) -> None:
        """Load the pending rows and commit them with the position after ``page``."""
        collection = page.collection
        meta = collection.meta
        stream: Stream = meta["stream"]
        stats = run.stats_for(collection.key)
        rows, label = self._pending or Rows(), collection.label
        self._pending, self._pending_page = None, None
        self._last_commit = time.monotonic()
        stats.seconds = time.monotonic() - meta.get("t0", time.monotonic())
        self._write(run, rows, label, stats)
        if (meta.get("sweep") or meta.get("remember")) and not meta.get("deletes"):
            # ``remember``: the ids listed this cycle, for the plan's next steps (Canvas courses).
            run.mark_seen(collection.key, stream.entity, rows.ids(stream.entity))
        if page.last:
            self._complete(run, collection, stats)
        else:  # resume from the page after this one (a re-read keeps the page it precedes)
            run.set_state(f"pos:{collection.key}", {"request": page.next.to_state(), "sweep": bool(meta.get("sweep")),
                                                    "since": meta.get("since")})
        run.checkpoint()
        run.report(collection.label, stats.fetched, page.total)

    def _too_soon(self, rows: Rows) -> bool:
        """Commit at most about once per COMMIT_INTERVAL (a store batch has a fixed cost, so many
        small pages arriving fast load better together); a killed sync loses at most that."""
        return time.monotonic() - self._last_commit < COMMIT_INTERVAL and len(rows) < MAX_PENDING_ROWS

    def parse_delete(self, record: dict, rows: Rows, context: ParseContext) -> None:
        """Adapters with delete listings (Ed-Fi ``/deletes``) override this."""
        raise NotImplementedError

    def _write(self, run: RunContext, rows: Rows, label: str, stats: Any) -> None:
        # Children of the page's parents that the page no longer lists go away with them.
        for (child, column), parents in rows.parents.items():
            keep = set(rows.ids(child))
            for child_id, _parent in run.existing_children(child, column, sorted(parents)):
                if child_id not in keep:
                    rows.delete(child, child_id)
        if rows.rejects:
            record_rejects(run.conn, self.name, run.run_id, rows.rejects)
            for r in rows.rejects:
                run.counts_for(r.entity).rejected += 1
            stats.rejected += len(rows.rejects)
        for entity in ENTITY_ORDER:
            if not rows.rows.get(entity):
                continue
            load = EntityLoad(run.conn, self.name, entity, run.run_id, label, bulk=False)
            load.stage_tuples(rows.tuples(entity))
            counts = load.finish()
            run.counts_for(entity).add(counts)
            stats.add_counts(counts)

    def _complete(self, run: RunContext, collection: Collection, stats: Any) -> None:
        meta = collection.meta
        stream: Stream = meta["stream"]
        if meta.get("sweep"):
            where, params = meta.get("sweep_scope") or (stream.sweep or "1 = 0", {})
            stats.deleted += run.sweep(collection.key, stream.entity, where, params, children=stream.children)
            run.clear_seen(collection.key)
        run.clear_state(f"pos:{collection.key}")
        run.set_state(f"done:{collection.key}", meta.get("cycle_run"))
        if meta.get("until") is not None and meta.get("watermark_key"):
            run.set_state(meta["watermark_key"], meta["until"])
        stats.complete = True
        log.info("%s: %s done", self.name, collection.label,
                 extra={"source": self.name, "collection": collection.key, "event": "collection",
                        **stats.as_dict()})

    def collection(self, stream: Stream, url: str, paginator: Any, cycle: dict[str, Any], *,
                   key: str | None = None, label: str | None = None, params: dict | None = None,
                   **meta: Any) -> Collection:
        """A collection of ``stream`` with the bookkeeping the base needs in its ``meta``."""
        key = key or stream.name
        request = PageRequest.make(url, [*stream.params, *(params or {}).items()])
        meta.setdefault("watermark_key", key)
        return Collection(key, label or stream.name, request, paginator, stream.records,
                          {"stream": stream, "cycle_run": cycle["run"], **meta})


def _record_id(record: Any, stream: Stream) -> str | None:
    if isinstance(record, dict):
        value = record.get(stream.primary_key[0]) if stream.primary_key else None
        return None if value is None else str(value)[:80]
    return None
