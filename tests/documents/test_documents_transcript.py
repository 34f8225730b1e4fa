"""The proficiency-based transcript: the student's figures in the PDF are the engine's figures.

One student's PDF is rendered once (module fixture); its text is extracted with pypdf and every
stored figure of a content area or competency is looked for, formatted as the transcript
prints it, on its own row.
"""

from __future__ import annotations

import json
import math
import stat
from datetime import date

import pytest
import sqlalchemy as sa

from cbe_bridge import __version__
from cbe_bridge.documents.context import DocumentSpec
from cbe_bridge.store.schema import CANONICAL, course_marks, proficiency, students

from .helpers import has_class, html_rows, pdf_metadata, pdf_pages


def _truncate(value: float) -> str:
    return f"{math.floor(value * 100 + 1e-9) / 100:.2f}"


def _short(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%b} {day.day}, {day.year}"


@pytest.fixture(scope="module")
def rendered(demo, tmp_path_factory):
    """The official PDF and the unofficial HTML of one student of the class of 2027."""
    folder = tmp_path_factory.mktemp("transcripts")
    key = demo.student()
    official = demo.context(folder / "official")
    unofficial = demo.context(folder / "unofficial", unofficial=True, fmt="html")
    from cbe_bridge.translate.student_records import load_records

    with demo.store.engine.connect() as conn:
        record = load_records(conn, [key])[key]
    return {"key": key, "record": record, "pdf": official.write_student(record, "transcript"),
            "html_path": unofficial.write_student(record, "transcript")}


def _figures(demo, key):
    with demo.store.engine.connect() as conn:
        rows = conn.execute(sa.select(proficiency).where(proficiency.c.source == key[0],
                                                         proficiency.c.student_id == key[1])).mappings().all()
        grad = conn.execute(sa.select(students.c.graduation).where(students.c.source == key[0],
                                                                   students.c.student_id == key[1])).scalar()
        credits = conn.execute(sa.select(sa.func.sum(course_marks.c.credits_earned)).where(
            course_marks.c.source == key[0], course_marks.c.student_id == key[1])).scalar()
    return {r["node_id"]: r for r in rows}, json.loads(grad), credits


def test_every_competency_figure_in_the_pdf_is_the_stored_one(demo, rendered):
    text = "\n".join(pdf_pages(rendered["pdf"]))
    stored, _, _ = _figures(demo, rendered["key"])
    continuum, scale = demo.policy.continuum, demo.policy.mapping.scale()
    checked = 0
    for node in continuum.nodes.values():
        if node.depth > 1:
            continue  # the transcript lists content areas and their competencies
        fig = stored.get(node.id)
        if fig is None:
            assert f"{node.human_code} {node.title} Not yet assessed" in text
            continue
        level = scale.level_by_code(fig["level_code"])
        basis = {"direct": "Direct", "derived": "Derived", "mixed": "Mixed"}[fig["basis"]]
        line = (f"{node.human_code} {node.title} {fig['level_code']} {level.label} {_truncate(fig['value'])} "
                f"{basis} {_short(fig['last_date'])}")
        assert line in text, line
        checked += 1
    assert checked >= 30


def test_graduation_requirements_and_credits_are_the_stored_ones(demo, rendered):
    text = "\n".join(pdf_pages(rendered["pdf"]))
    _, graduation, credits = _figures(demo, rendered["key"])
    for g in graduation:
        status = "Met" if g["met"] else "Not yet met"
        assert f"{g['code']} {g['title']} {g['required']:.2f} {_truncate(g['achieved'])} {status}" in text
    met = sum(1 for g in graduation if g["met"])
    assert f"{met} of {len(graduation)}" in text
    assert f"{credits:.2f} of" in text


def test_identity_key_pages_signature_and_provenance(demo, rendered):
    pages = pdf_pages(rendered["pdf"])
    key = rendered["key"]
    users, demographics = CANONICAL["users"], CANONICAL["demographics"]
    with demo.store.engine.connect() as conn:
        user = conn.execute(sa.select(users).where(users.c.source == key[0], users.c.source_id == key[1])).mappings().one()
        born = conn.execute(sa.select(demographics.c.birth_date).where(demographics.c.source_id == key[1])).scalar()
    first = pages[0]
    assert f"{user['family_name']}, {user['given_name']}" in first
    assert user["identifier"] in first
    day = date.fromisoformat(born)
    assert f"{day:%B} {day.day}, {day.year}" in first
    assert "December 1, 2026" in first  # the issue date of the job
    assert 1 <= len(pages) <= 3
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of {len(pages)}" in page
        for label in ("1 Limited Progress", "2 In Progress", "3 Proficient", "4 Exemplary", "from course grades"):
            assert label in page  # the key to the scale, on every page
    assert "Signature of school official" in pages[-1]
    assert "UNOFFICIAL" not in "".join(pages)
    fingerprint = demo.policy.mapping.fingerprint
    assert fingerprint in pages[-1] and f"cbe-bridge {__version__}" in pages[-1]
    meta = pdf_metadata(rendered["pdf"])
    assert meta["/Title"].startswith("Proficiency-based transcript: ")
    assert meta["/Author"] == demo.settings.school.name
    assert meta["/mappingfingerprint"] == fingerprint
    assert meta["/cbebridgeversion"] == __version__
    assert stat.S_IMODE(rendered["pdf"].stat().st_mode) == 0o600


def test_habits_are_reported_apart_from_academics(demo, rendered):
    html = rendered["html_path"].read_text()
    tables = ["//h2[.='Academic proficiency']/following-sibling::table[1]//tr[td]",
              "//h2[.='Habits of learning']/following-sibling::table[1]//tr[td]"]
    academic, habits = (html_rows(html, xpath) for xpath in tables)
    habit_codes = {demo.policy.continuum.nodes[n].human_code for n in demo.policy.habit_nodes}
    assert habit_codes and habit_codes <= {row[0] for row in habits}
    assert not habit_codes & {row[0] for row in academic}


def test_unofficial_copy_is_marked_and_unsigned(rendered):
    html = rendered["html_path"].read_text()
    assert 'class="watermark">UNOFFICIAL' in html and "UNOFFICIAL COPY" in html
    assert "Signature of school official" not in html
    assert stat.S_IMODE(rendered["html_path"].stat().st_mode) == 0o600


def test_direct_and_derived_are_marked_per_row(demo, rendered):
    html = rendered["html_path"].read_text()
    stored, _, _ = _figures(demo, rendered["key"])
    by_code = {n.human_code: n.id for n in demo.policy.continuum.nodes.values()}
    rows = html_rows(html, f"//tbody[{has_class('area')}]/tr")
    bases = set()
    for row in rows:
        fig = stored.get(by_code[row[0]])
        if fig is not None:
            assert row[5] == fig["basis"].capitalize(), row
            bases.add(fig["basis"])
    assert {"direct", "derived"} <= bases


def test_file_names_carry_ids_not_names(demo, tmp_path):
    spec = demo.spec(tmp_path)
    assert isinstance(spec, DocumentSpec)
    assert spec.path_for("transcript", "stu/../1").name == "transcript-stu_.._1.pdf"
