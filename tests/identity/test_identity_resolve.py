"""Resolution: people of a linked source matched to primary students by configured keys, set-wise.

Runs on SQLite and, where a server answers, PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

import sqlalchemy as sa

from cbe_bridge.identity.report import summarize, unresolved
from cbe_bridge.identity.resolve import resolve_identity
from cbe_bridge.store.schema import CANONICAL

from .conftest import add_people, identity, links

SIS = [{"source_id": "S1", "identifier": "100", "email": "ann@example.org"},
       {"source_id": "S2", "identifier": "200", "email": "bo@example.org"},
       {"source_id": "S3", "identifier": "300", "email": "cy@example.org"}]


def test_links_on_the_first_key_that_matches_and_falls_back_to_the_next(store):
    add_people(store, "sis", SIS)
    add_people(store, "lms", [
        {"source_id": "L1", "identifier": " 100 "},  # trimmed
        {"source_id": "L2", "identifier": None, "email": "BO@Example.org"},  # no local id: email, caseless
        {"source_id": "L3", "identifier": "999", "email": "cy@example.org"},  # first key finds no one
    ])
    (summary,) = resolve_identity(store, identity(lms=[{"field": "identifier"}, {"field": "email"}]))
    assert links(store) == {("lms", "L1"): ("linked", "S1"), ("lms", "L2"): ("linked", "S2"),
                            ("lms", "L3"): ("linked", "S3")}
    assert (summary.linked, summary.ambiguous, summary.unmatched) == (3, 0, 0)
    assert summary.by_key == {"identifier": 1, "email": 2}


def test_a_key_may_match_another_field_of_the_primary(store):
    add_people(store, "sis", SIS)
    add_people(store, "lms", [{"source_id": "L1", "identifier": "S2"}])  # Canvas sis_user_id = the sourcedId
    (summary,) = resolve_identity(store, identity(lms=[{"field": "identifier", "primary_field": "source_id"}]))
    assert links(store) == {("lms", "L1"): ("linked", "S2")}
    assert summary.by_key == {"identifier->source_id": 1}


def test_case_is_kept_unless_asked(store):
    add_people(store, "sis", [{"source_id": "S1", "identifier": "AB1"}])
    add_people(store, "lms", [{"source_id": "L1", "identifier": "ab1"}])
    resolve_identity(store, identity(lms=[{"field": "identifier"}]))
    assert links(store)[("lms", "L1")] == ("unmatched", None)
    resolve_identity(store, identity(lms=[{"field": "identifier", "ignore_case": True}]))
    assert links(store)[("lms", "L1")] == ("linked", "S1")


def test_a_person_matching_several_students_is_ambiguous_and_not_linked(store):
    add_people(store, "sis", [*SIS, {"source_id": "S9", "identifier": "100"}])  # two SIS students share 100
    add_people(store, "lms", [{"source_id": "L1", "identifier": "100", "email": "ann@example.org"},
                              {"source_id": "L2", "identifier": "200"}])
    (summary,) = resolve_identity(store, identity(lms=[{"field": "identifier"}, {"field": "email"}]))
    # The ambiguous key decides: the email would pick one, but guessing could merge two students.
    assert links(store) == {("lms", "L1"): ("ambiguous", None), ("lms", "L2"): ("linked", "S2")}
    assert (summary.linked, summary.ambiguous, summary.unmatched) == (1, 1, 0)
    with store.engine.connect() as conn:
        (row,) = unresolved(conn)
    assert row["person_id"] == "L1" and row["students"] == "S1 S9"
    assert row["reason"] == "matches 2 primary students" and row["key_field"] == "identifier"


def test_one_student_matched_by_several_people_of_a_source_links_none_of_them(store):
    add_people(store, "sis", SIS)
    add_people(store, "lms", [{"source_id": "L1", "identifier": "100"}, {"source_id": "L1b", "identifier": "100"},
                              {"source_id": "L2", "identifier": "200"}])
    (summary,) = resolve_identity(store, identity())
    assert links(store) == {("lms", "L1"): ("ambiguous", None), ("lms", "L1b"): ("ambiguous", None),
                            ("lms", "L2"): ("linked", "S2")}
    assert summary.ambiguous == 2
    with store.engine.connect() as conn:
        rows = unresolved(conn, statuses=("ambiguous",))
    assert [(r["person_id"], r["students"]) for r in rows] == [("L1", "S1"), ("L1b", "S1")]
    assert all("other people" in r["reason"] for r in rows)


def test_a_student_also_found_by_an_ambiguous_person_is_not_linked_to_anyone(store):
    # L1 finds S1 and S9; L2 finds S1 alone. Either of them may be S1: neither is linked.
    add_people(store, "sis", [*SIS, {"source_id": "S9", "identifier": "100"}])
    add_people(store, "lms", [{"source_id": "L1", "identifier": "100"},
                              {"source_id": "L2", "identifier": "S1"}, {"source_id": "L3", "identifier": "200"}])
    resolve_identity(store, identity(lms=[{"field": "identifier"}, {"field": "identifier",
                                                                     "primary_field": "source_id"}]))
    assert links(store) == {("lms", "L1"): ("ambiguous", None), ("lms", "L2"): ("ambiguous", None),
                            ("lms", "L3"): ("linked", "S2")}


def test_unmatched_people_are_reported_and_only_students_take_part(store):
    add_people(store, "sis", [*SIS, {"source_id": "T1", "identifier": "400", "role": "teacher"}])
    add_people(store, "lms", [{"source_id": "L4", "identifier": "400"},  # matches a SIS teacher only
                              {"source_id": "L5", "identifier": None},  # no key value at all
                              {"source_id": "LT", "identifier": "100", "role": "teacher"}])  # not a student
    (summary,) = resolve_identity(store, identity())
    assert links(store) == {("lms", "L4"): ("unmatched", None), ("lms", "L5"): ("unmatched", None)}
    assert (summary.linked, summary.ambiguous, summary.unmatched) == (0, 0, 2)
    with store.engine.connect() as conn:
        assert [r["person_id"] for r in unresolved(conn, statuses=("unmatched",))] == ["L4", "L5"]
        assert unresolved(conn, sources=("other",)) == []


def test_students_by_enrollment_or_role_take_part_too(store):
    add_people(store, "sis", [{"source_id": "S1", "identifier": "100", "role": None}])
    add_people(store, "lms", [{"source_id": "L1", "identifier": "100", "role": None}])
    with store.engine.begin() as conn:
        conn.execute(CANONICAL["roles"].insert().values(source="sis", source_id="r1", user_id="S1",
                                                        role_type="primary", role="student", org_id="o1"))
        conn.execute(CANONICAL["enrollments"].insert().values(source="lms", source_id="e1", class_id="k",
                                                              school_id="o", user_id="L1", role="student"))
    resolve_identity(store, identity())
    assert links(store) == {("lms", "L1"): ("linked", "S1")}


def test_each_resolution_reflects_the_current_data_and_configuration(store):
    add_people(store, "sis", SIS)
    add_people(store, "lms", [{"source_id": "L1", "identifier": "100"}])
    add_people(store, "lms2", [{"source_id": "X1", "identifier": "200"}])
    resolve_identity(store, identity(lms=[{"field": "identifier"}], lms2=[{"field": "identifier"}]))
    assert links(store) == {("lms", "L1"): ("linked", "S1"), ("lms2", "X1"): ("linked", "S2")}
    users = CANONICAL["users"]
    with store.engine.begin() as conn:  # the SIS corrects a local id
        conn.execute(users.update().where(users.c.source == "sis", users.c.source_id == "S1").values(identifier="101"))
    summaries = resolve_identity(store, identity(lms=[{"field": "identifier"}]))  # lms2 no longer configured
    assert links(store) == {("lms", "L1"): ("unmatched", None)}
    assert [s.source for s in summaries] == ["lms"]
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM identity_candidates")).scalar() == 0


def test_summaries_and_reports_carry_source_ids_and_field_names_only(store):
    add_people(store, "sis", [*SIS, {"source_id": "S9", "identifier": "100"}])
    add_people(store, "lms", [{"source_id": "L1", "identifier": "100", "email": "ann@example.org"},
                              {"source_id": "L2", "email": "bo@example.org"},
                              {"source_id": "L3", "email": "nobody@example.org"}])
    resolve_identity(store, identity(lms=[{"field": "identifier"}, {"field": "email"}]))
    with store.engine.connect() as conn:
        text = repr(summarize(conn)) + repr(unresolved(conn, statuses=("ambiguous", "unmatched", "linked")))
    for value in ("example.org", "Ann", "Lee", "'100'"):
        assert value not in text
    assert "S1" in text and "L3" in text


def test_resolutions_running_at_once_do_not_collide(store):
    """A compute and a sync may resolve at the same moment: each rewrites the links whole."""
    from concurrent.futures import ThreadPoolExecutor

    add_people(store, "sis", SIS)
    add_people(store, "lms", [{"source_id": f"L{i}", "identifier": f"{i}00"} for i in range(1, 4)])
    with ThreadPoolExecutor(3) as pool:
        for future in [pool.submit(resolve_identity, store, identity()) for _ in range(6)]:
            assert future.result()[0].linked == 3
    assert len(links(store)) == 3
