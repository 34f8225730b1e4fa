"""What the last resolution found: per source counts, and the people it could not link.

Reports name people by source ids only (the person's id in its source, the candidate
students' ids in the primary source) and keys by field name: never a name, an email or any
other key value.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge.store.schema import identity_candidates, identity_links

UNRESOLVED = ("ambiguous", "unmatched")
SHOWN_CANDIDATES = 10  # candidate ids listed per ambiguous person; the count says the rest


@dataclass
class IdentitySummary:
    source: str
    primary: str
    linked: int = 0
    ambiguous: int = 0
    unmatched: int = 0
    by_key: dict[str, int] = field(default_factory=dict)  # linked people per deciding key

    def line(self) -> str:
        keys = ", ".join(f"{k} {n}" for k, n in sorted(self.by_key.items()))
        return (f"{self.source} -> {self.primary}: {self.linked} linked{f' ({keys})' if keys else ''}, "
                f"{self.ambiguous} ambiguous, {self.unmatched} unmatched")


def summarize(conn: Connection) -> list[IdentitySummary]:
    """Counts per linked source, from the stored resolution (empty when none was made)."""
    l = identity_links.c
    out: dict[str, IdentitySummary] = {}
    query = (sa.select(l.source, l.student_source, l.status, l.key_field, sa.func.count())
             .group_by(l.source, l.student_source, l.status, l.key_field).order_by(l.source))
    for source, primary, status, key, n in conn.execute(query):
        summary = out.setdefault(source, IdentitySummary(source, primary))
        setattr(summary, status, getattr(summary, status) + n)
        if status == "linked":
            summary.by_key[key] = summary.by_key.get(key, 0) + n
    return list(out.values())


def _reason(status: str, candidates: int) -> str:
    if status == "unmatched":
        return "no key matched a primary student"
    if status == "linked":
        return "linked"
    if candidates > 1:
        return f"matches {candidates} primary students"
    return "its primary student is matched by other people of this source too"


def unresolved(conn: Connection, *, sources: Sequence[str] = (), statuses: Sequence[str] = UNRESOLVED,
               limit: int | None = None) -> list[dict]:
    """People the resolution did not link (or those of ``statuses``), with their candidates' ids."""
    l = identity_links.c
    query = (sa.select(l.source, l.person_id, l.status, l.key_field, l.candidates, l.student_source, l.student_id)
             .where(l.status.in_(list(statuses))).order_by(l.source, l.status, l.person_id))
    if sources:
        query = query.where(l.source.in_(list(sources)))
    if limit is not None:
        query = query.limit(limit)
    rows = [dict(r) for r in conn.execute(query).mappings()]
    wanted = {(r["source"], r["person_id"]) for r in rows if r["status"] == "ambiguous"}
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    if wanted:
        c = identity_candidates.c
        query = (sa.select(c.source, c.person_id, c.student_id)
                 .join(identity_links, sa.and_(l.source == c.source, l.person_id == c.person_id))
                 .where(l.status == "ambiguous").order_by(c.student_id))
        if sources:
            query = query.where(l.source.in_(list(sources)))
        for source, person, student in conn.execute(query):
            if (source, person) in wanted:
                found[(source, person)].append(student)
    for r in rows:
        ids = found.get((r["source"], r["person_id"]), [r["student_id"]] if r["student_id"] else [])
        more = len(ids) - SHOWN_CANDIDATES
        r["students"] = " ".join(ids[:SHOWN_CANDIDATES]) + (f" (+{more} more)" if more > 0 else "")
        r["reason"] = _reason(r["status"], r["candidates"])
    return rows


def canonical_students(conn: Connection, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """(source, id) pairs with linked people replaced by their primary student, without repeats."""
    l = identity_links.c
    out: list[tuple[str, str]] = []
    for source, person in keys:
        row = conn.execute(sa.select(l.student_source, l.student_id).where(
            l.source == source, l.person_id == person, l.status == "linked")).first()
        key = (row[0], row[1]) if row else (source, person)
        if key not in out:
            out.append(key)
    return out
