"""Ed-Fi Data Standard 4 gradebook resources against the fake's DS 4 mode: ids of their own, line
items with their learning standards, results linked to them, deletions by ``keyValues``; DS 5
gradebook ids as they were."""

from __future__ import annotations

import sqlalchemy as sa
from live.helpers import edfi, ids, sync

from cbe_bridge.sources.edfi.resources import entry_id, flat_gradebook_entry, flat_sgbe, student_entry_id
from cbe_bridge.store.schema import CANONICAL
from fakes import edfi as fake_edfi

DS4 = "4.0.0"
SECTION = {"localCourseCode": "ALG-0", "schoolId": fake_edfi.SCHOOL, "schoolYear": fake_edfi.YEAR,
           "sessionName": fake_edfi.SESSION, "sectionIdentifier": "ALG-0-01"}
SECTION_KEYS = f"{fake_edfi.SCHOOL}|{fake_edfi.YEAR}|{fake_edfi.SESSION}|ALG-0|ALG-0-01"
QUIZ = f"gbe4:{SECTION_KEYS}|2024-09-10|Quiz 0"  # section ALG-0-01's quiz
FIRST = f"sgbe4:{SECTION_KEYS}|2024-09-10|Quiz 0|60400000|2024-08-26"  # student 60400000's entry for it


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


def test_ds4_ids_are_built_alike_from_records_and_key_values_and_differ_from_ds5():
    ds4, ds5 = fake_edfi.district(students=4, data_standard=4), fake_edfi.district(students=4)
    keys = fake_edfi.IDENTITY_DS4  # what the /deletes listing gives
    for r in ds4["gradebookEntries"]:
        assert entry_id(flat_gradebook_entry(r)) == entry_id(keys["gradebookEntries"](r))
    for r in ds4["studentGradebookEntries"]:
        assert student_entry_id(flat_sgbe(r)) == student_entry_id(keys["studentGradebookEntries"](r))
    assert entry_id(flat_gradebook_entry(ds4["gradebookEntries"][0])) == QUIZ
    assert student_entry_id(flat_sgbe(ds4["studentGradebookEntries"][0])) == FIRST
    # DS 5 ids are as they were.
    assert entry_id(flat_gradebook_entry(ds5["gradebookEntries"][0])) == "gbe:uri://ed-fi.org/gradebook|GBE0"
    assert student_entry_id(flat_sgbe(ds5["studentGradebookEntries"][0])) == "sgbe:uri://ed-fi.org/gradebook|GBE0|60400000"


def test_ds5_gradebook_pull_is_unchanged(sqlite_store, server):
    fake_edfi.EdFiFake(server, fake_edfi.district(students=6, sections=3))
    outcome = sync(sqlite_store, edfi(server.url))
    assert outcome.status == "ok", outcome.message
    items = rows(sqlite_store, "line_items", "gbe")
    assert sorted(items) == [f"gbe:uri://ed-fi.org/gradebook|GBE{s}" for s in range(3)]
    assert items["gbe:uri://ed-fi.org/gradebook|GBE0"]["result_max"] == 10
    results = rows(sqlite_store, "results", "sgbe")
    assert len(results) == 6 and {r["line_item_id"] for r in results.values()} == set(items)


def test_a_full_pull_after_an_upgrade_to_ds5_replaces_the_ds4_entries(sqlite_store, server):
    ds4_fake(server, students=4, sections=2)
    sync(sqlite_store, edfi(server.url))
    server.routes.clear()  # the same ODS, upgraded: DS 5 shapes from now on
    fake_edfi.EdFiFake(server, fake_edfi.district(students=4, sections=2))
    outcome = sync(sqlite_store, edfi(server.url), full=True)
    assert outcome.status == "ok", outcome.message
    assert sorted(rows(sqlite_store, "line_items", "gbe")) == [f"gbe:uri://ed-fi.org/gradebook|GBE{s}" for s in range(2)]
    assert len(rows(sqlite_store, "results", "sgbe")) == 4 and not rows(sqlite_store, "results", "sgbe4")
    assert not [o for o in ids(sqlite_store, "line_item_objectives") if o.startswith("gbe4:")]
