"""Write-back to a OneRoster 1.1 / 1.2 provider: line items and results PUT by derived sourcedId."""

from __future__ import annotations

import pytest
from fakes import oneroster as fake_or
from fakes.server import Reply

from cbe_bridge.writeback import writeback
from cbe_bridge.writeback.oneroster import SCOPE_CREATEPUT, sourced_id

from .conftest import STUDENTS, make_setup

OAUTH1 = '{ method = "oauth1", consumer_key = { env = "OR_KEY" }, consumer_secret = { env = "OR_SECRET" } }'


@pytest.fixture
def provider(computed, tmp_path, server, request):
    version = getattr(request, "param", "1.2")
    fake = fake_or.OneRosterFake(server, {}, version=version,
                                 oauth1=("consumer-key", "consumer-secret-1") if version == "1.1" else None)
    s = make_setup(computed, tmp_path, or_url=server.url, or_version=version,
                   or_auth=OAUTH1 if version == "1.1" else None)
    yield s, fake
    s.store.dispose()


def run(setup, **kw):  # noqa: ANN001, ANN201
    return writeback(setup.store, setup.target("sisapi"), setup.policy, students=STUDENTS, **kw)


def translated(setup):  # noqa: ANN001, ANN201
    """Marks whose letter was made from proficiency: the ones written back."""
    return [(r, m) for r in setup.records() for m in r.courses if m.letter and m.value is not None
            and not setup.policy.keeps_teacher_letter(m.basis, m.letter, m.source_letter)]


def test_dry_run_sends_nothing(provider, server):
    setup, _ = provider
    report = run(setup, dry=True)
    marks = translated(setup)
    assert report.ok and report.counts["results"]["create"] == len(marks)
    assert report.counts["lineItems"]["create"] == len({m.class_id for _, m in marks})
    assert server.log == []


def test_results_carry_the_translated_grades_under_derived_ids(provider, server):
    setup, fake = provider
    report = run(setup)
    assert report.ok, report.failures
    assert set(fake.scopes) == {SCOPE_CREATEPUT}  # asked for the write scope, not the read-only ones
    results = fake.data["results"]
    marks = translated(setup)
    assert len(results) == len(marks) and len(fake.data["categories"]) == 1
    for rec, mark in marks:
        result = results[sourced_id("sis", "result", rec.person.student_id, mark.class_id)]
        assert result["student"]["sourcedId"] == rec.person.student_id
        assert result["class"]["sourcedId"] == mark.class_id
        assert result["textScore"] == mark.letter and result["score"] == pytest.approx(mark.value, abs=1e-3)
        line_item = fake.data["lineItems"][result["lineItem"]["sourcedId"]]
        assert line_item["class"]["sourcedId"] == mark.class_id and line_item["resultValueMax"] == 4.0
        assert "dateLastModified" in result
        for objective in result.get("learningObjectiveSet", [{}])[0].get("learningObjectiveResults", []):
            assert objective["score"] == pytest.approx(rec.figures[objective["learningObjectiveId"]].value, abs=1e-3)
    assert any("learningObjectiveSet" in r for r in results.values())


def test_the_teachers_letters_kept_as_given_are_not_written(provider, server):
    """A class with no standards evidence keeps the teacher's letter (flagged derived): not made
    from proficiency, and the SIS has it, so no result claims it was back-translated."""
    setup, fake = provider
    kept = [(r, m) for r in setup.records() for m in r.courses
            if m.basis == "derived" and setup.policy.keeps_teacher_letter(m.basis, m.letter, m.source_letter)]
    assert kept, "the sample students should have a class with no standards evidence"
    assert run(setup).ok
    for rec, mark in kept:
        assert sourced_id("sis", "result", rec.person.student_id, mark.class_id) not in fake.data["results"]
    assert all("back-translated from proficiency" in r["comment"] for r in fake.data["results"].values())


def test_a_rerun_sends_nothing_and_force_replaces_the_same_ids(provider, server):
    setup, fake = provider
    run(setup)
    before, ids = len(server.log), set(fake.data["results"])
    again = run(setup)
    assert again.ok and len(server.log) == before
    forced = run(setup, force=True)
    assert forced.ok and forced.counts["results"]["updated"] == len(ids)
    assert set(fake.data["results"]) == ids  # replaced, not duplicated


def test_a_refused_result_is_reported_and_a_rerun_sends_only_it(provider, server):
    setup, fake = provider
    victim = translated(setup)[5]
    sid = sourced_id("sis", "result", victim[0].person.student_id, victim[1].class_id)
    fake.refuse.append(lambda name, record: Reply(422, {"imsx_codeMajor": "failure", "imsx_description": "bad score"})
                       if record["sourcedId"] == sid else None)
    report = run(setup)
    assert [(f.resource, f.key, f.status) for f in report.failures] == [("results", sid, 422)]
    assert "bad score" in report.failures[0].message
    fake.refuse.clear()
    fake.put.clear()
    assert run(setup).ok and fake.put == {"results": 1}


@pytest.mark.parametrize("provider", ["1.1"], indirect=True)
def test_oneroster_1_1_with_oauth1_signed_puts(provider, server):
    setup, fake = provider
    report = run(setup)
    assert report.ok, report.failures or report.stopped
    result = next(iter(fake.data["results"].values()))
    assert "textScore" not in result and "learningObjectiveSet" not in result  # 1.2 fields
    assert result["comment"].split(" ")[0] in {m.letter for _, m in translated(setup)}
    assert all("gradingPeriod" in li for li in fake.data["lineItems"].values())
    assert all(r.headers["authorization"].startswith("OAuth ") for r in server.log if r.method == "PUT")
