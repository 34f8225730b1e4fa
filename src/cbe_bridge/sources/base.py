"""What every source adapter provides, and the run context it works in.

An adapter knows its platform and nothing about competencies. It reads records, turns them
into canonical rows and hands them to the store's :class:`~cbe_bridge.store.ingest.EntityLoad`
inside the transaction the sync run owns, together with its watermarks.

File sources load in one transaction. Live (API) sources commit page by page: each page's
records, its resume position and, on a collection's last page, the new watermark go in one
:meth:`RunContext.checkpoint`, so a sync killed at any point resumes where it stopped. State
rows in ``sync_state`` (per source): ``<stream>`` watermarks, ``pos:<collection>`` resume
positions, ``done:<collection>`` collections finished in the current cycle, ``cycle``. The
``live_seen`` table holds the ids a full pull has seen so far, to delete what it did not see
when it finishes (like a bulk CSV file replaces its records).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Protocol

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from cbe_bridge.store.database import utc_now
from cbe_bridge.store.ingest import Counts, chunked
from cbe_bridge.store.schema import CANONICAL, sync_state

Progress = Callable[[str, int, "int | None"], None]  # (label, records done, total or None)

# Ids seen by a full pull in progress (committed with the pages that brought them).
_live_metadata = sa.MetaData()
live_seen = sa.Table(
    "live_seen", _live_metadata,
    sa.Column("source", sa.Text, primary_key=True),
    sa.Column("scope", sa.Text, primary_key=True),  # the collection key
    sa.Column("entity", sa.Text, primary_key=True),
    sa.Column("source_id", sa.Text, primary_key=True),
)


@dataclass
class CollectionStats:
    """The run summary of one collection (one stream, or one stream of one parent)."""

    fetched: int = 0  # records received from the API
    pages: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    retries: int = 0
    seconds: float = 0.0
    complete: bool = False

    def add_counts(self, counts: Counts) -> None:
        for key in ("inserted", "updated", "unchanged", "deleted", "rejected"):
            setattr(self, key, getattr(self, key) + getattr(counts, key))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["seconds"] = round(self.seconds, 3)
        return data


@dataclass
class RunContext:
    """One sync run of one source: where to write and how."""

    conn: Connection
    source: str
    run_id: int
    full: bool = False  # ignore watermarks, re-read everything
    progress: Progress | None = None
    counts: dict[str, Counts] = field(default_factory=dict)
    dry_run: bool = False  # one transaction, rolled back at the end: checkpoints commit nothing
    collections: dict[str, CollectionStats] = field(default_factory=dict)
    after: list[Callable[[Connection], None]] = field(default_factory=list)  # run once the transaction ended
    _seen_ready: bool = field(default=False, repr=False)

    def counts_for(self, entity: str) -> Counts:
        return self.counts.setdefault(entity, Counts())

    def stats_for(self, collection: str) -> CollectionStats:
        return self.collections.setdefault(collection, CollectionStats())

    def checkpoint(self) -> None:
        """Commit what the run has written so far (data, rejects, positions, watermarks)."""
        if not self.dry_run:
            self.conn.commit()

    def report(self, label: str, done: int, total: int | None = None) -> None:
        if self.progress is not None:
            self.progress(label, done, total)

    # -- state rows (positions, cycle markers): read whatever --full says ----------------
    def get_state(self, key: str) -> Any:
        """A JSON state value (``pos:...``, ``cycle`` ...), or None."""
        raw = self.conn.execute(
            sa.select(sync_state.c.watermark).where(sync_state.c.source == self.source,
                                                    sync_state.c.stream == key)).scalar()
        return None if raw is None else json.loads(raw)

    def set_state(self, key: str, value: Any) -> None:
        self.set_watermark(key, json.dumps(value, sort_keys=True))

    def clear_state(self, key: str | None = None, *, prefix: str | None = None) -> None:
        """Delete one state row, or every row whose key starts with ``prefix``."""
        where = [sync_state.c.source == self.source]
        if key is not None:
            where.append(sync_state.c.stream == key)
        if prefix is not None:
            where.append(sync_state.c.stream.startswith(prefix, autoescape=True))
        self.conn.execute(sync_state.delete().where(*where))

    # -- full-pull sweep ----------------------------------------------------------------------
    def _ensure_seen(self) -> None:
        if not self._seen_ready:
            live_seen.create(self.conn, checkfirst=True)
            self._seen_ready = True

    def mark_seen(self, scope: str, entity: str, ids: Iterable[str]) -> None:
        """Remember ids a full pull has seen (in the page's transaction)."""
        self._ensure_seen()
        rows = [{"source": self.source, "scope": scope, "entity": entity, "source_id": i} for i in set(ids)]
        if rows:
            insert = sqlite.insert if self.conn.dialect.name == "sqlite" else postgresql.insert
            self.conn.execute(insert(live_seen).on_conflict_do_nothing(), rows)

    def sweep(self, scope: str, entity: str, where: str = "1 = 1", params: dict | None = None,
              children: Sequence[tuple[str, str]] = ()) -> int:
        """Delete ``entity`` rows of this source within ``where`` that the pull did not see.

        ``children`` are (entity, parent column) pairs whose rows go with a deleted parent.
        ``where`` is adapter code (never user input); its values come in ``params``.
        """
        self._ensure_seen()
        table = CANONICAL[entity].name
        stale = [r[0] for r in self.conn.execute(sa.text(
            f"SELECT source_id FROM {table} WHERE source = :src AND ({where}) AND source_id NOT IN "
            "(SELECT source_id FROM live_seen WHERE source = :src AND scope = :scope AND entity = :entity)"),
            {"src": self.source, "scope": scope, "entity": entity, **(params or {})})]
        for batch in chunked(stale, 500):
            for child, column in children:
                ct = CANONICAL[child]
                gone = self.conn.execute(ct.delete().where(ct.c.source == self.source, ct.c[column].in_(batch)))
                self.counts_for(child).deleted += max(gone.rowcount, 0)
            t = CANONICAL[entity]
            self.conn.execute(t.delete().where(t.c.source == self.source, t.c.source_id.in_(batch)))
        self.counts_for(entity).deleted += len(stale)
        return len(stale)

    def clear_seen(self, scope: str | None = None) -> None:
        """Forget the ids seen in one collection (or all of this source's)."""
        self._ensure_seen()
        where = [live_seen.c.source == self.source]
        if scope is not None:
            where.append(live_seen.c.scope == scope)
        self.conn.execute(live_seen.delete().where(*where))

    def seen(self, scope: str, entity: str) -> list[str]:
        """The ids remembered for ``scope`` this cycle, sorted."""
        self._ensure_seen()
        return sorted(self.conn.execute(sa.select(live_seen.c.source_id).where(
            live_seen.c.source == self.source, live_seen.c.scope == scope, live_seen.c.entity == entity)).scalars())

    def has_rows(self, entity: str, where: str = "1 = 1", params: dict | None = None) -> bool:
        table = CANONICAL[entity].name
        return self.conn.execute(sa.text(f"SELECT 1 FROM {table} WHERE source = :src AND ({where}) LIMIT 1"),
                                 {"src": self.source, **(params or {})}).first() is not None

    def lookup(self, entity: str, ids: Sequence[str], columns: Sequence[str]) -> dict[str, tuple]:
        """``{source_id: (columns...)}`` for existing records of this source."""
        t = CANONICAL[entity]
        found: dict[str, tuple] = {}
        for batch in chunked(sorted(set(ids)), 500):
            for row in self.conn.execute(sa.select(t.c.source_id, *[t.c[c] for c in columns])
                                         .where(t.c.source == self.source, t.c.source_id.in_(batch))):
                found[row[0]] = tuple(row[1:])
        return found

    def existing_children(self, entity: str, parent_column: str, parent_ids: Sequence[str]) -> list[tuple[str, str]]:
        """``(source_id, parent id)`` of the ``entity`` rows under the given parents."""
        t = CANONICAL[entity]
        found: list[tuple[str, str]] = []
        for batch in chunked(sorted(set(parent_ids)), 500):
            found += [tuple(r) for r in self.conn.execute(
                sa.select(t.c.source_id, t.c[parent_column])
                .where(t.c.source == self.source, t.c[parent_column].in_(batch)))]
        return found

    def watermark(self, stream: str) -> str | None:
        if self.full:
            return None
        return self.conn.execute(
            sa.select(sync_state.c.watermark).where(sync_state.c.source == self.source,
                                                    sync_state.c.stream == stream)
        ).scalar()

    def set_watermark(self, stream: str, value: str) -> None:
        """Record a watermark in the run's transaction, so it commits with its data."""
        table = sync_state
        updated = self.conn.execute(
            table.update().where(table.c.source == self.source, table.c.stream == stream)
            .values(watermark=value, updated_at=utc_now())
        ).rowcount
        if not updated:
            self.conn.execute(table.insert().values(source=self.source, stream=stream,
                                                    watermark=value, updated_at=utc_now()))


class Source(Protocol):
    """A configured source. ``kind`` names the adapter (e.g. ``oneroster-csv``)."""

    kind: ClassVar[str]
    name: str

    def sync(self, run: RunContext) -> None:
        """Read what changed since the watermarks and load it through the store."""
