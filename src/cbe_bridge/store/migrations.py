"""Schema versions: the store records its version and upgrades itself on open.

Version 1 is the initial schema (created from the table metadata). Later versions append a
function to ``UPGRADES`` that moves a store from version N-1 to N inside one transaction;
``upgrade`` applies the missing ones in order and records each in ``schema_version``.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cbe_bridge.errors import StoreError
from cbe_bridge.store.schema import (SCHEMA_VERSION, identity_candidates, identity_links, schema_version,
                                     writeback_ledger)


def _identity_tables(conn: Connection) -> None:
    for table in (identity_links, identity_candidates):
        table.create(conn, checkfirst=True)


# version -> step from version-1; version 1 is "create everything".
UPGRADES: dict[int, Callable[[Connection], None]] = {
    2: lambda conn: writeback_ledger.create(conn, checkfirst=True),
    3: _identity_tables,
    4: lambda conn: conn.exec_driver_sql("DROP INDEX IF EXISTS ix_results_line_item"),  # no query used it
}


def current_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    return conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() or 0


def upgrade(engine: Engine, metadata: sa.MetaData, *, now: str) -> int:
    """Bring the store to ``SCHEMA_VERSION``; return the version found before."""
    with engine.begin() as conn:
        found = current_version(conn)
        if found > SCHEMA_VERSION:
            raise StoreError(
                f"the store is at schema version {found}, newer than this cbe-bridge ({SCHEMA_VERSION})",
                hint="upgrade cbe-bridge",
            )
        if found == 0:
            metadata.create_all(conn)
            conn.execute(schema_version.insert().values(version=SCHEMA_VERSION, applied_at=now))
            return 0
        for version in range(found + 1, SCHEMA_VERSION + 1):
            UPGRADES[version](conn)
            conn.execute(schema_version.insert().values(version=version, applied_at=now))
        # Tables added without a structural change to older ones (e.g. engine tables).
        metadata.create_all(conn, checkfirst=True)
        return found
