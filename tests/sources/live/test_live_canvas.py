"""Canvas against the fake: per-course pulls, outcomes as evidence, the leaky-bucket rate limit."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from live.helpers import canvas, ids, snapshot, sync

from cbe_bridge.store.schema import CANONICAL
from fakes import canvas as fake_canvas


def test_pulls_courses_then_each_courses_collections(sqlite_store, server):
    fake_canvas.CanvasFake(server, fake_canvas.district(courses=3, students=12))
    outcome = sync(sqlite_store, canvas(server.url))
    assert outcome.status == "ok", outcome.message
    assert ids(sqlite_store, "courses") == ["100", "101", "102"]
    assert "section:200" in ids(sqlite_store, "classes") and "100" in ids(sqlite_store, "classes")
    assert len(ids(sqlite_store, "users")) == 12
    assert outcome.collections["submissions/101"].complete
    with sqlite_store.engine.connect() as conn:
        ro = CANONICAL["result_objectives"]
        outcome_scores = conn.execute(sa.select(ro.c.objective_id).where(ro.c.objective_source == "canvas")).scalars().all()
        grade = conn.execute(sa.select(CANONICAL["course_grades"])).mappings().first()
    assert set(outcome_scores) == {"500", "501", "502"}  # outcome results: direct evidence
    assert grade["grade_type"] == "current" and grade["letter"] == "B"
    assert "outcome_rollups" not in str(server.paths())  # off by default: the engine rolls up itself


def test_a_second_pull_changes_nothing_and_a_removed_enrollment_goes(sqlite_store, server):
    data = fake_canvas.district(courses=2, students=6)
    fake_canvas.CanvasFake(server, data)
    source = canvas(server.url)
    sync(sqlite_store, source)
    again = sync(sqlite_store, source)
    assert sum(c.changed for c in again.counts.values()) == 0
    removed = data["per_course"][100]["enrollments"].pop(0)
    third = sync(sqlite_store, source)
    assert third.counts["enrollments"].deleted == 1
    assert third.counts["course_grades"].deleted == 1
    assert str(removed["id"]) not in ids(sqlite_store, "enrollments")


def test_the_rate_limit_slows_the_sync_down_instead_of_failing_it(sqlite_store, server):
    fake_canvas.CanvasFake(server, fake_canvas.district(courses=2, students=6),
                             capacity=60.0, leak=200.0, cost=15.0)
    outcome = sync(sqlite_store, canvas(server.url, low_water=45.0, max_delay=0.05, overflow_pause=0.05,
                                        concurrency=4, retries={"attempts": 12, "backoff": 0.01}))
    assert outcome.status == "ok", outcome.message
    assert len(ids(sqlite_store, "enrollments")) == 9


def test_overflowing_the_bucket_is_waited_out(sqlite_store, server):
    fake_canvas.CanvasFake(server, fake_canvas.district(courses=1, students=4))
    over = server.fault("status", match="/enrollments", status=403, times=2, body=b"403 Forbidden (Rate Limit Exceeded)")
    outcome = sync(sqlite_store, canvas(server.url, max_delay=0.05, overflow_pause=0.05))
    assert outcome.status == "ok", outcome.message
    assert over.hits == 2  # the server said "Rate Limit Exceeded" twice ...
    assert outcome.collections["enrollments/100"].retries == 2  # ... and was waited out
    assert len(ids(sqlite_store, "enrollments")) == 4


def test_chosen_courses_and_rollups(sqlite_store, server):
    fake_canvas.CanvasFake(server, fake_canvas.district(courses=3, students=6))
    outcome = sync(sqlite_store, canvas(server.url, course_ids=["101"],
                                        streams=["courses", "users", "enrollments", "outcome_rollups"]))
    assert outcome.status == "ok", outcome.message
    assert ids(sqlite_store, "courses") == ["101"]
    assert not any("/courses/100" in p for p in server.paths())
    assert any(r.startswith("rollup:101:") for r in ids(sqlite_store, "results"))


def test_the_token_never_appears_in_logs_or_the_store(sqlite_store, server, caplog):
    fake_canvas.CanvasFake(server, fake_canvas.district(courses=1, students=2))
    server.fault("status", match="/enrollments", status=500)
    with caplog.at_level(logging.DEBUG):
        sync(sqlite_store, canvas(server.url))
    assert "canvas-token-123456" not in caplog.text
    assert "canvas-token-123456" not in str(snapshot(sqlite_store))
    with open(sqlite_store.engine.url.database, "rb") as handle:
        assert b"canvas-token-123456" not in handle.read()
