"""The traditional transcript: letters, credits and GPA as the engine stored them, and the
conversion stated from the mapping."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from cbe_bridge.translate.student_records import load_records
from cbe_bridge.store.schema import CANONICAL, course_marks, gpa

from .helpers import has_class, html_rows, pdf_pages


def _gpa(value: float) -> str:
    return str(Decimal(repr(value)).quantize(Decimal("0.01"), ROUND_HALF_UP))


@pytest.fixture(scope="module")
def rendered(demo, tmp_path_factory):
    folder = tmp_path_factory.mktemp("traditional")
    key = demo.student(index=3)
    with demo.store.engine.connect() as conn:
        record = load_records(conn, [key])[key]
    pdf = demo.context(folder / "pdf").write_student(record, "traditional")
    html = demo.context(folder / "html", fmt="html").write_student(record, "traditional")
    return {"key": key, "pdf": pdf, "html": html.read_text()}


def test_gpa_cumulative_and_per_year_are_the_stored_ones(demo, rendered):
    text = "\n".join(pdf_pages(rendered["pdf"]))
    source, sid = rendered["key"]
    with demo.store.engine.connect() as conn:
        rows = conn.execute(sa.select(gpa).where(gpa.c.source == source, gpa.c.student_id == sid)).mappings().all()
    scopes = {r["scope"]: r for r in rows}
    cumulative = scopes["cumulative"]
    assert f"Cumulative GPA, unweighted\n{_gpa(cumulative['unweighted'])}" in text
    assert f"Cumulative GPA, weighted\n{_gpa(cumulative['weighted'])}" in text
    years = [s for s in scopes if s.isdigit()]
    assert len(years) >= 3
    for year in years:
        r = scopes[year]
        assert f"Year GPA {_gpa(r['unweighted'])} unweighted · {_gpa(r['weighted'])} weighted" in text, year


def test_every_course_row_is_the_stored_mark(demo, rendered):
    source, sid = rendered["key"]
    courses = CANONICAL["courses"]
    with demo.store.engine.connect() as conn:
        marks = conn.execute(sa.select(course_marks, courses.c.title).join(
            courses, sa.and_(courses.c.source == course_marks.c.source,
                             courses.c.source_id == course_marks.c.course_id))
            .where(course_marks.c.source == source, course_marks.c.student_id == sid)).mappings().all()
    cells = html_rows(rendered["html"], f"//table[{has_class('terms')}]//tr[not(@class)]")
    printed = []
    for row in cells:  # two terms side by side: six cells each
        for side in (row[:6], row[6:]):
            if side and side[0]:
                printed.append(tuple(side[:5]))
    expected = []
    for m in marks:
        level = {"honors": "Honors", "ap": "AP", "dual_enrollment": "Dual enrollment", "elo": "Extended learning"}
        expected.append((m["title"], level.get(m["course_level"] or "", ""), m["letter"] or "-",
                         f"{m['credits_attempted']:.2f}", f"{m['credits_earned']:.2f}"))
    assert sorted(printed) == sorted(expected)
    text = "\n".join(pdf_pages(rendered["pdf"]))
    earned = sum(m["credits_earned"] for m in marks)
    attempted = sum(m["credits_attempted"] for m in marks)
    assert f"{earned:.2f} of {attempted:.2f}" in text


def test_conversion_table_and_method_come_from_the_mapping(demo, rendered):
    text = "\n".join(pdf_pages(rendered["pdf"]))
    g = demo.policy.mapping.gpa
    cuts = sorted(g.conversion.cuts, key=lambda c: -c.min)
    top = demo.policy.mapping.scale().max_value
    for i, cut in enumerate(cuts):
        upper = f"{top:.2f}" if i == 0 else f"under {cuts[i - 1].min:.2f}"
        assert f"{cut.min:.2f} - {upper} {cut.letter} {g.points[cut.letter]:.1f}" in text
    assert "school profile" in text.lower()
    for level, bonus in g.weights.items():
        assert f"+{bonus:g}" in text
    # The key names each pass/fail letter, which the conversion table (grade points) cannot.
    rule = demo.policy.mapping.credit_rule
    assert rule.pass_letters and rule.fail_letters
    for letter in rule.pass_letters:
        assert f"{letter} pass (credit, not in GPA)" in text
    for letter in rule.fail_letters:
        assert f"{letter} fail (no credit, not in GPA)" in text
    assert (f"A pass/fail course ({', '.join(rule.pass_letters)} pass, {', '.join(rule.fail_letters)} fail) "
            "is left out of the GPA" in " ".join(text.split()))
