"""What a live adapter declares: its streams, and the rows a page of records becomes.

A :class:`Stream` is a class-level declaration (as in singer-sdk): name, API path, the
canonical entity it feeds, primary key and replication key, where the records sit in the
body, and a ``parse`` function turning one record into canonical rows. A shared conformance
test reads these declarations. :class:`Rows` collects what one page becomes (several
entities at once: a OneRoster result and its learning-objective scores, an Ed-Fi grade and
its standards grades), with deletions and child records replaced with their parent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cbe_bridge.store.ingest import Reject
from cbe_bridge.store.schema import ENTITIES


@dataclass(frozen=True)
class SourceInfo:
    """An adapter's declaration: what it speaks and what it can do."""

    kind: str
    spec: str  # the specification and versions it implements
    capabilities: frozenset[str]  # incremental, deletes, resume, parallel, oauth2, oauth1, ...


@dataclass
class ParseContext:
    """What a parse function may know besides the record: the collection and page lookups."""

    meta: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)  # filled by the stream's ``prepare``
    line: int = 0  # the record's number in its listing, counted from the start of the run


Parse = Callable[[dict, "Rows", ParseContext], None]


@dataclass(frozen=True)
class Stream:
    """One kind of record an API lists."""

    name: str
    path: str  # relative to the API root; ``{...}`` filled from the collection (a course id)
    entity: str  # the canonical entity of its records
    primary_key: tuple[str, ...]
    replication_key: str | None  # the field incremental pulls filter on, None for full pulls
    parse: Parse
    records_key: str | None = None  # where the list sits in the body (None: the body is the list)
    children: tuple[tuple[str, str], ...] = ()  # (entity, parent column) replaced with each record
    sweep: str | None = "1 = 1"  # SQL scope (on ``entity``) a full pull replaces; None: never delete
    params: tuple[tuple[str, str], ...] = ()  # fixed query parameters
    prepare: Callable[[list, ParseContext, Any], None] | None = None  # once per page: batch lookups
    default: bool = True  # pulled unless the configuration lists streams without it

    @property
    def entities(self) -> tuple[str, ...]:
        return (self.entity, *(c for c, _ in self.children))

    def records(self, body: Any) -> list:
        """The records in a decoded body; a missing key is an empty page, a wrong shape an error."""
        if self.records_key is None:
            node = body
        elif isinstance(body, dict):
            node = body.get(self.records_key, [])
        else:
            node = None
        if node is None:
            return []
        if not isinstance(node, list):
            raise ValueError(f"expected a list of {self.name}, got {type(node).__name__}")
        return node


_COLUMNS: dict[str, tuple[str, ...]] = {name: tuple(e.data_columns) for name, e in ENTITIES.items()}
_COLUMN_SETS: dict[str, frozenset[str]] = {name: frozenset(cols) for name, cols in _COLUMNS.items()}


@dataclass(slots=True)
class _Row:
    line: int
    source_id: str
    values: dict[str, Any] | None  # None: a deletion
    modified: str | None


class Rows:
    """Canonical rows from one page, by entity, with deletions and child replacement."""

    def __init__(self) -> None:
        self.rows: dict[str, list[_Row]] = {}
        self._shared: dict[str, set[str]] = {}
        self.parents: dict[tuple[str, str], set[str]] = {}  # (child entity, column) -> parent ids
        self.rejects: list[Reject] = []

    def add(self, entity: str, source_id: str, values: dict[str, Any], *, line: int = 0,
            modified: str | None = None, shared: bool = False) -> None:
        """A record to upsert. ``shared`` rows (one synthetic line item for many grades) are
        kept once per page instead of being rejected as duplicates."""
        if shared:
            seen = self._shared.setdefault(entity, set())
            if source_id in seen:
                return
            seen.add(source_id)
        unknown = values.keys() - _COLUMN_SETS[entity]
        if unknown:  # an adapter bug: say which column, not which record
            raise KeyError(f"not columns of {entity}: {', '.join(sorted(unknown))}")
        self.rows.setdefault(entity, []).append(_Row(line, source_id, values, modified))

    def delete(self, entity: str, source_id: str, *, line: int = 0, modified: str | None = None) -> None:
        self.rows.setdefault(entity, []).append(_Row(line, source_id, None, modified))

    def own_children(self, entity: str, column: str, parent_id: str) -> None:
        """The ``entity`` rows under this parent are exactly those added in this page."""
        self.parents.setdefault((entity, column), set()).add(parent_id)

    def reject(self, entity: str, location: str, reason: str, *, record_id: str | None = None,
               field_name: str | None = None) -> None:
        self.rejects.append(Reject(entity, location, reason, record_id=record_id, field=field_name))

    def ids(self, entity: str) -> list[str]:
        """Ids of the records to upsert (as last listed: a later deletion wins)."""
        last = {r.source_id: r for r in self.rows.get(entity, [])}
        return [sid for sid, r in last.items() if r.values is not None]

    def __len__(self) -> int:
        return sum(len(v) for v in self.rows.values())

    def tuples(self, entity: str) -> Iterable[tuple]:
        """Staging tuples ``(line, 0, source_id, *values, modified_at, delete)`` for EntityLoad.

        Rows may come from several pages loaded together; a record listed twice (pages that
        overlap after a re-read, or a record that changed between pages) is loaded once, as
        it was last listed.
        """
        columns = _COLUMNS[entity]
        blank = (None,) * len(columns)
        last = {r.source_id: r for r in self.rows.get(entity, [])}
        for r in last.values():
            values = r.values
            if values is None:
                yield (r.line, 0, r.source_id, *blank, r.modified, 1)
            else:
                get = values.get
                yield (r.line, 0, r.source_id, *map(get, columns), r.modified, 0)


# -- small helpers the adapters share --------------------------------------------------------
def ref(node: Any, key: str = "sourcedId") -> str | None:
    """The id inside a reference object (``{"sourcedId": ...}``), or None."""
    if isinstance(node, dict):
        value = node.get(key)
        return None if value in (None, "") else str(value)
    return None


def refs(nodes: Any, key: str = "sourcedId") -> str | None:
    """Comma-joined ids of a list of references (the store's list format), or None."""
    if not isinstance(nodes, list):
        return None
    ids = [i for i in (ref(n, key) for n in nodes) if i]
    return ",".join(ids) or None


def text_list(values: Any) -> str | None:
    if isinstance(values, list):
        return ",".join(str(v).strip() for v in values if v not in (None, "")) or None
    if values in (None, ""):
        return None
    return str(values)


def day(value: Any) -> str | None:
    """An ISO date (YYYY-MM-DD) from a date or date-time string."""
    if not value or not isinstance(value, str) or len(value) < 10:
        return None
    return value[:10]


def number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no"):
            return False
    return None


def descriptor(value: Any) -> str | None:
    """The code of an Ed-Fi descriptor URI (``uri://ed-fi.org/TermDescriptor#Fall Semester``)."""
    if not value:
        return None
    text = str(value)
    return text.rsplit("#", 1)[-1] if "#" in text else text
