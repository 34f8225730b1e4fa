"""Shared fixtures: stores (SQLite always, PostgreSQL when one answers), bundle builders, and
one demo run of the sample district for the whole session."""

from __future__ import annotations

import csv
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cbe_bridge.demo import DemoResult, run_demo
from cbe_bridge.store import open_store

REPO = Path(__file__).resolve().parents[1]
STANDARDS = REPO.parent / "shared" / "standards"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEMO_AS_OF = date(2026, 11, 24)


def standards_path(*parts: str) -> Path:
    """A file under ../shared/standards, or skip the test when the folder is absent."""
    path = STANDARDS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs ../shared/standards ({'/'.join(parts)}), which is not beside this checkout")
    return path


def _postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no server here"
        return False


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """An empty store on each backend (PostgreSQL in a schema of its own, dropped after)."""
    if request.param == "sqlite":
        s = open_store(tmp_path / "test.db")
        yield s
        s.dispose()
        return
    if not _postgres_available():
        pytest.skip("no PostgreSQL server answers on 127.0.0.1:5432")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL.replace("postgresql://", "postgresql+psycopg://"))
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    s = open_store(f"{PG_URL}?options=-csearch_path%3D{schema}")
    yield s
    s.dispose()
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def sqlite_store(tmp_path):
    s = open_store(tmp_path / "test.db")
    yield s
    s.dispose()


def write_csv(path: Path, header: list[str], rows: list[list[str]], *, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def server():
    """A fake API server on 127.0.0.1 (``tests/fakes``) for the live-source and write-back tests."""
    from fakes.server import FakeServer

    with FakeServer() as s:
        yield s


@pytest.fixture
def fake_secrets(monkeypatch):
    """The fakes' credentials in the environment, where test configurations point."""
    from fakes import SECRETS

    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> DemoResult:
    """``cbe-bridge demo`` on the sample district, run once per session (documents for one
    student only: the documents tests render their own). Tests read its store, never change it."""
    return run_demo(tmp_path_factory.mktemp("demo"), as_of=DEMO_AS_OF, workers=2, documents_limit=1)
