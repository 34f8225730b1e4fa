"""``extends:`` and layering: many mapping files -> one body of data, with locations kept.

Order. :func:`collect_files` walks the files given, each after everything it extends
(depth first, in the order written), and keeps each file once: ``[vendor.yaml,
district.yaml]`` where both extend ``reference-district.yaml`` gives ``reference-district,
vendor, district``. A file that extends itself, directly or not, is an error (a cycle).

Merge (:func:`merge`), a later file over an earlier one ("the child over the parent"):

* mappings merge key by key, recursively (``gpa: {weights: ...}`` changes only the weights);
* a mapping with a ``method:`` key is one choice and is replaced whole
  (``aggregation.default``, each ``by_node_type`` entry, ``rollup``, ``credit_rule``,
  ``gpa.conversion``): parameters of one method never leak into another (written without
  ``method:``, e.g. ``default: {weight: 0.75}``, it merges key by key like any mapping);
* ``proficiency_scales`` and ``grade_scales`` merge by ``id``: an item with an id the parent
  has replaces that item whole, in place; new ids are appended;
* rule lists (``score_scales``, ``course_alignments``, ``objective_alignments.rules``) are
  prepended: the child's rules come first, and first match wins, so the district's own rules
  beat the vendor defaults it extends, which stay as a fallback;
* any other list, and every single value, replaces the parent's;
* ``null`` (``key:`` with no value, or ``~``) removes the parent's key (its default applies).

``version`` and ``extends`` belong to each file and are not merged; ``continuum`` is made
absolute (relative to the file that names it) before merging.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbe_bridge.errors import Problem
from cbe_bridge.mapping.yaml_source import LocatedDict, LocatedList, read_yaml

__all__ = ["BY_ID", "PREPENDED", "LoadedFile", "collect_files", "layer", "merge"]

BY_ID: dict[tuple[str, ...], str] = {("proficiency_scales",): "id", ("grade_scales",): "id"}
PREPENDED: set[tuple[str, ...]] = {("score_scales",), ("course_alignments",),
                                   ("objective_alignments", "rules")}
_PER_FILE = ("version", "extends")


@dataclass
class LoadedFile:
    """One mapping file read: its name as shown in messages, its data, its version."""

    path: Path
    shown: str
    data: LocatedDict
    extends: list[tuple[str, str]] = field(default_factory=list)  # (as written, location)


def _shown(path: Path) -> str:
    return os.path.normpath(str(path))


def _extends_of(loaded: LoadedFile, problems: list[Problem]) -> list[tuple[str, str]]:
    data = loaded.data
    if "extends" not in data or data["extends"] is None:
        return []
    value, where = data["extends"], data.value_locs["extends"]
    if isinstance(value, str):
        return [(value, where)]
    if isinstance(value, LocatedList) and all(isinstance(v, str) for v in value):
        return list(zip(value, value.item_locs))
    problems.append(Problem("'extends' must be a file name or a list of file names", where,
                            "e.g. extends: ../mappings/reference-district.yaml"))
    return []


def collect_files(paths: Sequence[Path]) -> tuple[list[LoadedFile], list[Problem]]:
    """Every file to layer, bases first, each once; plus the problems met reading them."""
    problems: list[Problem] = []
    ordered: list[LoadedFile] = []
    done: set[Path] = set()
    stack: list[tuple[Path, str]] = []  # (resolved path, shown) of files being expanded

    def visit(path: Path, shown: str, where: str | None) -> None:
        key = path.resolve()
        if any(key == p for p, _ in stack):
            chain = " -> ".join([s for _, s in stack[[p for p, _ in stack].index(key):]] + [shown])
            problems.append(Problem(f"'extends' makes a cycle: {chain}", where,
                                    "a file cannot extend itself, directly or through others"))
            return
        if key in done:
            return
        if not path.is_file():
            what = "no such file" if not path.exists() else "not a file"
            problems.append(Problem(f"{what}: {shown}", where,
                                    "'extends' paths are relative to the file that names them"
                                    if where else None))
            return
        data, found = read_yaml(path, shown)
        problems.extend(found)
        if data is None:
            done.add(key)
            return
        loaded = LoadedFile(path, shown, data)
        loaded.extends = _extends_of(loaded, problems)
        stack.append((key, shown))
        for target, target_where in loaded.extends:
            child = path.parent / target
            visit(child, _shown(Path(shown).parent / target), target_where)
        stack.pop()
        done.add(key)
        ordered.append(loaded)

    for path in paths:
        visit(Path(path), _shown(Path(path)), None)
    return ordered, problems


def _merge_by_id(parent: Any, child: LocatedList, id_key: str) -> Any:
    if not isinstance(parent, LocatedList):
        return child
    out = LocatedList(child.loc, list(parent), list(parent.item_locs))
    positions = {item.get(id_key): i for i, item in enumerate(out)
                 if isinstance(item, dict) and isinstance(item.get(id_key), str)}
    for item, where in zip(child, child.item_locs):
        ident = item.get(id_key) if isinstance(item, dict) else None
        if isinstance(ident, str) and ident in positions:
            out[positions[ident]] = item
            out.item_locs[positions[ident]] = where
        else:
            out.append(item)
            out.item_locs.append(where)
    return out


def merge(parent: LocatedDict, child: LocatedDict, path: tuple[str, ...] = ()) -> LocatedDict:
    """``child`` layered over ``parent`` (see the module docstring); neither is changed."""
    out = parent.clone()
    out.loc = child.loc
    for key, value in child.items():
        if not path and key in _PER_FILE:
            continue
        here = path + (key,)
        before = out.get(key)
        if value is None:
            out.drop(key)
            continue
        if here in BY_ID and isinstance(value, LocatedList):
            value = _merge_by_id(before, value, BY_ID[here])
        elif here in PREPENDED and isinstance(value, LocatedList) and isinstance(before, LocatedList):
            value = LocatedList(value.loc, list(value) + list(before),
                                value.item_locs + before.item_locs)
        elif isinstance(value, LocatedDict) and "method" not in value:
            base = before if isinstance(before, LocatedDict) else LocatedDict(value.loc)
            value = merge(base, value, here)
        out.put(key, value, child.key_locs[key], child.value_locs[key])
    return out


def layer(files: Sequence[LoadedFile]) -> LocatedDict:
    """Merge files in order (bases first) into one body of data with ``version`` set."""
    result = LocatedDict(files[-1].data.loc if files else "<mapping>")
    for loaded in files:
        data = loaded.data
        if isinstance(data.get("continuum"), str):
            data = data.clone()
            data["continuum"] = os.path.abspath(loaded.path.parent / data["continuum"])
        result = merge(result, data)
    if files:
        last = files[-1].data
        if "version" in last:
            result.put("version", last["version"], last.key_locs["version"],
                       last.value_locs["version"])
    return result
