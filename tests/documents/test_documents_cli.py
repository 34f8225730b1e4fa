"""The ``transcript`` and ``attachment`` commands: selection, usage errors, failures at the end."""

from __future__ import annotations

from click.testing import CliRunner

from cbe_bridge.cli import main
from cbe_bridge.documents.context import DocumentContext


def cli(demo, *args: str):
    return CliRunner().invoke(main, ["--config", str(demo.config), *args])


def test_transcript_needs_a_selection(demo):
    result = cli(demo, "transcript")
    assert result.exit_code == 2 and "say which students" in result.output


def test_merge_needs_pdf(demo, tmp_path):
    result = cli(demo, "transcript", "--class-of", "2027", "--merge", "--format", "html", "--out", str(tmp_path))
    assert result.exit_code == 2 and "--merge" in result.output


def test_unknown_student_is_named(demo, tmp_path):
    result = cli(demo, "transcript", "nobody-here", "--out", str(tmp_path))
    assert result.exit_code == 2 and "nobody-here" in result.output
    assert "Traceback" not in result.output


def test_failures_are_listed_at_the_end_with_exit_code_1(demo, tmp_path, monkeypatch):
    first, second = demo.student(index=0), demo.student(index=1)
    original = DocumentContext.write_student

    def flaky(self, record, kind):  # noqa: ANN001, ANN202
        if record.person.student_id == second[1]:
            raise ValueError("no room on the page")
        return original(self, record, kind)

    monkeypatch.setattr(DocumentContext, "write_student", flaky)
    result = cli(demo, "transcript", first[1], second[1], "--traditional", "--format", "html", "--workers", "1",
                 "--out", str(tmp_path))
    assert result.exit_code == 1
    assert f"{second[1]} (traditional): ValueError: no room on the page" in result.output
    assert (tmp_path / f"traditional-transcript-{first[1]}.html").exists()
    assert not (tmp_path / f"traditional-transcript-{second[1]}.html").exists()


def test_attachment_command_writes_the_profile(demo, tmp_path):
    result = cli(demo, "attachment", "--class-of", "2028", "--format", "html", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "school-profile-2028.html").read_text()
    assert "Class of 2028" in page and "How proficiency is decided" in page


def test_attachment_for_a_class_without_students_is_a_usage_error(demo, tmp_path):
    result = cli(demo, "attachment", "--class-of", "1999", "--out", str(tmp_path))
    assert result.exit_code == 2 and "1999" in result.output
