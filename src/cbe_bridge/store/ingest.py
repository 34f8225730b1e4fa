"""Loading one entity's records from one source: stage, check, merge, count.

Rows arrive already parsed (by a source reader) as tuples in the entity's column order. They
go into a temporary staging table with their line number, then set operations do the rest:

1. duplicate ids in the batch are rejected (the first occurrence wins);
2. rows whose references point at no record of the same source are rejected and kept, so a
   later sync that brings the missing record re-tries them;
3. delta rows marked for deletion delete; a bulk batch deletes the source's records it omits;
4. the rest are upserted on (source, source_id); unchanged rows are not rewritten, so a
   re-sync is idempotent and reports ``unchanged``.

All of it runs in the caller's transaction: the caller commits data and watermark together,
or rolls back (``--dry-run``) after reading the counts.

A *first load* (a bulk batch for an entity that holds no rows of the source yet: a district's
initial migration, or ``--full`` into a new store) skips the copy: the stage is a view over
rows the reader already holds in a table (:meth:`EntityLoad.stage_view`), checked in place,
and inserted straight into the target (in key order when the reader sorted the rows: an
append to the primary key index instead of a random insert per row). Duplicates surface as
conflicts on (source, source_id) during that insert, and only those few ids are looked at
again. Into an empty table, the secondary indexes are built once after the insert instead of
row by row. The rules, messages and counts are the same as on the copying path.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from cbe_bridge.store.schema import CANONICAL, ENTITIES, rejects

BATCH = 20_000


@dataclass
class Counts:
    """What a load did to one entity."""

    received: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    rejected: int = 0
    retried: int = 0  # earlier rejects that went in this time

    def add(self, other: Counts) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def changed(self) -> int:
        return self.inserted + self.updated + self.deleted


@dataclass(frozen=True)
class Reject:
    """A record refused by a reader or by a set check, with where and why."""

    entity: str
    location: str
    reason: str
    record_id: str | None = None
    field: str | None = None
    raw: dict | None = None


@dataclass
class StagedRow:
    """One parsed record: its line (for messages), id, data values, and delta flags."""

    line: int
    source_id: str
    values: tuple
    modified_at: str | None = None
    delete: bool = False


def stage_columns(entity: str) -> list[str]:
    """The columns of an entity's staging table, in order (what a staging view must give)."""
    return ["_line", "_retry", "source_id", *ENTITIES[entity].data_columns, "modified_at", "_delete"]


@dataclass
class EntityLoad:
    """Stages rows of one entity for one source, then merges them (see module docstring)."""

    conn: Connection
    source: str
    entity: str
    run_id: int
    file_label: str  # how messages name the input, e.g. "results.csv"
    bulk: bool = True
    counts: Counts = field(default_factory=Counts)
    _parts: list[str] = field(default_factory=list, init=False)  # a first load's stage view reads these
    _order: str = field(default="", init=False)  # the order a first load inserts each part in
    _cleanup: list[Callable[[], None]] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.table = CANONICAL[self.entity]
        self.spec = ENTITIES[self.entity]
        self.stage_name = f"stage_{self.entity}"
        self.data_cols = self.spec.data_columns
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.stage_name}")
        col_defs = ", ".join(f"{c} {self._sql_type(c)}" for c in self.data_cols)
        self.conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {self.stage_name} (_line INTEGER, _retry INTEGER, "
            f"source_id TEXT, {col_defs}, modified_at TEXT, _delete INTEGER)"
        )
        placeholders = ", ".join(["?"] * (len(self.data_cols) + 5))
        if self.conn.dialect.name != "sqlite":
            placeholders = ", ".join(["%s"] * (len(self.data_cols) + 5))
        self._insert_sql = f"INSERT INTO {self.stage_name} VALUES ({placeholders})"
        self._driver = self.conn.connection.driver_connection  # raw DBAPI for bulk speed

    def _sql_type(self, column: str) -> str:
        kind = self.table.c[column].type
        if isinstance(kind, sa.Float):
            return "DOUBLE PRECISION" if self.conn.dialect.name != "sqlite" else "REAL"
        if isinstance(kind, sa.Boolean):
            return "BOOLEAN" if self.conn.dialect.name != "sqlite" else "INTEGER"
        if isinstance(kind, sa.Integer):
            return "INTEGER"
        return "TEXT"

    # -- staging ---------------------------------------------------------------------------
    def stage(self, rows: Iterable[StagedRow]) -> None:
        """Put parsed rows into the staging table, in batches."""
        iterator = iter(rows)
        cursor = self._driver.cursor()
        try:
            while batch := list(islice(iterator, BATCH)):
                cursor.executemany(
                    self._insert_sql,
                    [(r.line, 0, r.source_id, *r.values, r.modified_at, int(r.delete)) for r in batch],
                )
                self.counts.received += len(batch)
        finally:
            cursor.close()

    def stage_tuples(self, rows: Iterable[tuple]) -> None:
        """Fast path: rows already shaped ``(line, 0, source_id, *values, modified_at, delete)``."""
        iterator = iter(rows)
        cursor = self._driver.cursor()
        try:
            while batch := list(islice(iterator, BATCH)):
                cursor.executemany(self._insert_sql, batch)
                self.counts.received += len(batch)
        finally:
            cursor.close()

    def first_load(self) -> bool:
        """Whether this is a first load (see the module docstring): bulk, no rows of the source yet."""
        return self.bulk and self.conn.execute(sa.text(
            f"SELECT 1 FROM {self.table.name} WHERE source = :src LIMIT 1"), {"src": self.source}).first() is None

    def stage_view(self, parts: Sequence[str], *, order: str) -> None:
        """Stage a first load as a view over ``parts``: SELECTs giving the stage table's columns
        (:func:`stage_columns`), no ``_line`` repeated.

        The parts are inserted one after the other (every line of a part comes before the next
        part's), each by ``order``, one of its columns: line order, or any order that puts the
        earlier line of two rows sharing an id first (so the first given wins). Key order makes
        the insert an append to the primary key index (measured: three times faster than line
        order); merging parts into one key order as they are read was slower than this."""
        if not self.first_load():
            raise ValueError("a staging view is only for a first bulk load")
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{self.stage_name}")
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{self._dropped}")
        self.conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {self._dropped} (_line INTEGER PRIMARY KEY)")
        self.conn.exec_driver_sql(
            f"CREATE TEMPORARY VIEW {self.stage_name} AS SELECT * FROM ({' UNION ALL '.join(parts)}) "
            f"WHERE _line NOT IN (SELECT _line FROM {self._dropped})")
        self._parts, self._order = list(parts), order

    def on_finish(self, cleanup: Callable[[], None]) -> None:
        """Run ``cleanup`` when the load is finished (drop what a staging view reads)."""
        self._cleanup.append(cleanup)

    @property
    def _dropped(self) -> str:
        """Lines taken out of a staging view (rejected), since a view cannot be deleted from."""
        return f"dropped_{self.entity}"

    def _restage_pending_rejects(self) -> None:
        """Earlier reference rejects of this entity get another chance in this delta load.

        (A bulk load carries every record again, so it supersedes earlier rejects instead.)
        """
        pending = self.conn.execute(
            sa.select(rejects.c.id, rejects.c.raw).where(
                rejects.c.source == self.source, rejects.c.entity == self.entity,
                rejects.c.status == "pending", rejects.c.field.is_not(None), rejects.c.raw.is_not(None),
                rejects.c.reason.like("unknown reference%"),
            )
        ).all()
        rows = []
        for reject_id, raw in pending:
            record = json.loads(raw)
            if set(record) >= {"source_id", *self.data_cols}:
                rows.append((-reject_id, 1, record["source_id"], *[record[c] for c in self.data_cols],
                             record.get("modified_at"), 0))
        if rows:
            self._driver.cursor().executemany(self._insert_sql, rows)

    # -- checks ----------------------------------------------------------------------------
    def _reject_staged(self, where_sql: str, reason_sql: str, field_name: str | None,
                       params: dict) -> int:
        """Move staged rows matching ``where_sql`` to the rejects table; return how many."""
        cols = ["_line", "_retry", "source_id", *self.data_cols, "modified_at"]
        found = self.conn.execute(sa.text(
            f"SELECT {', '.join(cols)}, {reason_sql} FROM {self.stage_name} s WHERE {where_sql}"),
            params,
        ).all()
        if not found:
            return 0
        records = []
        for row in found:
            line, retry, source_id, *rest = row
            reason = rest[-1]
            raw = dict(zip(["source_id", *self.data_cols, "modified_at"], [source_id, *rest[:-1]]))
            if retry:
                continue  # a re-tried reject that still fails stays as it is
            records.append(
                {"run_id": self.run_id, "source": self.source, "entity": self.entity,
                 "location": f"{self.file_label} line {line}", "record_id": source_id,
                 "field": field_name, "reason": reason, "raw": json.dumps(raw), "status": "pending"}
            )
        if records:
            self.conn.execute(rejects.insert(), records)
        if self._parts:  # the lines are in hand: no second pass over the stage
            self._driver.cursor().executemany(f"INSERT OR IGNORE INTO {self._dropped} VALUES (?)",
                                              [(row[0],) for row in found])
        else:
            self.conn.execute(sa.text(
                f"DELETE FROM {self.stage_name} WHERE _line IN "
                f"(SELECT s._line FROM {self.stage_name} s WHERE {where_sql})"), params)
        self.counts.rejected += len(records)
        return len(records)

    def _drop_superseded_retries(self) -> None:
        self.conn.exec_driver_sql(f"CREATE INDEX ix_{self.stage_name} ON {self.stage_name} (source_id, _line)")
        # A re-tried reject is superseded by the same record arriving in this batch.
        self.conn.exec_driver_sql(
            f"DELETE FROM {self.stage_name} WHERE _retry = 1 AND source_id IN "
            f"(SELECT source_id FROM {self.stage_name} WHERE _retry = 0)"
        )

    def _check_duplicates(self) -> None:
        """Of rows sharing an id, the first (after the reference check) goes in."""
        duplicated = self.conn.exec_driver_sql(
            f"SELECT 1 FROM {self.stage_name} GROUP BY source_id HAVING COUNT(*) > 1 LIMIT 1").first()
        if duplicated is None:
            return  # the common case: one cheap scan of the index, no per-row work
        self._reject_staged(
            f"s._line > (SELECT MIN(d._line) FROM {self.stage_name} d WHERE d.source_id = s.source_id)",
            f"'duplicate id: first given at line ' || (SELECT MIN(d._line) FROM {self.stage_name} d "
            "WHERE d.source_id = s.source_id)",
            "sourcedId",
            {},
        )

    def _check_references(self) -> None:
        for column, target_entity in self.spec.references:
            target = CANONICAL[target_entity].name
            self._reject_staged(
                f"s._delete = 0 AND s.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {target} t "
                f"WHERE t.source = :src AND t.source_id = s.{column})",
                f"'unknown reference: no {target_entity} record with that id'",
                column,
                {"src": self.source},
            )

    # -- merge -----------------------------------------------------------------------------
    def finish(self) -> Counts:
        """Check, delete, upsert; return the counts. The caller owns the transaction."""
        if self._parts:
            return self._finish_first()
        if self.bulk:
            self._supersede_rejects()
        else:
            self._restage_pending_rejects()
        self._drop_superseded_retries()
        self._check_references()
        self._check_duplicates()
        src = {"src": self.source}
        t = self.table.name
        if self.bulk:
            deleted = self.conn.execute(sa.text(
                f"DELETE FROM {t} WHERE source = :src AND source_id NOT IN "
                f"(SELECT source_id FROM {self.stage_name})"), src).rowcount
        else:
            deleted = self.conn.execute(sa.text(
                f"DELETE FROM {t} WHERE source = :src AND source_id IN "
                f"(SELECT source_id FROM {self.stage_name} WHERE _delete = 1)"), src).rowcount
        self.counts.deleted += max(deleted, 0)
        # A first load (no rows of this source yet) needs no counting: everything written is new.
        first = self.conn.execute(sa.text(f"SELECT 1 FROM {t} WHERE source = :src LIMIT 1"), src).first() is None
        before = 0 if first else self._count(t)
        staged = self.conn.exec_driver_sql(
            f"SELECT COUNT(*), COALESCE(SUM(_retry), 0) FROM {self.stage_name} WHERE _delete = 0").one()
        written = self._upsert()
        inserted = written if first else self._count(t) - before
        self.counts.inserted += inserted
        self.counts.updated += written - inserted
        self.counts.unchanged += staged[0] - written
        self.counts.retried += int(staged[1])
        self._resolve_rejects()
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.stage_name}")
        return self.counts

    def _finish_first(self) -> Counts:
        """The first-load path (see the module docstring)."""
        self._supersede_rejects()
        self._check_references()
        t = self.table
        empty = self.conn.exec_driver_sql(f"SELECT 1 FROM {t.name} LIMIT 1").first() is None
        deferred = list(t.indexes) if empty else []
        for index in deferred:  # built once, after the insert: a sort instead of row-by-row inserts
            index.drop(self.conn)
        conflicts: list[str] = []

        def note_conflict(source_id: str) -> bool:
            conflicts.append(source_id)
            return False

        self._driver.create_function("cbe_conflict", 1, note_conflict)
        cols = ", ".join(["source_id", *self.data_cols, "modified_at"])
        # The first of two rows sharing an id comes first and goes in (see stage_view); the
        # conflict clause only notes the later ones (its WHERE is false: nothing is updated).
        inserted = sum(max(self.conn.exec_driver_sql(
            f"INSERT INTO {t.name} (source, {cols}, run_id) SELECT ?, {cols}, ? FROM ({part}) "
            f"WHERE _delete = 0 AND _line NOT IN (SELECT _line FROM {self._dropped}) ORDER BY {self._order} "
            f"ON CONFLICT (source, source_id) DO UPDATE SET run_id = excluded.run_id "
            f"WHERE cbe_conflict(excluded.source_id)", (self.source, self.run_id)).rowcount, 0)
            for part in self._parts)
        if conflicts:
            self._reject_first_load_duplicates(sorted(set(conflicts)))
        for index in deferred:
            index.create(self.conn)
        self.counts.inserted += max(inserted, 0)
        self._resolve_rejects()
        self.conn.exec_driver_sql(f"DROP VIEW temp.{self.stage_name}")
        self.conn.exec_driver_sql(f"DROP TABLE temp.{self._dropped}")
        for cleanup in self._cleanup:
            cleanup()
        return self.counts

    def _reject_first_load_duplicates(self, ids: list[str]) -> None:
        """The later rows of ids that conflicted on insert, rejected as the copying path does."""
        cursor = self._driver.cursor()
        conflicted, dups = f"conflicted_{self.entity}", f"dups_{self.entity}"
        for table, columns in ((conflicted, "source_id TEXT PRIMARY KEY"),
                               (dups, "line INTEGER PRIMARY KEY, first INTEGER")):
            cursor.execute(f"DROP TABLE IF EXISTS temp.{table}")
            cursor.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
        cursor.executemany(f"INSERT INTO {conflicted} VALUES (?)", [(i,) for i in ids])
        first: dict[str, int] = {}
        later: list[tuple[int, int]] = []  # (line, the line its id was first given at)
        for line, source_id in cursor.execute(  # one pass over the stage for all of them
                f"SELECT _line, source_id FROM {self.stage_name} WHERE _delete = 0 AND source_id IN "
                f"(SELECT source_id FROM {conflicted}) ORDER BY _line").fetchall():
            if source_id in first:
                later.append((line, first[source_id]))
            else:
                first[source_id] = line
        cursor.executemany(f"INSERT INTO {dups} VALUES (?, ?)", later)
        # The rows to reject are found by line (the raw table's key), not by another full pass.
        self._reject_staged(f"s._line IN (SELECT line FROM {dups})",
                            f"'duplicate id: first given at line ' || (SELECT d.first FROM {dups} d "
                            "WHERE d.line = s._line)", "sourcedId", {})
        cursor.execute(f"DROP TABLE temp.{conflicted}")
        cursor.execute(f"DROP TABLE temp.{dups}")

    def _count(self, table: str) -> int:
        return self.conn.execute(sa.text(f"SELECT COUNT(*) FROM {table} WHERE source = :src"),
                                 {"src": self.source}).scalar()

    def _upsert(self) -> int:
        cols = ["source_id", *self.data_cols, "modified_at"]
        stage = sa.table(self.stage_name, *[sa.column(c) for c in [*cols, "_delete"]])
        select = (
            sa.select(sa.literal(self.source).label("source"), *[stage.c[c] for c in cols],
                      sa.literal(self.run_id).label("run_id"))
            .where(stage.c._delete == 0)
            .order_by(stage.c.source_id)
        )
        dialect = sqlite if self.conn.dialect.name == "sqlite" else postgresql
        stmt = dialect.insert(self.table).from_select(["source", *cols, "run_id"], select)
        changed = sa.or_(*[self.table.c[c].is_distinct_from(stmt.excluded[c]) for c in self.data_cols])
        stmt = stmt.on_conflict_do_update(
            index_elements=["source", "source_id"],
            set_={**{c: stmt.excluded[c] for c in [*self.data_cols, "modified_at"]},
                  "run_id": stmt.excluded.run_id},
            where=changed,
        )
        if self.conn.dialect.name == "sqlite":
            return max(self.conn.execute(stmt).rowcount, 0)
        # SQLAlchemy reports -1 for an INSERT ... SELECT on psycopg; the driver knows the count.
        compiled = stmt.compile(dialect=self.conn.dialect)
        with self._driver.cursor() as cursor:
            cursor.execute(str(compiled), compiled.params)
            return max(cursor.rowcount, 0)

    def _supersede_rejects(self) -> None:
        """A bulk batch is the whole truth for its entity: earlier rejects no longer apply."""
        self.conn.execute(
            rejects.update()
            .where(rejects.c.source == self.source, rejects.c.entity == self.entity,
                   rejects.c.status == "pending", rejects.c.run_id != self.run_id)
            .values(status="superseded")
        )

    def _resolve_rejects(self) -> None:
        """Earlier rejects whose record has now gone in (a corrected delta row) are resolved."""
        t = self.table
        self.conn.execute(
            rejects.update()
            .where(rejects.c.source == self.source, rejects.c.entity == self.entity,
                   rejects.c.status == "pending", rejects.c.run_id != self.run_id,
                   rejects.c.field != "sourcedId",
                   sa.exists().where(t.c.source == self.source, t.c.source_id == rejects.c.record_id))
            .values(status="resolved")
        )


def record_rejects(conn: Connection, source: str, run_id: int, items: Sequence[Reject]) -> None:
    """Store reader-level rejects (bad values, bad rows) for review."""
    if not items:
        return
    conn.execute(
        rejects.insert(),
        [{"run_id": run_id, "source": source, "entity": r.entity, "location": r.location,
          "record_id": r.record_id, "field": r.field, "reason": r.reason,
          "raw": json.dumps(r.raw) if r.raw is not None else None, "status": "pending"} for r in items],
    )


def chunked(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
