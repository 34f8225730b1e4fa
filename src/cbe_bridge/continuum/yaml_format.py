"""cbe-bridge's own continuum format (YAML, ``version: 1``), for districts without CASE.

A file names the continuum and nests its nodes under ``children:`` lists, to any depth::

    version: 1
    id: chugach
    title: Chugach School District continuum
    node_types: [Content Area, Level]      # optional: type by depth when a node names none
    scales:
      - id: chugach4
        title: Emerging to Advanced
        levels: [{code: E, label: Emerging, value: 1}, ...]
        proficient_at: 3
    children:
      - {id: RD, code: RD, title: Reading, type: Content Area, graduation_level: 8, children: [...]}

Node keys: ``id`` (defaults to ``code``), ``code``, ``title`` (required), ``statement``, ``type``,
``dok``, ``level``, ``graduation_level``, ``educational_level``, ``uri``, ``keywords``,
``list_enumeration``, ``children``. Unknown keys, duplicate keys, duplicate ids or codes and wrong
types are all reported together, each as ``file:line:column`` (PyYAML marks). The format is
described in ``docs/continuum-format.md``; :func:`dump_continuum_yaml` writes it back.
"""

from __future__ import annotations

import datetime as dt
import difflib
from pathlib import Path
from typing import Any, NoReturn

import yaml
from pydantic import ValidationError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from cbe_bridge.continuum.case import decode_text
from cbe_bridge.errors import MappingError, Problem
from cbe_bridge.model.continuum import Continuum, ProficiencyScale, build_nodes

__all__ = ["FORMAT_VERSION", "dump_continuum_yaml", "load_continuum_yaml", "parse_continuum_yaml"]

FORMAT_VERSION = 1
TOP_KEYS = ("version", "id", "title", "description", "source_uri", "revision", "last_changed",
            "node_types", "scales", "children")
NODE_KEYS = ("id", "code", "title", "statement", "type", "dok", "level", "graduation_level",
             "educational_level", "uri", "keywords", "list_enumeration", "children")
SCALE_KEYS = ("id", "title", "levels", "proficient_at", "applies_to")
LEVEL_KEYS = ("code", "label", "value", "description")
_MISSING = object()


def load_continuum_yaml(path: Path | str) -> Continuum:
    """Read a continuum YAML file."""
    path = Path(path)
    return parse_continuum_yaml(path.read_bytes(), source=str(path))


def parse_continuum_yaml(text: str | bytes, *, source: str = "<continuum>") -> Continuum:
    """Parse our continuum YAML; raises ``MappingError`` listing every problem with line:col."""
    decoded, sha256 = decode_text(text, source)
    try:
        root = yaml.compose(decoded, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise MappingError(f"{source}: not valid YAML",
                           problems=[Problem(str(exc.problem or exc), where)]) from None
    return _Reader(source).read(root, sha256)


class _Reader:
    """Walks the composed YAML node graph, keeping marks for every problem."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.constructor = SafeConstructor()
        self.seen_ids: dict[str, str] = {}  # casefolded id -> location
        self.seen_codes: dict[str, str] = {}
        self.drafts: list[dict[str, Any]] = []
        self.checks: list[tuple[str, int, Node]] = []  # (node id, graduation level, mark node)

    def loc(self, node: Node) -> str:
        mark = node.start_mark
        return f"{self.source}:{mark.line + 1}:{mark.column + 1}"

    def problem(self, node: Node, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(message, self.loc(node), hint))

    def mapping(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, Node] | None:
        """A YAML mapping as key -> value node; reports duplicate and unknown keys."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what} must be a mapping")
            return None
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None:
                self.problem(key_node, f"{what}: keys must be plain names")
            elif key in out:
                self.problem(key_node, f"{what}: duplicate key {key!r}")
            elif key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "allowed: " + ", ".join(allowed)
                self.problem(key_node, f"{what}: unknown key {key!r}", hint)
            else:
                out[key] = value_node
        return out

    def value(self, node: Node | None, kind: str, what: str, required: bool = False) -> Any:
        """A scalar of ``kind`` ("str", "int", "float"), or None (problem reported) / _MISSING."""
        if node is None:
            return _MISSING
        if not isinstance(node, ScalarNode):
            self.problem(node, f"{what} must be a single value")
            return None
        value = self.constructor.construct_object(node, deep=True)
        if value is None:
            if required:
                self.problem(node, f"{what} must not be empty")
            return None
        textual = isinstance(value, (str, int, float, dt.date)) and not isinstance(value, bool)
        if kind == "str" and textual:
            text = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
            if text or not required:
                return text or None
            self.problem(node, f"{what} must not be empty")
            return None
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value
        if kind == "float" and isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        wanted = {"float": "a number", "int": "an integer"}.get(kind, "text")
        self.problem(node, f"{what} must be {wanted}, got {value!r}")
        return None

    def strings(self, node: Node | None, what: str) -> list[str]:
        """A string or a list of strings."""
        if node is None:
            return []
        if isinstance(node, SequenceNode):
            items = [self.value(n, "str", what) for n in node.value]
            return [s for s in items if isinstance(s, str)]
        single = self.value(node, "str", what)
        return [single] if isinstance(single, str) else []

    def sequence(self, node: Node | None, what: str) -> list[Node]:
        if node is None:
            return []
        if isinstance(node, ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what} must be a list")
            return []
        return list(node.value)

    def read(self, root: Node | None, sha256: str) -> Continuum:
        if root is None:
            raise MappingError(f"{self.source}: the file is empty",
                               hint="a continuum file starts with 'version: 1'")
        top = self.mapping(root, "continuum file", TOP_KEYS)
        if top is None:
            self.fail()
        version = self.value(top.get("version"), "int", "version")
        if version is _MISSING:
            self.problem(root, "'version' is missing", f"add 'version: {FORMAT_VERSION}'")
        elif version is not None and version != FORMAT_VERSION:
            self.problem(top["version"], f"unsupported version {version}",
                         f"this cbe-bridge reads version {FORMAT_VERSION}")
        meta = {k: self.value(top.get(k), "str", k, required=k in ("id", "title"))
                for k in ("id", "title", "description", "source_uri", "revision", "last_changed")}
        for key in ("id", "title"):
            if meta[key] is _MISSING:
                self.problem(root, f"'{key}' of the continuum is missing")
        meta = {k: (None if v is _MISSING else v) for k, v in meta.items()}
        node_types = self.strings(top.get("node_types"), "node_types")
        roots = self.sequence(top.get("children"), "children")
        if not roots:
            self.problem(top.get("children", root), "the continuum has no nodes",
                         "list the content areas under 'children:'")
        for node in roots:
            self.node(node, None, 0, node_types)
        continuum = None
        if not self.problems:
            continuum = Continuum(
                id=meta["id"], title=meta["title"], source_uri=meta["source_uri"],
                source_format="yaml", version=meta["revision"], last_changed=meta["last_changed"],
                description=meta["description"], source_sha256=sha256,
                nodes=build_nodes(self.drafts))
            self.check_graduation_levels(continuum)
        scale_nodes = self.sequence(top.get("scales"), "scales")
        scales = [(n, self.scale(n, continuum)) for n in scale_nodes]
        seen: set[str] = set()
        for n, scale in scales:
            if scale is not None and scale.id in seen:
                self.problem(n, f"scale id {scale.id!r} is used twice")
            seen.add(scale.id if scale else "")
        if self.problems or continuum is None:
            self.fail()
        return Continuum(**continuum.model_dump(exclude={"nodes", "scales"}), nodes=continuum.nodes,
                         scales=[s for _, s in scales if s is not None])

    def fail(self) -> NoReturn:
        count = len(self.problems)
        raise MappingError(
            f"{self.source}: the continuum file has {count} problem{'s' if count != 1 else ''}",
            problems=self.problems, hint="see docs/continuum-format.md")

    def node(self, node: Node, parent_id: str | None, depth: int, node_types: list[str]) -> None:
        fields = self.mapping(node, "node", NODE_KEYS)
        if fields is None:
            return
        code = self.value(fields.get("code"), "str", "code")
        ident = self.value(fields.get("id"), "str", "id")
        if ident is _MISSING:
            ident = code
        code = None if code is _MISSING else code
        if ident is None or ident is _MISSING:
            self.problem(node, "node without 'id' or 'code'")
            return
        title = self.value(fields.get("title"), "str", "title", required=True)
        if title is _MISSING:
            self.problem(node, f"node {ident!r} has no 'title'")
        where = self.loc(fields.get("id", fields.get("code", node)))
        for table, key, label in ((self.seen_ids, ident, "id"), (self.seen_codes, code, "code")):
            if key is None:
                continue
            if key.casefold() in table:
                first = table[key.casefold()]
                self.problem(fields.get(label, node),
                             f"{label} {key!r} is used twice (first at {first})",
                             f"node {label}s must be unique (ignoring case)")
            else:
                table[key.casefold()] = where
        statement = self.value(fields.get("statement"), "str", "statement")
        node_type = self.value(fields.get("type"), "str", "type")
        if node_type in (None, _MISSING) and depth < len(node_types):
            node_type = node_types[depth]
        dok = self.value(fields.get("dok"), "int", "dok")
        if isinstance(dok, int) and dok < 1:
            self.problem(fields["dok"], f"dok must be 1 or more, got {dok}")
            dok = None
        extra = {k: self.value(fields.get(k), "int", k) for k in ("level", "graduation_level")}
        if isinstance(extra["graduation_level"], int):
            self.checks.append((ident, extra["graduation_level"], fields["graduation_level"]))
        optional = {k: self.value(fields.get(k), "str", k) for k in ("uri", "list_enumeration")}
        if isinstance(title, str):
            self.drafts.append({
                "id": ident, "human_code": code, "title": title, "parent_id": parent_id,
                "statement": statement if isinstance(statement, str) else title,
                "node_type": node_type if isinstance(node_type, str) else None,
                "educational_level": self.strings(fields.get("educational_level"),
                                                  "educational_level"),
                "keywords": self.strings(fields.get("keywords"), "keywords"),
                "dok": dok if isinstance(dok, int) else None,
                **{k: (v if isinstance(v, (int, str)) else None)
                   for k, v in {**extra, **optional}.items()},
            })
        for child in self.sequence(fields.get("children"), "children"):
            self.node(child, ident, depth + 1, node_types)

    def check_graduation_levels(self, continuum: Continuum) -> None:
        for ident, wanted, mark in self.checks:
            levels = [c.level for c in continuum.children(ident)]
            if wanted not in levels:
                self.problem(mark, f"graduation_level {wanted} of {ident!r} is not the 'level' "
                             "of any of its children", "give each level node 'level: N'")

    def scale(self, node: Node, continuum: Continuum | None) -> ProficiencyScale | None:
        """One scale; ``applies_to`` is resolved only when the nodes were read without problems."""
        before = len(self.problems)
        fields = self.mapping(node, "scale", SCALE_KEYS)
        if fields is None:
            return None
        ident = self.value(fields.get("id"), "str", "scale id", required=True)
        title = self.value(fields.get("title"), "str", "scale title")
        threshold = self.value(fields.get("proficient_at"), "float", "proficient_at")
        levels = []
        for level_node in self.sequence(fields.get("levels"), "levels"):
            level = self.mapping(level_node, "scale level", LEVEL_KEYS)
            if level is None:
                continue
            values = {k: self.value(level.get(k), "float" if k == "value" else "str", k,
                                    required=k != "description") for k in LEVEL_KEYS}
            for k in ("code", "value"):
                if values[k] is _MISSING:
                    self.problem(level_node, f"scale level has no '{k}'")
            if values["label"] is _MISSING:
                values["label"] = values["code"]
            levels.append({k: None if v is _MISSING else v for k, v in values.items()})
        applies: list[str] = []
        for ref_node in self.sequence(fields.get("applies_to"), "applies_to"):
            ref = self.value(ref_node, "str", "applies_to entry")
            if not isinstance(ref, str) or continuum is None:
                continue
            try:
                found = continuum.resolve(ref)
            except MappingError:
                self.problem(ref_node, f"{ref!r} matches several nodes", "use the node id")
                continue
            if found is None:
                self.problem(ref_node, f"{ref!r} is not a node of this continuum")
            else:
                applies.append(found.id)
        if ident is _MISSING:
            self.problem(node, "scale without 'id'")
        if len(self.problems) > before:  # already reported; pydantic would only repeat it
            return None
        try:
            return ProficiencyScale(
                id=ident, title=title if isinstance(title, str) else ident, levels=levels,
                proficient_at=None if threshold is _MISSING else threshold, applies_to=applies)
        except ValidationError as exc:
            for err in exc.errors():
                self.problem(node, _scale_error(ident, err))
            return None


def _scale_error(ident: str, err: Any) -> str:
    """A pydantic error on a scale as one readable sentence."""
    msg = str(err["msg"]).removeprefix("Value error, ")
    if msg.startswith("scale "):
        return msg
    where = ".".join(str(part) for part in err.get("loc", ()))
    return f"scale {ident!r}: {where + ': ' if where else ''}{msg}"


def _plain(value: Any) -> Any:
    """Floats that are whole numbers written as ints, for tidy YAML."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def dump_continuum_yaml(continuum: Continuum) -> str:
    """Write a continuum in our YAML format (e.g. to hand-edit one imported from CASE)."""

    def node_dict(node_id: str) -> dict[str, Any]:
        node = continuum.nodes[node_id]
        out: dict[str, Any] = {"id": node.id}
        if node.human_code:
            out["code"] = node.human_code
        out["title"] = node.title
        if node.statement != node.title:
            out["statement"] = node.statement
        out["type"] = node.node_type
        for key in ("dok", "level", "graduation_level", "uri", "list_enumeration"):
            if getattr(node, key) is not None:
                out[key] = getattr(node, key)
        if node.educational_level:
            out["educational_level"] = list(node.educational_level)
        if node.keywords:
            out["keywords"] = list(node.keywords)
        kids = continuum.children(node_id)
        if kids:
            out["children"] = [node_dict(k.id) for k in kids]
        return out

    doc: dict[str, Any] = {"version": FORMAT_VERSION, "id": continuum.id, "title": continuum.title}
    for key, attr in (("description", "description"), ("source_uri", "source_uri"),
                      ("revision", "version"), ("last_changed", "last_changed")):
        if getattr(continuum, attr) is not None:
            doc[key] = getattr(continuum, attr)
    if continuum.scales:
        doc["scales"] = []
        for scale in continuum.scales:
            levels = [{k: _plain(v) for k, v in lv.model_dump().items() if v is not None}
                      for lv in scale.levels]
            entry: dict[str, Any] = {"id": scale.id, "title": scale.title, "levels": levels}
            if scale.proficient_at is not None:
                entry["proficient_at"] = _plain(scale.proficient_at)
            if scale.applies_to:
                entry["applies_to"] = list(scale.applies_to)
            doc["scales"].append(entry)
    doc["children"] = [node_dict(r.id) for r in continuum.roots()]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
