"""Import a 1EdTech CASE 1.0 / 1.1 CFPackage (JSON) as a :class:`Continuum`.

What is read (see ``docs/continuum-format.md``):

* ``CFDocument``: id, title, uri, version, lastChangeDateTime, description;
* ``CFItems``: identifier, uri, fullStatement, abbreviatedStatement / alternativeLabel (short
  title), humanCodingScheme, ``CFItemType`` (string) or ``CFItemTypeURI.title`` (or the title of
  the ``CFDefinitions.CFItemTypes`` entry it points at), educationLevel / educationalLevel,
  listEnumeration, conceptKeywords, ``extensions.dok`` / ``extensions.depthOfKnowledge``;
* ``CFAssociations`` of type ``isChildOf`` only (origin = child, destination = parent item or the
  CFDocument itself, which makes a root); siblings are ordered by ``sequenceNumber``, those
  without one after them in CFItems order; other association types are ignored;
* ``CFRubrics`` -> ``CFRubricCriteria`` -> ``CFRubricCriterionLevels`` as proficiency scales
  (:mod:`cbe_bridge.continuum.case_rubrics`).

Items without an ``isChildOf`` association become roots. Every problem (dangling association,
cycle, item with two parents, duplicate identifier ...) is collected with a JSON-pointer
location such as ``file.json#/CFAssociations/12`` and raised together as one ``MappingError``.
A top-level ``{"CFPackage": {...}}`` wrapper is accepted. Nothing here touches the network.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from cbe_bridge.continuum.case_rubrics import number as number_
from cbe_bridge.continuum.case_rubrics import rubric_scales
from cbe_bridge.errors import MappingError, Problem
from cbe_bridge.model.continuum import Continuum, build_nodes

__all__ = ["decode_text", "is_case_package", "load_case", "parse_case", "parse_case_text"]

TITLE_MAX = 80  # items without an abbreviatedStatement get their fullStatement cut to this
_DOK_KEYS = ("dok", "depthofknowledge", "knowledgelevel")


def is_case_package(data: Any) -> bool:
    """Whether decoded JSON looks like a CFPackage (``CFDocument`` or ``CFItems`` at the top,
    directly or under a ``CFPackage`` wrapper)."""
    if isinstance(data, dict) and isinstance(data.get("CFPackage"), dict):
        data = data["CFPackage"]
    return isinstance(data, dict) and ("CFDocument" in data or "CFItems" in data)


def load_case(path: Path | str) -> Continuum:
    """Read a CFPackage JSON file."""
    path = Path(path)
    return parse_case_text(path.read_bytes(), source=str(path))


def decode_text(text: str | bytes, source: str) -> tuple[str, str]:
    """(text, sha256 of the bytes) for UTF-8 input with or without a BOM."""
    raw = text if isinstance(text, bytes) else text.encode("utf-8")
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MappingError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return decoded, hashlib.sha256(raw).hexdigest()


def parse_case_text(text: str | bytes, *, source: str = "<CASE package>") -> Continuum:
    """Parse CFPackage JSON text; duplicate keys in an object are reported as problems."""
    decoded, sha256 = decode_text(text, source)
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        duplicates.extend(k for k, n in Counter(k for k, _ in items).items() if n > 1)
        return dict(items)

    try:
        data = json.loads(decoded, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        where = f"{source}:{exc.lineno}:{exc.colno}"
        problem = Problem(exc.msg, where)
        raise MappingError(f"{source}: not valid JSON", problems=[problem]) from None
    found = [Problem(f"duplicate key {k!r} in a JSON object", source,
                     "a key given twice is ambiguous; keep one") for k in sorted(set(duplicates))]
    return parse_case(data, source=source, sha256=sha256, problems=found)


def parse_case(
    data: Any,
    *,
    source: str = "<CASE package>",
    sha256: str | None = None,
    problems: list[Problem] | None = None,
) -> Continuum:
    """Turn decoded CFPackage JSON into a :class:`Continuum`, or raise ``MappingError`` with
    every problem found (plus any ``problems`` handed in by the caller)."""
    return _Importer(source, list(problems or [])).run(data, sha256)


def _text(value: Any) -> str | None:
    """A stripped non-empty string, or None."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _strings(value: Any) -> list[str]:
    """A list of strings from a list or a comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return []
    return [s for s in (_text(v) if isinstance(v, str) else None for v in value) if s]


def _shorten(statement: str, limit: int = TITLE_MAX) -> str:
    """Whitespace collapsed; cut on a word boundary with an ellipsis when over ``limit``."""
    flat = re.sub(r"\s+", " ", statement).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


class _Importer:
    """One import: holds the indexes and the problems found so far."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        self.prefix = ""
        self.by_id: dict[str, str] = {}  # casefolded identifier -> identifier
        self.by_uri: dict[str, str] = {}  # casefolded uri -> identifier
        self.doc_keys: set[str] = set()

    def loc(self, pointer: str) -> str:
        return f"{self.source}#{self.prefix}{pointer}"

    def problem(self, message: str, pointer: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, self.loc(pointer), hint))

    def run(self, data: Any, sha256: str | None) -> Continuum:
        if isinstance(data, dict) and isinstance(data.get("CFPackage"), dict):
            data, self.prefix = data["CFPackage"], "/CFPackage"
        if not isinstance(data, dict):
            raise MappingError(f"{self.source}: a CASE package must be a JSON object",
                               problems=self.problems)
        doc = data.get("CFDocument")
        if not isinstance(doc, dict) or not _text(doc.get("identifier")):
            self.problem("CFDocument with an identifier is missing", "/CFDocument",
                         "export the whole framework as a CFPackage (getCFPackage)")
            doc = doc if isinstance(doc, dict) else {}
        doc_refs = (_text(doc.get("identifier")), _text(doc.get("uri")))
        self.doc_keys = {k.casefold() for k in doc_refs if k}
        item_types = self._item_type_titles(data.get("CFDefinitions"))
        drafts = self._items(self._list(data, "CFItems"), item_types)
        parents = self._parents(self._list(data, "CFAssociations"))
        self._cycles(parents)
        scales = rubric_scales(self._list(data, "CFRubrics"), self._target, self.problem)
        if self.problems:
            raise MappingError(
                f"{self.source}: the CASE package cannot be used as a continuum "
                f"({len(self.problems)} problem{'s' if len(self.problems) != 1 else ''})",
                problems=self.problems,
                hint="fix the package in the authoring tool (e.g. OpenSALT) and export it again",
            )
        order = {ident: i for i, ident in enumerate(drafts)}
        for ident, draft in drafts.items():
            draft["parent_id"] = parents[ident][0] if ident in parents else None

        def sibling_key(ident: str) -> tuple[bool, int, int]:
            seq = parents.get(ident, (None, -1, None))[2]
            return (seq is None, seq or 0, order[ident])

        nodes = build_nodes(drafts[i] for i in sorted(drafts, key=sibling_key))
        return Continuum(
            id=_text(doc.get("identifier")) or "case-package",
            title=_text(doc.get("title")) or "Untitled CASE framework",
            source_uri=_text(doc.get("uri")) or _text(doc.get("officialSourceURL")),
            source_format="case",
            version=_text(doc.get("version")),
            last_changed=_text(doc.get("lastChangeDateTime")),
            description=_text(doc.get("description")),
            source_sha256=sha256,
            nodes=nodes,
            scales=scales,
        )

    def _list(self, data: dict[str, Any], key: str) -> list[Any]:
        value = data.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(f"{key} must be a list", f"/{key}")
            return []
        return value

    @staticmethod
    def _item_type_titles(definitions: Any) -> dict[str, str]:
        """CFDefinitions.CFItemTypes: casefolded identifier / uri -> title."""
        out: dict[str, str] = {}
        types = definitions.get("CFItemTypes") if isinstance(definitions, dict) else None
        for entry in types if isinstance(types, list) else []:
            if isinstance(entry, dict) and _text(entry.get("title")):
                for key in (_text(entry.get("identifier")), _text(entry.get("uri"))):
                    if key:
                        out[key.casefold()] = entry["title"].strip()
        return out

    def _items(self, items: list[Any], item_types: dict[str, str]) -> dict[str, dict[str, Any]]:
        drafts: dict[str, dict[str, Any]] = {}
        for i, item in enumerate(items):
            ptr = f"/CFItems/{i}"
            if not isinstance(item, dict):
                self.problem("a CFItem must be an object", ptr)
                continue
            ident = _text(item.get("identifier"))
            if ident is None:
                self.problem("CFItem without an identifier", ptr)
                continue
            if ident.casefold() in self.by_id or ident.casefold() in self.doc_keys:
                self.problem(f"identifier {ident} is used twice", f"{ptr}/identifier",
                             "identifiers must be unique in a package")
                continue
            statement = _text(item.get("fullStatement")) or _text(item.get("abbreviatedStatement"))
            if statement is None:
                self.problem(f"CFItem {ident} has no fullStatement", ptr)
                continue
            self.by_id[ident.casefold()] = ident
            uri = _text(item.get("uri"))
            if uri:
                self.by_uri.setdefault(uri.casefold(), ident)
            short = _text(item.get("abbreviatedStatement")) or _text(item.get("alternativeLabel"))
            drafts[ident] = {
                "id": ident,
                "human_code": _text(item.get("humanCodingScheme")),
                "title": _shorten(short or statement),
                "statement": statement,
                "node_type": self._item_type(item, item_types),
                "uri": uri,
                # CASE says educationLevel (a list); OpenSALT writes educationalLevel (a string)
                "educational_level": _strings(item.get("educationLevel",
                                                       item.get("educationalLevel"))),
                "dok": self._dok(item.get("extensions"), ptr),
                "list_enumeration": _text(item.get("listEnumeration")),
                "keywords": _strings(item.get("conceptKeywords")),
            }
        return drafts

    @staticmethod
    def _item_type(item: dict[str, Any], item_types: dict[str, str]) -> str | None:
        named = _text(item.get("CFItemType"))
        if named:
            return named
        link = item.get("CFItemTypeURI")
        if isinstance(link, dict):
            if _text(link.get("title")):
                return link["title"].strip()
            for key in (_text(link.get("identifier")), _text(link.get("uri"))):
                if key and key.casefold() in item_types:
                    return item_types[key.casefold()]
        return None  # inferred from depth ("Level 1", ...) by build_nodes

    def _dok(self, extensions: Any, ptr: str) -> int | None:
        if not isinstance(extensions, dict):
            return None
        for key, value in extensions.items():
            if isinstance(key, str) and key.casefold() in _DOK_KEYS:
                number = number_(value)
                if number is None or number != int(number) or number < 1:
                    self.problem(f"extensions.{key} must be a whole number from 1, got {value!r}",
                                 f"{ptr}/extensions/{key}")
                    return None
                return int(number)
        return None

    def _target(self, link: Any) -> tuple[str | None, str]:
        """(item identifier | None, description) for an origin/destination link. The document
        itself gives ("", ...)."""
        if isinstance(link, str):
            keys, shown = [link.strip()], link.strip()
        elif isinstance(link, dict):
            keys = [k for k in (_text(link.get("identifier")), _text(link.get("uri"))) if k]
            shown = _text(link.get("title")) or (keys[0] if keys else "?")
            if keys and keys[0] not in shown:
                shown = f"{shown} ({keys[0]})"
        else:
            return None, repr(link)
        for key in keys:
            folded = key.casefold()
            if folded.startswith("urn:uuid:"):
                folded = folded[len("urn:uuid:"):]
            if folded in self.doc_keys:
                return "", shown
            if folded in self.by_id:
                return self.by_id[folded], shown
            if folded in self.by_uri:
                return self.by_uri[folded], shown
        return None, shown

    def _parents(self, associations: list[Any]) -> dict[str, tuple[str | None, int, int | None]]:
        """child identifier -> (parent identifier or None for the document, association index,
        sequenceNumber)."""
        parents: dict[str, tuple[str | None, int, int | None]] = {}
        for j, assoc in enumerate(associations):
            ptr = f"/CFAssociations/{j}"
            if not isinstance(assoc, dict):
                self.problem("a CFAssociation must be an object", ptr)
                continue
            kind = assoc.get("associationType")
            if not isinstance(kind, str) or kind.strip().casefold() != "ischildof":
                continue
            child, child_shown = self._target(assoc.get("originNodeURI"))
            parent, parent_shown = self._target(assoc.get("destinationNodeURI"))
            if child is None or child == "":
                self.problem(f"isChildOf origin {child_shown} is not an item of this package",
                             f"{ptr}/originNodeURI",
                             "the child must be one of CFItems (by identifier or uri)")
            if parent is None:
                self.problem(f"isChildOf destination {parent_shown} is neither an item of this "
                             "package nor its CFDocument", f"{ptr}/destinationNodeURI",
                             "include the parent item in the package, or drop the association")
            seq = assoc.get("sequenceNumber")
            if seq is not None and (isinstance(seq, bool) or not isinstance(seq, int)):
                if isinstance(seq, str) and seq.strip().lstrip("-").isdigit():
                    seq = int(seq)
                else:
                    self.problem(f"sequenceNumber must be an integer, got {seq!r}",
                                 f"{ptr}/sequenceNumber")
                    seq = None
            if not child or parent is None:
                continue
            target = parent or None
            if child in parents:
                if parents[child][0] != target:
                    first = parents[child][1]
                    self.problem(
                        f"item {child_shown} has more than one parent "
                        f"(also /CFAssociations/{first})", ptr,
                        "a continuum is a tree: keep one isChildOf association per item",
                    )
                continue
            parents[child] = (target, j, seq)
        return parents

    def _cycles(self, parents: dict[str, tuple[str | None, int, int | None]]) -> None:
        """Report each cycle of isChildOf links once, at its first association."""
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done
        for start in parents:
            path: list[str] = []
            node: str | None = start
            while node is not None and node in parents and state.get(node) is None:
                state[node] = 1
                path.append(node)
                node = parents[node][0]
            if node is not None and state.get(node) == 1:
                cycle = path[path.index(node):]
                indexes = sorted(parents[n][1] for n in cycle)
                names = " -> ".join(cycle + [cycle[0]])
                self.problem(
                    f"isChildOf associations form a cycle: {names}",
                    f"/CFAssociations/{indexes[0]}",
                    "remove one of " + ", ".join(f"/CFAssociations/{i}" for i in indexes),
                )
            for n in path:
                state[n] = 2
