"""``cbe-bridge writeback edfi|oneroster``: translated grades, credits and GPA back into the SIS.

Thin: find the target among the configured sources, call :func:`cbe_bridge.writeback.writeback`,
print the counts and every record the target refused (by resource and key, never by name).
Exit code 0 when everything was written (or would be, with ``--dry-run``), 1 when a record was
refused or skipped or the run stopped early (the next run sends what is missing).
"""

from __future__ import annotations

import json

import click

from cbe_bridge.app import App
from cbe_bridge.errors import EXIT_OK, EXIT_PARTIAL

SHOWN_FAILURES = 50  # per run on the terminal; --json lists them all


def _common(command):  # noqa: ANN001, ANN202 - a click decorator stack
    options = [
        click.argument("students", nargs=-1, metavar="[STUDENT]..."),
        click.option("--class-of", type=int, help="Only students graduating in this year."),
        click.option("--source", "target", metavar="NAME", help="The configured source to write to "
                     "(default: the only one of this kind)."),
        click.option("--from", "origin", metavar="NAME", help="Write the students computed from this store "
                     "source (default: the target's own, else the only one)."),
        click.option("--dry-run", is_flag=True, help="Print what would be created, updated or left unchanged; "
                     "send nothing."),
        click.option("--force", is_flag=True, help="Send every record again, changed or not."),
        click.option("--json", "as_json", is_flag=True, help="Print the report as JSON."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group()
def writeback() -> None:
    """Write translated grades, credits and GPA back to the SIS.

    \b
    Targets are the configured [[sources]] (their URL, credentials, retries). Records are
    keyed by natural keys (Ed-Fi) or derived sourcedIds (OneRoster); what the target last
    accepted is remembered in the store, so a second run sends only what changed. Figures
    computed under another mapping than the one in force are refused: compute again first.
    Example:
      cbe-bridge writeback edfi --dry-run
      cbe-bridge writeback oneroster --source sis --class-of 2027
    """


def _run(app: App, command: str, students: tuple[str, ...], class_of: int | None, target: str | None,
         origin: str | None, dry_run: bool, force: bool, as_json: bool, **extra: object) -> None:
    from cbe_bridge.writeback import find_target
    from cbe_bridge.writeback import writeback as run

    settings = find_target(app.settings.sources, command, target)
    report = run(app.store(create=False), settings, app.policy, students=students, class_of=class_of,
                 source=origin, dry=dry_run, force=force, **extra)
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print(report)
    raise SystemExit(EXIT_OK if report.ok else EXIT_PARTIAL)


def _print(report) -> None:  # noqa: ANN001 - a writeback Report
    verb = "would write" if report.dry_run else "wrote"
    click.echo(f"{report.target}: {verb} students computed from {report.source}"
               + ("" if report.dry_run else f" ({report.requests} request(s))"))
    for resource, counts in report.counts.items():
        words = ", ".join(f"{n} {'to ' + k if report.dry_run and k in ('create', 'update') else k}"
                          for k, n in counts.items() if n)
        click.echo(f"  {resource}: {words or 'nothing'}")
    for f in report.failures[:SHOWN_FAILURES]:
        status = f" HTTP {f.status}" if f.status else ""
        click.echo(f"{f.kind}{status}: {f.resource} {f.key}: {f.message}", err=True)
    if len(report.failures) > SHOWN_FAILURES:
        click.echo(f"... and {len(report.failures) - SHOWN_FAILURES} more (see --json)", err=True)
    if report.stopped:
        click.echo(f"stopped: {report.stopped}; the next run sends what is missing", err=True)


@writeback.command("edfi")
@_common
@click.option("--namespace", default="uri://ed-fi.org", show_default=True,
              help="Namespace of the descriptors written (TermDescriptor, GradeTypeDescriptor ...).")
@click.option("--grade-type", default="Final", show_default=True, help="GradeTypeDescriptor of the grades written.")
@click.option("--data-standard", type=click.Choice(["4", "5", "6"]), default=None,
              help="The target's Ed-Fi Data Standard, for students whose grades were not synced from it "
                   "(synced grades tell it themselves; default 5).")
@click.pass_obj
def edfi(app: App, namespace: str, grade_type: str, data_standard: str | None, **options) -> None:  # noqa: ANN003
    """Ed-Fi: studentAcademicRecords, courseTranscripts, grades with learningStandardGrades.

    \b
    POSTed (an upsert by natural key) through the source's OAuth 2 client. Exit code 1
    when a record was refused (each is listed by natural key) or the run stopped early.
    Example:
      cbe-bridge writeback edfi --source ods --dry-run
    """
    from cbe_bridge.writeback.edfi import EdFiOptions

    standard = int(data_standard) if data_standard else None
    _run(app, "edfi", edfi_options=EdFiOptions(namespace=namespace, grade_type=grade_type, data_standard=standard),
         **options)


@writeback.command("oneroster")
@_common
@click.pass_obj
def oneroster(app: App, **options) -> None:  # noqa: ANN003
    """OneRoster 1.1/1.2 gradebook: lineItems and results, PUT by sourcedId.

    \b
    One line item per class ("Proficiency-based grade"), one result per student and class
    (score on the proficiency scale, the letter as text score; 1.2 adds the competencies as
    learning-objective results). Only letters made from proficiency are written (the SIS has
    the teachers' own). sourcedIds are derived, so re-runs replace, never duplicate.
    Example:
      cbe-bridge writeback oneroster --source sis --dry-run
    """
    _run(app, "oneroster", **options)


COMMANDS = [writeback]
