"""Ed-Fi ODS/API against the fake: discovery, change queries, deletes, year routes, spec conformance."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import yaml
from conftest import standards_path
from live.helpers import edfi, ids, snapshot, sync

from cbe_bridge.sources.edfi.resources import DELETERS, STREAMS
from cbe_bridge.store.schema import CANONICAL
from fakes import edfi as fake_edfi


def test_full_pull_maps_every_resource(sqlite_store, server):
    fake_edfi.EdFiFake(server, fake_edfi.district(students=10, sections=3))
    outcome = sync(sqlite_store, edfi(server.url))
    assert outcome.status == "ok", outcome.message
    assert ids(sqlite_store, "orgs") == ["255901", "255901001"]
    assert len(ids(sqlite_store, "users")) == 10 and len(ids(sqlite_store, "enrollments")) == 10
    assert len(ids(sqlite_store, "course_grades")) == 10
    with sqlite_store.engine.connect() as conn:
        classes = CANONICAL["classes"]
        courses = CANONICAL["courses"]
        row = conn.execute(sa.select(courses.c.course_code, courses.c.sced_code, courses.c.title)
                           .select_from(classes.join(courses, courses.c.source_id == classes.c.course_id))
                           .where(classes.c.class_code == "ALG-1-01")).one()
        grade = conn.execute(sa.select(CANONICAL["result_objectives"])).mappings().first()
        standard = conn.execute(sa.select(CANONICAL["learning_objectives"])
                                .where(CANONICAL["learning_objectives"].c.source_id == "LS1")).mappings().one()
    # A section's class points at its offering, which carries the catalog course's code and SCED.
    assert tuple(row) == ("ALG-1", "02051", "Algebra 1")
    assert grade["objective_source"] == "edfi" and grade["objective_id"].startswith("LS")
    assert standard["human_code"] == "MATH.1" and standard["case_guid"].startswith("6b8e0f5c")


def test_incremental_pull_reads_only_changes_and_applies_deletes(sqlite_store, server):
    fake = fake_edfi.EdFiFake(server, fake_edfi.district(students=8))
    source = edfi(server.url)
    sync(sqlite_store, source)
    before = len(server.log)
    quiet = sync(sqlite_store, source)  # nothing changed: only availableChangeVersions is asked
    assert [r.path for r in server.log[before:] if "/data/" in r.path] == []
    assert sum(c.changed for c in quiet.counts.values()) == 0
    gone = fake.delete("students", 2)
    fake.delete("grades", 0)
    fake.modify("sections", 0, sectionName="Renamed section")
    before = len(server.log)
    outcome = sync(sqlite_store, source)
    assert outcome.status == "ok", outcome.message
    asked = [r for r in server.log[before:] if "/data/" in r.path]
    assert all(r.arg("minChangeVersion") and r.arg("maxChangeVersion") for r in asked)
    assert any(r.path.endswith("/students/deletes") for r in asked)
    assert gone["studentUniqueId"] not in ids(sqlite_store, "users")
    assert gone["studentUniqueId"] not in ids(sqlite_store, "demographics")
    assert outcome.counts["course_grades"].deleted == 1
    assert outcome.counts["result_objectives"].deleted == 1  # the grade's standards grades went with it
    assert outcome.counts["classes"].updated == 1


def test_a_deleted_and_recreated_record_ends_up_present(sqlite_store, server):
    fake = fake_edfi.EdFiFake(server, fake_edfi.district(students=4))
    source = edfi(server.url)
    sync(sqlite_store, source)
    record = fake.delete("students", 1)
    fake.upsert("students", {k: v for k, v in record.items() if not k.startswith("_") and k != "id"})
    sync(sqlite_store, source)
    assert record["studentUniqueId"] in ids(sqlite_store, "users")


def test_year_specific_routes(sqlite_store, server):
    fake_edfi.EdFiFake(server, fake_edfi.district(students=3), year=2025)
    outcome = sync(sqlite_store, edfi(server.url, school_year=2025))
    assert outcome.status == "ok", outcome.message
    assert all("/2025/" in p for p in server.paths() if "/data/" in p or "changeQueries" in p)


def test_without_change_queries_every_pull_is_full_and_sweeps(sqlite_store, server):
    fake = fake_edfi.EdFiFake(server, fake_edfi.district(students=5))
    source = edfi(server.url, change_queries=False)
    sync(sqlite_store, source)
    fake.delete("studentSectionAssociations", 0)
    outcome = sync(sqlite_store, source)
    assert outcome.counts["enrollments"].deleted == 1
    assert not any("availableChangeVersions" in p for p in server.paths())


@pytest.fixture(scope="module")
def spec():
    """The Ed-Fi DS 5.0 resources spec (2 MB of YAML: parsed once, with libyaml when present)."""
    text = standards_path("edfi", "openapi", "resources-ds-5.0.yaml").read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def test_the_fakes_resources_have_what_the_openapi_spec_requires(spec):
    schemas = spec["components"]["schemas"]
    data = fake_edfi.district(students=2)
    for name, records in data.items():
        schema = _schema(schemas, name)
        for record in records:
            missing = set(schema.get("required", [])) - set(record)
            assert not missing, f"fake {name} lacks {missing}"
            unknown = set(record) - set(schema["properties"])
            assert not unknown, f"fake {name} has {unknown}, not in the spec"


def test_the_adapters_identities_are_the_specs_identity_parameters(spec):
    for stream in STREAMS:
        params = spec["paths"][f"/ed-fi/{stream.name}"]["get"]["parameters"]
        identity = {p["name"] for p in params if p.get("x-Ed-Fi-isIdentity")}
        assert set(stream.primary_key) == identity, stream.name
        assert stream.name in DELETERS


def _schema(schemas: dict, resource: str) -> dict:
    singular = {"localEducationAgencies": "localEducationAgency", "studentSectionAssociations": "studentSectionAssociation",
                "studentGradebookEntries": "studentGradebookEntry", "gradebookEntries": "gradebookEntry"}
    name = singular.get(resource, resource[:-1])
    return schemas["edFi_" + name]


def test_discovery_must_be_an_ed_fi_document(sqlite_store, server):
    outcome = sync(sqlite_store, edfi(server.url + "/nothing-here"))
    assert outcome.status == "failed"
    assert "404" in outcome.message or "discovery" in outcome.message
    assert snapshot(sqlite_store) == {}
