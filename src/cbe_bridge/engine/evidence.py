"""Evidence: a score on a continuum node, with where it came from and how it was read.

Direct evidence is a standards score (a learning-objective result); derived evidence is a
course grade carried onto the competencies its course is aligned to. Derived evidence is
weaker (it carries the mapping's derived weight) and is always flagged as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cbe_bridge.engine.methods.aggregation import Score

DIRECT = "direct"
DERIVED = "derived"
MIXED = "mixed"


# Read-only by convention, not frozen: one is made per evidence row, millions in a district
# run, and a frozen dataclass's __init__ costs five times as much.
@dataclass(slots=True)
class Evidence:
    node_id: str
    value: float  # on the node's proficiency scale
    when: str  # assessment date (ISO); "most recent" means by this date
    kind: str  # direct | derived
    record: str  # "<table>/<source id>" in the store
    raw: str  # the score as the source gave it
    class_id: str | None
    weight: float  # 1.0 for direct evidence; the derived weight x alignment weight otherwise
    note: str  # how ``raw`` became ``value``
    score: Score  # the value as the aggregation methods take it (date parsed once)


def make_evidence(node_id: str, value: float, when: str, kind: str, record: str, raw: str,
                  class_id: str | None, weight: float, note: str) -> Evidence:
    day = date.fromisoformat(when) if when else date.min
    return Evidence(node_id, value, when, kind, record, raw, class_id, weight, note,
                    Score(value, day, record, weight))


def basis_of(kinds: set[str]) -> str | None:
    """direct, derived or mixed, from the kinds of evidence a figure rests on."""
    if not kinds:
        return None
    if kinds == {DIRECT}:
        return DIRECT
    if kinds == {DERIVED}:
        return DERIVED
    return MIXED
