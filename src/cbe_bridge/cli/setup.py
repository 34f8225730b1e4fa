"""Commands that set things up: ``init`` and ``demo``."""

from __future__ import annotations

from pathlib import Path

import click

from cbe_bridge.cli.data import print_outcomes
from cbe_bridge.demo import run_demo
from cbe_bridge.errors import UsageError
from cbe_bridge.starter import write_starter


@click.command()
@click.argument("directory", required=False, default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite existing files.")
def init(directory: Path, force: bool) -> None:
    """Write a commented starter configuration and mapping file for a new district.

    \b
    Example:
      cbe-bridge init district/ && cd district && $EDITOR cbe-bridge.toml mapping.yaml
    Then: 'cbe-bridge mapping validate mapping.yaml', 'cbe-bridge sync --dry-run',
    'cbe-bridge sync', 'cbe-bridge compute'.
    """
    written = write_starter(directory, force=force)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo("next: edit them, then run 'cbe-bridge mapping validate' and 'cbe-bridge sync --dry-run'")


@click.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("demo"), show_default=True,
              help="Folder for the store, configuration and results.")
@click.option("--workers", type=int, default=None, help="Worker processes for the computation.")
def demo(out: Path, workers: int | None) -> None:
    """Run the whole job on the shipped sample district.

    \b
    Example:
      cbe-bridge demo --out demo
      cbe-bridge --config demo/cbe-bridge.toml explain 700001
    Builds DIR/cbe-bridge.db from the sample OneRoster bundle, computes proficiency, credits
    and GPA for every student, writes DIR/students/*.json, DIR/summary.json and the
    graduating class's transcripts and school profile under DIR/documents/, and leaves
    DIR/cbe-bridge.toml for trying the other commands. The sample deliberately holds a few
    bad rows, so the sync reports rejected records; the demo still exits 0.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} exists and is not a folder")
    result = run_demo(out, workers=workers)
    print_outcomes(result.sync)
    s = result.summary
    click.echo(f"computed {s['students']} students: {s['proficiency_figures']} proficiency figures, "
               f"{s['course_marks']} course marks; mean unweighted GPA {s['gpa_unweighted']['mean']}")
    d = s["documents"]
    click.echo(f"documents: {d['transcripts']} transcripts and the school profile for the class of "
               f"{d['class_of']} in {d['folder']}/")
    click.echo(f"results: {out / 'students'}/, summary: {out / 'summary.json'}")
    click.echo(f"try:     cbe-bridge --config {result.config} gpa --class-of 2027")


COMMANDS = [init, demo]
