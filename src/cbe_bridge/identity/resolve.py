"""Matching the people of other sources to the primary source's students, set-wise in SQL.

Per linked source, in one transaction with the rest of the resolution:

1. the key values of both sides' students (users with a student role, as the engine lists
   them) go to a scratch table, trimmed and (per key) lower-cased, indexed by key and value; a
   ``user_id`` key splits the stored ``userIds`` list in SQL (a recursive CTE), one row per
   entry of its type;
2. each person is paired with every primary student holding the same value on the first key
   (in the configured order) on which it matches anyone (``identity_candidates``);
3. every student of the source gets one ``identity_links`` row: ``linked`` when the deciding
   key found exactly one primary student and no other person of the source found that same
   student; ``ambiguous`` when it found several students, or the student was found by
   several people, even people who found others too (none of them is linked: a wrong merge
   would put one student's evidence on another's transcript); ``unmatched`` when no key found
   anyone.

Each step is one statement over the whole district (a join through an index), never a loop
over people in Python. The tables are rewritten whole, so a resolution reflects exactly the
current data and configuration.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge.engine.records import student_roles_sql
from cbe_bridge.identity.report import IdentitySummary, summarize
from cbe_bridge.identity.settings import TYPED, IdentitySettings, MatchKey
from cbe_bridge.store.database import Store, utc_now
from cbe_bridge.store.schema import identity_candidates, identity_links

log = logging.getLogger(__name__)

PRIMARY, OTHER = 0, 1  # sides in the scratch table

_scratch = sa.MetaData()
_keys = sa.Table(
    "identity_keys_scratch", _scratch,
    sa.Column("side", sa.Integer, nullable=False),
    sa.Column("key_rank", sa.Integer, nullable=False),  # the key's position in the configuration
    sa.Column("person", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    prefixes=["TEMPORARY"],
)
sa.Index("ix_identity_keys_scratch", _keys.c.key_rank, _keys.c.side, _keys.c.value)


def _normalised(value: str, key: MatchKey) -> str:
    value = f"NULLIF(TRIM({value}), '')"
    return f"LOWER({value})" if key.caseless else value


# The source's users with a student role: where every key's values are read from.
_STUDENTS = f"""users u JOIN ({student_roles_sql("source = :src")}) s ON s.user_id = u.source_id
            WHERE u.source = :src"""


def _typed_ids_sql(find: str) -> str:
    """CTE ``key_values(person, value)``: the students' ``userIds`` entries of type ``:type``.

    The stored list is ``{type:identifier},{type:identifier}`` (both OneRoster sources write it
    so; the CSV source drops blanks around commas). Entries are split at ``},{``, so an
    identifier may hold commas, braces or colons (the type ends at the first colon); only an
    identifier containing ``},{`` itself is cut, which the format cannot tell from two entries.
    Stray blanks and commas around the list are dropped and its outer braces swapped for a
    trailing ``},{``, so every entry, the last too, ends in one; ``entry || ':'`` gives an entry
    without a colon an empty value (dropped) instead of a negative length. ``'None'`` is what
    the REST source stored for an entry without an identifier before it left such entries out
    (a store synced then keeps it until the next full pull). Students are picked in the
    anchor: PostgreSQL cannot estimate a recursive CTE's rows and would join its output in a
    nested loop (minutes at 50,000 students).
    """
    return f"""
        entries(person, entry, rest) AS (
            SELECT person, CAST(NULL AS TEXT), SUBSTR(ids, 2, LENGTH(ids) - 2) || '}},{{'
            FROM (SELECT u.source_id AS person, TRIM(u.user_ids, ' ,') AS ids FROM {_STUDENTS}) l
            WHERE ids LIKE '{{%}}'
            UNION ALL
            SELECT person, SUBSTR(rest, 1, {find}(rest, '}},{{') - 1), SUBSTR(rest, {find}(rest, '}},{{') + 3)
            FROM entries WHERE rest <> ''),
        parsed(person, entry_type, entry_value) AS (
            SELECT person, LOWER(TRIM(SUBSTR(entry, 1, {find}(entry || ':', ':') - 1))),
                   TRIM(SUBSTR(entry, {find}(entry || ':', ':') + 1))
            FROM entries WHERE entry IS NOT NULL),
        key_values(person, value) AS (
            SELECT person, entry_value FROM parsed WHERE entry_type = LOWER(:type) AND entry_value <> 'None')"""


def _key_values_sql(column: str, find: str) -> str:
    if column == TYPED:
        return _typed_ids_sql(find)
    # Column names come from a closed list (KeyField), so they are safe to place in SQL.
    return f"key_values(person, value) AS (SELECT u.source_id, u.{column} FROM {_STUDENTS})"


def _stage_keys(conn: Connection, side: int, source: str,
                columns: list[tuple[int, str, str | None, MatchKey]]) -> None:
    find = "STRPOS" if conn.dialect.name == "postgresql" else "INSTR"
    for rank, column, type_, key in columns:
        value = _normalised("v.value", key)
        conn.execute(sa.text(f"""
            WITH RECURSIVE {_key_values_sql(column, find)}
            INSERT INTO identity_keys_scratch (side, key_rank, person, value)
            SELECT {side}, {rank}, v.person, {value} FROM key_values v
            WHERE {value} IS NOT NULL"""), {"src": source, "type": type_})


def _analyze(conn: Connection, *tables: str) -> None:
    """Fresh statistics for tables just filled (PostgreSQL would otherwise plan them as empty:
    nested loops over 50,000 rows). SQLite plans these statements well without them."""
    if conn.dialect.name == "postgresql":
        for table in tables:
            conn.execute(sa.text(f"ANALYZE {table}"))


def _resolve_source(conn: Connection, primary: str, source: str, keys: list[MatchKey], now: str) -> None:
    conn.execute(_keys.delete())
    _stage_keys(conn, PRIMARY, primary, [(rank, k.target, k.target_type, k) for rank, k in enumerate(keys)])
    _stage_keys(conn, OTHER, source, [(rank, k.field, k.type, k) for rank, k in enumerate(keys)])
    _analyze(conn, "identity_keys_scratch")
    params = {"src": source, "primary": primary, "now": now}
    # Every pair on every key at once; per person only the pairs of its first matching key stay
    # (a window, not an anti-join: one hash join and one sort on either backend). DISTINCT: with
    # several user ids of one type, a person and a student can share more than one value.
    labels = " ".join(f"WHEN {rank} THEN :label{rank}" for rank in range(len(keys)))
    conn.execute(sa.text(f"""
        INSERT INTO identity_candidates (source, person_id, student_id, key_field)
        SELECT :src, person, student, CASE key_rank {labels} END FROM (
            SELECT DISTINCT person, student, key_rank FROM (
                SELECT a.person, b.person AS student, a.key_rank,
                       MIN(a.key_rank) OVER (PARTITION BY a.person) AS first_rank
                FROM identity_keys_scratch a
                JOIN identity_keys_scratch b ON b.key_rank = a.key_rank AND b.side = {PRIMARY} AND b.value = a.value
                WHERE a.side = {OTHER}) m
            WHERE key_rank = first_rank) d"""), {**params, **{f"label{rank}": k.label for rank, k in enumerate(keys)}})
    conn.execute(sa.text(f"""
        INSERT INTO identity_links (source, person_id, student_source, student_id, status, key_field,
                                    candidates, resolved_at)
        SELECT :src, u.source_id, :primary, NULL, 'unmatched', NULL,
               (SELECT COUNT(*) FROM identity_candidates c WHERE c.source = :src AND c.person_id = u.source_id),
               :now
        FROM users u JOIN ({student_roles_sql("source = :src")}) s ON s.source = u.source AND s.user_id = u.source_id
        WHERE u.source = :src"""), params)
    _analyze(conn, "identity_candidates", "identity_links")
    mine = "c.source = identity_links.source AND c.person_id = identity_links.person_id"
    conn.execute(sa.text(f"""
        UPDATE identity_links SET
            status = CASE WHEN candidates = 1 THEN 'linked' ELSE 'ambiguous' END,
            student_id = CASE WHEN candidates = 1
                         THEN (SELECT MIN(c.student_id) FROM identity_candidates c WHERE {mine}) END,
            key_field = (SELECT MIN(c.key_field) FROM identity_candidates c WHERE {mine})
        WHERE source = :src AND candidates > 0"""), params)
    # One primary student found by several people of the source (whether or not they found
    # others too): none of them is linked. The set is computed once, not per row.
    conn.execute(sa.text("""
        UPDATE identity_links SET status = 'ambiguous'
        WHERE source = :src AND candidates = 1 AND student_id IN (
            SELECT student_id FROM identity_candidates WHERE source = :src
            GROUP BY student_id HAVING COUNT(*) > 1)"""), params)
    conn.execute(identity_links.update().where(identity_links.c.source == source,
                                               identity_links.c.status == "ambiguous").values(student_id=None))


def resolve(conn: Connection, identity: IdentitySettings, *, now: str | None = None) -> None:
    """Rewrite ``identity_links`` and ``identity_candidates`` for ``identity`` (inside ``conn``'s transaction)."""
    now = now or utc_now()
    if conn.dialect.name == "postgresql":
        # A compute and a sync may resolve at once: one waits for the other's commit, so its
        # delete sees the rows the other inserted. (SQLite serialises writers by itself.)
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('cbe-bridge identity ' || "
                             "current_database() || '/' || current_schema()))"))
    conn.execute(identity_links.delete())
    conn.execute(identity_candidates.delete())
    _keys.create(conn)  # created in the transaction: a rollback removes it too
    for source, linked in identity.sources.items():
        _resolve_source(conn, identity.primary, source, linked.keys, now)
    _keys.drop(conn)


def resolve_identity(store: Store, identity: IdentitySettings) -> list[IdentitySummary]:
    """Resolve in one transaction; log one summary line per linked source (counts only)."""
    with store.engine.begin() as conn:
        resolve(conn, identity)
        summaries = summarize(conn)
    for s in summaries:
        log.info("identity %s", s.line(), extra={"source": s.source, "event": "identity"})
    return summaries
