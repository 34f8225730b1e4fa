"""What a write-back run would send: changes built from the store, compared with the ledger.

A target module (:mod:`.edfi`, :mod:`.oneroster`) turns the gathered records into
:class:`Change` items, in the order the target needs them (records referred to before the
records referring to them). :func:`classify` compares each with the ledger: ``create`` (never
written), ``update`` (written with other content) or ``unchanged`` (not sent).

Keys name records by identifiers only (natural keys, sourcedIds), never by a person's name:
they appear in messages and in the ledger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from cbe_bridge.writeback.ledger import Entry, LedgerKey, content_hash


@dataclass(frozen=True)
class Change:
    """One record to write: where, how, and its body."""

    resource: str  # e.g. courseTranscripts, results
    key: str  # the record's natural key or sourcedId (identifiers only)
    method: str  # POST (Ed-Fi upsert) or PUT (OneRoster, by sourcedId)
    path: str  # relative to the target's data URL
    body: dict[str, Any]
    digest: str = ""

    @classmethod
    def make(cls, resource: str, key: str, method: str, path: str, body: dict[str, Any]) -> Change:
        return cls(resource, key, method, path, body, content_hash(body))

    @property
    def ledger_key(self) -> LedgerKey:
        return (self.resource, self.key)


@dataclass(frozen=True)
class Skip:
    """A record that could not be built (an identifier the target needs is missing)."""

    resource: str
    key: str
    reason: str


@dataclass
class Plan:
    """The changes of a run, each with its action, plus the records that could not be built."""

    items: list[tuple[Change, str]] = field(default_factory=list)  # (change, create|update|unchanged)
    skipped: list[Skip] = field(default_factory=list)

    def counts(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {}
        for change, action in self.items:
            out.setdefault(change.resource, Counter())[action] += 1
        for skip in self.skipped:
            out.setdefault(skip.resource, Counter())["skipped"] += 1
        return out

    @property
    def to_send(self) -> list[tuple[Change, str]]:
        return [(c, a) for c, a in self.items if a != "unchanged"]


def classify(changes: Iterable[Change], ledger: dict[LedgerKey, Entry], *, force: bool = False) -> list[tuple[Change, str]]:
    """Each change with its action; a key built twice in one run keeps its last body."""
    unique: dict[LedgerKey, Change] = {}
    for change in changes:
        unique[change.ledger_key] = change  # first position, last body
    out = []
    for key, change in unique.items():
        entry = ledger.get(key)
        if entry is None:
            out.append((change, "create"))
        elif force or entry.content_hash != change.digest:
            out.append((change, "update"))
        else:
            out.append((change, "unchanged"))
    return out
