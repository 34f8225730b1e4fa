"""End to end on the shipped sample district: bundle -> store -> figures -> every command.

The session's demo run serves all tests here; each checks a promise of the product:
figures on the commands agree with each other and with the evidence they came from.
"""

from __future__ import annotations

import json
import stat

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from cbe_bridge.cli import main
from cbe_bridge.config import load_settings
from cbe_bridge.engine.compute import PolicySource
from cbe_bridge.store import open_store
from cbe_bridge.store.schema import CANONICAL, course_marks, gpa, proficiency, students



@pytest.fixture
def demo(demo_run):
    return demo_run


def cli(demo, *args):
    return CliRunner().invoke(main, ["--config", str(demo.config), *args])


def test_demo_builds_the_store_results_and_config(demo):
    out = demo.out
    assert (out / "cbe-bridge.db").exists() and (out / "cbe-bridge.toml").exists()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["students"] >= 300
    assert set(summary["students_by_class_of"]) == {"2027", "2028", "2029", "2030"}
    assert summary["basis"]["direct"] > 0 and summary["basis"]["derived"] > 0
    assert summary["documents"]["school_profile"] and not summary["documents"].get("failures")
    assert list((out / "documents").glob("*.pdf"))
    files = list((out / "students").glob("*.json"))
    assert len(files) == summary["students"]
    for path in [out / "cbe-bridge.db", out / "summary.json", files[0]]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_sample_bad_rows_are_rejected_and_reported(demo):
    (outcome,) = demo.sync
    assert outcome.status == "partial"
    result = cli(demo, "status", "--rejects", "--format", "json")
    rows = json.loads(result.output)
    locations = {r["location"] for r in rows}
    assert {"results.csv line 10176", "results.csv line 20244", "results.csv line 30562",
            "results.csv line 30563"} <= locations
    text = result.output
    for name in ("given_name", "family_name"):
        assert name not in text


def test_gpa_is_the_credit_weighted_mean_of_back_translated_letters(demo):
    store = open_store(demo.out / "cbe-bridge.db", create=False)
    policy = PolicySource(tuple(load_settings(demo.config).mapping.files)).load()
    points = policy.mapping.gpa.points
    with store.engine.connect() as conn:
        sid = conn.execute(sa.select(students.c.student_id).where(students.c.class_of == 2027).limit(1)).scalar()
        marks = conn.execute(sa.select(course_marks).where(course_marks.c.student_id == sid,
                                                          course_marks.c.counted.is_(True))).mappings().all()
        stored = conn.execute(sa.select(gpa.c.unweighted).where(gpa.c.student_id == sid,
                                                               gpa.c.scope == "cumulative")).scalar()
    counted = [m for m in marks if m["letter"] in points]
    expected = sum(points[m["letter"]] * m["credits_attempted"] for m in counted) / sum(
        m["credits_attempted"] for m in counted)
    assert stored == pytest.approx(expected)
    listed = json.loads(cli(demo, "gpa", sid, "--format", "json").output)
    assert listed[0]["unweighted"] == pytest.approx(stored)
    store.dispose()


def test_gpa_listing_by_class_and_formats(demo):
    table = cli(demo, "gpa", "--class-of", "2027")
    assert table.exit_code == 0 and "cumulative" in table.output
    rows = json.loads(cli(demo, "gpa", "--class-of", "2027", "--format", "json").output)
    assert len(rows) == 80 and all(r["class_of"] == 2027 for r in rows)
    csv_out = cli(demo, "gpa", "--class-of", "2027", "--format", "csv").output.splitlines()
    assert csv_out[0] == "student_id,identifier,class_of,scope,unweighted,weighted,credits"
    assert all(r["weighted"] >= r["unweighted"] for r in rows if r["unweighted"] is not None)


def test_explain_traces_figures_to_evidence_and_matches_the_store(demo):
    store = open_store(demo.out / "cbe-bridge.db", create=False)
    with store.engine.connect() as conn:
        sid, node, value = conn.execute(
            sa.select(proficiency.c.student_id, proficiency.c.node_id, proficiency.c.value)
            .where(proficiency.c.basis == "direct").limit(1)).one()
    store.dispose()
    result = cli(demo, "explain", sid)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "differ from the stored results" not in out
    assert "result_objectives/" in out and "(direct;" in out
    assert "rule:" in out and "GPA" in out and "Graduation requirements" in out
    assert "derived from a course grade" in out or "DERIVED" in out or "course grade itself" in out


def test_explain_says_where_a_course_keeps_the_teachers_letter(demo):
    store = open_store(demo.out / "cbe-bridge.db", create=False)
    with store.engine.connect() as conn:
        sid, letter, given = conn.execute(
            sa.select(course_marks.c.student_id, course_marks.c.letter, course_marks.c.source_letter)
            .where(course_marks.c.basis == "derived", course_marks.c.source_letter.is_not(None)).limit(1)).one()
        unaligned = conn.execute(sa.select(course_marks.c.letter, course_marks.c.credits_earned)
                                 .where(course_marks.c.basis == "source", course_marks.c.letter == "A")).all()
    store.dispose()
    assert letter == given.rstrip("+-")  # no standards evidence in the class: the teacher's letter
    assert unaligned and all(credits > 0 for _, credits in unaligned)  # a passing letter earns credit
    out = cli(demo, "explain", sid).output
    assert f": {letter} as the teacher gave it (reads " in out and "the teacher's letter stands" in out


def test_a_pass_fail_course_earns_its_credit_outside_the_gpa(demo):
    """Advisory is graded P in the sample: the credit is earned, the GPA leaves it out."""
    store = open_store(demo.out / "cbe-bridge.db", create=False)
    with store.engine.connect() as conn:
        passes = conn.execute(sa.select(course_marks.c.student_id, course_marks.c.credits_earned,
                                        course_marks.c.credits_attempted)
                              .where(course_marks.c.letter == "P")).all()
        sid = passes[0][0]
        counted = conn.execute(sa.select(course_marks.c.letter, course_marks.c.credits_attempted).where(
            course_marks.c.student_id == sid, course_marks.c.counted.is_(True))).all()
        gpa_credits = conn.execute(sa.select(gpa.c.credits).where(
            gpa.c.student_id == sid, gpa.c.scope == "cumulative")).scalar_one()
    store.dispose()
    assert passes and all(earned == attempted > 0 for _, earned, attempted in passes)
    assert "P" in {letter for letter, _ in counted}
    assert gpa_credits == pytest.approx(sum(c for letter, c in counted if letter not in ("P", "NC")))


def test_a_pass_fail_course_with_standards_evidence_is_a_pass_or_a_fail_by_its_credit(demo):
    """Physical Education is graded P/NC in the sample and aligned to the continuum: where a
    class has standards evidence, that evidence decides the pass, never a letter grade."""
    store = open_store(demo.out / "cbe-bridge.db", create=False)
    with store.engine.connect() as conn:
        courses = CANONICAL["courses"]
        pe = conn.execute(sa.select(course_marks.c.letter, course_marks.c.basis, course_marks.c.credits_earned,
                                    course_marks.c.student_id)
                          .join(courses, sa.and_(courses.c.source == course_marks.c.source,
                                                 courses.c.source_id == course_marks.c.course_id))
                          .where(courses.c.course_code == "PE")).all()
    store.dispose()
    direct = [m for m in pe if m.basis == "direct"]
    assert direct and {m.letter for m in direct} <= {"P", "NC"}
    assert all((m.credits_earned > 0) == (m.letter == "P") for m in pe)
    out = cli(demo, "explain", direct[0].student_id).output
    assert "a pass/fail course (the teacher's " in out


def test_explain_one_node(demo):
    result = cli(demo, "explain", "stu-000001", "MATH")
    assert result.exit_code == 0, result.output
    assert "MATH" in result.output and "Courses" not in result.output


def test_explain_unknown_student_is_a_usage_error(demo):
    result = cli(demo, "explain", "nobody")
    assert result.exit_code == 2 and "no student matches" in result.output


def test_mapping_coverage_lists_the_deliberate_gaps(demo):
    result = cli(demo, "mapping", "coverage", "--format", "json")
    assert result.exit_code == 1
    gaps = json.loads(result.output)
    codes = {g["code"] for g in gaps if g["kind"] == "course"}
    assert {"ADVIS", "YRBK"} <= codes
    assert any(g["kind"] == "objective" for g in gaps)


def test_status_shows_runs(demo):
    result = cli(demo, "status")
    assert result.exit_code == 0 and "sis" in result.output and "last compute" in result.output


def test_resync_changes_nothing(demo):
    result = cli(demo, "sync", "--full", "--dry-run")
    lines = [l for l in result.output.splitlines() if l.startswith("sis ")]
    assert lines
    for line in lines:
        cells = line.split()
        inserted, updated, deleted = int(cells[3]), int(cells[4]), int(cells[6])
        assert (inserted, updated, deleted) == (0, 0, 0), line


def test_continuum_show_for_the_configured_continuum(demo):
    result = cli(demo, "continuum", "show", "--depth", "2")
    assert result.exit_code == 0 and "MATH" in result.output and "├──" in result.output


def test_mapping_validate_the_shipped_files(demo):
    from conftest import REPO
    result = CliRunner().invoke(main, ["mapping", "validate", str(REPO / "samples/district/mapping.yaml")])
    assert result.exit_code == 0, result.output
    assert "every node reference resolves" in result.output
