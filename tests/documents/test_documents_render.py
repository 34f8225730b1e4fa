"""Branding from configuration: a district's template folder and logo, no code changes."""

from __future__ import annotations

from cbe_bridge.config import SchoolProfile
from cbe_bridge.translate.student_records import load_records
from cbe_bridge.documents.render import Renderer, template_fingerprint, TEMPLATES
from cbe_bridge.documents.views import school_view

LOGO = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18"/></svg>'


def test_a_template_folder_overrides_by_file_name(demo, tmp_path):
    folder = tmp_path / "district-templates"
    folder.mkdir()
    (folder / "signature.html.j2").write_text('<div class="signature">Signed for the Board of Trustees</div>\n')
    key = demo.student()
    with demo.store.engine.connect() as conn:
        record = load_records(conn, [key])[key]
    shipped = demo.context(tmp_path / "a", fmt="html")
    district = demo.context(tmp_path / "b", fmt="html", template_dir=folder)
    html = district.write_student(record, "transcript").read_text()
    assert "Signed for the Board of Trustees" in html
    assert "Academic proficiency" in html  # every other file is the shipped one
    assert district.provenance.template_fingerprint != shipped.provenance.template_fingerprint
    assert district.provenance.template_fingerprint in html or district.provenance.template_fingerprint[:16] in html


def test_logo_is_embedded_so_html_stands_alone(tmp_path):
    logo = tmp_path / "logo.svg"
    logo.write_text(LOGO)
    view = school_view(SchoolProfile(name="Logo High", logo=logo))
    assert view.logo_uri.startswith("data:image/svg+xml;base64,")
    assert school_view(SchoolProfile(name="No Logo High")).logo_uri is None


def test_template_fingerprint_is_stable_and_covers_the_shipped_files():
    assert template_fingerprint([TEMPLATES]) == Renderer().fingerprint
    assert len(Renderer().fingerprint) == 64
