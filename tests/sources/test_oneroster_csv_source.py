"""The OneRoster CSV source end to end into the store: good data, bad data, deltas, zips."""

from __future__ import annotations

import json
import zipfile

import pytest
import sqlalchemy as sa
from bundle_fixtures import HEADERS, ROWS, make_bundle

from cbe_bridge.sources.oneroster_csv import OneRosterCsvSource
from cbe_bridge.store.schema import CANONICAL, rejects
from cbe_bridge.sync import sync_sources


@pytest.fixture(autouse=True, params=["row-reader", "sql-staging", "sql-staging-in-parts"])
def reader_path(request, monkeypatch):
    """Every test runs through both readers: row by row, and the SQL bulk path (SQLite), the
    latter also with the larger files (users, classes, line items, results: few enough to be
    attached in two parts each) read in parts side by side."""
    from cbe_bridge.sources.oneroster_csv import preload, sql_stage

    in_parts = request.param == "sql-staging-in-parts"
    monkeypatch.setattr(sql_stage, "SQL_STAGING_FROM",
                        {"row-reader": 10**12, "sql-staging": 0, "sql-staging-in-parts": 200}[request.param])
    monkeypatch.setattr(preload, "SPLIT_FROM", 0 if in_parts else 10**12)
    return request.param


def run(store, path, **kw):
    (outcome,) = sync_sources(store, [OneRosterCsvSource("sis", path)], **kw)
    return outcome


def ids(store, entity):
    t = CANONICAL[entity]
    with store.engine.connect() as conn:
        return sorted(r[0] for r in conn.execute(sa.select(t.c.source_id)))


def pending(store):
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(
            sa.select(rejects.c.location, rejects.c.field, rejects.c.reason, rejects.c.record_id)
            .where(rejects.c.status == "pending").order_by(rejects.c.id)).mappings()]


def test_loads_a_bundle_and_resync_changes_nothing(store, tmp_path):
    bundle = make_bundle(tmp_path / "b")
    first = run(store, bundle)
    assert first.status == "ok"
    assert first.counts["results"].inserted == 2
    assert ids(store, "users") == ["u1", "u2"]
    with store.engine.connect() as conn:
        course = conn.execute(sa.select(CANONICAL["courses"])).mappings().one()
    assert course["sced_code"] == "02052"
    again = run(store, bundle)  # unchanged files are skipped by their fingerprint
    assert all(c.received == 0 for c in again.counts.values())
    full = run(store, bundle, full=True)  # read again: every row unchanged
    assert full.counts["results"].unchanged == 2
    assert sum(c.changed for c in full.counts.values()) == 0


def test_passwords_are_never_stored(sqlite_store, tmp_path):
    run(sqlite_store, make_bundle(tmp_path / "b"))
    assert "password" not in CANONICAL["users"].c
    raw = (tmp_path / "test.db").read_bytes()
    assert b"pw" not in raw.replace(b"pwd", b"")


def test_bad_rows_are_rejected_with_file_line_field_and_the_rest_go_in(store, tmp_path):
    results = ROWS["results.csv"] + [
        ["r3", "", "", "li1", "u1", "fully graded", "abc", "2025-01-17", "", "", "k1"],  # not a number
        ["r4", "", "", "li1", "u1", "fully graded", "80", "2025-02-30", "", "", "k1"],  # no such date
        ["r5", "", "", "li1", "ghost", "fully graded", "80", "2025-01-17", "", "", "k1"],  # unknown student
        ["r1", "", "", "li1", "u2", "fully graded", "50", "2025-01-17", "", "", "k1"],  # duplicate id
        ["r6", "", "", "li1", "u2", "", "70", "2025-01-17", "", "", "k1"],  # missing required value
    ]
    outcome = run(store, make_bundle(tmp_path / "b", rows={"results.csv": results}))
    assert outcome.status == "partial"
    assert ids(store, "results") == ["r1", "r2"]
    found = {r["record_id"]: r for r in pending(store)}
    assert found["r3"]["location"] == "results.csv line 4" and found["r3"]["field"] == "score"
    assert "expected a number" in found["r3"]["reason"]
    assert found["r4"]["field"] == "scoreDate"
    assert found["r5"]["field"] == "student_id" and "unknown reference" in found["r5"]["reason"]
    assert "duplicate id: first given at line 2" in found["r1"]["reason"]
    assert found["r6"]["field"] == "scoreStatus"
    assert outcome.counts["results"].rejected == 5
    # no personal data in the messages the user sees
    assert not any("Ann" in r["reason"] or "Lee" in r["reason"] for r in pending(store))


NUMBERS = {"n1": ("81.4", 81.4), "n2": ("5.", 5.0), "n3": (".5", 0.5), "n4": ("+2", 2.0), "n5": ("-1.5", -1.5),
           "n6": ("1e3", 1000.0), "n7": (" 7 ", 7.0), "n8": ("1.2.3", None), "n9": (".", None),
           "n10": ("abc", None), "n11": ("0x10", None), "n12": ("1_000", None), "n13": ("nan", None),
           "n14": ("7 7", None)}
DATES = {"d1": "2024-02-29", "d2": " 2024-03-11 ", "d3": "2023-02-29", "d4": "2024-02-30", "d5": "2024-3-11",
         "d6": "20240311", "d7": "0000-01-01", "d8": "2024-03-11T00:00", "d9": "-001-01-01", "d10": "2024-13-01"}


def test_every_reader_reads_numbers_and_dates_alike(store, tmp_path):
    # The SQL path settles common values on a shortcut before its full test: it must agree
    # with the row reader on every value, plain or not.
    results = [[i, "", "", "li1", "u1", "fully graded", text, "2025-01-17", "", "", "k1"]
               for i, (text, _) in NUMBERS.items()]
    results += [[i, "", "", "li1", "u1", "fully graded", "50", text, "", "", "k1"] for i, text in DATES.items()]
    run(store, make_bundle(tmp_path / "b", rows={"results.csv": results}))
    with store.engine.connect() as conn:
        t = CANONICAL["results"]
        stored = dict(conn.execute(sa.select(t.c.source_id, t.c.score)).all())
        dates = dict(conn.execute(sa.select(t.c.source_id, t.c.score_date)).all())
    assert {i: stored.get(i) for i in NUMBERS} == {i: value for i, (_, value) in NUMBERS.items()}
    assert {i: dates.get(i) for i in DATES} == {"d1": "2024-02-29", "d2": "2024-03-11", **dict.fromkeys(
        ["d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10"])}
    refused = {r["record_id"]: r["field"] for r in pending(store)}
    assert refused == {**dict.fromkeys(["n8", "n9", "n10", "n11", "n12", "n13", "n14"], "score"),
                       **dict.fromkeys(["d3", "d4", "d5", "d6", "d7", "d8", "d9", "d10"], "scoreDate")}


def test_every_reader_reads_whole_numbers_alike(store, tmp_path):
    years = {"t1": ("2025", 2025), "t2": (" 2025 ", 2025), "t3": ("+2025", 2025), "t4": ("2025.0", None),
             "t5": ("20x5", None), "t6": ("-", None)}
    sessions = [[i, "", "", f"Term {i}", "semester", "2024-08-26", "2025-01-17", "", text]
                for i, (text, _) in years.items()]
    run(store, make_bundle(tmp_path / "b", rows={"academicSessions.csv": sessions}))
    with store.engine.connect() as conn:
        t = CANONICAL["academic_sessions"]
        stored = dict(conn.execute(sa.select(t.c.source_id, t.c.school_year)).all())
    assert {i: stored.get(i) for i in years} == {i: value for i, (_, value) in years.items()}
    assert {r["record_id"]: r["field"] for r in pending(store)} == dict.fromkeys(["t4", "t5", "t6"], "schoolYear")


def test_a_duplicate_whose_first_row_is_refused_for_its_reference_goes_in(store, tmp_path):
    # References are checked before duplicates: no good record is lost to a refused one.
    results = ROWS["results.csv"] + [
        ["r7", "", "", "li1", "ghost", "fully graded", "80", "2025-01-17", "", "", "k1"],  # unknown student
        ["r7", "", "", "li1", "u2", "fully graded", "60", "2025-01-17", "", "", "k1"],  # same id, good
        ["r8", "", "", "li1", "u1", "fully graded", "90", "2025-01-17", "", "", "k1"],
        ["r8", "", "", "li1", "u2", "fully graded", "91", "2025-01-17", "", "", "k1"],  # duplicate id
        ["r8", "", "", "li1", "u2", "fully graded", "92", "2025-01-17", "", "", "k1"],  # and again
    ]
    outcome = run(store, make_bundle(tmp_path / "b", rows={"results.csv": results}))
    assert ids(store, "results") == ["r1", "r2", "r7", "r8"]
    with store.engine.connect() as conn:
        t = CANONICAL["results"]
        scores = dict(conn.execute(sa.select(t.c.source_id, t.c.score)).all())
    assert scores["r7"] == 60 and scores["r8"] == 90  # the first good row of each id
    found = [(r["record_id"], r["location"], r["field"], r["reason"]) for r in pending(store)]
    assert sorted(found) == [
        ("r7", "results.csv line 4", "student_id", "unknown reference: no users record with that id"),
        ("r8", "results.csv line 7", "sourcedId", "duplicate id: first given at line 6"),
        ("r8", "results.csv line 8", "sourcedId", "duplicate id: first given at line 6"),
    ]
    assert outcome.counts["results"].rejected == 3 and outcome.counts["results"].inserted == 4


def test_a_later_row_of_an_id_that_went_in_is_refused_for_its_reference_not_as_a_duplicate(store, tmp_path):
    # References before duplicates, whichever row of an id is refused (every reader path).
    results = ROWS["results.csv"] + [
        ["r7", "", "", "li1", "u2", "fully graded", "60", "2025-01-17", "", "", "k1"],
        ["r7", "", "", "li1", "ghost", "fully graded", "80", "2025-01-17", "", "", "k1"],  # unknown student
        ["r9", "", "", "nowhere", "u1", "fully graded", "70", "2025-01-17", "", "", "k1"],  # unknown line item
        ["r10", "", "", "nowhere", "ghost", "fully graded", "70", "2025-01-17", "", "", "k1"],  # both unknown
    ]
    outcome = run(store, make_bundle(tmp_path / "b", rows={"results.csv": results}))
    assert ids(store, "results") == ["r1", "r2", "r7"]
    found = sorted((r["record_id"], r["location"], r["field"], r["reason"]) for r in pending(store))
    assert found == [  # one reject a row, naming its first unknown reference
        ("r10", "results.csv line 7", "line_item_id", "unknown reference: no line_items record with that id"),
        ("r7", "results.csv line 5", "student_id", "unknown reference: no users record with that id"),
        ("r9", "results.csv line 6", "line_item_id", "unknown reference: no line_items record with that id"),
    ]
    assert outcome.counts["results"].rejected == 3 and outcome.counts["results"].inserted == 3


@pytest.mark.parametrize("bad_line", ['r9,,,li1,u1,"fully graded"x,91,2025-01-17,,A-,k1',  # malformed
                                      "r9,,,li1,u1,fully graded,91,2025-01-17,,A-,k1,stray"])  # a cell too many
def test_a_bad_csv_row_is_rejected_and_the_rows_after_it_go_in(store, tmp_path, bad_line):
    bundle = make_bundle(tmp_path / "b")
    with open(bundle / "results.csv", "a", encoding="utf-8") as handle:
        handle.write(bad_line + "\nr10,,,li1,u2,fully graded,75,2025-01-17,,C,k1\n")
    outcome = run(store, bundle)
    assert outcome.status == "partial"
    assert ids(store, "results") == ["r1", "r10", "r2"]
    with store.engine.connect() as conn:
        (found,) = conn.execute(sa.select(rejects).where(rejects.c.status == "pending")).mappings()
    assert found["location"] == "results.csv line 4"
    if bad_line.endswith("stray"):  # kept whole, every cell, for whoever corrects it
        assert found["reason"] == "12 cells where the header has 11" and found["record_id"] == "r9"
        raw = json.loads(found["raw"])
        assert raw["sourcedId"] == "r9" and raw["classSourcedId"] == "k1" and raw["_extra_cells"] == ["stray"]
    else:
        assert found["reason"].startswith("malformed CSV:")


def test_lists_are_stored_alike_by_both_readers(store, tmp_path):
    users = [list(r) for r in ROWS["users.csv"]]
    header = HEADERS["users.csv"]
    users[0][header.index("grades")] = " 09 ,  10,11 "
    users[0][header.index("userIds")] = "{SIS:1}  ,  {state:22}"
    run(store, make_bundle(tmp_path / "b", rows={"users.csv": users}))
    t = CANONICAL["users"]
    with store.engine.connect() as conn:
        grades, user_ids = conn.execute(sa.select(t.c.grades, t.c.user_ids).where(t.c.source_id == "u1")).one()
    assert grades == "09,10,11" and user_ids == "{SIS:1},{state:22}"


def test_files_read_ahead_leave_no_scratch_files_and_no_attached_databases(sqlite_store, tmp_path, monkeypatch,
                                                                           reader_path):
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(kw.get("prefix")) or real_mkdtemp(**kw))
    for _ in range(2):  # the second sync reuses the pooled connection of the first
        outcome = run(sqlite_store, make_bundle(tmp_path / "b"), full=True)
        assert outcome.status == "ok" and outcome.counts["results"].received == 2
    assert made == (["cbe-bridge-load-"] * 2 if reader_path != "row-reader" else [])
    assert list(scratch.iterdir()) == []
    with sqlite_store.engine.connect() as conn:
        names = [row[1] for row in conn.exec_driver_sql("PRAGMA database_list")]
    assert not [n for n in names if n.startswith("preload_")]
    assert ids(sqlite_store, "results") == ["r1", "r2"]


def test_a_first_load_keeps_the_tables_indexes(sqlite_store, tmp_path):
    run(sqlite_store, make_bundle(tmp_path / "b"))
    with sqlite_store.engine.connect() as conn:
        names = {index["name"] for index in sa.inspect(conn).get_indexes("results")}
    assert "ix_results_student" in names


def test_missing_required_column_rejects_the_file_and_keeps_the_rest(store, tmp_path):
    bundle = make_bundle(tmp_path / "b")
    header = [h for h in HEADERS["courses.csv"] if h != "title"]
    from conftest import write_csv
    write_csv(bundle / "courses.csv", header, [["c1", "", "", "", "ALG1", "09", "o1", "", ""]])
    outcome = run(store, bundle)
    (problem,) = [r for r in pending(store) if r["location"].startswith("courses.csv")]
    assert problem["reason"] == "missing required column(s): title"
    assert ids(store, "users") == ["u1", "u2"]
    assert outcome.status == "partial"


def test_bom_and_wrong_encoding(store, tmp_path):
    bundle = make_bundle(tmp_path / "b")
    users = (bundle / "users.csv").read_bytes()
    (bundle / "users.csv").write_bytes(b"\xef\xbb\xbf" + users.replace(b"Diaz", b"D\xedaz"))  # BOM + latin-1 byte
    run(store, bundle)
    assert ids(store, "users") == ["u1"]
    (problem,) = [r for r in pending(store) if r["location"].startswith("users.csv")]
    assert problem["location"] == "users.csv line 3" and "not valid utf-8" in problem["reason"]
    assert problem["field"] == "familyName"


def test_every_refused_row_is_kept_with_its_record_id_and_cells(store, tmp_path):
    """Whatever the reason and the reader, a refused row's cells are kept for whoever corrects it."""
    run(store, make_bundle(tmp_path / "b1"))
    delta = [["r7", "deleted", "2025-02-01T00:00:00Z", "li1", "u2", "fully graded", "88", "2025-01-17", "", "B+",
              "k1"]]
    run(store, make_bundle(tmp_path / "b2", rows={"results.csv": delta}, manifest={"file.results": "delta"}))
    bundle = make_bundle(tmp_path / "b3")
    users = (bundle / "users.csv").read_bytes()
    (bundle / "users.csv").write_bytes(users.replace(b"Diaz", b"D\xedaz"))
    run(store, bundle)
    with store.engine.connect() as conn:
        kept = {r["field"]: r for r in conn.execute(sa.select(rejects)).mappings()}
    assert kept["status"]["record_id"] == "r7" and json.loads(kept["status"]["raw"])["status"] == "deleted"
    assert kept["familyName"]["record_id"] == "u2"
    assert json.loads(kept["familyName"]["raw"])["sourcedId"] == "u2"


def test_declared_encoding_reads_cp1252(store, tmp_path):
    bundle = make_bundle(tmp_path / "b")
    users = (bundle / "users.csv").read_bytes()
    (bundle / "users.csv").write_bytes(users.replace(b"Diaz", b"D\xedaz"))
    (outcome,) = sync_sources(store, [OneRosterCsvSource("sis", bundle, encoding="cp1252")])
    assert outcome.status == "ok"
    with store.engine.connect() as conn:
        names = {r[0] for r in conn.execute(sa.select(CANONICAL["users"].c.family_name))}
    assert "Díaz" in names


def test_bulk_omission_deletes_and_delta_tobedeleted_deletes(store, tmp_path):
    run(store, make_bundle(tmp_path / "b1"))
    run(store, make_bundle(tmp_path / "b2", rows={"results.csv": ROWS["results.csv"][:1]}))
    assert ids(store, "results") == ["r1"]
    delta = [["r1", "tobedeleted", "2025-02-01T00:00:00Z", "", "", "", "", "", "", "", ""],
             ["r7", "active", "2025-02-01T00:00:00Z", "li1", "u2", "fully graded", "88", "2025-01-17", "", "B+",
              "k1"]]
    outcome = run(store, make_bundle(tmp_path / "b3", rows={"results.csv": delta},
                                     manifest={"file.results": "delta"}))
    assert ids(store, "results") == ["r7"]
    assert outcome.counts["results"].deleted == 1 and outcome.counts["results"].inserted == 1


def test_delta_reference_reject_is_retried_when_the_parent_arrives(store, tmp_path):
    run(store, make_bundle(tmp_path / "b1"))
    late = [["r8", "active", "2025-02-01T00:00:00Z", "li1", "u3", "fully graded", "88", "2025-01-17", "", "", "k1"]]
    run(store, make_bundle(tmp_path / "b2", rows={"results.csv": late}, manifest={"file.results": "delta"}))
    assert [r["record_id"] for r in pending(store)] == ["r8"]
    users = ROWS["users.csv"] + [["u3", "", "", "true", "cy", "", "Cy", "Ng", "", "S003", "", "", "", "", "09", "",
                                  "", "", "", "", "", "o1", ""]]
    outcome = run(store, make_bundle(tmp_path / "b3", rows={"users.csv": users, "results.csv": []},
                                     manifest={"file.results": "delta"}))
    assert "r8" in ids(store, "results")
    assert outcome.counts["results"].retried == 1
    assert pending(store) == []


def test_dry_run_counts_what_a_real_run_changes_and_writes_nothing(store, tmp_path):
    bundle = make_bundle(tmp_path / "b")
    dry = run(store, bundle, dry_run=True)
    assert dry.status == "dry-run" and ids(store, "users") == []
    real = run(store, bundle)
    assert {k: c.as_dict() for k, c in dry.counts.items()} == {k: c.as_dict() for k, c in real.counts.items()}


def test_zip_bundle_with_a_wrapping_folder(store, tmp_path):
    folder = make_bundle(tmp_path / "b")
    archive = tmp_path / "bundle.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in folder.iterdir():
            zf.write(path, f"export-2025/{path.name}")
    assert run(store, archive).status == "ok"
    assert ids(store, "results") == ["r1", "r2"]


def test_zip_never_extracts_and_refuses_a_bomb(sqlite_store, tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("../../escape.csv", "x")
        zf.writestr("users.csv", "sourcedId," + "a" * 5_000_000)
    outcome = run(sqlite_store, archive)
    assert outcome.status == "failed" and "zip bomb" in outcome.message
    assert not (tmp_path.parent / "escape.csv").exists()


def test_a_bundle_that_is_not_there_fails_clearly(sqlite_store, tmp_path):
    outcome = run(sqlite_store, tmp_path / "missing")
    assert outcome.status == "failed" and "no OneRoster bundle" in outcome.message


def test_oneroster_1_1_bundle(store, tmp_path):
    folder = tmp_path / "b11"
    from conftest import write_csv
    write_csv(folder / "manifest.csv", ["propertyName", "value"],
              [["manifest.version", "1.0"], ["oneroster.version", "1.1"], ["file.orgs", "bulk"],
               ["file.users", "bulk"]])
    write_csv(folder / "orgs.csv", HEADERS["orgs.csv"], ROWS["orgs.csv"])
    write_csv(folder / "users.csv",
              ["sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
               "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
               "agentSourcedIds", "grades", "password"],
              [["u1", "", "", "true", "o1", "student", "ann", "", "Ann", "Lee", "", "S001", "", "", "", "", "09", ""]])
    assert run(store, folder).status == "ok"
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(CANONICAL["users"].c.role)).scalar() == "student"


@pytest.mark.parametrize("bad", ["2.0", ""])
def test_manifest_with_an_unknown_version_fails(sqlite_store, tmp_path, bad):
    outcome = run(sqlite_store, make_bundle(tmp_path / "b", version=bad))
    assert outcome.status == "failed" and "oneroster.version" in outcome.message


def test_a_bad_value_about_a_person_is_never_repeated_in_the_message(store, tmp_path):
    from conftest import write_csv
    bundle = make_bundle(tmp_path / "b", manifest={"file.demographics": "bulk"})
    write_csv(bundle / "demographics.csv", ["sourcedId", "status", "dateLastModified", "birthDate", "sex"],
              [["u1", "", "", "2008-04-31", "female"], ["u2", "", "", "2008-05-01", "male"]])
    run(store, bundle)
    (problem,) = [r for r in pending(store) if r["location"].startswith("demographics.csv")]
    assert problem["field"] == "birthDate" and problem["location"] == "demographics.csv line 2"
    assert "2008" not in problem["reason"]
    assert ids(store, "demographics") == ["u2"]
