"""The college attachment (school profile): distributions match the data, the conversion
table matches the mapping, and the policy is said in words generated from the mapping."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import sqlalchemy as sa

from cbe_bridge.documents.attachment import attachment_view
from cbe_bridge.documents.views import school_view
from cbe_bridge.documents.wording import how_proficiency_is_decided, policy_words, scale_key
from cbe_bridge.engine.methods.aggregation import describe_aggregation
from cbe_bridge.engine.methods.rollup import describe_rollup
from cbe_bridge.engine.policy import Policy
from cbe_bridge.store.schema import gpa, proficiency, students

from .helpers import pdf_metadata, pdf_pages

CLASS = 2027


@pytest.fixture(scope="module")
def profile(demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("profile")
    ctx = demo.context(folder)
    path = ctx.write_attachment()  # the default class: graduating in the school year of the run
    html = demo.context(folder / "html", fmt="html").write_attachment(CLASS)
    with demo.store.engine.connect() as conn:
        view = attachment_view(conn, demo.policy, class_of=CLASS, school_id=None, school=ctx.school,
                               key=ctx.words.key, provenance=ctx.provenance)
    return {"pdf": path, "html": html.read_text(), "view": view, "text": "\n".join(pdf_pages(path))}


def test_default_class_is_the_graduating_class(profile):
    assert profile["pdf"].name == f"school-profile-{CLASS}.pdf"
    assert pdf_metadata(profile["pdf"])["/Title"].startswith(f"School profile, class of {CLASS}")


def test_level_distributions_match_the_stored_figures(demo, profile):
    roots = {r.id: r for r in demo.policy.continuum.roots()}
    join = sa.and_(students.c.source == proficiency.c.source, students.c.student_id == proficiency.c.student_id)
    with demo.store.engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(students).where(students.c.class_of == CLASS)).scalar()
        rows = conn.execute(sa.select(proficiency.c.node_id, proficiency.c.level_code).join(students, join)
                            .where(students.c.class_of == CLASS)).all()
    counts = Counter((node, level) for node, level in rows if node in roots)
    view = profile["view"]
    assert view.students == n == 80
    blocks = {b.code: b for b in view.distributions + view.habits}
    assert set(blocks) == {r.human_code for r in roots.values()}
    for node_id, root in roots.items():
        block = blocks[root.human_code]
        for seg in block.segments[:-1]:
            assert seg.count == counts[(node_id, seg.code)], (root.human_code, seg.code)
            assert seg.share == pytest.approx(seg.count / n)
        assigned = sum(counts[(node_id, lv.code)] for lv in demo.policy.mapping.scale().levels)
        assert block.segments[-1].count == n - assigned  # "not yet assessed"
        proficient = sum(counts[(node_id, lv.code)] for lv in demo.policy.mapping.scale().levels
                         if lv.value >= demo.policy.threshold)
        assert block.proficient_share == pytest.approx(proficient / n)
        assert f">{block.proficient_text}</text>" in profile["html"]  # drawn in the SVG chart
    assert profile["html"].count("<svg") == 3  # levels, habits, GPA


def test_gpa_histogram_and_graduation_shares_match_the_data(demo, profile):
    join = sa.and_(students.c.source == gpa.c.source, students.c.student_id == gpa.c.student_id)
    with demo.store.engine.connect() as conn:
        values = [v for (v,) in conn.execute(sa.select(gpa.c.unweighted).join(students, join).where(
            students.c.class_of == CLASS, gpa.c.scope == "cumulative")) if v is not None]
        grads = [json.loads(g) for (g,) in conn.execute(
            sa.select(students.c.graduation).where(students.c.class_of == CLASS))]
    dist = profile["view"].gpa
    assert dist.students == len(values) and sum(b.count for b in dist.bins) == len(values)
    for b in dist.bins:
        inside = [v for v in values if b.low <= v < b.high or (b.high >= 4.0 and v == 4.0)]
        assert b.count == len(inside), b
    for share in profile["view"].graduation:
        met = sum(1 for g in grads for r in g if r["code"] == share.code and r["met"])
        assert share.met == met
        assert f"{share.title} {share.code}" in profile["text"]
    everything = sum(1 for g in grads if all(r["met"] for r in g))
    assert profile["view"].graduation_all.met == everything


def test_conversion_table_matches_the_mapping(demo, profile):
    g = demo.policy.mapping.gpa
    rows = policy_words(demo.policy).conversion
    cuts = sorted(g.conversion.cuts, key=lambda c: -c.min)
    assert [r.letter for r in rows] == [c.letter for c in cuts]
    assert [r.points for r in rows] == [f"{g.points[c.letter]:.1f}" for c in cuts]
    for row in rows:
        assert f"{row.condition} {row.letter} {row.points}" in profile["text"]


def test_how_proficiency_is_decided_is_generated_from_the_mapping(demo, profile):
    text = " ".join(profile["text"].split())
    m = demo.policy.mapping
    lt = m.aggregation_for("Learning Target")
    expected = describe_aggregation(lt.method, **lt.params())
    assert expected in text
    comp = m.rollup_for("Competency")
    assert describe_rollup(comp.method, **comp.params(), threshold=demo.policy.threshold,
                           parts="learning targets") in text
    assert f"It counts {m.derived_evidence.weight:g} of a direct score" in text
    for level in m.scale().levels:
        assert level.description in text
    assert demo.settings.school.contacts[0].email in text
    assert demo.settings.school.programme in text


def test_another_mapping_gives_other_words(demo):
    """The words follow the policy in force, not fixed text."""
    base = demo.policy.mapping
    most_recent = type(base.aggregation_for("Habit"))(method="most_recent")
    m = base.model_copy(update={
        "aggregation": base.aggregation.model_copy(update={"by_node_type": {}, "default": most_recent}),
        "derived_evidence": base.derived_evidence.model_copy(update={"only_without_direct": False})})
    statements = " ".join(s.text for s in how_proficiency_is_decided(Policy(m, demo.policy.continuum)))
    assert "Canvas decaying average" not in statements
    assert "most recent assessment" in statements
    assert "blended" in statements
    assert scale_key(m).threshold == 3


def test_attachment_view_with_unknown_class_has_no_students(demo):
    with demo.store.engine.connect() as conn:
        view = attachment_view(conn, demo.policy, class_of=1999, school_id=None,
                               school=school_view(demo.settings.school), key=scale_key(demo.policy.mapping),
                               provenance=None)  # type: ignore[arg-type]
    assert view.students == 0 and view.gpa is None


@pytest.mark.parametrize(("rule", "says"), [
    ({"method": "course_grade", "min_points": 1.0},
     ["at least 1 grade point (A, B, C, D)", "or the teacher's where the class has no standards evidence",
      "keeps the teacher's letter, which earns the credit the same way."]),
    ({"method": "competencies_proficient"},
     ["every competency the course is aligned to is proficient on the class's standards evidence",
      "where the class has none, when the teacher's letter carries grade points",
      "keeps the teacher's letter, which earns the credit when it carries grade points."]),
    ({"method": "course_grade", "min_points": 1.0, "pass_letters": ["P", "CR"], "fail_letters": ["NC"]},
     ["A pass/fail course is marked P or CR when its credit is earned, NC when not, and is left out of the GPA."]),
])
def test_the_credit_rule_is_stated_for_every_kind_of_course(rule, says):
    from pathlib import Path

    from cbe_bridge.documents.wording import credit_text
    from cbe_bridge.mapping import load_mapping
    from cbe_bridge.mapping.policies import CompetenciesProficientCredit, CourseGradeCredit

    mapping = load_mapping([Path(__file__).parents[2] / "mappings" / "reference-district.yaml"])
    model = CourseGradeCredit if rule["method"] == "course_grade" else CompetenciesProficientCredit
    mapping = mapping.model_copy(update={"credit_rule": model(**rule)})
    text = credit_text(mapping)
    assert all(part in text for part in says), text
    assert ("pass/fail" in text) is bool(rule.get("pass_letters")), text
