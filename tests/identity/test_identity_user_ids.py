"""Keys on OneRoster's typed ``userIds`` entries (``field = "user_id"`` with a ``type``).

The stored ``user_ids`` text is ``{type:identifier},{type:identifier}``, as both OneRoster
sources write it. Runs on SQLite and, where a server answers, PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cbe_bridge.identity.report import summarize, unresolved
from cbe_bridge.identity.resolve import resolve_identity
from cbe_bridge.identity.settings import MatchKey
from cbe_bridge.sources.http.streams import ParseContext, Rows
from cbe_bridge.sources.oneroster_rest.streams import parse_user

from .conftest import add_people, identity, links

SIS_TO_USER_ID = {"field": "identifier", "primary_field": "user_id", "primary_type": "SIS"}


def rest_user_ids(*entries: tuple[str, str | None]) -> str:
    """``user_ids`` as the OneRoster REST source stores a record's ``userIds``."""
    rows = Rows()
    parse_user({"sourcedId": "x", "status": "active", "role": "student",
                "userIds": [{"type": t, "identifier": i} for t, i in entries]}, rows, ParseContext(meta={}))
    return rows.rows["users"][0].values["user_ids"]


def test_a_linked_source_matches_the_primarys_typed_user_id(store):
    add_people(store, "sis", [
        {"source_id": "S1", "identifier": "L-1", "user_ids": "{LDAP:ann},{SIS:100},{state:9001}"},  # several
        {"source_id": "S2", "identifier": "L-2", "user_ids": "{sis:200}"},  # type case differs
        {"source_id": "S3", "identifier": "L-3", "user_ids": "{ SIS : 300 }"},  # blanks trimmed
        {"source_id": "S4", "identifier": "100", "user_ids": "{state:100}"},  # 100, but not as a SIS id
    ])
    add_people(store, "lms", [{"source_id": f"L{n}", "identifier": f"{n}00"} for n in (1, 2, 3)])
    (summary,) = resolve_identity(store, identity(lms=[SIS_TO_USER_ID]))
    assert links(store) == {("lms", "L1"): ("linked", "S1"), ("lms", "L2"): ("linked", "S2"),
                            ("lms", "L3"): ("linked", "S3")}
    assert summary.by_key == {"identifier->user_id[SIS]": 3}


def test_a_linked_sources_typed_user_id_matches_a_primary_field(store):
    add_people(store, "sis", [{"source_id": "S1", "identifier": "100"}, {"source_id": "S2", "identifier": "200"}])
    add_people(store, "lms", [
        {"source_id": "L1", "user_ids": rest_user_ids(("LDAP", "ann"), ("SIS", "100"))},
        {"source_id": "L2", "user_ids": rest_user_ids(("District", "200"))},  # no SIS entry
    ])
    resolve_identity(store, identity(lms=[{"field": "user_id", "type": "sis", "primary_field": "identifier"}]))
    assert links(store) == {("lms", "L1"): ("linked", "S1"), ("lms", "L2"): ("unmatched", None)}


def test_both_sides_typed_with_the_same_or_different_types(store):
    add_people(store, "sis", [{"source_id": "S1", "user_ids": "{SIS:100},{state:ST-9}"}])
    add_people(store, "lms", [{"source_id": "L1", "user_ids": "{sis:100}"},
                              {"source_id": "L2", "user_ids": "{stateId:ST-9}"}])
    resolve_identity(store, identity(lms=[{"field": "user_id", "type": "SIS"}]))  # the primary's type defaults to it
    assert links(store)[("lms", "L1")] == ("linked", "S1")
    state = {"field": "user_id", "type": "stateId", "primary_type": "state"}
    (summary,) = resolve_identity(store, identity(lms=[state]))
    assert links(store) == {("lms", "L1"): ("unmatched", None), ("lms", "L2"): ("linked", "S1")}
    assert summary.by_key == {"user_id[stateId]->user_id[state]": 1}


def test_identifiers_holding_commas_braces_or_colons_are_read_whole(store):
    add_people(store, "sis", [
        {"source_id": "S1", "user_ids": rest_user_ids(("SIS", "12,34"), ("state", "9"))},
        {"source_id": "S2", "user_ids": "{state:1},{SIS:{56}}"},
        {"source_id": "S3", "user_ids": "{SIS:urn:district:78}"},  # the type ends at the first colon
        {"source_id": "S4", "user_ids": " {SIS:90}, "},  # stray commas and blanks around the list
        {"source_id": "S6", "user_ids": "SIS:91"},  # not the {type:identifier} format: no typed ids
        {"source_id": "S5", "user_ids": rest_user_ids(("SIS", None))},  # stored as {SIS:None}
    ])
    add_people(store, "lms", [{"source_id": "L1", "identifier": "12,34"}, {"source_id": "L2", "identifier": "{56}"},
                              {"source_id": "L3", "identifier": "urn:district:78"},
                              {"source_id": "L4", "identifier": "90"}, {"source_id": "L5", "identifier": "None"},
                              {"source_id": "L6", "identifier": "91"}])
    resolve_identity(store, identity(lms=[SIS_TO_USER_ID]))
    assert links(store) == {("lms", "L1"): ("linked", "S1"), ("lms", "L2"): ("linked", "S2"),
                            ("lms", "L3"): ("linked", "S3"), ("lms", "L4"): ("linked", "S4"),
                            ("lms", "L5"): ("unmatched", None), ("lms", "L6"): ("unmatched", None)}


def test_a_shared_typed_id_is_ambiguous_reported_by_ids_and_not_linked(store):
    add_people(store, "sis", [{"source_id": "S1", "user_ids": "{SIS:100}", "email": "ann@example.org"},
                              {"source_id": "S9", "user_ids": "{LDAP:x},{SIS:100}"},  # shares S1's SIS id
                              *({"source_id": f"S{n}", "user_ids": f"{{SIS:{n}00}}"} for n in (2, 3, 4))])
    add_people(store, "lms", [
        {"source_id": "L1", "identifier": "100", "email": "ann@example.org"},  # the email would pick S1
        {"source_id": "L2", "identifier": "200", "user_ids": "{SIS:200},{SIS:300}"},  # two SIS ids, two students
        {"source_id": "L4", "user_ids": "{SIS:400},{sis:400}"},  # the same id twice: one student
    ])
    (summary,) = resolve_identity(store, identity(lms=[SIS_TO_USER_ID, {"field": "email"}]))
    # The ambiguous key decides: the email is not tried.
    assert links(store) == {("lms", "L1"): ("ambiguous", None), ("lms", "L2"): ("linked", "S2"),
                            ("lms", "L4"): ("unmatched", None)}
    assert (summary.linked, summary.ambiguous, summary.unmatched) == (1, 1, 1)
    resolve_identity(store, identity(lms=[{"field": "user_id", "type": "SIS"}]))
    assert links(store) == {("lms", "L1"): ("unmatched", None), ("lms", "L2"): ("ambiguous", None),
                            ("lms", "L4"): ("linked", "S4")}
    resolve_identity(store, identity(lms=[SIS_TO_USER_ID, {"field": "email"}]))
    with store.engine.connect() as conn:
        rows = unresolved(conn, statuses=("ambiguous", "unmatched", "linked"))
        text = repr(summarize(conn)) + repr(rows)
    (row,) = [r for r in rows if r["person_id"] == "L1"]
    assert row["students"] == "S1 S9" and row["key_field"] == "identifier->user_id[SIS]"
    assert row["reason"] == "matches 2 primary students"
    for value in ("'100'", "'200'", "example.org", "Ann", "LDAP"):
        assert value not in text


def test_a_person_without_that_type_falls_through_to_the_next_key(store):
    add_people(store, "sis", [{"source_id": "S1", "user_ids": "{SIS:100}", "email": "ann@example.org"},
                              {"source_id": "S2", "user_ids": "{SIS:200}", "email": "bo@example.org"}])
    add_people(store, "lms", [{"source_id": "L1", "user_ids": "{SIS:100}"},
                              {"source_id": "L2", "user_ids": "{LDAP:bo}", "email": "BO@example.org"},
                              {"source_id": "L3", "user_ids": "{SIS:999}", "email": "ann@example.org"}])
    (summary,) = resolve_identity(store, identity(lms=[{"field": "user_id", "type": "SIS"}, {"field": "email"}]))
    # L3's SIS id finds no one: its email decides, and finds S1, whom L1 found too.
    assert links(store) == {("lms", "L1"): ("ambiguous", None), ("lms", "L2"): ("linked", "S2"),
                            ("lms", "L3"): ("ambiguous", None)}
    assert summary.by_key == {"email": 1}


def test_only_students_typed_ids_take_part(store):
    add_people(store, "sis", [{"source_id": "T1", "user_ids": "{SIS:100}", "role": "teacher"},
                              {"source_id": "S1", "user_ids": "{SIS:200}"}])
    add_people(store, "lms", [{"source_id": "L1", "identifier": "100"}, {"source_id": "L2", "identifier": "200"}])
    resolve_identity(store, identity(lms=[SIS_TO_USER_ID]))
    assert links(store) == {("lms", "L1"): ("unmatched", None), ("lms", "L2"): ("linked", "S1")}


@pytest.mark.parametrize(("key", "where", "says"), [
    ({"field": "user_id"}, "type", "field = 'user_id' needs type"),
    ({"field": "identifier", "type": "SIS"}, "type", "type applies only with field = 'user_id'"),
    ({"field": "identifier", "primary_field": "user_id"}, "primary_type",
     "primary_field = 'user_id' needs primary_type"),
    ({"field": "user_id", "type": "SIS", "primary_field": "email", "primary_type": "SIS"}, "primary_type",
     "primary_type applies only with primary_field = 'user_id'"),
    ({"field": "user_id", "type": " "}, "type", "not empty"),
    ({"field": "user_id", "type": "SIS:x"}, "type", "without"),
])
def test_type_settings_that_cannot_apply_are_errors_at_their_own_setting(key, where, says):
    with pytest.raises(ValidationError) as caught:
        MatchKey.model_validate(key)
    (error,) = caught.value.errors()
    assert error["loc"] == (where,) and says in error["msg"]
