"""Sending a plan to a target, record by record, and reporting what happened to each.

* A record the target accepts is entered in the ledger at once (its own transaction).
* A record the target refuses (400, 409, 422 ...) is reported by resource and key, with the
  server's explanation, and the run goes on: one bad record does not hold back the others.
* A failure that concerns the target rather than a record stops the run: retries exhausted
  on 5xx, 429 or connection errors, credentials refused after a token refresh, an endpoint
  that does not exist (404, 405). The records not sent are counted and sent by the next run.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.engine import Engine

from cbe_bridge.sources.http.client import HttpClient, Response
from cbe_bridge.sources.http.errors import SCRUB, AuthError, HttpError
from cbe_bridge.sources.http.retry import RETRY_STATUSES
from cbe_bridge.writeback import ledger
from cbe_bridge.writeback.plan import Change, Plan

log = logging.getLogger(__name__)

STOP_STATUSES = frozenset({404, 405})  # the endpoint, not the record, is wrong: stop


class Target(Protocol):
    """A system written to (an Ed-Fi ODS/API, a OneRoster provider)."""

    name: str

    def connect(self) -> HttpClient:
        """An authenticated client (discovery, tokens), opened only when something is sent."""

    def url(self, change: Change) -> str:
        """Where ``change`` goes."""

    def body(self, change: Change) -> dict[str, Any]:
        """The body as sent (a target may stamp it, e.g. OneRoster's dateLastModified)."""

    def location(self, change: Change, response: Response) -> str | None:
        """The record's address on the target after a success, when known."""


@dataclass(frozen=True)
class Failure:
    """A record the run could not write, named by resource and key only."""

    resource: str
    key: str
    kind: str  # rejected | conflict | skipped
    status: int | None
    message: str


@dataclass
class Report:
    """The outcome of a run (or what a dry run would do)."""

    target: str
    source: str
    dry_run: bool
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    stopped: str | None = None  # why the run stopped before the end
    requests: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures and self.stopped is None

    def as_dict(self) -> dict[str, Any]:
        return {"target": self.target, "source": self.source, "dry_run": self.dry_run,
                "counts": {r: dict(c) for r, c in self.counts.items()}, "requests": self.requests,
                "stopped": self.stopped, "failures": [f.__dict__ for f in self.failures]}


def _skipped(plan: Plan) -> list[Failure]:
    return [Failure(s.resource, s.key, "skipped", None, s.reason) for s in plan.skipped]


def dry_run(target: str, source: str, plan: Plan) -> Report:
    """What a run would do: counts of create / update / unchanged / skipped; nothing is sent."""
    return Report(target, source, True, plan.counts(), _skipped(plan))


def send(engine: Engine, target: Target, source: str, plan: Plan) -> Report:
    """Send what changed, in plan order; see the module docstring."""
    # What is settled before sending; created / updated are counted as the target accepts them.
    counts = {resource: Counter({k: n for k, n in c.items() if k in ("unchanged", "skipped")})
              for resource, c in plan.counts().items()}
    report = Report(target.name, source, False, counts, _skipped(plan))
    pending = plan.to_send
    if not pending:
        return report  # nothing to write: no connection, no token request
    client = target.connect()
    try:
        for index, (change, action) in enumerate(pending):
            try:
                response = client.write(change.method, target.url(change), target.body(change))
            except HttpError as exc:
                if _stops(exc):
                    report.stopped = f"{change.resource} {change.key}: {SCRUB(exc.message)}"
                    for rest, _ in pending[index:]:
                        counts[rest.resource]["not sent"] += 1
                    break
                kind = "conflict" if exc.status == 409 else "rejected"
                counts[change.resource][kind] += 1
                report.failures.append(Failure(change.resource, change.key, kind, exc.status, SCRUB(exc.message)))
                log.info("%s %s %s: HTTP %s", target.name, change.resource, kind, exc.status,
                         extra={"source": target.name, "event": "writeback-" + kind, "key": change.key})
                continue
            ledger.record(engine, target.name, change.resource, change.key, change.digest,
                          target.location(change, response))
            counts[change.resource]["created" if action == "create" else "updated"] += 1
    finally:
        report.requests = client.stats.requests
        client.close()
    return report


def _stops(exc: HttpError) -> bool:
    """True when the failure concerns the target, not the record (see the module docstring)."""
    # A retriable status here means the client's retries ran out.
    return (isinstance(exc, AuthError) or exc.status is None or exc.status >= 500
            or exc.status in RETRY_STATUSES or exc.status in STOP_STATUSES)
