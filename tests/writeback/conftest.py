"""Fixtures for the write-back tests: the computed sample district, copied per test, and targets.

The sample district is synced and computed once per session (the shared ``demo_run``);
each test gets its own copy of the store (the ledger is written to it) and a configuration
naming the fake Ed-Fi and OneRoster servers as targets. ``ods4`` is the fake Ed-Fi in its
Data Standard 4 mode (ODS/API 6.x), refusing grades whose grading period is not keyed the DS 4 way.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes import edfi as fake_edfi
from fakes.server import Reply

from cbe_bridge.config import Settings, load_settings
from cbe_bridge.engine.compute import PolicySource
from cbe_bridge.engine.policy import Policy
from cbe_bridge.translate.student_records import StudentRecord, load_records, select_students
from cbe_bridge.store import Store, open_store

STUDENTS = ("700001", "700002", "700003")  # local student numbers in the sample district
RETRIES = "retries = { attempts = 3, backoff = 0.01, max_wait = 0.02, max_retry_after = 0.1 }"
TIMEOUT = "timeout = { connect = 2.0, read = 5.0 }"


@pytest.fixture(scope="session")
def computed(demo_run) -> Path:
    """The session's demo folder: the sample district synced and computed (store and configuration)."""
    return demo_run.out


@dataclass
class Setup:
    """One test's copy of the computed store, its configuration and policy."""

    config: Path
    settings: Settings
    store: Store
    policy: Policy

    def target(self, name: str):  # noqa: ANN201 - a source settings model
        return next(s for s in self.settings.sources if s.name == name)

    def records(self, refs=STUDENTS) -> list[StudentRecord]:  # noqa: ANN001
        with self.store.engine.connect() as conn:
            return list(load_records(conn, select_students(conn, list(refs), None)).values())


def make_setup(computed: Path, folder: Path, *, edfi_url: str = "http://127.0.0.1:9",
               or_url: str = "http://127.0.0.1:9", or_version: str = "1.2", or_auth: str | None = None) -> Setup:
    """Copy the computed store to ``folder`` with a configuration naming the targets."""
    # SQLite's backup API: a consistent copy whatever the demo store's WAL holds.
    with closing(sqlite3.connect(computed / "cbe-bridge.db")) as source, \
            closing(sqlite3.connect(folder / "cbe-bridge.db")) as copy:
        source.backup(copy)
    auth = or_auth or (f'{{ method = "oauth2", token_url = "{or_url}/oauth/token", '
                       'client_id = { env = "OR_CLIENT_ID" }, client_secret = { env = "OR_CLIENT_SECRET" } }')
    targets = f'''
[[sources]]
name = "ods"
kind = "edfi"
base_url = "{edfi_url}"
client_id = {{ env = "EDFI_KEY" }}
client_secret = {{ env = "EDFI_SECRET" }}
{RETRIES}
{TIMEOUT}

[[sources]]
name = "sisapi"
kind = "oneroster-rest"
base_url = "{or_url}"
version = "{or_version}"
auth = {auth}
{RETRIES}
{TIMEOUT}
'''
    # The demo's tables after [[sources]] start at [school]: the targets go just before it.
    head, school, tail = (computed / "cbe-bridge.toml").read_text(encoding="utf-8").partition("\n[school]")
    config = folder / "cbe-bridge.toml"
    config.write_text(head + targets + school + tail, encoding="utf-8")
    settings = load_settings(config)
    return Setup(config, settings, open_store(settings.store.url, create=False), _policy(settings))


_POLICIES: dict[tuple, Policy] = {}


def _policy(settings: Settings) -> Policy:
    """The sample district's policy, loaded once per session."""
    files = tuple(settings.mapping.files)
    if files not in _POLICIES:
        _POLICIES[files] = PolicySource(files).load()
    return _POLICIES[files]


@pytest.fixture
def setup(computed, tmp_path):
    """The computed store (a copy) with targets that answer nowhere (tests that send nothing)."""
    s = make_setup(computed, tmp_path)
    yield s
    s.store.dispose()


@pytest.fixture
def ods(computed, tmp_path, server):
    """A computed store (a copy) whose Ed-Fi target is the fake ODS/API on ``server``."""
    fake = fake_edfi.EdFiFake(server, {})
    s = make_setup(computed, tmp_path, edfi_url=server.url)
    yield s, fake
    s.store.dispose()


# A grade's gradingPeriodReference members, by data standard (ODS/API 6.x SDK EdFiGradingPeriodReference
# for DS 4; 7.x for DS 5).
PERIOD_MEMBERS = {4: {"gradingPeriodDescriptor", "periodSequence", "schoolId", "schoolYear"},
                  5: {"gradingPeriodDescriptor", "gradingPeriodName", "schoolId", "schoolYear"}}


def strict_grading_periods(standard: int):  # noqa: ANN201 - a refuse hook of the fake
    """Refuse a grade whose grading period carries a member the data standard does not have, with the
    ODS/API's 400 for an unknown member (the fake's identity function alone ignores extra members)."""
    def refuse(name: str, body: dict) -> Reply | None:
        period = body.get("gradingPeriodReference") if name == "grades" else None
        unknown = sorted(set(period or {}) - PERIOD_MEMBERS[standard] - {"link"})
        if unknown:
            return Reply(400, {"message": f"Could not find member '{unknown[0]}' on object of type "
                                          "'GradingPeriodReference'."})
        return None
    return refuse


@pytest.fixture
def ods4(computed, tmp_path, server):
    """A computed store (a copy) whose Ed-Fi target is the fake ODS/API in Data Standard 4 mode."""
    fake = fake_edfi.EdFiFake(server, {}, api_version="6.1", data_model="4.0.0")
    fake.refuse.append(strict_grading_periods(4))
    s = make_setup(computed, tmp_path, edfi_url=server.url)
    yield s, fake
    s.store.dispose()


@pytest.fixture(autouse=True)
def _secrets(fake_secrets):  # noqa: ANN001 - the fake server itself is ``server`` (tests/conftest.py)
    """Every test here runs with the fakes' credentials in the environment."""
