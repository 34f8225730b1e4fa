"""Fixtures for the documents tests: one demo store per session, a document job on it.

The demo (sync + compute of the sample district) is the session's ``demo_run``; tests render a
few students only (a PDF takes about a second), so the whole folder stays well under a minute.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from cbe_bridge.config import load_settings
from cbe_bridge.demo import DemoResult
from cbe_bridge.documents import DocumentContext, spec_from_settings
from cbe_bridge.engine.compute import PolicySource
from cbe_bridge.store import open_store
from cbe_bridge.store.schema import students

ISSUED = date(2026, 12, 1)


class Demo:
    """The demo folder, its settings, store and policy, opened once."""

    def __init__(self, result: DemoResult) -> None:
        self.out = result.out
        self.config = result.config
        self.settings = load_settings(result.config)
        self.store = open_store(self.settings.store.url, create=False)
        self.policy = PolicySource(tuple(self.settings.mapping.files)).load()

    def spec(self, folder: Path, **options):  # noqa: ANN201
        return spec_from_settings(self.settings, folder, issued=ISSUED, **options)

    def context(self, folder: Path, **options) -> DocumentContext:
        return DocumentContext(self.spec(folder, **options), store=self.store, policy=self.policy)

    def student(self, class_of: int = 2027, index: int = 0) -> tuple[str, str]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(sa.select(students.c.source, students.c.student_id)
                                .where(students.c.class_of == class_of)
                                .order_by(students.c.student_id)).all()
        return tuple(rows[index])  # type: ignore[return-value]


@pytest.fixture(scope="session")
def demo(demo_run) -> Demo:
    d = Demo(demo_run)
    yield d
    d.store.dispose()
