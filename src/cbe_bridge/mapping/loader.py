"""Load mapping files: read, check versions, follow ``extends:``, layer, validate, locate.

:func:`load_mapping` reads every file (and every file they extend), layers them
(:mod:`.layering`), validates the result against :class:`~.models.Mapping` and its
cross-section checks, and raises one :class:`~cbe_bridge.errors.MappingError` listing every
problem found, each with the ``file:line:column`` where the offending key or value was
written and, where it helps, a hint ("did you mean 'weight'?"). Nothing here prints a
traceback: the CLI shows the error's problems and exits with code 2.

:func:`check_references` checks ``node:`` references against a continuum, given as a
look-up function so this package does not depend on how continuums are loaded.
"""

from __future__ import annotations

import difflib
import re
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from cbe_bridge.errors import MappingError, Problem
from cbe_bridge.mapping.layering import LoadedFile, collect_files, layer
from cbe_bridge.mapping.models import FORMAT_VERSION, DataPath, Mapping, cross_checks
from cbe_bridge.mapping.yaml_source import LocatedDict, LocatedList

__all__ = ["check_references", "load_mapping"]

_UPGRADE = "upgrade cbe-bridge (pip install --upgrade cbe-bridge) to read this file"


def load_mapping(paths: Sequence[Path | str] | Path | str) -> Mapping:
    """Load mapping files, layered in the order given (later files override earlier ones).

    Raises :class:`MappingError` with every problem found in all the files.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise MappingError("no mapping file given", hint="name one, e.g. mappings/reference-district.yaml")
    given = [str(p) for p in paths]
    files, problems = collect_files([Path(p) for p in paths])
    for loaded in files:
        problems += _version_problems(loaded)
    if problems or not files:
        raise _error(given, files, problems)
    data = layer(files)
    locations = _locations(data)
    try:
        mapping = Mapping.model_validate(data, context={"defer_cross_checks": True})
    except ValidationError as exc:
        raise _error(given, files, _translate(exc, data, locations)) from None
    found = [_cross_problem(path, message, hint, locations, data)
             for path, message, hint in cross_checks(mapping)]
    if found:
        raise _error(given, files, found)
    mapping._locations = locations
    mapping._files = tuple(f.shown for f in files)
    return mapping


def check_references(mapping: Mapping, node_lookup: Callable[[str], object | None]) -> list[Problem]:
    """A problem for every ``node:`` reference that ``node_lookup`` does not find.

    ``node_lookup`` takes a reference (node id / CASE GUID, human code, ``urn:uuid:GUID``)
    and returns the node or None, e.g. ``continuum.resolve``. Each problem names the
    ``file:line:column`` where the reference was written.
    """
    problems = []
    for path, ref in mapping.node_references():
        if node_lookup(ref) is None:
            problems.append(Problem(
                f"{_dotted(path)}: node {ref!r} is not in the continuum",
                mapping.location_of(*path),
                "write the node's id (CASE GUID), its human code or urn:uuid:GUID, "
                "exactly as the continuum has it"))
    return problems


# -- version ------------------------------------------------------------------------------------
def _version_problems(loaded: LoadedFile) -> list[Problem]:
    data = loaded.data
    if "version" not in data:
        return [Problem("missing 'version'", f"{loaded.shown}:1:1",
                        f"start the file with 'version: {FORMAT_VERSION}'")]
    value, where = data["version"], data.value_locs["version"]
    if isinstance(value, bool) or not isinstance(value, int):
        return [Problem(f"'version' must be a whole number, got {value!r}", where,
                        f"write 'version: {FORMAT_VERSION}'")]
    if value > FORMAT_VERSION:
        return [Problem(f"this file is mapping format version {value}; this cbe-bridge reads "
                        f"version {FORMAT_VERSION} only", where, _UPGRADE)]
    if value < FORMAT_VERSION:
        return [Problem(f"unknown mapping format version {value}", where,
                        f"the first version is {FORMAT_VERSION}")]
    return []


# -- locations ----------------------------------------------------------------------------------
def _locations(data: LocatedDict) -> dict[DataPath, tuple[str, str]]:
    """Data path -> (where the key was written, where the value was written)."""
    out: dict[DataPath, tuple[str, str]] = {(): (data.loc, data.loc)}

    def walk(value: Any, path: DataPath) -> None:
        if isinstance(value, LocatedDict):
            for key, item in value.items():
                out[path + (key,)] = (value.key_locs[key], value.value_locs[key])
                walk(item, path + (key,))
        elif isinstance(value, LocatedList):
            for i, (item, where) in enumerate(zip(value, value.item_locs)):
                out[path + (i,)] = (where, where)
                walk(item, path + (i,))

    walk(data, ())
    return out


def _dotted(path: Sequence[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _data_path(data: Any, loc: Sequence[str | int]) -> tuple[DataPath, bool]:
    """The part of a pydantic ``loc`` that exists in the data (union tags skipped), and
    whether the error is about a key (``[key]``) rather than a value."""
    path: list[str | int] = []
    cur = data
    about_key = False
    for part in loc:
        if part == "[key]":
            about_key = True
        elif isinstance(cur, dict) and isinstance(part, str) and part in cur:
            path.append(part)
            cur = cur[part]
        elif isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur):
            path.append(part)
            cur = cur[part]
    return tuple(path), about_key


def _where(locations: dict[DataPath, tuple[str, str]], path: DataPath, key: bool) -> str:
    while path not in locations:
        path = path[:-1]
    return locations[path][0 if key else 1]


# -- model look-up for hints --------------------------------------------------------------------
def _strip(tp: Any) -> Any:
    while get_origin(tp) is not None and hasattr(tp, "__metadata__"):
        tp = get_args(tp)[0]
    return tp


def _members(tp: Any) -> list[Any]:
    tp = _strip(tp)
    if get_origin(tp) in (Union, types.UnionType):
        return [_strip(m) for m in get_args(tp) if m is not type(None)]
    return [tp]


def _tags(model: Any) -> tuple[str, ...]:
    if isinstance(model, type) and issubclass(model, BaseModel) and "method" in model.model_fields:
        annotation = model.model_fields["method"].annotation
        if get_origin(annotation) is Literal:
            return tuple(get_args(annotation))
    return ()


def _step(tp: Any, part: str | int) -> Any:
    members = _members(tp)
    for member in members:
        if part in _tags(member):
            return member
    if len(members) != 1:
        return None
    tp = members[0]
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        field = tp.model_fields.get(str(part))
        return field.annotation if field else None
    origin = get_origin(tp)
    if origin is list and isinstance(part, int):
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    return None


def _type_at(loc: Sequence[str | int]) -> Any:
    tp: Any = Mapping
    for part in loc:
        if part == "[key]":
            continue
        tp = _step(tp, part)
        if tp is None:
            return None
    return tp


def _known_keys(loc: Sequence[str | int]) -> list[str]:
    keys: list[str] = []
    for member in _members(_type_at(loc)):
        if isinstance(member, type) and issubclass(member, BaseModel):
            keys += [k for k in member.model_fields if k not in keys]
    return keys


def _suggest(word: str, options: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if close:
        return f"did you mean {close[0]!r}?"
    return ("expected one of: " + ", ".join(options)) if options else None


# -- pydantic errors -> problems ----------------------------------------------------------------
def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def _message(err: Any) -> tuple[str, str | None]:
    kind, loc, ctx = err["type"], err["loc"], err.get("ctx") or {}
    given = err.get("input")
    if kind == "missing":
        return f"missing required key {loc[-1]!r}", None
    if kind == "extra_forbidden":
        return f"unknown key {loc[-1]!r}", _suggest(str(loc[-1]), _known_keys(loc[:-1]))
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = [t for m in _members(_type_at(loc)) for t in _tags(m)]
        if kind == "union_tag_not_found":
            return "missing 'method'", "methods: " + ", ".join(tags)
        return f"unknown method {ctx.get('tag')!r}", _suggest(str(ctx.get("tag")), tags)
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return f"{given!r} is not allowed here", _suggest(str(given), options)
    if kind == "value_error":
        return re.sub(r"^Value error, ", "", err["msg"]), None
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return "must be a mapping (key: value lines)", None
    if kind == "list_type":
        return "must be a list (lines starting with '- ', or [a, b])", None
    msg = re.sub(r"^Input should be", "must be", err["msg"])
    if _scalar(given):
        msg += f", got {given!r}"
    return msg, None


def _translate(exc: ValidationError, data: LocatedDict,
               locations: dict[DataPath, tuple[str, str]]) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        path, about_key = _data_path(data, err["loc"])
        kind = err["type"]
        message, hint = _message(err)
        shown_path = path
        if kind == "extra_forbidden":  # "rollup.default: unknown key 'kk'"
            about_key = True
            shown_path = path[:-1]
        where = _where(locations, path, about_key)
        prefix = _dotted(shown_path) + ": " if shown_path else ""
        if kind == "missing" and not shown_path:
            hint = "no file in the 'extends' chain sets it; see docs/mapping-format.md"
        problems.append(Problem(prefix + message, where, hint))
    return problems


def _cross_problem(path: DataPath, message: str, hint: str | None,
                   locations: dict[DataPath, tuple[str, str]], data: LocatedDict) -> Problem:
    found, _ = _data_path(data, path)
    return Problem(f"{_dotted(path)}: {message}" if path else message,
                   _where(locations, found, False), hint)


def _location_key(problem: Problem, order: dict[str, int]) -> tuple[int, int, int]:
    match = re.match(r"^(.*):(\d+):(\d+)$", problem.location or "")
    if not match:
        return (order.get(problem.location or "", len(order)), 0, 0)
    return (order.get(match[1], len(order)), int(match[2]), int(match[3]))


def _error(given: Sequence[str], files: Sequence[LoadedFile], problems: list[Problem]) -> MappingError:
    order = {name: i for i, name in enumerate(dict.fromkeys([*given, *(f.shown for f in files)]))}
    problems = sorted(problems, key=lambda p: _location_key(p, order))
    names = ", ".join(given)
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return MappingError(f"{count} in {names}", problems=problems,
                        hint="the format is described in docs/mapping-format.md")
