"""Streaming one OneRoster CSV file into staged rows and rejects.

Each row is checked on its own (required values, dates, numbers, booleans, encoding) and
either becomes a staged tuple ``(line, 0, source_id, *values, modified_at, delete)`` or a
:class:`Reject` naming file, line, field and reason. Set checks (duplicates, references) come
later, in the store. The hot loop avoids per-cell Python calls where it can: strings go
through an ``itemgetter`` and only typed cells are converted.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import itemgetter
from typing import IO

from cbe_bridge.sources.oneroster_csv.files import PERSONAL, REQUIRED_BY_VERSION, Column, FileSpec
from cbe_bridge.store.ingest import Reject
from cbe_bridge.store.schema import ENTITIES

csv.field_size_limit(16 * 1024 * 1024)

_SCED = re.compile(r"^\d{5}$")
_TRUE, _FALSE = frozenset({"true", "TRUE", "True", "1"}), frozenset({"false", "FALSE", "False", "0"})


DATE_MESSAGE = "expected a calendar date as YYYY-MM-DD"
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
WHOLE = re.compile(r"^[+-]?\d+$")


def parse_date(text: str) -> str:
    # fromisoformat alone accepts "20240101" on 3.11; the binding says YYYY-MM-DD.
    try:
        if len(text) != 10 or text[4] != "-":
            raise ValueError
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(DATE_MESSAGE) from None
    return text


def parse_datetime(text: str) -> str:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expected an ISO 8601 date-time such as 2024-05-01T12:00:00Z") from None
    return text


def parse_float(text: str) -> float:
    # Stricter than float(): no "nan", "inf" or "1_000", the same rule as the SQL path.
    if not NUMBER.match(text):
        raise ValueError("expected a number")
    return float(text)


def parse_int(text: str) -> int:
    if not WHOLE.match(text):
        raise ValueError("expected a whole number")
    return int(text)


def parse_bool(text: str) -> bool:
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("expected true or false")


def parse_list(text: str) -> str:
    return ",".join(part.strip() for part in text.split(","))


PARSERS: dict[str, Callable[[str], object]] = {
    "date": parse_date, "datetime": parse_datetime, "float": parse_float, "int": parse_int,
    "bool": parse_bool, "list": parse_list,
}


@dataclass
class FileResult:
    """What reading one file produced besides its rows."""

    rejects: list[Reject] = field(default_factory=list)
    fatal: Reject | None = None  # the whole file could not be read (e.g. missing columns)
    sql_rejects: int = 0  # rejects the SQL path wrote to the store itself


def column_plan(spec: FileSpec, header: list[str]) -> dict[str, Column]:
    """For each store column, the CSV column that feeds it (the first one present)."""
    present = set(header)
    feeding: dict[str, Column] = {}
    for col in spec.columns:
        if col.header in present and col.column not in feeding:
            feeding[col.column] = col
    return feeding


def header_problem(spec: FileSpec, header: list[str], version: str | None) -> str | None:
    present = set(header)
    required = {c.header for c in spec.columns if c.required} | {"sourcedId"}
    if spec.name == "demographics.csv":
        required = {"sourcedId"}
    required |= set(REQUIRED_BY_VERSION.get(version or "", {}).get(spec.name, ()))
    missing = sorted(required - present)
    if missing:
        return "missing required column(s): " + ", ".join(missing)
    duplicated = sorted({h for h in header if header.count(h) > 1})
    if duplicated:
        return "column(s) given twice: " + ", ".join(duplicated)
    return None


def open_csv(raw: IO[bytes], spec: FileSpec, *, version: str | None, encoding: str, errors: str,
             result: FileResult) -> tuple[Iterator[list[str]], list[str]] | None:
    """A csv reader past a checked header, or None (with ``result.fatal`` set)."""
    if encoding.lower().replace("-", "").replace("_", "") == "utf8":
        encoding = "utf-8-sig"  # a BOM, common in exports from spreadsheet tools, is dropped
    text = io.TextIOWrapper(raw, encoding=encoding, errors=errors, newline="")
    reader = csv.reader(text, strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        result.fatal = Reject(spec.entity, f"{spec.name} line 1", "the file is empty (no header row)")
        return None
    except csv.Error as exc:
        result.fatal = Reject(spec.entity, f"{spec.name} line 1", f"unreadable header: {exc}")
        return None
    problem = header_problem(spec, header, version)
    if problem:
        result.fatal = Reject(spec.entity, f"{spec.name} line 1", problem, field="header")
        return None
    return reader, header


def overlong_row(spec: FileSpec, location: str, header: list[str], row: list[str]) -> Reject:
    """The reject of a row with more cells than the header: which cell is which cannot be
    known, so the row is kept whole (the cells past the header under ``_extra_cells``) for
    whoever corrects it."""
    raw: dict = dict(zip(header, row))
    raw["_extra_cells"] = row[len(header):]
    return Reject(spec.entity, location, f"{len(row)} cells where the header has {len(header)}",
                  record_id=_record_id(raw.get("sourcedId", "")), raw=raw)


def read_file(raw: IO[bytes], spec: FileSpec, *, delta: bool, version: str | None,
              encoding: str, result: FileResult) -> Iterator[tuple]:
    """Yield staged tuples for ``spec``'s entity from the CSV in ``raw``; fill ``result``."""
    opened = open_csv(raw, spec, version=version, encoding=encoding, errors="surrogateescape", result=result)
    if opened is None:
        return
    reader, header = opened
    name = spec.name
    index = {h: i for i, h in enumerate(header)}
    store_cols = ENTITIES[spec.entity].data_columns
    feeding = column_plan(spec, header)
    width = len(header)
    pad = width  # store columns the file does not carry read an empty cell appended to the row
    needs_pad = any(c not in feeding for c in store_cols)
    positions = [index[feeding[c].header] if c in feeding else pad for c in store_cols]
    getter = itemgetter(index["sourcedId"], *positions) if positions else itemgetter(index["sourcedId"])
    typed = [(1 + k, PARSERS[feeding[c].kind], feeding[c].header)
             for k, c in enumerate(store_cols) if c in feeding and feeding[c].kind in PARSERS]
    required = [(1 + k, feeding[c].header) for k, c in enumerate(store_cols)
                if c in feeding and feeding[c].required]
    personal = spec.entity in PERSONAL
    status_at = index.get("status")
    modified_at = index.get("dateLastModified")
    sced_at = 1 + store_cols.index("sced_code") if "sced_code" in store_cols else None
    codes_at = 1 + store_cols.index("subject_codes") if "subject_codes" in store_cols else None

    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            result.rejects.append(Reject(spec.entity, f"{name} line {reader.line_num}", f"malformed CSV: {exc}"))
            continue
        line = reader.line_num  # the record's last physical line (its line, for one-line records)
        if not row or (len(row) == 1 and not row[0]):
            continue
        if len(row) != width:
            if len(row) > width:
                result.rejects.append(overlong_row(spec, f"{name} line {line}", header, row))
                continue
            row = row + [""] * (width - len(row))
        if needs_pad:
            row.append("")
        try:
            "\x1f".join(row).encode("utf-8")
        except UnicodeEncodeError:
            bad = next(h for h, v in zip(header, row) if _undecodable(v))
            result.rejects.append(Reject(spec.entity, f"{name} line {line}",
                                         f"not valid {encoding} text (wrong file encoding?)",
                                         record_id=_record_id(row[index["sourcedId"]]), field=bad,
                                         raw=dict(zip(header, row))))
            continue
        values = [v.strip() or None for v in getter(row)]
        source_id = values[0]
        if source_id is None:
            result.rejects.append(Reject(spec.entity, f"{name} line {line}", "sourcedId is empty", field="sourcedId",
                                         raw=dict(zip(header, row))))
            continue
        status = row[status_at].strip().lower() if delta and status_at is not None else ""
        is_delete = status == "tobedeleted"
        if delta and status not in ("active", "tobedeleted"):
            result.rejects.append(Reject(spec.entity, f"{name} line {line}",
                                         "status must be active or tobedeleted in a delta file",
                                         record_id=source_id, field="status", raw=dict(zip(header, row))))
            continue
        error = None
        if not is_delete:
            for position, header_name in required:
                if values[position] is None:
                    error = (header_name, f"{header_name} is required")
                    break
            if error is None:
                for position, parse, header_name in typed:
                    value = values[position]
                    if value is not None:
                        try:
                            values[position] = parse(value)
                        except ValueError as exc:
                            shown = "" if personal else f", got {value[:40]!r}"
                            error = (header_name, f"{header_name}: {exc}{shown}")
                            break
        if error is not None:
            result.rejects.append(Reject(spec.entity, f"{name} line {line}", error[1], record_id=source_id,
                                         field=error[0], raw=dict(zip(header, row))))
            continue
        if sced_at is not None and codes_at is not None and values[codes_at]:
            values[sced_at] = next((c for c in values[codes_at].split(",") if _SCED.match(c)), None)
        stamp = row[modified_at].strip() or None if modified_at is not None else None
        yield (line, 0, *values, stamp, int(is_delete))


def _record_id(cell: str) -> str | None:
    """A refused row's id for its reject: None when empty, or in bytes the store cannot hold."""
    cell = cell.strip()
    return None if not cell or _undecodable(cell) else cell


def _undecodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
