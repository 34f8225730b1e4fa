"""Store tables (SQLAlchemy Core), declared once for SQLite and PostgreSQL.

Canonical records follow OneRoster's vocabulary (Ed-Fi and Canvas are mapped onto it by their
adapters). Every canonical table is keyed by ``(source, source_id)``: the configured source
name and the record's id in that system, so re-syncing a record updates it in place.
References (``course_id``, ``student_id`` ...) hold the referenced record's source id within
the same source. Dates are ISO-8601 text: sortable, portable and cheap to bulk-load.

Bookkeeping tables: ``schema_version``, ``sync_runs``, ``sync_state`` (watermarks, committed
with the data they cover), ``rejects`` (bad records kept for review and retry).
Engine tables (``evidence``, ``proficiency``, ``course_marks``, ``gpa``) hold computed results
with their lineage; they are rebuilt by ``cbe-bridge compute``. ``writeback_ledger`` remembers
what ``cbe-bridge writeback`` last wrote to each target, so unchanged records are not re-sent.
``identity_links`` / ``identity_candidates`` tie people of other sources to primary students.
"""

from __future__ import annotations

from dataclasses import dataclass

import typing

import sqlalchemy as sa
from pydantic.fields import FieldInfo

from cbe_bridge.model.records import RECORD_TYPES, Record, Ref

SCHEMA_VERSION = 4  # 2: writeback_ledger; 3: identity_links, identity_candidates; 4: no ix_results_line_item

metadata = sa.MetaData()

TEXT = sa.Text
DATE = sa.String(10)  # ISO date text, YYYY-MM-DD
STAMP = sa.String(32)  # ISO datetime text, UTC


@dataclass(frozen=True)
class Entity:
    """A canonical record type: its table and the data columns after (source, source_id)."""

    name: str
    columns: tuple[tuple[str, sa.types.TypeEngine | type], ...]
    # (column, referenced entity): checked on ingest; rows pointing nowhere are rejected
    references: tuple[tuple[str, str], ...] = ()

    @property
    def data_columns(self) -> list[str]:
        return [name for name, _ in self.columns]


def _column_type(info: FieldInfo) -> sa.types.TypeEngine | type:
    """The store type of a record field (dates are ISO text; see the module docstring)."""
    kinds = [a for a in typing.get_args(info.annotation) if a is not type(None)] or [info.annotation]
    kind = kinds[0]
    constraints = list(info.metadata) + [m for k in kinds for m in getattr(k, "__metadata__", ())]
    if any(getattr(m, "pattern", None) for m in constraints) or typing.get_origin(kind) is typing.Annotated:
        return DATE
    return {bool: sa.Boolean, float: sa.Float, int: sa.Integer}.get(kind, TEXT)


def _entity(record: type[Record]) -> Entity:
    columns, references = [], []
    for name, info in record.model_fields.items():
        refs = [m for m in info.metadata if isinstance(m, Ref)]
        if refs:
            references.append((name, refs[0].entity))
        if name in ("source", "source_id", "modified_at"):
            continue
        columns.append((name, _column_type(info)))
    return Entity(record.entity, tuple(columns), tuple(references))


# One entity (and table) per canonical record type, columns in field order.
ENTITIES: dict[str, Entity] = {r.entity: _entity(r) for r in RECORD_TYPES}


def _canonical_table(entity: Entity) -> sa.Table:
    columns = [
        sa.Column("source", TEXT, primary_key=True),
        sa.Column("source_id", TEXT, primary_key=True),
        *[sa.Column(name, kind) for name, kind in entity.columns],
        sa.Column("modified_at", STAMP),  # the source's dateLastModified, when it gives one
        sa.Column("run_id", sa.Integer),  # the sync run that last wrote the row
    ]
    return sa.Table(entity.name, metadata, *columns)


CANONICAL: dict[str, sa.Table] = {name: _canonical_table(e) for name, e in ENTITIES.items()}

# Indexes the engine's joins need (by reference, not by key). Each costs a first load a sort
# of the whole table and its share of the commit: one that no query uses is not kept.
sa.Index("ix_result_objectives_result", CANONICAL["result_objectives"].c.source,
         CANONICAL["result_objectives"].c.result_id)
sa.Index("ix_enrollments_user", CANONICAL["enrollments"].c.source, CANONICAL["enrollments"].c.user_id)

schema_version = sa.Table(
    "schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", STAMP, nullable=False),
)

sync_runs = sa.Table(
    "sync_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("source", TEXT, nullable=False),
    sa.Column("mode", TEXT, nullable=False),  # incremental | full | dry-run
    sa.Column("started_at", STAMP, nullable=False),
    sa.Column("finished_at", STAMP),
    sa.Column("status", TEXT, nullable=False),  # running | ok | partial | failed
    sa.Column("counts", TEXT),  # JSON: {entity: {inserted, updated, deleted, unchanged, rejected}}
    sa.Column("message", TEXT),
)

sync_state = sa.Table(
    "sync_state", metadata,
    sa.Column("source", TEXT, primary_key=True),
    sa.Column("stream", TEXT, primary_key=True),
    sa.Column("watermark", TEXT, nullable=False),
    sa.Column("updated_at", STAMP, nullable=False),
)

rejects = sa.Table(
    "rejects", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("source", TEXT, nullable=False),
    sa.Column("entity", TEXT, nullable=False),
    sa.Column("location", TEXT, nullable=False),  # e.g. results.csv line 12
    sa.Column("record_id", TEXT),
    sa.Column("field", TEXT),
    sa.Column("reason", TEXT, nullable=False),
    sa.Column("raw", TEXT),  # the record as received (JSON), kept for retry; never logged
    sa.Column("status", TEXT, nullable=False, server_default="pending"),  # pending | resolved
)
sa.Index("ix_rejects_source_status", rejects.c.source, rejects.c.status)

sa.Index("ix_results_student", CANONICAL["results"].c.source, CANONICAL["results"].c.student_id)
sa.Index("ix_line_item_objectives_li", CANONICAL["line_item_objectives"].c.source,
         CANONICAL["line_item_objectives"].c.line_item_id)
sa.Index("ix_course_grades_student", CANONICAL["course_grades"].c.source,
         CANONICAL["course_grades"].c.student_id)

# -- engine results (rebuilt by compute; each row names the compute run that made it) --------
compute_runs = sa.Table(
    "compute_runs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("computed_at", STAMP, nullable=False),
    sa.Column("as_of", DATE, nullable=False),
    sa.Column("mapping_fingerprint", TEXT, nullable=False),
    sa.Column("continuum_id", TEXT, nullable=False),
    sa.Column("version", TEXT, nullable=False),
    sa.Column("students", sa.Integer, nullable=False),
)

students = sa.Table(
    "students", metadata,
    sa.Column("source", TEXT, primary_key=True),
    sa.Column("student_id", TEXT, primary_key=True),
    sa.Column("run_id", sa.Integer, nullable=False),
    sa.Column("grade_level", TEXT),
    sa.Column("class_of", sa.Integer),
    sa.Column("school_id", TEXT),
    sa.Column("graduation", TEXT),  # JSON: [{node, required, achieved, met}]
)

proficiency = sa.Table(
    "proficiency", metadata,
    sa.Column("source", TEXT, primary_key=True),
    sa.Column("student_id", TEXT, primary_key=True),
    sa.Column("node_id", TEXT, primary_key=True),
    sa.Column("value", sa.Float),
    sa.Column("level_code", TEXT),
    sa.Column("proficient", sa.Boolean),
    sa.Column("basis", TEXT),  # direct | derived | mixed
    sa.Column("n_direct", sa.Integer),
    sa.Column("n_derived", sa.Integer),
    sa.Column("last_date", DATE),
    sa.Column("rule", TEXT),  # the aggregation or rollup rule applied
)

course_marks = sa.Table(
    "course_marks", metadata,
    sa.Column("source", TEXT, primary_key=True),
    sa.Column("student_id", TEXT, primary_key=True),
    sa.Column("class_id", TEXT, primary_key=True),
    sa.Column("course_id", TEXT),
    sa.Column("session_id", TEXT),
    sa.Column("school_year", sa.Integer),
    sa.Column("term_end", DATE),
    sa.Column("letter", TEXT),  # back-translated from proficiency
    sa.Column("value", sa.Float),  # the proficiency value the letter came from
    sa.Column("basis", TEXT),  # direct | derived
    sa.Column("source_letter", TEXT),  # the letter the teacher gave, when there was one
    sa.Column("course_level", TEXT),
    sa.Column("credits_attempted", sa.Float),
    sa.Column("credits_earned", sa.Float),
    sa.Column("counted", sa.Boolean),  # counts toward GPA (latest attempt of a course)
)

gpa = sa.Table(
    "gpa", metadata,
    sa.Column("source", TEXT, primary_key=True),
    sa.Column("student_id", TEXT, primary_key=True),
    sa.Column("scope", TEXT, primary_key=True),  # cumulative | <school year> | <session id>
    sa.Column("unweighted", sa.Float),
    sa.Column("weighted", sa.Float),
    sa.Column("credits", sa.Float),
    sa.Column("quality_points", sa.Float),
)
sa.Index("ix_result_score_scales_result", CANONICAL["result_score_scales"].c.source,
         CANONICAL["result_score_scales"].c.result_id)
sa.Index("ix_line_item_score_scales_li", CANONICAL["line_item_score_scales"].c.source,
         CANONICAL["line_item_score_scales"].c.line_item_id)

# -- write-back: what was last written to a target, per record (see cbe_bridge.writeback) -----
writeback_ledger = sa.Table(
    "writeback_ledger", metadata,
    sa.Column("target", TEXT, primary_key=True),  # the configured source written to
    sa.Column("resource", TEXT, primary_key=True),  # e.g. courseTranscripts, results
    sa.Column("record_key", TEXT, primary_key=True),  # the record's natural key or sourcedId
    sa.Column("content_hash", TEXT, nullable=False),  # of the body last accepted by the target
    sa.Column("location", TEXT),  # the record's URL on the target, when it said (Ed-Fi Location)
    sa.Column("written_at", STAMP, nullable=False),
)

# -- identity across sources (see cbe_bridge.identity): rewritten by each resolution ---------
identity_links = sa.Table(
    "identity_links", metadata,
    sa.Column("source", TEXT, primary_key=True),  # a secondary source (e.g. the LMS)
    sa.Column("person_id", TEXT, primary_key=True),  # the student's user id there
    sa.Column("student_source", TEXT, nullable=False),  # the primary source (the SIS)
    sa.Column("student_id", TEXT),  # the primary student, when linked
    sa.Column("status", TEXT, nullable=False),  # linked | ambiguous | unmatched
    sa.Column("key_field", TEXT),  # the key that matched (a field name, never a value)
    sa.Column("candidates", sa.Integer, nullable=False),  # primary students that key matched
    sa.Column("resolved_at", STAMP, nullable=False),
)
sa.Index("ix_identity_links_student", identity_links.c.student_source, identity_links.c.student_id)

identity_candidates = sa.Table(  # every match on the deciding key: the detail of an ambiguity
    "identity_candidates", metadata,
    sa.Column("source", TEXT, primary_key=True),
    sa.Column("person_id", TEXT, primary_key=True),
    sa.Column("student_id", TEXT, primary_key=True),
    sa.Column("key_field", TEXT, nullable=False),
)
