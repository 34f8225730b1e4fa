"""Golden files: the visible text of the two student documents for a hand-made record.

The record is built here (not read from the engine), so a change in these files means a
change in what the templates print. The comparison is of the text a reader sees, block by
block, not of the markup, so restyling does not break it. After an intended change, run
``CBE_BRIDGE_UPDATE_GOLDEN=1 pytest tests/documents`` and review the diff.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from cbe_bridge.config import Contact, SchoolProfile
from cbe_bridge.translate.student_records import CourseMark, Figure, GpaFigure, Person, StudentRecord
from cbe_bridge.documents.render import Renderer
from cbe_bridge.documents.views import Provenance, school_view, traditional_view, transcript_view
from cbe_bridge.documents.wording import policy_words

GOLDEN = Path(__file__).parent / "golden"
BLOCKS = "//h1|//h2|//h3|//p|//tr|//div[contains(@class,'label') or contains(@class,'value') or contains(@class,'big')]"


def _mark(class_id, code, title, session_id, term, start, end, year, letter, value, basis, level,  # noqa: ANN001, ANN202
          attempted, earned, counted):
    return CourseMark(class_id, None, code, title, None, session_id, term, "semester", start, end, year, end, letter,
                      value, basis, None, level, attempted, earned, counted)


def _record(policy) -> StudentRecord:
    nodes = policy.continuum.nodes.values()
    figures = {}
    for i, node in enumerate(n for n in nodes if n.depth <= 1 and not n.human_code.startswith("ART")):
        value = [1.5, 2.25, 2.995, 3.0, 3.4, 4.0][i % 6]
        level = policy.scale.level_for(value)
        figures[node.id] = Figure(node.id, value, level.code, value >= 3, ["direct", "derived", "mixed"][i % 3],
                                  3, 1, f"2026-0{1 + i % 9}-1{i % 10}", None)
    grad = [{"code": "MATH", "title": "Mathematics", "required": 3.0, "achieved": 2.995, "met": False},
            {"code": "ELA", "title": "English Language Arts", "required": 3.0, "achieved": 3.4, "met": True}]
    courses = [
        _mark("c1", "ALG1", "Algebra I", "t0", "Spring 2025", "2025-01-16", "2025-06-08", 2025, "F", 1.2,
               "direct", "regular", 0.5, 0.0, False),  # failed, taken again the next year
        _mark("c2", "ALG1", "Algebra I", "t2", "Spring 2026", "2026-01-16", "2026-06-08", 2026, "A", 3.2,
               "direct", "regular", 0.5, 0.5, True),
        _mark("c3", "BIOH", "Honors Biology", "t2", "Spring 2026", "2026-01-16", "2026-06-08", 2026, "C", 2.1,
               "derived", "honors", 0.5, 0.5, True),
        _mark("c4", "DE101", "College Writing", "t2", "Spring 2026", "2026-01-16", "2026-06-08", 2026, "A", 3.5,
               "direct", "dual_enrollment", 1.0, 1.0, True),
        _mark("c5", "ADVIS", "Advisory", "t2", "Spring 2026", "2026-01-16", "2026-06-08", 2026, "P", None,
               "source", None, 1.0, 1.0, True),  # a pass earns its credit
    ]
    gpa = {scope: GpaFigure(scope, 3.125, 3.375, 2.0, None) for scope in ("cumulative", "2026", "term:t2")}
    person = Person("sis", "stu-x", "123456", "Ada", "Lovelace", "B", "Addie", "2009-02-03", None, None)
    return StudentRecord(person, "11", 2028, "org-hs", None, None, grad, figures, courses, gpa)


SCHOOL = SchoolProfile(name="Golden Valley High School", district="Golden Valley Schools", ceeb_code="123456",
                       address="1 Main Street, Golden, ME 04000", phone="(207) 555-0199",
                       website="https://example.org/golden", programme="A small proficiency-based high school.",
                       contacts=[Contact(role="Registrar", name="Pat Doe", email="registrar@example.org")])


def _text(html: str) -> str:
    doc = lxml.html.fromstring(html)
    lines = []
    for el in doc.xpath(BLOCKS):
        if el.tag == "tr":
            text = " | ".join(" ".join(c.text_content().split()) for c in el.xpath("./td|./th"))
        else:
            text = " ".join(el.text_content().split())
        if text.strip(" |"):
            lines.append(text)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", ["transcript", "traditional"])
def test_student_documents_match_their_golden_text(demo, kind):
    policy = demo.policy
    words = policy_words(policy)
    provenance = Provenance("9.9.9", "9.9.8", 7, "2026-11-24", "f" * 64, "continuum-id", "e" * 64,
                            date(2026, 12, 1))
    common = dict(school=school_view(SCHOOL), key=words.key, provenance=provenance, unofficial=False)
    record = _record(policy)
    view = traditional_view(record, **common) if kind == "traditional" else transcript_view(policy, record, **common)
    text = _text(Renderer().html(view, words))
    golden = GOLDEN / f"{kind}.txt"
    if os.environ.get("CBE_BRIDGE_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text)
    assert text == golden.read_text()
