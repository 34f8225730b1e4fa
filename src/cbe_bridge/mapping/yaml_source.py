"""Reading one mapping file: YAML -> plain data that remembers where every value was written.

PyYAML composes the file into nodes carrying marks (line, column); this module turns the
nodes into :class:`LocatedDict` / :class:`LocatedList` (a ``dict`` / ``list`` that also hold
the ``file:line:column`` of each key and value), so that a problem found much later (by
pydantic, after ``extends:`` merged several files) still names the place it was written.

It is stricter than ``yaml.safe_load`` where YAML surprises people who edit files by hand:

* a duplicate key is an error (PyYAML keeps the last one silently);
* a number with a leading zero stays text (``sced: 02052`` is the SCED code "02052", not the
  octal number 1066), and so do ``yes``/``no``/``on``/``off`` (only ``true``/``false`` are
  booleans) and dates;
* keys are always text as written (``4: 4`` in a ``values`` table has the key ``"4"``);
* tabs used for indentation get a hint (YAML forbids them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cbe_bridge.errors import Problem

__all__ = ["LocatedDict", "LocatedList", "location", "read_yaml"]

_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_MERGE = "tag:yaml.org,2002:merge"
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")


class LocatedDict(dict[str, Any]):
    """A YAML mapping: a plain dict plus where it, each key and each value were written."""

    def __init__(self, loc: str) -> None:
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, str] = {}
        self.value_locs: dict[str, str] = {}

    def put(self, key: str, value: Any, key_loc: str, value_loc: str) -> None:
        self[key] = value
        self.key_locs[key] = key_loc
        self.value_locs[key] = value_loc

    def drop(self, key: str) -> None:
        self.pop(key, None)
        self.key_locs.pop(key, None)
        self.value_locs.pop(key, None)

    def clone(self) -> LocatedDict:
        """A shallow copy with its locations."""
        out = LocatedDict(self.loc)
        for key, value in self.items():
            out.put(key, value, self.key_locs[key], self.value_locs[key])
        return out


class LocatedList(list[Any]):
    """A YAML sequence: a plain list plus where it and each item were written."""

    def __init__(self, loc: str, items: list[Any] | None = None,
                 item_locs: list[str] | None = None) -> None:
        super().__init__(items or [])
        self.loc = loc
        self.item_locs: list[str] = list(item_locs or [])


def location(shown: str, node: Node) -> str:
    """``file:line:column`` (both counted from 1) of a node's start."""
    mark = node.start_mark
    return f"{shown}:{mark.line + 1}:{mark.column + 1}"


def _yaml_problem(shown: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    message = f"not valid YAML: {problem}" + (f" ({context})" if context else "")
    hint = None
    if "\\t" in problem or "tab" in problem.lower():
        hint = "YAML indentation must use spaces; replace the tab characters with spaces"
    elif "expected a single document" in problem:
        hint = "a mapping file holds one YAML document: remove the '---' separator"
    elif "mapping values are not allowed" in problem:
        hint = "a value containing ': ' must be quoted"
    return Problem(message, where, hint)


class _Converter:
    """Composed YAML nodes -> located plain data, collecting problems."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()
        self.active: set[int] = set()

    def loc(self, node: Node) -> str:
        return location(self.shown, node)

    def convert(self, node: Node) -> Any:
        if id(node) in self.active:
            self.problems.append(Problem("an alias refers to the value it is part of", self.loc(node)))
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                return self.mapping(node)
            if isinstance(node, SequenceNode):
                return LocatedList(self.loc(node), [self.convert(n) for n in node.value],
                                   [self.loc(n) for n in node.value])
            return self.scalar(node)
        finally:
            self.active.discard(id(node))

    def scalar(self, node: Node) -> Any:
        assert isinstance(node, ScalarNode)
        if node.tag == _INT and _LEADING_ZERO.match(node.value):
            return node.value
        if node.tag == _BOOL and node.value.lower() not in ("true", "false"):
            return node.value
        if node.tag == _TIMESTAMP:
            return node.value
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self.problems.append(Problem(f"cannot read this value: {exc.problem}", self.loc(node),
                                         "mapping files use plain YAML values, without '!' tags"))
            return None

    def mapping(self, node: MappingNode) -> LocatedDict:
        out = LocatedDict(self.loc(node))
        merged: list[tuple[Node, Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged += self._merge_pairs(value_node)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(Problem("a key must be a plain name, not a list or mapping",
                                             self.loc(key_node)))
                continue
            key = key_node.value
            if key in out:
                first = out.key_locs[key].rsplit(":", 2)[1]
                self.problems.append(Problem(
                    f"duplicate key {key!r} (first written on line {first})", self.loc(key_node),
                    "YAML keeps only one of them: remove or rename one"))
                continue
            out.put(key, self.convert(value_node), self.loc(key_node), self.loc(value_node))
        for key_node, value_node in merged:  # '<<: *anchor' fills keys not written here
            if isinstance(key_node, ScalarNode) and key_node.value not in out:
                out.put(key_node.value, self.convert(value_node), self.loc(key_node),
                        self.loc(value_node))
        return out

    def _merge_pairs(self, node: Node) -> list[tuple[Node, Node]]:
        sources = node.value if isinstance(node, SequenceNode) else [node]
        pairs: list[tuple[Node, Node]] = []
        for source in sources:
            if isinstance(source, MappingNode):
                pairs += list(source.value)
            else:
                self.problems.append(Problem("'<<' must name a mapping", self.loc(source)))
        return pairs


def read_yaml(path: Path, shown: str) -> tuple[LocatedDict | None, list[Problem]]:
    """Read one mapping file; ``shown`` is the name used in locations.

    Returns the top-level mapping (None when the file cannot be used at all) and every
    problem found.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(f"cannot read the file: {exc.strerror}", shown)]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem("the file is not UTF-8 text", f"{shown}:{line}",
                              "save it as UTF-8 (most editors: 'Save with encoding')")]
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(shown, exc)]
    finally:
        loader.dispose()
    if root is None:
        return None, [Problem("the file is empty", f"{shown}:1:1",
                              "a mapping file starts with 'version: 1'")]
    if not isinstance(root, MappingNode):
        return None, [Problem("a mapping file must be a YAML mapping of keys to values",
                              location(shown, root), "start the file with 'version: 1'")]
    converter = _Converter(shown)
    data = converter.mapping(root)
    return data, converter.problems
