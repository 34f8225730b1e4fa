"""A sync's connection: a first load into an empty SQLite store skips the WAL, and the store is
in WAL mode again afterwards; otherwise (data present, or another connection open) WAL throughout."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from cbe_bridge.errors import StoreError
from cbe_bridge.store import database, open_store
from cbe_bridge.store.database import load_connection


def _mode(conn: sa.Connection) -> str:
    """The journal mode, read on the driver's connection (no SQLAlchemy transaction begun)."""
    return conn.connection.driver_connection.execute("PRAGMA journal_mode").fetchone()[0]


def _add_org(conn: sa.Connection) -> None:
    conn.exec_driver_sql("INSERT INTO orgs (source, source_id, name) VALUES ('sis', 'o1', 'High')")


def test_a_first_load_writes_through_a_rollback_journal_and_the_store_returns_to_wal(tmp_path):
    store = open_store(tmp_path / "s.db")
    with load_connection(store, writes=True) as conn:
        assert _mode(conn) == "delete"
        with conn.begin():
            _add_org(conn)
    with store.engine.connect() as conn:
        assert _mode(conn) == "wal"
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM orgs").scalar() == 1
    store.dispose()


def test_a_store_with_records_stays_in_wal_mode(tmp_path):
    store = open_store(tmp_path / "s.db")
    with store.engine.begin() as conn:
        _add_org(conn)
    with load_connection(store, writes=True) as conn:
        assert _mode(conn) == "wal"
    store.dispose()


def test_a_dry_run_stays_in_wal_mode(tmp_path):
    store = open_store(tmp_path / "s.db")
    with load_connection(store, writes=False) as conn:
        assert _mode(conn) == "wal"
    store.dispose()


def test_another_connection_keeps_the_store_in_wal_mode_and_the_load_still_goes_in(tmp_path):
    store = open_store(tmp_path / "s.db")
    other = sqlite3.connect(tmp_path / "s.db")  # e.g. a 'status' in another process
    other.execute("SELECT COUNT(*) FROM orgs").fetchone()
    try:
        with load_connection(store, writes=True) as conn:
            assert _mode(conn) == "wal"
            with conn.begin():
                _add_org(conn)
        assert other.execute("SELECT COUNT(*) FROM orgs").fetchone()[0] == 1
    finally:
        other.close()
    store.dispose()


def test_a_rolled_back_first_load_leaves_the_store_empty_and_in_wal_mode(tmp_path):
    store = open_store(tmp_path / "s.db")
    with load_connection(store, writes=True) as conn:
        conn.begin()
        _add_org(conn)
        conn.rollback()
    with store.engine.connect() as conn:
        assert _mode(conn) == "wal"
        assert conn.exec_driver_sql("SELECT COUNT(*) FROM orgs").scalar() == 0
    store.dispose()


def test_a_command_opening_the_store_during_a_first_load_is_told_what_holds_it(tmp_path, monkeypatch):
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)  # fail fast instead of waiting 10 s
    store = open_store(tmp_path / "s.db")
    with load_connection(store, writes=True) as conn:
        driver = conn.connection.driver_connection
        driver.execute("BEGIN EXCLUSIVE")  # as a first load holds it once its cache spills
        with pytest.raises(StoreError, match="first sync into an empty store holds it"):
            open_store(tmp_path / "s.db")
        driver.execute("ROLLBACK")
    store.dispose()
