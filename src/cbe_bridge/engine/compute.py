"""The bulk computation: every student, in chunks, on every core; results replace the last run.

Students are split into chunks; each chunk's evidence is read through indexes (so memory stays
flat however large the district), computed by :func:`compute_student`, and turned into rows.
With more than one worker, chunks run in worker processes, each with its own connection (the
SQLite store is in WAL mode, so readers run side by side). The parent alone writes, in one
transaction: the new results appear whole or not at all.

With ``[identity]`` configured, identities are resolved again first (the links then match the
data and configuration this run computes with); people linked to a primary student are not
students of their own, and their evidence is read with that student's.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from operator import itemgetter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge import __version__
from cbe_bridge.continuum import load_continuum
from cbe_bridge.engine.figures import result_rows
from cbe_bridge.engine.policy import Policy
from cbe_bridge.engine.records import StudentRow, evidence_for, list_students
from cbe_bridge.engine.student import compute_student
from cbe_bridge.identity.resolve import resolve_identity
from cbe_bridge.identity.settings import IdentitySettings
from cbe_bridge.mapping import load_mapping
from cbe_bridge.store.database import Store, open_store, utc_now
from cbe_bridge.store.schema import compute_runs, course_marks, gpa, proficiency, students

CHUNK = 500
ENGINE_TABLES = (students, proficiency, course_marks, gpa)
_COLUMN_ORDER = {t.name: itemgetter(*t.columns.keys()) for t in ENGINE_TABLES}  # a row dict -> its tuple


@dataclass(frozen=True)
class PolicySource:
    """Where a policy comes from, small enough to send to worker processes."""

    mapping_files: tuple[Path, ...]
    continuum: Path | None = None  # overrides the mapping's ``continuum:``

    def load(self) -> Policy:
        mapping = load_mapping(list(self.mapping_files))
        continuum_path = self.continuum or mapping.continuum_path
        if continuum_path is None:
            from cbe_bridge.errors import MappingError
            raise MappingError("no continuum: name one with 'continuum:' in a mapping file")
        return Policy(mapping, load_continuum(continuum_path))


@dataclass
class ComputeSummary:
    run_id: int
    students: int
    proficiency_rows: int
    course_rows: int
    unmapped_objectives: dict[str, int]
    unreadable_scores: int


_worker: dict = {}


def _init_worker(url: str, policy_source: PolicySource, identity: IdentitySettings | None) -> None:
    _worker["store"] = open_store(url)
    _worker["policy"] = policy_source.load()
    _worker["identity"] = identity


def _compute_chunk(chunk: Sequence[StudentRow], as_of: date, run_id: int) -> tuple[dict, dict, int]:
    return compute_chunk(_worker["store"], _worker["policy"], chunk, as_of, run_id, _worker["identity"])


def compute_chunk(store: Store, policy: Policy, chunk: Sequence[StudentRow], as_of: date,
                  run_id: int, identity: IdentitySettings | None = None
                  ) -> tuple[dict[str, list[dict]], dict[str, int], int]:
    """Rows for a chunk of students (all of one source), plus unmapped/unreadable counts."""
    source = chunk[0].source
    ids = [s.student_id for s in chunk]
    with store.engine.connect() as conn:
        scores, grades = evidence_for(conn, source, ids, policy.grade_categories, identity)
    rows: dict[str, list[dict]] = {t.name: [] for t in ENGINE_TABLES}
    unmapped: dict[str, int] = {}
    unreadable = 0
    for student in chunk:
        result = compute_student(policy, source, student.student_id, scores.get(student.student_id, []),
                                 grades.get(student.student_id, []), as_of.isoformat())
        for objective, count in result.unmapped_objectives.items():
            unmapped[objective] = unmapped.get(objective, 0) + count
        unreadable += result.unreadable_scores
        for table, new in result_rows(policy, result, student.grade_level, student.school_id, as_of,
                                      run_id).items():
            rows[table].extend(new)
    # Tuples in column order: cheaper to send between processes and to insert.
    shaped = {t.name: list(map(_COLUMN_ORDER[t.name], rows[t.name])) for t in ENGINE_TABLES}
    return shaped, unmapped, unreadable


def _insert_sql(table: sa.Table, dialect: str) -> str:
    marks = ", ".join(["?" if dialect == "sqlite" else "%s"] * len(table.columns))
    return f"INSERT INTO {table.name} ({', '.join(table.columns.keys())}) VALUES ({marks})"


def _chunks(rows: list[StudentRow]) -> list[list[StudentRow]]:
    out: list[list[StudentRow]] = []
    for row in rows:
        if not out or len(out[-1]) >= CHUNK or out[-1][0].source != row.source:
            out.append([])
        out[-1].append(row)
    return out


def compute(store: Store, policy_source: PolicySource, *, as_of: date, workers: int | None = None,
            progress: Callable[[int], None] | None = None,
            identity: IdentitySettings | None = None) -> ComputeSummary:
    """Compute every student's figures and replace the stored results in one transaction.

    ``identity``: the ``[identity]`` settings; None leaves every source's students apart.
    """
    policy = policy_source.load()
    if identity is not None:
        resolve_identity(store, identity)
    with store.engine.connect() as conn:
        roster = list_students(conn, skip_linked=identity is not None)
    with store.engine.begin() as conn:
        run_id = conn.execute(compute_runs.insert().values(
            computed_at=utc_now(), as_of=as_of.isoformat(), mapping_fingerprint=policy.mapping.fingerprint,
            continuum_id=policy.continuum.id, version=__version__, students=len(roster))).inserted_primary_key[0]
    chunks = _chunks(roster)
    workers = workers or min(os.cpu_count() or 1, 4)
    summary = ComputeSummary(run_id, len(roster), 0, 0, {}, 0)
    conn = store.engine.connect()
    transaction = conn.begin()
    try:
        for table in ENGINE_TABLES:
            conn.execute(table.delete())

        cursor = conn.connection.driver_connection.cursor()  # raw executemany: the bulk path
        inserts = {t.name: _insert_sql(t, conn.dialect.name) for t in ENGINE_TABLES}

        def absorb(part: tuple[dict, dict, int], size: int) -> None:
            rows, unmapped, unreadable = part
            for table in ENGINE_TABLES:
                if rows[table.name]:
                    cursor.executemany(inserts[table.name], rows[table.name])
            summary.proficiency_rows += len(rows["proficiency"])
            summary.course_rows += len(rows["course_marks"])
            for objective, count in unmapped.items():
                summary.unmapped_objectives[objective] = summary.unmapped_objectives.get(objective, 0) + count
            summary.unreadable_scores += unreadable
            if progress:
                progress(size)

        if workers <= 1 or len(chunks) <= 1:
            for chunk in chunks:
                absorb(compute_chunk(store, policy, chunk, as_of, run_id, identity), len(chunk))
        else:
            with ProcessPoolExecutor(workers, initializer=_init_worker,
                                     initargs=(store.url, policy_source, identity)) as pool:
                # A bounded window of chunks in flight keeps memory flat when writing lags.
                pending: deque = deque()
                for chunk in chunks:
                    pending.append((pool.submit(_compute_chunk, chunk, as_of, run_id), len(chunk)))
                    if len(pending) > 2 * workers:
                        future, size = pending.popleft()
                        absorb(future.result(), size)
                while pending:
                    future, size = pending.popleft()
                    absorb(future.result(), size)
        transaction.commit()
    except BaseException:
        transaction.rollback()
        raise
    finally:
        conn.close()
    return summary


@dataclass(frozen=True)
class ComputeRun:
    """A compute run as recorded: every output names the run its figures come from."""

    id: int
    computed_at: str
    as_of: str
    mapping_fingerprint: str
    continuum_id: str
    version: str
    students: int


def latest_run(conn: Connection) -> ComputeRun | None:
    """The last compute run (its results are the stored ones); None before the first."""
    row = conn.execute(sa.select(compute_runs).order_by(compute_runs.c.id.desc()).limit(1)).mappings().first()
    return ComputeRun(**row) if row else None
