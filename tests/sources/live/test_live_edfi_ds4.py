"""Ed-Fi Data Standard 4 gradebook resources and grades against the fake's DS 4 mode: ids of their
own, line items with their learning standards, results linked to them, grades with their learning
standard grades on a per-period line item, deletions by ``keyValues``; DS 5 ids as they were."""

from __future__ import annotations

import sqlalchemy as sa
from live.helpers import edfi, ids, sync

from cbe_bridge.sources.edfi.resources import (
    entry_id,
    flat_grade,
    flat_gradebook_entry,
    flat_sgbe,
    grade_id,
    period_item_id,
    read_grade_id,
    student_entry_id,
)
from cbe_bridge.store.schema import CANONICAL
from fakes import edfi as fake_edfi

DS4 = "4.0.0"
SECTION = {"localCourseCode": "ALG-0", "schoolId": fake_edfi.SCHOOL, "schoolYear": fake_edfi.YEAR,
           "sessionName": fake_edfi.SESSION, "sectionIdentifier": "ALG-0-01"}
SECTION_KEYS = f"{fake_edfi.SCHOOL}|{fake_edfi.YEAR}|{fake_edfi.SESSION}|ALG-0|ALG-0-01"
QUIZ = f"gbe4:{SECTION_KEYS}|2024-09-10|Quiz 0"  # section ALG-0-01's quiz
FIRST = f"sgbe4:{SECTION_KEYS}|2024-09-10|Quiz 0|60400000|2024-08-26"  # student 60400000's entry for it
NS = fake_edfi.NS
# Student 60400000's grade in section ALG-0-01 for the first six weeks (period sequence 1), and the
# section's line item for that period and grade type, which carries the grades' standards results.
PERIOD_KEYS = f"{NS}GradingPeriodDescriptor#First Six Weeks|1|{fake_edfi.YEAR}|{NS}GradeTypeDescriptor#Grading Period"
GRADE = f"grade4:{SECTION_KEYS}|60400000|2024-08-26|{PERIOD_KEYS}"
PERIOD_ITEM = f"gp4:section:{SECTION_KEYS}|{PERIOD_KEYS}"


def ds4_fake(server, **kw) -> fake_edfi.EdFiFake:
    return fake_edfi.EdFiFake(server, fake_edfi.district(data_standard=4, **kw), data_model=DS4)


def rows(store, entity: str, prefix: str = "") -> dict[str, dict]:
    t = CANONICAL[entity]
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(t).where(t.c.source_id.startswith(prefix))).mappings()
        return {r["source_id"]: dict(r) for r in found}


def test_full_pull_stores_ds4_entries_as_line_items_and_results(sqlite_store, server):
    ds4_fake(server, students=6, sections=3)
    source = edfi(server.url)
    outcome = sync(sqlite_store, source)
    assert outcome.status == "ok", outcome.message
    assert outcome.rejected == 0 and source.data_model == DS4
    items = rows(sqlite_store, "line_items", "gbe")
    assert sorted(items) == [f"gbe4:{SECTION_KEYS.replace('ALG-0', f'ALG-{s}')}|2024-09-10|Quiz {s}" for s in range(3)]
    assert items[QUIZ]["title"] == "Quiz 0" and items[QUIZ]["assign_date"] == "2024-09-10"
    assert items[QUIZ]["class_id"] == f"section:{SECTION_KEYS}"
    # Learning standards land as the line items' objectives, as DS 5 ones do.
    objectives = {(o["line_item_id"], o["objective_source"], o["objective_id"])
                  for o in rows(sqlite_store, "line_item_objectives").values()}
    assert objectives == {(item, "edfi", f"LS{s}") for s, item in enumerate(sorted(items))}
    # Student entries are results on their entry's line item.
    results = rows(sqlite_store, "results", "sgbe")
    assert len(results) == 6 and all(r.startswith("sgbe4:") for r in results)
    assert {r["line_item_id"] for r in results.values()} == set(items)
    first = results[FIRST]
    assert (first["line_item_id"], first["student_id"], first["score"]) == (QUIZ, "60400000", 7.0)
    assert first["score_status"] == "fully graded" and first["score_date"] == "2024-09-12"


def test_incremental_pull_applies_ds4_deletes_to_the_right_records(sqlite_store, server):
    fake = ds4_fake(server, students=6, sections=3)
    # Section ALG-0-01 gives "Quiz 0" again on another day: another entry, told apart by its date.
    fake.upsert("gradebookEntries", {**fake_edfi.gradebook_entry(0, SECTION, data_standard=4),
                                     "dateAssigned": "2024-10-01"})
    source = edfi(server.url)
    sync(sqlite_store, source)
    again = f"gbe4:{SECTION_KEYS}|2024-10-01|Quiz 0"
    items, results = ids(sqlite_store, "line_items"), ids(sqlite_store, "results")
    assert again in items and QUIZ in items and FIRST in results
    fake.delete("gradebookEntries", 3)  # the second "Quiz 0"
    fake.delete("studentGradebookEntries", 0)  # student 60400000's entry for the first
    before = len(server.log)
    outcome = sync(sqlite_store, source)
    assert outcome.status == "ok", outcome.message
    asked = [r.path for r in server.log[before:]]
    assert any(p.endswith("/gradebookEntries/deletes") for p in asked)
    assert any(p.endswith("/studentGradebookEntries/deletes") for p in asked)
    assert ids(sqlite_store, "line_items") == sorted(set(items) - {again})
    assert ids(sqlite_store, "results") == sorted(set(results) - {FIRST})
    assert [o for o in ids(sqlite_store, "line_item_objectives") if o.startswith(again)] == []
    deleted = {e: c.deleted for e, c in outcome.counts.items() if c.deleted}
    assert deleted == {"line_items": 1, "line_item_objectives": 1, "results": 1}
    assert outcome.rejected == 0


def test_full_pull_stores_ds4_grades_with_their_standards_on_the_period_line_item(sqlite_store, server):
    ds4_fake(server, students=6, sections=3)
    outcome = sync(sqlite_store, edfi(server.url))
    assert outcome.status == "ok", outcome.message
    assert outcome.rejected == 0
    grades = rows(sqlite_store, "course_grades")
    assert len(grades) == 6 and all(g.startswith("grade4:") for g in grades)
    first = grades[GRADE]
    assert (first["student_id"], first["class_id"], first["grade_type"]) == ("60400000", f"section:{SECTION_KEYS}",
                                                                          "Grading Period")
    assert (first["letter"], first["percent"]) == ("A", 95.0)
    # One line item per section, grading period and grade type, titled for a reader.
    items = rows(sqlite_store, "line_items", "gp")
    assert sorted(items) == [PERIOD_ITEM.replace("ALG-0", f"ALG-{s}") for s in range(3)]
    assert items[PERIOD_ITEM]["title"] == "Grading Period First Six Weeks (grading period 1)"
    assert items[PERIOD_ITEM]["class_id"] == f"section:{SECTION_KEYS}"
    # The learning standard grades are results on it, with their standards as result objectives.
    results = rows(sqlite_store, "results", "grade")
    assert sorted(results) == sorted(grades)
    assert (results[GRADE]["line_item_id"], results[GRADE]["student_id"]) == (PERIOD_ITEM, "60400000")
    assert {r["line_item_id"] for r in results.values()} == set(items)
    objectives = rows(sqlite_store, "result_objectives", "grade")
    assert len(objectives) == 6
    standard = objectives[f"{GRADE}#LS0"]
    assert (standard["result_id"], standard["objective_source"], standard["objective_id"], standard["score"]) == (
        GRADE, "edfi", "LS0", 1.0)


def test_incremental_pull_applies_a_ds4_grade_deletion_with_its_standards_results(sqlite_store, server):
    fake = ds4_fake(server, students=6, sections=3)
    source = edfi(server.url)
    sync(sqlite_store, source)
    assert GRADE in ids(sqlite_store, "course_grades") and GRADE in ids(sqlite_store, "results")
    fake.delete("grades", 0)  # student 60400000's grade
    gone = fake.deletes["grades"][-1]["keyValues"]
    assert gone["gradingPeriodSequence"] == 1 and "periodSequence" not in gone and "gradingPeriodName" not in gone
    before = len(server.log)
    outcome = sync(sqlite_store, source)
    assert outcome.status == "ok", outcome.message
    assert any(r.path.endswith("/grades/deletes") for r in server.log[before:])
    assert GRADE not in ids(sqlite_store, "course_grades") and GRADE not in ids(sqlite_store, "results")
    assert [o for o in ids(sqlite_store, "result_objectives") if o.startswith(GRADE)] == []
    deleted = {e: c.deleted for e, c in outcome.counts.items() if c.deleted}
    assert deleted == {"course_grades": 1, "results": 1, "result_objectives": 1}
    assert len(ids(sqlite_store, "course_grades")) == 5 and PERIOD_ITEM in ids(sqlite_store, "line_items")
    assert outcome.rejected == 0


def test_ds4_ids_are_built_alike_from_records_and_key_values_and_differ_from_ds5():
    ds4, ds5 = fake_edfi.district(students=4, data_standard=4), fake_edfi.district(students=4)
    keys = fake_edfi.IDENTITY_DS4  # what the /deletes listing gives
    for r in ds4["gradebookEntries"]:
        assert entry_id(flat_gradebook_entry(r)) == entry_id(keys["gradebookEntries"](r))
    for r in ds4["studentGradebookEntries"]:
        assert student_entry_id(flat_sgbe(r)) == student_entry_id(keys["studentGradebookEntries"](r))
    assert entry_id(flat_gradebook_entry(ds4["gradebookEntries"][0])) == QUIZ
    assert student_entry_id(flat_sgbe(ds4["studentGradebookEntries"][0])) == FIRST
    for r in ds4["grades"]:
        assert grade_id(flat_grade(r)) == grade_id(keys["grades"](r))
    assert grade_id(flat_grade(ds4["grades"][0])) == GRADE
    assert period_item_id(f"section:{SECTION_KEYS}", flat_grade(ds4["grades"][0])) == PERIOD_ITEM
    # DS 5 ids are as they were.
    assert entry_id(flat_gradebook_entry(ds5["gradebookEntries"][0])) == "gbe:uri://ed-fi.org/gradebook|GBE0"
    assert student_entry_id(flat_sgbe(ds5["studentGradebookEntries"][0])) == "sgbe:uri://ed-fi.org/gradebook|GBE0|60400000"
    ds5_period = f"{NS}GradingPeriodDescriptor#First Six Weeks|2024-2025 Fall Semester Exam 1|{fake_edfi.YEAR}|" \
                 f"{NS}GradeTypeDescriptor#Grading Period"
    ds5_grade = ds5["grades"][0]
    assert grade_id(flat_grade(ds5_grade)) == grade_id(fake_edfi.IDENTITY["grades"](ds5_grade)) == (
        f"grade:{SECTION_KEYS}|60400000|2024-08-26|{ds5_period}")
    assert period_item_id(f"section:{SECTION_KEYS}", flat_grade(ds5_grade)) == f"gp:section:{SECTION_KEYS}|{ds5_period}"
    # A DS 5 period named like a DS 4 sequence is still another grade.
    named_1 = {**ds5_grade, "gradingPeriodReference": {**fake_edfi.PERIOD, "gradingPeriodName": "1"}}
    assert grade_id(flat_grade(named_1)) != grade_id(flat_grade(ds4["grades"][0]))


def test_ds5_gradebook_and_grades_pull_is_unchanged(sqlite_store, server):
    fake_edfi.EdFiFake(server, fake_edfi.district(students=6, sections=3))
    outcome = sync(sqlite_store, edfi(server.url))
    assert outcome.status == "ok", outcome.message
    items = rows(sqlite_store, "line_items", "gbe")
    assert sorted(items) == [f"gbe:uri://ed-fi.org/gradebook|GBE{s}" for s in range(3)]
    assert items["gbe:uri://ed-fi.org/gradebook|GBE0"]["result_max"] == 10
    results = rows(sqlite_store, "results", "sgbe")
    assert len(results) == 6 and {r["line_item_id"] for r in results.values()} == set(items)
    grades = rows(sqlite_store, "course_grades")
    assert len(grades) == 6 and all(g.startswith("grade:") for g in grades)
    periods = rows(sqlite_store, "line_items", "gp")
    assert len(periods) == 3 and all(p.startswith("gp:") for p in periods)
    assert {p["title"] for p in periods.values()} == {"Grading Period 2024-2025 Fall Semester Exam 1"}


def test_a_full_pull_after_an_upgrade_to_ds5_replaces_the_ds4_entries_and_grades(sqlite_store, server):
    ds4_fake(server, students=4, sections=2)
    sync(sqlite_store, edfi(server.url))
    server.routes.clear()  # the same ODS, upgraded: DS 5 shapes from now on
    fake_edfi.EdFiFake(server, fake_edfi.district(students=4, sections=2))
    outcome = sync(sqlite_store, edfi(server.url), full=True)
    assert outcome.status == "ok", outcome.message
    assert sorted(rows(sqlite_store, "line_items", "gbe")) == [f"gbe:uri://ed-fi.org/gradebook|GBE{s}" for s in range(2)]
    assert len(rows(sqlite_store, "results", "sgbe")) == 4 and not rows(sqlite_store, "results", "sgbe4")
    assert not [o for o in ids(sqlite_store, "line_item_objectives") if o.startswith("gbe4:")]
    grades = ids(sqlite_store, "course_grades")
    assert len(grades) == 4 and all(g.startswith("grade:") for g in grades)
    assert sorted(rows(sqlite_store, "results", "grade")) == grades
    assert all(o.startswith("grade:") for o in ids(sqlite_store, "result_objectives"))


def test_a_grade_id_reads_back_its_data_standard_and_grading_period():
    ds4, ds5 = fake_edfi.district(students=1, data_standard=4), fake_edfi.district(students=1)
    for grades, standard, period in ((ds4["grades"], 4, "gradingPeriodSequence"),
                                     (ds5["grades"], 5, "gradingPeriodName")):
        keys = flat_grade(grades[0])
        assert read_grade_id(grade_id(keys)) == (standard, {
            "schoolId": str(keys["schoolId"]), "gradingPeriodDescriptor": keys["gradingPeriodDescriptor"],
            period: str(keys[period]), "gradingPeriodSchoolYear": str(keys["gradingPeriodSchoolYear"]),
            "gradeTypeDescriptor": keys["gradeTypeDescriptor"]})
    assert read_grade_id("course_grades/abc") is None and read_grade_id("gradebook:1") is None
    assert read_grade_id("grade4:cut|short") == (4, {})
