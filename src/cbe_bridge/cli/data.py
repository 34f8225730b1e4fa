"""Commands that move data: ``sync``, ``compute``, ``status``."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import click
import sqlalchemy as sa

from cbe_bridge.app import App
from cbe_bridge.cli.identity import echo_summary as echo_identity
from cbe_bridge.cli.output import emit, format_option
from cbe_bridge.engine.compute import compute as run_compute
from cbe_bridge.engine.compute import ComputeRun, latest_run
from cbe_bridge.errors import EXIT_OK, EXIT_PARTIAL
from cbe_bridge.identity.report import summarize
from cbe_bridge.sources.base import Progress
from cbe_bridge.store.database import Store
from cbe_bridge.store.schema import rejects, sync_runs
from cbe_bridge.sync import SourceOutcome, sync_running, sync_sources


def print_outcomes(outcomes: list[SourceOutcome]) -> int:
    """Print what each source did (per entity, and per collection for API sources); the exit code."""
    rows = []
    for o in outcomes:
        for entity, c in o.counts.items():
            rows.append({"source": o.source, "entity": entity, **c.as_dict()})
    if rows:
        emit(rows, ["source", "entity", "received", "inserted", "updated", "unchanged", "deleted",
                    "rejected"], "table")
    collections = [{"source": o.source, "collection": key, **c.as_dict()}
                   for o in outcomes for key, c in o.collections.items()]
    if collections:
        click.echo("")
        emit(collections, ["source", "collection", "fetched", "pages", "inserted", "updated", "deleted",
                           "rejected", "retries", "seconds", "complete"], "table")
    for o in outcomes:
        click.echo(f"{o.source}: {o.status} in {o.seconds:.1f}s"
                   + (f" ({o.rejected} rejected; see 'cbe-bridge status --rejects')" if o.rejected else "")
                   + (f": {o.message}" if o.message else ""))
    return EXIT_OK if all(o.status in ("ok", "dry-run") and not o.rejected for o in outcomes) else EXIT_PARTIAL


@contextmanager
def progress_bars(enabled: bool) -> Iterator[Progress | None]:
    """Rich progress bars on stderr, one per collection, when it is a terminal."""
    if not enabled:
        yield None
        return
    from rich.console import Console  # noqa: PLC0415 - only on a terminal
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

    bars = Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=False)
    tasks: dict[str, object] = {}

    def update(label: str, done: int, total: int | None) -> None:
        if label not in tasks:
            tasks[label] = bars.add_task(label, total=total)
        bars.update(tasks[label], completed=done, total=total if total is not None else max(done, 1))

    with bars:
        yield update


@click.command()
@click.option("--full", is_flag=True, help="Read everything again, ignoring watermarks.")
@click.option("--dry-run", is_flag=True, help="Count what would change, and change nothing.")
@click.option("--source", "only", multiple=True, metavar="NAME", help="Sync only this source (repeatable).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bars (default: on when stderr is a terminal and logs are text).")
@click.pass_obj
def sync(app: App, full: bool, dry_run: bool, only: tuple[str, ...], progress: bool | None) -> None:
    """Pull the configured sources into the store, incrementally and idempotently.

    \b
    Example:
      cbe-bridge --config demo/cbe-bridge.toml sync --dry-run
      cbe-bridge --log-format json sync          # from cron: JSON lines on stderr
    Each source commits its records, rejects and watermarks together; API sources commit
    page by page, so a sync that is stopped (even by kill -9) resumes where it stopped.
    Exit code 1 when records were rejected or a source failed (see 'cbe-bridge status'),
    3 when another sync is running.
    """
    if progress is None:
        progress = sys.stderr.isatty() and app.log_format == "text"
    with progress_bars(progress) as bars:
        outcomes = sync_sources(app.store(), app.sources(), full=full, dry_run=dry_run, only=only,
                                progress=bars, identity=app.settings.identity)
    code = print_outcomes(outcomes)
    if app.settings.identity is not None and not dry_run:
        echo_identity(app.store())
    raise SystemExit(code)


@click.command()
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), help="Compute as of this date (default today).")
@click.option("--workers", type=int, default=None, help="Worker processes (default: one per core).")
@click.pass_obj
def compute(app: App, as_of, workers: int | None) -> None:  # noqa: ANN001
    """Compute proficiency, credits and back-translated GPA for every student.

    \b
    Example:
      cbe-bridge --config demo/cbe-bridge.toml compute
    Results replace the previous run in one transaction and record the mapping's fingerprint.
    """
    day = as_of.date() if as_of else date.today()
    summary = run_compute(app.store(), app.policy_source, as_of=day, workers=workers,
                          identity=app.settings.identity)
    if app.settings.identity is not None:
        echo_identity(app.store())
    click.echo(f"computed {summary.students} students: {summary.proficiency_rows} proficiency figures, "
               f"{summary.course_rows} course marks (run {summary.run_id})")
    if summary.unmapped_objectives:
        click.echo(f"{len(summary.unmapped_objectives)} learning objective id(s) map to no continuum node "
                   f"({sum(summary.unmapped_objectives.values())} scores); see 'cbe-bridge mapping coverage'")
    if summary.unreadable_scores:
        click.echo(f"{summary.unreadable_scores} score(s) could not be read on the proficiency scale")


@click.command()
@click.option("--rejects", "show_rejects", is_flag=True, help="List the pending rejected records.")
@click.option("--limit", default=10, show_default=True, help="How many runs (or rejects) to show.")
@click.option("--check", is_flag=True, help="Exit 1 when a source's latest sync failed or was interrupted.")
@format_option
@click.pass_obj
def status(app: App, show_rejects: bool, limit: int, check: bool, fmt: str) -> None:
    """Show the store, the last sync runs with their counts, failing sources, rejected records.

    \b
    Example:
      cbe-bridge --config demo/cbe-bridge.toml status --rejects
      cbe-bridge status --check || alert "cbe-bridge: a source is failing"
    """
    store = app.store(create=False)
    with store.engine.connect() as conn:
        if show_rejects:
            rows = conn.execute(sa.select(rejects.c.id, rejects.c.source, rejects.c.entity, rejects.c.location,
                                          rejects.c.field, rejects.c.reason)
                                .where(rejects.c.status == "pending").order_by(rejects.c.id).limit(limit)).mappings().all()
            emit([dict(r) for r in rows], ["id", "source", "entity", "location", "field", "reason"], fmt)
            return
        runs = conn.execute(sa.select(sync_runs).order_by(sync_runs.c.id.desc()).limit(limit)).mappings().all()
        pending = conn.execute(sa.select(sa.func.count()).select_from(rejects).where(rejects.c.status == "pending")).scalar()
        # A run still marked running while no sync holds the lock was killed.
        failing = failing_sources(conn, stale_running=not sync_running(store))
        last = latest_run(conn)
    rows = []
    for r in runs:
        counts = {k: v for k, v in json.loads(r["counts"] or "{}").items() if not k.startswith("_")}
        total = {k: sum(c.get(k, 0) for c in counts.values()) for k in ("inserted", "updated", "deleted", "rejected")}
        rows.append({"run": r["id"], "source": r["source"], "mode": r["mode"], "started": r["started_at"],
                     "status": r["status"], **total, "message": (r["message"] or "")[:60]})
    if fmt == "json":  # for monitoring: everything the table shows, in one object
        with store.engine.connect() as conn:
            identity = [asdict(s) for s in summarize(conn)] if app.settings.identity is not None else None
        click.echo(json.dumps({"store": store.display_url, "last_compute": asdict(last) if last else None,
                               "pending_rejects": pending, "identity": identity, "failing": failing,
                               "runs": rows}, indent=2, default=str))
    else:
        if fmt == "table":
            _echo_state(app, store, last, pending, failing)
        emit(rows, ["run", "source", "mode", "started", "status", "inserted", "updated", "deleted", "rejected",
                    "message"], fmt)
    if check and failing:
        raise SystemExit(EXIT_PARTIAL)


def _echo_state(app: App, store: Store, last: ComputeRun | None, pending: int, failing: list[dict]) -> None:
    """The lines above the runs table: store, last compute, rejects, identity, failing sources."""
    click.echo(f"store: {store.display_url}")
    if last:
        click.echo(f"last compute: run {last.id} at {last.computed_at} as of {last.as_of}, "
                   f"{last.students} students, mapping {last.mapping_fingerprint[:12]}")
    click.echo(f"pending rejected records: {pending}")
    if app.settings.identity is not None:
        echo_identity(store)
    for f in failing:
        click.echo(f"FAILING source {f['source']}: {f['failures']} sync(s) in a row {f['status']} since "
                   f"{f['since']}; last success {f['last_ok'] or 'never'}: {(f['message'] or '')[:120]}")
    click.echo("")


def failing_sources(conn: sa.engine.Connection, *, stale_running: bool = False) -> list[dict]:
    """Sources whose latest sync failed or was interrupted, with how long that has lasted.

    ``stale_running``: no sync is running, so a run still marked running was killed.
    """
    runs = conn.execute(sa.select(sync_runs.c.source, sync_runs.c.status, sync_runs.c.started_at,
                                  sync_runs.c.message)
                        .where(sync_runs.c.mode != "dry-run").order_by(sync_runs.c.id.desc())).all()
    found: dict[str, dict] = {}
    settled: set[str] = set()
    for source, state, started, message in runs:
        if state == "running":
            if not stale_running:
                continue  # in progress: judged when it finishes
            state, message = "interrupted", message or "killed before it finished; the next sync resumes it"
        if source in settled:
            continue
        bad = state in ("failed", "interrupted")
        entry = found.get(source)
        if entry is None and not bad:
            settled.add(source)  # the latest run went fine
        elif entry is None:
            found[source] = {"source": source, "status": state, "failures": 1, "since": started,
                             "message": message, "last_ok": None}
        elif bad:
            entry["failures"] += 1
            entry["since"] = started
        else:
            entry["last_ok"] = started
            settled.add(source)
    return list(found.values())


COMMANDS = [sync, compute, status]
