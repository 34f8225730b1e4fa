"""Load a continuum from a file, choosing the format by content, not by file name.

* JSON whose top level (or ``CFPackage`` wrapper) holds ``CFDocument`` / ``CFItems``: a CASE
  CFPackage (:mod:`cbe_bridge.continuum.case`);
* YAML (or JSON) with a ``version`` key: cbe-bridge's continuum format
  (:mod:`cbe_bridge.continuum.yaml_format`);
* anything else: a ``MappingError`` saying what the file looked like and what was expected.

This module only reads files. Continuums known by id (stored ones, say) are found by the
caller, which can hand their text to :func:`parse_continuum`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from cbe_bridge.continuum.case import is_case_package, parse_case, parse_case_text
from cbe_bridge.continuum.yaml_format import parse_continuum_yaml
from cbe_bridge.errors import MappingError, Problem
from cbe_bridge.model.continuum import Continuum

__all__ = ["detect_format", "load_continuum", "parse_continuum"]

_EXPECTED = ("give a CASE CFPackage JSON file (CFDocument, CFItems, CFAssociations) or a "
             "cbe-bridge continuum YAML file starting with 'version: 1' (docs/continuum-format.md)")
_MAPPING_KEYS = {"proficiency_scales", "course_alignments", "objective_alignments", "aggregation",
                 "rollup", "gpa", "extends", "continuum"}


def load_continuum(path_or_id: Path | str, *, base_dir: Path | None = None) -> Continuum:
    """Load the continuum in a file; a relative path is taken from ``base_dir`` when given
    (a mapping file's ``continuum:`` key is relative to the mapping file)."""
    path = Path(path_or_id)
    if base_dir is not None and not path.is_absolute():
        path = base_dir / path
    if not path.exists():
        raise MappingError(f"continuum file not found: {path}", hint=_EXPECTED)
    if not path.is_file():
        raise MappingError(f"{path} is not a file", hint=_EXPECTED)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_continuum(data, source=str(path))


def detect_format(text: str) -> str:
    """``"case"`` or ``"yaml"`` for continuum text; ``MappingError`` when it is neither."""
    return _sniff(text, "<continuum>")[0]


def parse_continuum(text: str | bytes, *, source: str = "<continuum>") -> Continuum:
    """Parse continuum text in either format (see the module docstring)."""
    if isinstance(text, bytes):
        try:
            decoded = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MappingError(f"{source}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                               hint=_EXPECTED) from None
    else:
        decoded = text
    kind, data = _sniff(decoded, source)
    if kind == "yaml":
        return parse_continuum_yaml(text, source=source)
    if data is _FROM_JSON:
        return parse_case_text(text, source=source)
    return parse_case(data, source=source)  # a CASE package written as YAML


_FROM_JSON = object()


def _sniff(text: str, source: str) -> tuple[str, Any]:
    """(format, decoded data or a marker) for the text; raises for unknown content."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise MappingError(f"{source}: the file is empty", hint=_EXPECTED)
    json_error: json.JSONDecodeError | None = None
    if body[0] in "{[":
        try:
            data = json.loads(body)
        except json.JSONDecodeError as exc:
            json_error = exc
        else:
            if is_case_package(data):
                return "case", _FROM_JSON
            if isinstance(data, dict) and "version" in data:
                return "yaml", None  # our format written as JSON (JSON is YAML)
            raise MappingError(f"{source}: JSON, but not a CASE CFPackage", hint=_EXPECTED,
                               problems=_describe(data))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        if json_error is not None:
            where = f"{source}:{json_error.lineno}:{json_error.colno}"
            raise MappingError(f"{source}: not valid JSON", hint=_EXPECTED,
                               problems=[Problem(json_error.msg, where)]) from None
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        message = str(getattr(exc, "problem", None) or exc)
        raise MappingError(f"{source}: neither JSON nor valid YAML", hint=_EXPECTED,
                           problems=[Problem(message, where)]) from None
    if is_case_package(data):
        return "case", data
    if isinstance(data, dict) and "version" in data and not _MAPPING_KEYS & set(data):
        return "yaml", None
    raise MappingError(f"{source}: not a continuum", hint=_EXPECTED, problems=_describe(data))


def _describe(data: Any) -> list[Problem]:
    """A hint at what the file is instead."""
    if isinstance(data, dict):
        if _MAPPING_KEYS & set(data):
            return [Problem("this looks like a mapping file",
                            hint="a mapping file names its continuum with 'continuum: FILE'")]
        keys = ", ".join(sorted(map(str, data))[:8]) or "none"
        return [Problem(f"top-level keys found: {keys}")]
    return [Problem(f"the top level is a {type(data).__name__}, not an object")]
