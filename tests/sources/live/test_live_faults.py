"""Faults injected by the fake server: the sync retries, resumes, and ends with the right store."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from live.helpers import edfi, ids, oneroster, snapshot, sync

from cbe_bridge.store import open_store
from cbe_bridge.store.schema import rejects
from fakes import edfi as fake_edfi
from fakes import oneroster as fake_or
from fakes.server import FakeServer


@pytest.fixture(scope="module")
def clean_store(tmp_path_factory):
    """The store an undisturbed OneRoster pull gives (the reference every faulty run must match)."""
    store = open_store(tmp_path_factory.mktemp("clean") / "clean.db")
    with pytest.MonkeyPatch.context() as env, FakeServer() as server:
        env.setenv("OR_CLIENT_ID", "or-id")
        env.setenv("OR_CLIENT_SECRET", "or-secret")
        fake_or.OneRosterFake(server, fake_or.district(students=10))
        assert sync(store, oneroster(server.url)).status == "ok"
    yield snapshot(store)
    store.dispose()


FAULTS = [
    ("status", {"status": 429, "retry_after": "0"}),
    ("status", {"status": 429}),
    ("status", {"status": 500}),
    ("status", {"status": 502}),
    ("status", {"status": 503, "retry_after": "0"}),
    ("timeout", {"delay": 0.8}),
    ("truncate", {}),
    ("short_read", {}),
    ("reset", {}),
    ("expire_tokens", {}),
]


@pytest.mark.parametrize(("kind", "options"), FAULTS, ids=[f"{k}-{o.get('status', '')}{'-ra' if 'retry_after' in o else ''}"
                                                            for k, o in FAULTS])
def test_a_transient_fault_is_retried_and_changes_nothing(sqlite_store, server, clean_store, kind, options):
    fake_or.OneRosterFake(server, fake_or.district(students=10))
    times = 1 if kind == "expire_tokens" else 2  # a token expires once; other faults may repeat
    fault = server.fault(kind, match="/users", skip=1, times=times, **options)
    outcome = sync(sqlite_store, oneroster(server.url, timeout={"connect": 1.0, "read": 0.3}))
    assert outcome.status == "ok", outcome.message
    assert fault.hits == 1 + times
    assert snapshot(sqlite_store) == clean_store
    if kind != "expire_tokens":
        assert outcome.collections["users"].retries == 2
    else:  # a token that expires mid-run is renewed once, with no retry needed
        assert outcome.collections["users"].retries == 0
        assert sum(1 for p in server.paths("/oauth/token")) == 2


def test_a_persistent_failure_keeps_committed_pages_and_the_next_run_resumes(sqlite_store, server, clean_store):
    fake_or.OneRosterFake(server, fake_or.district(students=10))
    server.fault("status", match="results?sort=sourcedId&orderBy=asc&offset=21", status=500, times=100)
    source = oneroster(server.url, concurrency=1)
    failed = sync(sqlite_store, source)
    assert failed.status == "failed" and "HTTP 500" in failed.message
    assert len(ids(sqlite_store, "results")) == 21  # the three pages before the failing one are committed
    assert len(ids(sqlite_store, "users")) == 14  # and every collection before it
    server.faults.clear()
    before = len(server.log)
    resumed = sync(sqlite_store, source)
    assert resumed.status == "ok", resumed.message
    asked = [r for r in server.log[before:] if "/v1p2/" in r.path]
    assert [r.path.rsplit("/", 1)[-1] for r in asked] == ["results"] * len(asked)  # finished ones skipped
    assert asked[0].arg("offset") == "21"  # resumed at the saved position, not from the start
    assert snapshot(sqlite_store) == clean_store


def test_records_changing_between_pages_are_not_lost(sqlite_store, server):
    """Ed-Fi: records change mid-pull and leave the cycle's change window, shifting the later
    pages; the boundary re-read catches what moved, the next pull brings what changed, and the
    records that referred to a changed record go in with it."""
    fake = fake_edfi.EdFiFake(server, fake_edfi.district(students=24))
    changed = []

    def mid_pull(request, count):
        if request.path.endswith("/students") and request.arg("offset") == "8" and not changed:
            for i in range(3):
                fake.modify("students", i, firstName="Changed")
                changed.append(i)

    server.on_request(mid_pull)
    source = edfi(server.url, concurrency=1)
    first = sync(sqlite_store, source)
    assert first.status in ("ok", "partial"), first.message
    assert any(r.arg("limit") != "4" for r in server.log if r.path.endswith("/students"))  # a re-read
    assert len(ids(sqlite_store, "users")) >= 21  # only the changed ones may wait for the next pull
    second = sync(sqlite_store, source)
    assert second.status == "ok"
    assert len(ids(sqlite_store, "users")) == 24 and len(ids(sqlite_store, "enrollments")) == 24
    users = snapshot(sqlite_store)["users"]
    assert sum(1 for row in users if "Changed" in row) == 3
    with sqlite_store.engine.connect() as conn:
        assert not conn.execute(sa.select(rejects).where(rejects.c.status == "pending")).first()


def test_records_deleted_between_pages_do_not_hide_their_neighbours(sqlite_store, server):
    fake = fake_or.OneRosterFake(server, fake_or.district(students=20))
    gone = []

    def mid_pull(request, count):
        if request.path.endswith("/users") and request.arg("offset") == "14" and not gone:
            for sid in sorted(fake.data["users"])[:4]:  # already listed: the rest shift down by 4
                fake.hard_delete("users", sid)
                gone.append(sid)

    server.on_request(mid_pull)
    outcome = sync(sqlite_store, oneroster(server.url, concurrency=1))
    assert outcome.status == "ok"
    assert set(fake.data["users"]) <= set(ids(sqlite_store, "users"))  # every remaining user is there
    rereads = [r.arg("offset") for r in server.log if r.path.endswith("/users") and int(r.arg("offset")) % 7]
    assert rereads[0] == "10"  # 4 left before offset 14: the window 10-17 was read again


def test_an_expired_token_mid_run_is_renewed_once(sqlite_store, server):
    fake_edfi.EdFiFake(server, fake_edfi.district(students=12))
    server.fault("expire_tokens", match="/students", skip=1)
    outcome = sync(sqlite_store, edfi(server.url))
    assert outcome.status == "ok", outcome.message
    assert len(server.paths("/oauth/token")) == 2
    assert len(ids(sqlite_store, "users")) == 12
