"""Commands that report figures: ``gpa`` and ``explain``."""

from __future__ import annotations

import click
from sqlalchemy.engine import Connection

from cbe_bridge.app import App
from cbe_bridge.cli.output import emit, format_option
from cbe_bridge.errors import CbeBridgeError, UsageError
from cbe_bridge.identity.report import canonical_students
from cbe_bridge.translate.explain import explain as explain_student
from cbe_bridge.translate.gpa_report import course_lines, find_students, gpa_lines
from cbe_bridge.translate.student_records import computed_under, latest_compute_run


def _resolve(app: App, refs: tuple[str, ...]) -> list[tuple[str, str]]:
    with app.store(create=False).engine.connect() as conn:
        keys = find_students(conn, refs)
        if app.settings.identity is not None:  # a linked person is their primary student
            keys = canonical_students(conn, keys)
    if refs and not keys:
        raise UsageError("no student matches " + ", ".join(refs),
                         hint="give a student's source id or local student number")
    return keys


def _check_stored_figures(app: App, conn: Connection) -> None:
    """Stop when nothing has been computed (an empty listing would look like no GPA at all);
    say on stderr when the stored figures were computed under another mapping or continuum than
    the one in force: they are printed all the same, as the last compute made them."""
    run = latest_compute_run(conn)
    if not app.settings.mapping.files:
        return
    try:
        current = computed_under(run, app.policy)
    except CbeBridgeError as exc:  # reading stored figures needs no mapping: a broken one only warns
        click.echo(f"warning: cannot check the figures against the mapping in force: {exc}", err=True)
        return
    if not current:
        click.echo("warning: the mapping or continuum changed since the last 'cbe-bridge compute': these are "
                   "the figures it made; run it again for the mapping in force", err=True)


@click.command()
@click.argument("students", nargs=-1, metavar="[STUDENT]...")
@click.option("--class-of", type=int, help="Only students graduating in this year.")
@click.option("--per-term", is_flag=True, help="Also show GPA per school year and per term.")
@click.option("--courses", is_flag=True, help="Show course by course (back-translated letters).")
@format_option
@click.pass_obj
def gpa(app: App, students: tuple[str, ...], class_of: int | None, per_term: bool, courses: bool,
        fmt: str) -> None:
    """Print back-translated GPA (unweighted and weighted, cumulative or per year).

    \b
    STUDENT is a student's source id or local student number.
    Examples:
      cbe-bridge --config demo/cbe-bridge.toml gpa --class-of 2027
      cbe-bridge --config demo/cbe-bridge.toml gpa 700123 --courses --format json
    """
    keys = _resolve(app, students) if students else []
    with app.store(create=False).engine.connect() as conn:
        _check_stored_figures(app, conn)
        lines = gpa_lines(conn, keys=keys, class_of=class_of, per_term=per_term)
        if courses:
            rows = []
            for source, student_id in sorted({(l.source, l.student_id) for l in lines}):
                for c in course_lines(conn, source, student_id):
                    rows.append({"student": student_id, **c})
            emit(rows, ["student", "school_year", "course_code", "title", "source_letter", "letter", "value",
                        "basis", "course_level", "credits_attempted", "credits_earned", "counted"], fmt)
            return
    emit([vars(l) for l in lines], ["student_id", "identifier", "class_of", "scope", "unweighted", "weighted",
                                     "credits"], fmt)


@click.command()
@click.argument("student")
@click.argument("node", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every evidence row, not the first few per figure.")
@click.pass_obj
def explain(app: App, student: str, node: str | None, show_all: bool) -> None:
    """Trace each proficiency, credit and GPA figure of STUDENT back to its evidence.

    \b
    NODE narrows to one part of the continuum (a GUID or a human code such as MATH.C1).
    Example:
      cbe-bridge --config demo/cbe-bridge.toml explain 700123 MATH
    Each evidence row shows its date, store record (source table and id), the raw score,
    the value it became and whether it is direct (a standards score) or derived (from a
    course grade).
    """
    keys = _resolve(app, (student,))
    if len(keys) > 1:
        raise UsageError(f"{student!r} matches {len(keys)} students", hint="give the source id instead")
    source, student_id = keys[0]
    result = explain_student(app.store(create=False), app.policy, source, student_id, node,
                             max_evidence=10**9 if show_all else 8, identity=app.settings.identity)
    for line in result.lines:
        click.echo(line)


COMMANDS = [gpa, explain]
