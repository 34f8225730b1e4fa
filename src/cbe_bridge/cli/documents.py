"""Commands that write documents for colleges: ``transcript`` and ``attachment``.

Thin: parse the selection, build a :class:`~cbe_bridge.documents.DocumentSpec` from the
configuration, run the batch, report. A progress bar is drawn on a terminal only; piped or
logged runs print one line per finished batch. Failures are listed at the end by student id
(never by name) and make the exit code 1; the other documents are still written.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from cbe_bridge.app import App
from cbe_bridge.documents import DocumentContext, run_batch, select_students, spec_from_settings
from cbe_bridge.errors import EXIT_PARTIAL, UsageError

_format = click.option("--format", "fmt", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True,
                       help="PDF for sending; HTML (the same template) for a browser or a web page.")
_out = click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, metavar="DIR",
                    help="Folder for the files (default: the configured output folder + /documents).")
_templates = click.option("--templates", "template_dir", metavar="DIR",
                          type=click.Path(exists=True, file_okay=False, path_type=Path),
                          help="A folder of templates that replace the shipped ones by file name (restyling).")
_unofficial = click.option("--unofficial", is_flag=True, help="Mark every page UNOFFICIAL and leave out the signature line.")


def _spec(app: App, out: Path | None, fmt: str, unofficial: bool, template_dir: Path | None):  # noqa: ANN202
    folder = out or Path(app.settings.output.dir) / "documents"
    return spec_from_settings(app.settings, folder, fmt=fmt, unofficial=unofficial, template_dir=template_dir)


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on a terminal; otherwise nothing until the summary."""
    if not sys.stderr.isatty() or total < 2:
        yield lambda n: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


@click.command()
@click.argument("students", nargs=-1, metavar="[STUDENT]...")
@click.option("--class-of", type=int, metavar="YEAR", help="Every student graduating in YEAR.")
@click.option("--school", "school_id", metavar="ID", help="Only students of this school (its org source id).")
@click.option("--traditional", is_flag=True,
              help="Write the traditional transcript (letters and GPA computed from proficiency) instead.")
@click.option("--merge", is_flag=True, help="Also write one PDF holding the whole batch, in order.")
@click.option("--workers", type=int, default=None, help="Worker processes (default: one per core).")
@_format
@_out
@_unofficial
@_templates
@click.pass_obj
def transcript(app: App, students: tuple[str, ...], class_of: int | None, school_id: str | None,
               traditional: bool, merge: bool, workers: int | None, fmt: str, out: Path | None,
               unofficial: bool, template_dir: Path | None) -> None:
    """Write a proficiency-based transcript for each student selected.

    \b
    STUDENT is a student's source id or local student number; or select with
    --class-of and/or --school. Files are named by student id (never by name)
    and are readable by their owner only.
    Examples:
      cbe-bridge --config demo/cbe-bridge.toml transcript --class-of 2027 --merge
      cbe-bridge --config demo/cbe-bridge.toml transcript 700001 --unofficial --format html
      cbe-bridge --config demo/cbe-bridge.toml transcript --class-of 2027 --traditional
    A batch uses every core; a student whose document fails is reported at the end
    (exit code 1) and the others are still written.
    """
    if not (students or class_of or school_id):
        raise UsageError("say which students", hint="give student ids, --class-of YEAR or --school ID")
    if merge and fmt != "pdf":
        raise UsageError("--merge joins PDFs", hint="leave out --format html, or --merge")
    spec = _spec(app, out, fmt, unofficial, template_dir)
    with app.store(create=False).engine.connect() as conn:
        keys = select_students(conn, refs=students, class_of=class_of, school_id=school_id)
    kind = "traditional" if traditional else "transcript"
    with _progress(len(keys), "traditional transcripts" if traditional else "transcripts") as advance:
        result = run_batch(spec, keys, (kind,), workers=workers, merge=merge, progress=advance,
                           policy=app.policy, store=app.store(create=False))
    click.echo(f"wrote {len(result.written)} {fmt.upper()} file(s) to {spec.out_dir} in {result.seconds:.1f} s "
               f"({result.workers} worker(s))")
    for path in result.merged:
        click.echo(f"merged: {path}")
    if result.failures:
        click.echo(f"{len(result.failures)} document(s) failed:", err=True)
        for f in result.failures:
            click.echo(f"  {f.student_id} ({f.kind}): {f.message}", err=True)
        raise SystemExit(EXIT_PARTIAL)


@click.command()
@click.option("--class-of", type=int, metavar="YEAR",
              help="The graduating class described (default: the class graduating this school year).")
@click.option("--school", "school_id", metavar="ID", help="Only students of this school (its org source id).")
@_format
@_out
@_unofficial
@_templates
@click.pass_obj
def attachment(app: App, class_of: int | None, school_id: str | None, fmt: str, out: Path | None, unofficial: bool,
               template_dir: Path | None) -> None:
    """Write the college attachment (school profile) for a graduating class.

    \b
    Example:
      cbe-bridge --config demo/cbe-bridge.toml attachment --class-of 2027
    The profile states the proficiency scale, how proficiency is decided (in plain words,
    from the mapping in force), the continuum, what credit and graduation mean, the class's
    results as charts, and the conversion to GPA, so it matches the transcripts it goes with.
    """
    spec = _spec(app, out, fmt, unofficial, template_dir)
    ctx = DocumentContext(spec, store=app.store(create=False), policy=app.policy)
    try:
        path = ctx.write_attachment(class_of, school_id)
    finally:
        ctx.close()
    click.echo(f"wrote {path}")


COMMANDS = [transcript, attachment]
