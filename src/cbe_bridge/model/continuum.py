"""The learning continuum: a tree of typed standards, and the proficiency scales scores live on.

A :class:`Continuum` is what every district structure is reduced to, whatever its source (a
CASE CFPackage or our own YAML format, see ``docs/continuum-format.md``):

* a forest of :class:`ContinuumNode` items (content areas, competencies, measurement topics,
  learning targets, levels, habits ...). The structure is data: any depth, any node type names;
  nothing here knows "competency" from "learning target";
* a list of :class:`ProficiencyScale` (rubric levels, one of them the proficiency threshold).

The models are immutable pydantic v2 models. ``Continuum`` validates its tree on construction
(every parent exists, depths agree, no cycles) and keeps private indexes for navigation and for
:meth:`Continuum.resolve`, so build a new ``Continuum`` rather than ``model_copy(update=...)``.
Importers use :func:`build_nodes` to turn parent-linked drafts into ordered nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from cbe_bridge.errors import MappingError, Problem

__all__ = [
    "Continuum",
    "ContinuumNode",
    "ProficiencyLevel",
    "ProficiencyScale",
    "ScaleLookups",
    "build_nodes",
    "inferred_node_type",
    "node_type_key",
]

_URN_UUID = "urn:uuid:"
_MODEL_CONFIG = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True)


def node_type_key(name: str) -> str:
    """Comparable form of a node type name: ``"Learning Target"``, ``"LearningTarget"``,
    ``"learning_target"`` and ``"learning-target"`` all give ``"learningtarget"``.

    Node types are kept as the source spells them; compare them through this function.
    """
    return re.sub(r"[\s_\-.]+", "", name).casefold()


def inferred_node_type(depth: int) -> str:
    """Node type given to a node whose source names none: ``"Level 1"`` for roots, and so on."""
    return f"Level {depth + 1}"


class ProficiencyLevel(BaseModel):
    """One level of a proficiency scale (a rubric level), e.g. ``P`` / Proficient / 3."""

    model_config = _MODEL_CONFIG

    code: str = Field(min_length=1)
    label: str
    value: float
    description: str | None = None


class ScaleLookups:
    """Look-ups every proficiency scale offers, over its ``levels`` (ascending by value).

    A mixin for the pydantic scale models (the continuum's and the mapping file's), which
    declare ``levels`` themselves so that field order stays theirs.
    """

    if TYPE_CHECKING:
        levels: list[ProficiencyLevel]

    @property
    def min_value(self) -> float:
        return self.levels[0].value

    @property
    def max_value(self) -> float:
        return self.levels[-1].value

    def level_by_code(self, code: str) -> ProficiencyLevel | None:
        """The level with this code (case-insensitive), or None."""
        wanted = code.strip().casefold()
        return next((lv for lv in self.levels if lv.code.casefold() == wanted), None)

    def level_for(self, value: float) -> ProficiencyLevel | None:
        """The highest level whose value is at or below ``value`` (None below the lowest level)."""
        found = None
        for level in self.levels:
            if level.value <= value:
                found = level
        return found


class ProficiencyScale(ScaleLookups, BaseModel):
    """Rubric levels a score lives on, ascending by value, with an optional threshold.

    ``proficient_at`` is the value at or above which a score counts as proficient. Values above
    it are "beyond proficient", not extra credit: the engine decides what that means.
    ``applies_to`` lists node ids the scale was attached to by its source (CASE rubric criteria
    name items); empty means "not tied to particular nodes".
    """

    model_config = _MODEL_CONFIG

    id: str = Field(min_length=1)
    title: str
    levels: list[ProficiencyLevel] = Field(min_length=1)
    proficient_at: float | None = None
    applies_to: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_levels(self) -> ProficiencyScale:
        values = [level.value for level in self.levels]
        if any(b <= a for a, b in zip(values, values[1:])):
            raise ValueError(
                f"scale {self.id!r}: level values must be strictly ascending, got {values}")
        codes = [level.code.casefold() for level in self.levels]
        if len(set(codes)) != len(codes):
            raise ValueError(f"scale {self.id!r}: level codes must be unique")
        if self.proficient_at is not None and not values[0] <= self.proficient_at <= values[-1]:
            raise ValueError(
                f"scale {self.id!r}: proficient_at {self.proficient_at} is outside the levels "
                f"({values[0]}..{values[-1]})"
            )
        return self

    def is_proficient(self, value: float) -> bool | None:
        """Whether ``value`` meets the threshold; None when the scale has no threshold."""
        return None if self.proficient_at is None else value >= self.proficient_at


class ContinuumNode(BaseModel):
    """One standard in the continuum.

    ``id`` is the CASE GUID (CASE imports) or the id given in our YAML format. ``title`` is
    short, ``statement`` the full statement. ``depth`` is 0 for roots; ``sequence`` is the
    1-based position among siblings. ``dok`` is the knowledge level proficiency requires, when
    the source gives one. ``level`` is the ordinal of a "level" node (Chugach levels 1-10) and
    ``graduation_level`` on a content area names the child ``level`` needed to graduate; levels
    above it are "advanced".
    """

    model_config = _MODEL_CONFIG

    id: str = Field(min_length=1)
    human_code: str | None = None
    title: str
    statement: str
    node_type: str
    parent_id: str | None = None
    sequence: int = Field(ge=1)
    uri: str | None = None
    educational_level: list[str] = Field(default_factory=list)
    depth: int = Field(ge=0)
    dok: int | None = Field(default=None, ge=1)
    list_enumeration: str | None = None
    keywords: list[str] = Field(default_factory=list)
    level: int | None = None
    graduation_level: int | None = None

    @property
    def label(self) -> str:
        """``human_code  title`` (or just the title), for messages and listings."""
        return f"{self.human_code}  {self.title}" if self.human_code else self.title


def build_nodes(drafts: Iterable[Mapping[str, Any]]) -> dict[str, ContinuumNode]:
    """Arrange parent-linked drafts into nodes in outline (pre-)order.

    Each draft holds :class:`ContinuumNode` fields except ``depth`` and ``sequence``, which are
    computed; siblings keep the order in which their drafts come. ``node_type`` may be None, and
    is then inferred from depth (:func:`inferred_node_type`). Drafts must form a forest (the
    importers check parents and cycles first, with locations); a draft whose parent is missing
    or which sits on a cycle is left out, which :class:`Continuum` would report anyway.
    """
    by_parent: dict[str | None, list[Mapping[str, Any]]] = {}
    for draft in drafts:
        by_parent.setdefault(draft.get("parent_id"), []).append(draft)
    nodes: dict[str, ContinuumNode] = {}
    # iterative pre-order walk: (draft, depth, sequence)
    stack = [(d, 0, i + 1) for i, d in enumerate(by_parent.get(None, []))][::-1]
    while stack:
        draft, depth, seq = stack.pop()
        if draft["id"] in nodes:  # defensive: a duplicate id would otherwise loop
            continue
        fields = dict(draft)
        if not fields.get("node_type"):
            fields["node_type"] = inferred_node_type(depth)
        node = ContinuumNode(**fields, depth=depth, sequence=seq)
        nodes[node.id] = node
        kids = by_parent.get(node.id, [])
        stack.extend((k, depth + 1, i + 1) for i, k in reversed(list(enumerate(kids))))
    return nodes


class Continuum(BaseModel):
    """A district's learning continuum: typed nodes in outline order, plus proficiency scales.

    ``nodes`` is ordered depth-first (each node before its children, siblings by ``sequence``).
    ``source_format`` is ``"case"`` or ``"yaml"``; ``source_sha256`` hashes the file read, so
    outputs can record exactly which continuum produced them.
    """

    model_config = _MODEL_CONFIG

    id: str = Field(min_length=1)
    title: str
    source_uri: str | None = None
    source_format: str = "yaml"
    version: str | None = None
    last_changed: str | None = None
    description: str | None = None
    source_sha256: str | None = None
    nodes: dict[str, ContinuumNode] = Field(default_factory=dict)
    scales: list[ProficiencyScale] = Field(default_factory=list)

    _children: dict[str | None, list[str]] = PrivateAttr(default_factory=dict)
    _keys: dict[str, list[str]] = PrivateAttr(default_factory=dict)
    _codes: dict[str, list[str]] = PrivateAttr(default_factory=dict)
    _codes_folded: dict[str, list[str]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _check_tree(self) -> Continuum:
        for key, node in self.nodes.items():
            if key != node.id:
                raise ValueError(f"nodes key {key!r} differs from the node id {node.id!r}")
            if node.parent_id is None:
                if node.depth != 0:
                    raise ValueError(f"root node {node.id!r} must have depth 0")
                continue
            parent = self.nodes.get(node.parent_id)
            if parent is None:
                raise ValueError(
                    f"node {node.id!r}: parent {node.parent_id!r} is not in the continuum")
            if node.depth != parent.depth + 1:
                raise ValueError(
                    f"node {node.id!r}: depth {node.depth} but its parent has {parent.depth}")
        # depth consistency with parents rules out cycles (depth strictly grows along parent links)
        return self

    def model_post_init(self, __context: Any) -> None:
        children: dict[str | None, list[str]] = {}
        keys: dict[str, list[str]] = {}
        codes: dict[str, list[str]] = {}
        folded: dict[str, list[str]] = {}
        for node in self.nodes.values():
            children.setdefault(node.parent_id, []).append(node.id)
            for key in {node.id.casefold(), (node.uri or "").casefold()} - {""}:
                keys.setdefault(key, []).append(node.id)
            if node.human_code:
                codes.setdefault(node.human_code, []).append(node.id)
                folded.setdefault(node.human_code.casefold(), []).append(node.id)
        # keyed by node.id, not by dict key: this runs before the validator that checks they agree
        rank = {node.id: (node.sequence, i) for i, node in enumerate(self.nodes.values())}
        for ids in children.values():
            ids.sort(key=rank.__getitem__)
        self._children, self._keys, self._codes, self._codes_folded = children, keys, codes, folded

    # -- navigation ---------------------------------------------------------------------------

    def node(self, node_id: str) -> ContinuumNode:
        """The node with this id; ``KeyError`` naming the id when there is none."""
        try:
            return self.nodes[node_id]
        except KeyError:
            raise KeyError(f"no node with id {node_id!r} in continuum {self.id!r}") from None

    def roots(self) -> list[ContinuumNode]:
        """Top-level nodes (content areas, usually), in sequence order."""
        return [self.nodes[i] for i in self._children.get(None, [])]

    def children(self, node_id: str) -> list[ContinuumNode]:
        """Direct children of a node, in sequence order."""
        self.node(node_id)
        return [self.nodes[i] for i in self._children.get(node_id, [])]

    def ancestors(self, node_id: str) -> list[ContinuumNode]:
        """Parent, grandparent, ... up to the root (nearest first); empty for a root."""
        out: list[ContinuumNode] = []
        parent_id = self.node(node_id).parent_id
        while parent_id is not None:
            parent = self.nodes[parent_id]
            out.append(parent)
            parent_id = parent.parent_id
        return out

    def descendants(self, node_id: str) -> list[ContinuumNode]:
        """Every node below ``node_id``, depth-first in outline order (the node excluded)."""
        self.node(node_id)
        out: list[ContinuumNode] = []
        stack = list(reversed(self._children.get(node_id, [])))
        while stack:
            current = self.nodes[stack.pop()]
            out.append(current)
            stack.extend(reversed(self._children.get(current.id, [])))
        return out

    def leaves(self) -> list[ContinuumNode]:
        """Nodes without children, in outline order."""
        return [n for n in self.nodes.values() if not self._children.get(n.id)]

    def is_leaf(self, node_id: str) -> bool:
        self.node(node_id)
        return not self._children.get(node_id)

    def content_area_of(self, node_id: str) -> ContinuumNode:
        """The root ancestor of a node (the node itself when it is a root)."""
        chain = self.ancestors(node_id)
        return chain[-1] if chain else self.nodes[node_id]

    def node_types(self) -> list[str]:
        """Distinct node type names, shallowest first (ties: first appearance)."""
        first: dict[str, tuple[int, int]] = {}
        for i, node in enumerate(self.nodes.values()):
            seen = first.get(node.node_type)
            if seen is None or node.depth < seen[0]:
                first[node.node_type] = (node.depth, seen[1] if seen else i)
        return sorted(first, key=lambda t: first[t])

    def nodes_of_type(self, node_type: str) -> list[ContinuumNode]:
        """Nodes whose type matches, compared with :func:`node_type_key`."""
        wanted = node_type_key(node_type)
        return [n for n in self.nodes.values() if node_type_key(n.node_type) == wanted]

    # -- references ---------------------------------------------------------------------------

    def resolve_all(self, ref: str) -> list[ContinuumNode]:
        """Every node a reference could mean, by the first rule that matches anything.

        Rules, in order: exact node id; node id ignoring case (GUIDs); ``urn:uuid:<id>``;
        node URI (ignoring case); human code exactly; human code ignoring case.
        """
        ref = ref.strip()
        if not ref:
            return []
        if ref in self.nodes:
            return [self.nodes[ref]]
        folded = ref.casefold()
        candidates = [folded]
        if folded.startswith(_URN_UUID):
            candidates.append(folded[len(_URN_UUID):])
        for key in candidates:
            if key in self._keys:
                return [self.nodes[i] for i in self._keys[key]]
        for table, key in ((self._codes, ref), (self._codes_folded, folded)):
            if key in table:
                return [self.nodes[i] for i in table[key]]
        return []

    def resolve(self, ref: str) -> ContinuumNode | None:
        """The node a reference names (id, ``urn:uuid:<id>``, URI or human code), or None.

        Raises :class:`~cbe_bridge.errors.MappingError` when the reference is ambiguous (a
        human code shared by several nodes): guessing would make results unexplainable.
        """
        found = self.resolve_all(ref)
        if len(found) > 1:
            raise MappingError(
                f"reference {ref!r} matches {len(found)} nodes in continuum {self.id!r}",
                problems=[Problem(f"candidate: {n.id} ({n.label})") for n in found],
                hint="refer to the node by its id (CASE GUID) instead of its human code",
            )
        return found[0] if found else None

    def scale(self, scale_id: str) -> ProficiencyScale | None:
        """The proficiency scale with this id, or None."""
        return next((s for s in self.scales if s.id == scale_id), None)
