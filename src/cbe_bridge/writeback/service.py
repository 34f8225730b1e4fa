"""One write-back run: pick the target, read the store, build, compare with the ledger, send.

Targets are the configured ``[[sources]]`` of kind ``edfi`` or ``oneroster-rest``: their base
URL, credentials (secret references), timeouts, retries and rate limit are used as they are
for a sync, through the same HTTP client.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from cbe_bridge.engine.policy import Policy
from cbe_bridge.errors import UsageError
from cbe_bridge.store import Store
from cbe_bridge.translate.student_records import require_current
from cbe_bridge.writeback import ledger
from cbe_bridge.writeback.gather import gather, pick_source
from cbe_bridge.writeback.plan import Plan, classify
from cbe_bridge.writeback.send import Report, dry_run, send

KINDS = {"edfi": "edfi", "oneroster": "oneroster-rest"}  # command -> source kind


def find_target(sources: Sequence[Any], command: str, name: str | None) -> Any:
    """The configured source to write to: ``--source NAME``, or the only one of the kind."""
    kind = KINDS[command]
    fitting = [s for s in sources if getattr(s, "kind", None) == kind]
    if name is not None:
        chosen = [s for s in sources if s.name == name]
        if not chosen:
            raise UsageError(f"no source named {name!r} is configured")
        if chosen[0].kind != kind:
            raise UsageError(f"source {name!r} is of kind {chosen[0].kind}, not {kind}")
        return chosen[0]
    if len(fitting) == 1:
        return fitting[0]
    if not fitting:
        raise UsageError(f"no [[sources]] of kind {kind} is configured to write to",
                         hint="add one to cbe-bridge.toml (see docs/sources.md)")
    raise UsageError(f"several sources of kind {kind} are configured: " + ", ".join(s.name for s in fitting),
                     hint="choose one with --source NAME")


def writeback(store: Store, settings: Any, policy: Policy, *, students: Sequence[str] = (),
              class_of: int | None = None, source: str | None = None, dry: bool = False,
              force: bool = False, edfi_options: Any = None) -> Report:
    """Write the selected computed students' results to the target ``settings`` describe."""
    with store.engine.connect() as conn:
        picked = pick_source(conn, source, settings.name)
        gathered = gather(conn, picked, students, class_of)
    require_current(gathered.run, policy, "write-back would send figures the mapping in force did not make",
                    "write back")
    if settings.kind == "edfi":
        from cbe_bridge.writeback.edfi import EdFiBuilder, EdFiTarget

        builder = EdFiBuilder(gathered, policy, edfi_options)
        changes, skipped = builder.build()
        grades = any(c.resource == "grades" for c in changes)
        target: Any = EdFiTarget(settings, builder.standard if grades else None)
    else:
        from cbe_bridge.writeback.oneroster import OneRosterBuilder, OneRosterTarget

        changes, skipped = OneRosterBuilder(gathered, policy, settings.version).build()
        target = OneRosterTarget(settings)
    plan = Plan(classify(changes, ledger.load(store.engine, settings.name), force=force), skipped)
    if dry:
        return dry_run(settings.name, picked, plan)
    return send(store.engine, target, picked, plan)
