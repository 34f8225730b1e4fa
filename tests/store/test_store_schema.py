"""The store opens, versions itself, refuses a newer schema, and protects its file."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa

from cbe_bridge.errors import StoreError
from cbe_bridge.store import open_store
from cbe_bridge.store.schema import SCHEMA_VERSION, schema_version


def test_new_store_records_its_schema_version(store):
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() == SCHEMA_VERSION


def test_reopening_keeps_data_and_version(tmp_path):
    first = open_store(tmp_path / "s.db")
    first.dispose()
    again = open_store(tmp_path / "s.db")
    with again.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema_version)).scalar() == 1
    again.dispose()


# The tables each schema version added (see SCHEMA_VERSION in store/schema.py).
ADDED_IN = {2: ["writeback_ledger"], 3: ["identity_links", "identity_candidates"]}


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_store_gains_the_tables_of_later_versions(tmp_path, version):
    later = [t for v, tables in ADDED_IN.items() if v > version for t in tables]
    path = tmp_path / "old.db"
    store = open_store(path)
    with store.engine.begin() as conn:  # as a store made at that version
        for table in later:
            conn.execute(sa.text(f"DROP TABLE {table}"))
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=version, applied_at="2025-01-01T00:00:00Z"))
    store.dispose()
    store = open_store(path)
    with store.engine.connect() as conn:
        assert all(sa.inspect(conn).has_table(t) for t in later)
        assert conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() == SCHEMA_VERSION
    store.dispose()


def test_a_version_3_store_loses_the_index_no_query_used(tmp_path):
    path = tmp_path / "old.db"
    store = open_store(path)
    with store.engine.begin() as conn:  # as a store made at version 3
        conn.exec_driver_sql("CREATE INDEX ix_results_line_item ON results (source, line_item_id)")
        conn.execute(schema_version.delete())
        conn.execute(schema_version.insert().values(version=3, applied_at="2026-01-01T00:00:00Z"))
    store.dispose()
    store = open_store(path)
    with store.engine.connect() as conn:
        assert "ix_results_line_item" not in {i["name"] for i in sa.inspect(conn).get_indexes("results")}
        assert conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar() == SCHEMA_VERSION
    store.dispose()


def test_a_newer_store_is_refused(tmp_path):
    s = open_store(tmp_path / "s.db")
    with s.engine.begin() as conn:
        conn.execute(schema_version.insert().values(version=SCHEMA_VERSION + 1, applied_at="2030-01-01T00:00:00Z"))
    s.dispose()
    with pytest.raises(StoreError, match="newer than this cbe-bridge"):
        open_store(tmp_path / "s.db")


def test_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    s = open_store(tmp_path / "s.db")
    s.dispose()
    assert stat.S_IMODE((tmp_path / "s.db").stat().st_mode) == 0o600


def test_missing_store_is_reported_when_not_creating(tmp_path):
    with pytest.raises(StoreError, match="no store at"):
        open_store(tmp_path / "absent.db", create=False)


def test_display_url_hides_the_password():
    from cbe_bridge.store.database import store_url
    assert store_url("postgresql://u:secret@h/db").startswith("postgresql+psycopg://")
