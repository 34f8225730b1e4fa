"""Show a continuum: a text tree for people, a nested dict for ``--format json``.

``render_tree`` prints one line per node, ``human_code  title  [node type]``, under the
continuum's title, with box-drawing branches::

    Example continuum
    ├── MATH  Mathematics  [Content Area]
    │   └── MATH.C1  Algebraic reasoning  [Competency]
    └── ELA  English language arts  [Content Area]

Whitespace in titles is collapsed and long titles are cut with an ellipsis so that lines fit
``width`` columns (100 by default). Nodes below ``max_depth`` are summarised as one
``… N more nodes`` line.
"""

from __future__ import annotations

import re
from typing import Any

from cbe_bridge.errors import MappingError
from cbe_bridge.model.continuum import Continuum, ContinuumNode

__all__ = ["continuum_to_dict", "render_tree"]

BRANCH, LAST, PIPE, SPACE = "├── ", "└── ", "│   ", "    "
ELLIPSIS = "…"


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _fit(text: str, room: int) -> str:
    """``text`` cut to ``room`` characters, ending in an ellipsis when cut (on a word boundary
    when one is near the end)."""
    if len(text) <= room:
        return text
    if room <= 1:
        return ELLIPSIS[:room]
    cut = text[: room - 1]
    if " " in cut[room * 2 // 3:] and text[room - 1] != " ":
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + ELLIPSIS


def _line(prefix: str, node: ContinuumNode, width: int) -> str:
    code = f"{_flat(node.human_code)}  " if node.human_code else ""
    kind = f"  [{node.node_type}]"
    room = width - len(prefix) - len(code) - len(kind)
    if room >= 12:
        return prefix + code + _fit(_flat(node.title), room) + kind
    return _fit(prefix + code + _flat(node.title) + kind, width)  # very deep or long codes


def _start(continuum: Continuum, root: str | None) -> list[ContinuumNode]:
    if root is None:
        return continuum.roots()
    node = continuum.resolve(root)
    if node is None:
        raise MappingError(f"{root!r} is not a node of continuum {continuum.title!r}",
                           hint="give a node id, urn:uuid:GUID, URI or human code")
    return [node]


def render_tree(
    continuum: Continuum,
    *,
    max_depth: int | None = None,
    root: str | None = None,
    width: int = 100,
) -> str:
    """The continuum (or the subtree at ``root``, any reference ``resolve`` accepts) as text.

    ``max_depth`` counts levels shown: 1 shows only the top nodes. The result ends with a
    newline. Raises ``MappingError`` for an unknown ``root``.
    """
    if max_depth is not None and max_depth < 1:
        raise ValueError("max_depth must be 1 or more")
    lines = [_fit(_flat(continuum.title), width)]

    def walk(nodes: list[ContinuumNode], prefix: str, level: int) -> None:
        for i, node in enumerate(nodes):
            last = i == len(nodes) - 1
            lines.append(_line(prefix + (LAST if last else BRANCH), node, width))
            inner = prefix + (SPACE if last else PIPE)
            kids = continuum.children(node.id)
            if not kids:
                continue
            if max_depth is not None and level >= max_depth:
                hidden = len(continuum.descendants(node.id))
                more = f"{hidden} more node{'s' if hidden != 1 else ''}"
                lines.append(_fit(f"{inner}{LAST}{ELLIPSIS} {more}", width))
            else:
                walk(kids, inner, level + 1)

    walk(_start(continuum, root), "", 1)
    return "\n".join(lines) + "\n"


def _node_dict(
    continuum: Continuum, node: ContinuumNode, level: int, max_depth: int | None
) -> dict[str, Any]:
    out = node.model_dump(mode="json")
    kids = continuum.children(node.id)
    if max_depth is not None and level >= max_depth:
        out["children"] = []
        out["hidden_descendants"] = len(continuum.descendants(node.id)) if kids else 0
    else:
        out["children"] = [_node_dict(continuum, k, level + 1, max_depth) for k in kids]
    return out


def continuum_to_dict(
    continuum: Continuum, *, max_depth: int | None = None, root: str | None = None
) -> dict[str, Any]:
    """JSON-ready description: metadata, node types, scales and the nested ``tree``.

    Every node carries all :class:`ContinuumNode` fields plus ``children``; nodes cut off by
    ``max_depth`` get ``children: []`` and ``hidden_descendants``.
    """
    if max_depth is not None and max_depth < 1:
        raise ValueError("max_depth must be 1 or more")
    return {
        "id": continuum.id,
        "title": continuum.title,
        "source_format": continuum.source_format,
        "source_uri": continuum.source_uri,
        "version": continuum.version,
        "last_changed": continuum.last_changed,
        "description": continuum.description,
        "source_sha256": continuum.source_sha256,
        "node_count": len(continuum.nodes),
        "node_types": continuum.node_types(),
        "scales": [s.model_dump(mode="json") for s in continuum.scales],
        "tree": [_node_dict(continuum, n, 1, max_depth) for n in _start(continuum, root)],
    }
