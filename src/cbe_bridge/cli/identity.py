"""``cbe-bridge identity``: people of other sources the primary source's students could not be tied to."""

from __future__ import annotations

import click

from cbe_bridge.app import App
from cbe_bridge.cli.output import emit, format_option
from cbe_bridge.errors import EXIT_PARTIAL, UsageError
from cbe_bridge.identity.report import UNRESOLVED, summarize, unresolved
from cbe_bridge.identity.resolve import resolve_identity
from cbe_bridge.store.database import Store


def echo_summary(store: Store) -> None:
    """One line per linked source: linked (per key), ambiguous, unmatched. Source ids only."""
    with store.engine.connect() as conn:
        summaries = summarize(conn)
    for s in summaries:
        more = "; see 'cbe-bridge identity'" if s.ambiguous or s.unmatched else ""
        click.echo(f"identity {s.line()}{more}")


@click.command()
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Only people of this source (repeatable).")
@click.option("--status", "statuses", multiple=True, type=click.Choice(["ambiguous", "unmatched", "linked"]),
              help="Which people to list (repeatable; default: ambiguous and unmatched).")
@click.option("--resolve", is_flag=True, help="Resolve again now (after editing [identity]; sync and compute do it).")
@click.option("--limit", type=int, default=None, help="List at most this many people.")
@click.option("--check", is_flag=True, help="Exit 1 when a person is ambiguous.")
@format_option
@click.pass_obj
def identity(app: App, sources: tuple[str, ...], statuses: tuple[str, ...], resolve: bool, limit: int | None,
             check: bool, fmt: str) -> None:
    """List people of linked sources that [identity] could not tie to one primary student.

    \b
    Examples:
      cbe-bridge identity                       # ambiguous and unmatched people
      cbe-bridge identity --status linked --source lms --format csv
      cbe-bridge identity --check || alert "cbe-bridge: ambiguous identities"
    People are named by their id in their source, candidates by their primary source id, and
    keys by field name: never a name or an email. An ambiguous person (matching several
    students, or one student another person of the source matches too) is not linked; fix
    the key values in the source systems, or change the keys under [identity].
    """
    settings = app.settings.identity
    if settings is None:
        raise UsageError("no [identity] in the configuration",
                         hint="name the primary source and the keys other sources match on; see docs/sources.md")
    unknown = [s for s in sources if s not in settings.sources]
    if unknown:
        raise UsageError(f"{', '.join(unknown)}: not a source under [identity.sources]",
                         hint="linked sources: " + ", ".join(settings.sources))
    store = app.store(create=resolve)
    if resolve:
        resolve_identity(store, settings)
    with store.engine.connect() as conn:
        summaries = summarize(conn)
        rows = unresolved(conn, sources=sources, statuses=statuses or UNRESOLVED, limit=limit)
    if fmt == "table":
        if not summaries:
            click.echo("identities not resolved yet: run 'cbe-bridge sync' or 'cbe-bridge identity --resolve'")
        for s in summaries:
            click.echo(f"{s.line()}")
        click.echo("")
    emit(rows, ["source", "person_id", "status", "reason", "key_field", "student_source", "students"], fmt)
    if check and any(s.ambiguous for s in summaries if not sources or s.source in sources):
        raise SystemExit(EXIT_PARTIAL)


COMMANDS = [identity]
