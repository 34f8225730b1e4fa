"""Opening the store: SQLite file by default, PostgreSQL by URL; schema created or upgraded.

The store URL comes from ``--db``, ``CBE_BRIDGE_DB`` or the configuration (in that order; the
CLI decides). A plain path means a SQLite file. SQLite files are created readable by their
owner only (they hold student records) and run in WAL mode so readers never block a sync.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from cbe_bridge.errors import StoreError
from cbe_bridge.store import migrations
from cbe_bridge.store.schema import metadata


def utc_now() -> str:
    """The current UTC time as ISO text (the store's only clock format)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def store_url(location: str | os.PathLike[str]) -> str:
    """Turn a path or URL into an SQLAlchemy URL (a bare path is a SQLite file)."""
    text = str(location)
    if "://" in text:
        if text.startswith("postgresql://"):
            return "postgresql+psycopg://" + text[len("postgresql://"):]
        return text
    return f"sqlite:///{Path(text).expanduser().resolve()}"


def _create_private_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)
    os.chmod(path, 0o600)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DBAPI types
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=OFF")  # references are checked on ingest, set-wise
    # Staging tables for a district-size load are as large as the data: keep them on disk
    # (temp files) so memory stays flat; the page cache bounds what is held in RAM.
    cursor.execute("PRAGMA temp_store=FILE")
    cursor.execute("PRAGMA cache_size=-131072")  # 128 MiB page cache per connection
    cursor.execute("PRAGMA temp.cache_size=-131072")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@dataclass
class Store:
    """An open store: the engine plus what callers need to know about it."""

    engine: Engine
    url: str

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_url(self) -> str:
        """The URL without a password, safe to print."""
        return self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(location: str | os.PathLike[str], *, create: bool = True) -> Store:
    """Open (and create or upgrade) the store at ``location``."""
    url = store_url(location)
    try:
        sa_url = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise StoreError(f"not a database URL or path: {location}") from exc
    if sa_url.get_backend_name() == "sqlite" and sa_url.database not in (None, "", ":memory:"):
        path = Path(sa_url.database)
        if not path.exists() and not create:
            raise StoreError(f"no store at {path}", hint="run 'cbe-bridge sync' or 'cbe-bridge demo' first")
        _create_private_file(path)
    try:
        engine = sa.create_engine(url, future=True)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"the database driver for {sa_url.get_backend_name()} is not installed",
            hint="pip install 'cbe-bridge[postgres]'",
        ) from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    store = Store(engine=engine, url=url)
    try:
        migrations.upgrade(engine, metadata, now=utc_now())
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot open the store at {store.display_url}: {exc.orig}") from exc
    return store
