"""OneRoster REST against the fake provider: full and incremental pulls, deletions, auth, errors."""

from __future__ import annotations

import json

import sqlalchemy as sa
from conftest import standards_path
from live.helpers import ids, oneroster, snapshot, sync

from cbe_bridge.store.schema import CANONICAL, rejects, sync_runs
from fakes import oneroster as fake_or


def test_full_pull_loads_every_collection_and_never_stores_passwords(sqlite_store, server):
    fake_or.OneRosterFake(server, fake_or.district(students=30))
    outcome = sync(sqlite_store, oneroster(server.url))
    assert outcome.status == "ok", outcome.message
    assert len(ids(sqlite_store, "users")) == 34
    assert outcome.counts["results"].inserted == 120
    assert outcome.counts["result_objectives"].inserted == 120  # 1.2 learning-objective results
    assert outcome.counts["score_scales"].inserted == 1
    assert outcome.collections["users"].fetched == 34 and outcome.collections["users"].pages == 5
    with sqlite_store.engine.connect() as conn:
        scale = conn.execute(sa.select(CANONICAL["score_scales"].c.scale_values)).scalar()
        student = conn.execute(sa.select(CANONICAL["users"]).where(CANONICAL["users"].c.source_id == "stu00000")
                               ).mappings().one()
    assert scale == "{1:1},{2:2},{3:3},{4:4}"
    assert student["role"] == "student" and student["primary_org_id"] == "org1"
    raw = sqlite_store.engine.url.database
    with open(raw, "rb") as handle:
        assert b"secret-pw" not in handle.read()  # passwords are never stored


def test_incremental_pull_asks_for_changes_only_and_applies_them(store, server):
    fake = fake_or.OneRosterFake(server, fake_or.district(students=12))
    source = oneroster(server.url)
    sync(store, source)
    before = len(server.log)
    again = sync(store, source)
    assert sum(c.changed for c in again.counts.values()) == 0
    listing = [r for r in server.log[before:] if "/v1p2/" in r.path]
    assert listing and all("dateLastModified>=" in (r.arg("filter") or "") for r in listing)
    fake.modify("users", "stu00001", familyName="Renamed")
    fake.soft_delete("enrollments", "enr00002_0")
    record = fake.data["results"]["res00003_3_0"]
    fake.modify("results", "res00003_3_0", learningObjectiveSet=[])  # its objective score withdrawn
    third = sync(store, source)
    assert third.counts["users"].updated == 1
    assert third.counts["enrollments"].deleted == 1
    assert third.counts["result_objectives"].deleted == 1
    assert "enr00002_0" not in ids(store, "enrollments")
    assert record["sourcedId"] + "#case#LO3.0" not in ids(store, "result_objectives")
    with store.engine.connect() as conn:
        name = conn.execute(sa.select(CANONICAL["users"].c.family_name)
                            .where(CANONICAL["users"].c.source_id == "stu00001")).scalar()
    assert name == "Renamed"


def test_deleting_a_result_deletes_its_objective_scores(sqlite_store, server):
    fake = fake_or.OneRosterFake(server, fake_or.district(students=5))
    source = oneroster(server.url)
    sync(sqlite_store, source)
    fake.soft_delete("results", "res00000_0_0")
    outcome = sync(sqlite_store, source)
    assert outcome.counts["results"].deleted == 1
    assert outcome.counts["result_objectives"].deleted == 1
    assert outcome.counts["result_score_scales"].deleted == 1


def test_full_resync_deletes_records_the_provider_no_longer_lists(store, server):
    fake = fake_or.OneRosterFake(server, fake_or.district(students=8))
    source = oneroster(server.url)
    sync(store, source)
    fake.hard_delete("enrollments", "enr00004_1")  # gone without a tombstone
    outcome = sync(store, source, full=True)
    assert outcome.status == "ok"
    assert outcome.counts["enrollments"].deleted == 1
    assert outcome.counts["users"].changed == 0
    assert "enr00004_1" not in ids(store, "enrollments")


def test_oneroster_1_1_with_oauth1_hmac_sha256_signing(sqlite_store, server, monkeypatch):
    monkeypatch.setenv("OR_KEY", "consumer-key")
    monkeypatch.setenv("OR_SECRET", "consumer-secret-1")
    data = fake_or.district(students=6, objectives=False)
    for records in data.values():  # a 1.1 provider has no score scales
        for record in records.values():
            record.pop("scoreScale", None)
    fake_or.OneRosterFake(server, data, version="1.1", oauth1=("consumer-key", "consumer-secret-1"))
    source = oneroster(server.url, version="1.1", auth={
        "method": "oauth1", "consumer_key": {"env": "OR_KEY"}, "consumer_secret": {"env": "OR_SECRET"}})
    outcome = sync(sqlite_store, source)
    assert outcome.status == "ok", outcome.message
    assert len(ids(sqlite_store, "users")) == 10
    assert not any("scoreScales" in p for p in server.paths())  # 1.2 only: never asked of a 1.1 server
    monkeypatch.setenv("OR_SECRET", "wrong-secret")
    failed = sync(sqlite_store, oneroster(server.url, version="1.1", auth={
        "method": "oauth1", "consumer_key": {"env": "OR_KEY"}, "consumer_secret": {"env": "OR_SECRET"}}))
    assert failed.status == "failed" and "401" in failed.message
    assert "wrong-secret" not in failed.message


def test_imsx_status_info_is_surfaced(sqlite_store, server):
    fake_or.OneRosterFake(server, fake_or.district(students=2))
    server.fault("status", match="/classes", status=400, body={
        "imsx_codeMajor": "failure", "imsx_severity": "error", "imsx_description": "Invalid filter field",
        "imsx_CodeMinor": {"imsx_codeMinorField": [{"imsx_codeMinorFieldName": "filter",
                                                    "imsx_codeMinorFieldValue": "invalid_filter_field"}]}})
    outcome = sync(sqlite_store, oneroster(server.url))
    assert outcome.status == "failed"
    assert "Invalid filter field" in outcome.message and "invalid_filter_field" in outcome.message
    assert ids(sqlite_store, "courses")  # what came before the failure is kept


def test_a_server_capping_page_size_is_followed(sqlite_store, server):
    fake_or.OneRosterFake(server, fake_or.district(students=20), max_limit=3)
    outcome = sync(sqlite_store, oneroster(server.url, page_size=10))
    assert outcome.status == "ok"
    assert len(ids(sqlite_store, "users")) == 24


def test_a_server_ignoring_offset_is_refused_not_looped(sqlite_store, server):
    fake = fake_or.OneRosterFake(server, fake_or.district(students=20))
    fake.ignore_offset = True
    outcome = sync(sqlite_store, oneroster(server.url))
    assert outcome.status == "failed"
    assert "repeats the page before it" in outcome.message
    assert len(server.log) < 40


def test_rejected_records_are_kept_and_the_rest_go_in(sqlite_store, server):
    data = fake_or.district(students=4)
    data["enrollments"]["enr-bad"] = {"sourcedId": "enr-bad", "status": "active", "dateLastModified": "2024-09-01",
                                      "class": {"sourcedId": "nope"}, "user": {"sourcedId": "stu00000"},
                                      "role": "student"}
    data["users"]["no-id"] = {"sourcedId": "", "status": "active"}
    fake_or.OneRosterFake(server, data)
    outcome = sync(sqlite_store, oneroster(server.url))
    assert outcome.status == "partial"
    with sqlite_store.engine.connect() as conn:
        found = {(r.entity, r.field) for r in conn.execute(sa.select(rejects))}
    assert ("enrollments", "class_id") in found and ("users", None) in found
    assert len(ids(sqlite_store, "enrollments")) == 8


def test_the_run_summary_is_stored_per_collection(sqlite_store, server):
    fake_or.OneRosterFake(server, fake_or.district(students=3))
    server.fault("status", match="/users", status=503, retry_after="0")
    sync(sqlite_store, oneroster(server.url))
    with sqlite_store.engine.connect() as conn:
        counts = json.loads(conn.execute(sa.select(sync_runs.c.counts)).scalar())
    users = counts["_collections"]["users"]
    assert users["fetched"] == 7 and users["retries"] == 1 and users["complete"] is True
    assert {"inserted", "updated", "deleted", "rejected", "seconds"} <= set(users)
    assert counts["users"]["inserted"] == 7


def test_oneroster_1_1_rest_samples_from_the_standards(sqlite_store, server):
    folder = standards_path("oneroster", "v1p1", "rest-samples", "1574845678")
    data = fake_or.from_samples(folder)
    fake_or.OneRosterFake(server, data, version="1.1")
    outcome = sync(sqlite_store, oneroster(server.url, version="1.1", page_size=100, concurrency=4))
    assert outcome.status in ("ok", "partial"), outcome.message
    for collection, entity in (("orgs", "orgs"), ("academicSessions", "academic_sessions"), ("users", "users"),
                               ("courses", "courses"), ("classes", "classes"), ("demographics", "demographics")):
        assert outcome.collections[collection].fetched == len(data[collection])
        stored = len(ids(sqlite_store, entity))
        assert stored + outcome.counts[entity].rejected == len(data[collection]), collection
    assert snapshot(sqlite_store)["users"]
