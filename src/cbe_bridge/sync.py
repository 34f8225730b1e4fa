"""One sync: lock, one run per source, data and watermarks committed together, a summary.

A file source is synced in one transaction: its records, its rejects and its watermarks
commit together or not at all. A live (API) source commits page by page through
:meth:`~cbe_bridge.sources.base.RunContext.checkpoint`, each page with its resume position,
so a failure or a kill keeps what was committed and the next run resumes after it. Either
way the other sources go on. ``dry_run`` does everything in one transaction and rolls back,
so its counts are exactly what a real run would change.

With ``[identity]`` configured, people of the linked sources are matched to the primary
source's students once every source has run (:mod:`cbe_bridge.identity`), under the same lock.

A run row left ``running`` by a killed sync is marked ``interrupted`` by the next sync (it
holds the lock, so no other sync can be running).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from cbe_bridge.errors import CbeBridgeError, ConfigError, UsageError
from cbe_bridge.identity.resolve import resolve_identity
from cbe_bridge.identity.settings import IdentitySettings
from cbe_bridge.sources.base import CollectionStats, Progress, RunContext, Source
from cbe_bridge.store.database import Store, load_connection, utc_now
from cbe_bridge.store.ingest import Counts
from cbe_bridge.store.schema import sync_runs

EXIT_LOCKED = 3  # another sync holds the lock (documented for monitoring)

log = logging.getLogger(__name__)


class SyncLocked(CbeBridgeError):
    """Another sync is running against the same store."""


@dataclass
class SourceOutcome:
    source: str
    run_id: int | None
    status: str  # ok | partial | failed | dry-run
    counts: dict[str, Counts] = field(default_factory=dict)
    message: str | None = None
    collections: dict[str, CollectionStats] = field(default_factory=dict)  # live sources
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return sum(c.rejected for c in self.counts.values())


@contextmanager
def sync_lock(store: Store) -> Iterator[None]:
    """Refuse to run two syncs against one store at once."""
    if store.is_sqlite:
        import fcntl

        path = Path(store.engine.url.database or "cbe-bridge.db").with_suffix(".sync.lock")
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SyncLocked("another cbe-bridge sync is running against this store",
                                 hint="wait for it to finish; this run changed nothing",
                                 exit_code=EXIT_LOCKED) from None
            yield
        finally:
            os.close(fd)
        return
    with store.engine.connect() as conn:
        # One lock per store: a database can hold several stores, one per schema.
        key = conn.execute(sa.text("SELECT hashtext('cbe-bridge sync ' || current_database() || '/' || "
                                   "current_schema())")).scalar()
        if not conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar():
            raise SyncLocked("another cbe-bridge sync is running against this store",
                             hint="wait for it to finish; this run changed nothing", exit_code=EXIT_LOCKED)
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


def sync_running(store: Store) -> bool:
    """Whether a sync holds the lock on this store right now."""
    try:
        with sync_lock(store):
            return False
    except SyncLocked:
        return True


def _start_run(store: Store, source: str, mode: str) -> int:
    with store.engine.begin() as conn:
        return conn.execute(
            sync_runs.insert().values(source=source, mode=mode, started_at=utc_now(), status="running")
        ).inserted_primary_key[0]


def _interrupt_stale_runs(store: Store) -> None:
    """Runs still 'running' were killed: we hold the lock, so none is really running."""
    with store.engine.begin() as conn:
        conn.execute(sync_runs.update().where(sync_runs.c.status == "running").values(
            status="interrupted", finished_at=utc_now(),
            message="the sync was stopped before it finished; the next sync resumes it"))


def _finish_run(store: Store, outcome: SourceOutcome) -> None:
    counts: dict = {k: v.as_dict() for k, v in outcome.counts.items()}
    if outcome.collections:
        # Per-collection summary (fetched, retries, time ...) beside the per-entity counts;
        # readers that sum entity counts skip keys starting with "_".
        counts["_collections"] = {k: v.as_dict() for k, v in outcome.collections.items()}
    counts["_seconds"] = round(outcome.seconds, 3)
    with store.engine.begin() as conn:
        conn.execute(
            sync_runs.update().where(sync_runs.c.id == outcome.run_id).values(
                finished_at=utc_now(), status=outcome.status, counts=json.dumps(counts),
                message=outcome.message)
        )


def sync_sources(store: Store, sources: Sequence[Source], *, full: bool = False, dry_run: bool = False,
                 only: Sequence[str] = (), progress: Progress | None = None,
                 identity: IdentitySettings | None = None) -> list[SourceOutcome]:
    """Sync each source (or those named in ``only``); return one outcome per source.

    ``identity``: resolve identities across sources afterwards (not on a dry run); what it
    found is read back with :func:`cbe_bridge.identity.report.summarize`.
    """
    names = [s.name for s in sources]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise UsageError(f"no source named {', '.join(unknown)} in the configuration",
                         hint="configured sources: " + (", ".join(names) or "none"))
    chosen = [s for s in sources if not only or s.name in only]
    problems = [p for s in chosen for p in (s.preflight() if hasattr(s, "preflight") else [])]
    if problems:  # e.g. a secret not set: say so for every source at once, and do nothing
        raise ConfigError("the configured sources cannot be synced", problems=problems)
    outcomes = []
    with sync_lock(store):
        if not dry_run:
            _interrupt_stale_runs(store)
        for source in chosen:
            outcomes.append(_sync_one(store, source, full=full, dry_run=dry_run, progress=progress))
        if identity is not None and not dry_run:
            resolve_identity(store, identity)
    return outcomes


def _sync_one(store: Store, source: Source, *, full: bool, dry_run: bool,
              progress: Progress | None) -> SourceOutcome:
    mode = "dry-run" if dry_run else ("full" if full else "incremental")
    run_id = 0 if dry_run else _start_run(store, source.name, mode)
    outcome = SourceOutcome(source.name, run_id or None, "ok")
    started = time.monotonic()
    failure: BaseException | None = None
    with load_connection(store, writes=not dry_run) as conn:
        run = RunContext(conn=conn, source=source.name, run_id=run_id, full=full, progress=progress,
                         dry_run=dry_run)
        log.info("%s: sync started (%s)", source.name, mode,
                 extra={"source": source.name, "event": "start", "mode": mode})
        try:
            conn.begin()
            source.sync(run)
            if dry_run:
                conn.rollback()
                outcome.status = "dry-run"
            else:
                conn.commit()
                outcome.status = "partial" if sum(c.rejected for c in run.counts.values()) else "ok"
        except CbeBridgeError as exc:
            conn.rollback()  # the page in progress; pages already checkpointed stay
            outcome.status, outcome.message = "failed", str(exc)
        except BaseException as exc:
            conn.rollback()
            outcome.status, outcome.message = "failed", f"internal error: {type(exc).__name__}"
            failure = exc
        finally:
            for cleanup in run.after:  # committed or rolled back by now: nothing is in a transaction
                cleanup(conn)
    _collect(outcome, run, started)
    if not dry_run:
        _finish_run(store, outcome)
    if failure is not None:
        raise failure
    _log_outcome(outcome)
    return outcome


def _collect(outcome: SourceOutcome, run: RunContext, started: float) -> None:
    outcome.counts = run.counts
    outcome.collections = run.collections
    outcome.seconds = time.monotonic() - started


def _log_outcome(outcome: SourceOutcome) -> None:
    totals = {k: sum(getattr(c, k) for c in outcome.counts.values())
              for k in ("received", "inserted", "updated", "deleted", "rejected")}
    retries = sum(c.retries for c in outcome.collections.values())
    level = logging.ERROR if outcome.status == "failed" else logging.INFO
    log.log(level, "%s: %s%s", outcome.source, outcome.status,
            f": {outcome.message}" if outcome.message else "",
            extra={"source": outcome.source, "event": "summary", "status": outcome.status,
                   "run_id": outcome.run_id, "seconds": round(outcome.seconds, 3), "retries": retries,
                   **totals})
