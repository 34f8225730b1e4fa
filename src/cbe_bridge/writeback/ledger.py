"""The write-back ledger: what each target last accepted, per record, as a content hash.

A record whose body hashes to what the ledger holds for its key is not sent again, so a
second run with nothing changed sends nothing (no request at all). A record is entered only
after the target accepted it, in its own transaction: a failed send is never recorded as
sent, and a run stopped half-way is completed by the next one without duplicates (Ed-Fi
POSTs upsert by natural key, OneRoster PUTs replace by sourcedId).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cbe_bridge.store.database import utc_now
from cbe_bridge.store.schema import writeback_ledger

LedgerKey = tuple[str, str]  # (resource, record key)


def content_hash(body: Any) -> str:
    """A stable hash of a JSON body (keys sorted, no whitespace)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Entry:
    content_hash: str
    location: str | None


def load(engine: Engine, target: str) -> dict[LedgerKey, Entry]:
    """Everything the ledger holds for ``target``."""
    t = writeback_ledger
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.resource, t.c.record_key, t.c.content_hash, t.c.location)
                            .where(t.c.target == target))
        return {(r[0], r[1]): Entry(r[2], r[3]) for r in rows}


def record(engine: Engine, target: str, resource: str, key: str, digest: str, location: str | None) -> None:
    """Enter (or replace) one accepted record, committed at once."""
    t = writeback_ledger
    values = {"content_hash": digest, "location": location, "written_at": utc_now()}
    with engine.begin() as conn:
        done = conn.execute(t.update().where(t.c.target == target, t.c.resource == resource,
                                             t.c.record_key == key).values(**values))
        if done.rowcount == 0:
            conn.execute(t.insert().values(target=target, resource=resource, record_key=key, **values))


def forget(engine: Engine, target: str) -> int:
    """Drop the ledger of ``target`` (the next run sends everything again); return the rows dropped."""
    with engine.begin() as conn:
        return conn.execute(writeback_ledger.delete().where(writeback_ledger.c.target == target)).rowcount
