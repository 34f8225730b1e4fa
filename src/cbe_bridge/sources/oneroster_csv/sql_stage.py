"""The bulk path for large files on SQLite: cells go in as text, SQL checks and converts them.

Per-row Python work is what limits a CSV load, so for large files the reader hands the csv
module's rows straight to ``executemany`` into a raw text table, and one SQL pass applies the
same rules as :mod:`.reader` (required values, numbers, dates, booleans, delta status),
records the rejects with file, line, field and reason, and moves the good rows, converted, into
the load's staging table. A file that is not valid text in its encoding falls back to the
row-by-row reader, which names the bad rows.
"""

from __future__ import annotations

import csv
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

from cbe_bridge.sources.oneroster_csv.files import PERSONAL, FileSpec
from cbe_bridge.sources.oneroster_csv.reader import (
    DATE_MESSAGE,
    NUMBER,
    WHOLE,
    FileResult,
    column_plan,
    open_csv,
    overlong_row,
    parse_list,
)
from cbe_bridge.store.ingest import EntityLoad, stage_columns
from cbe_bridge.store.schema import ENTITIES

SQL_STAGING_FROM = 8 * 1024 * 1024  # bytes; smaller files take the row-by-row reader
_SEP = "char(31)"  # separates field from reason in the one-pass check


def usable(dialect: str, spec: FileSpec, size: int) -> bool:
    # Courses derive their SCED code in Python, and are small anyway.
    return dialect == "sqlite" and size >= SQL_STAGING_FROM and spec.entity != "courses"


def _regexp(pattern: str, value: str | None) -> bool:
    return value is not None and re.match(pattern, value) is not None


def _list(value: str | None) -> str | None:
    return parse_list(value) if value else None


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _cell(i: int) -> str:
    return f"trim(c{i})"


def _problem(kind: str, i: int, header: str, personal: bool) -> str | None:
    """SQL that is true when cell ``i`` holds a bad value of ``kind``, and its message."""
    cell = _cell(i)
    got = "''" if personal else f"' got ''' || substr({cell}, 1, 40) || ''''"
    tests = {
        "float": (f"NOT regexp({_q(NUMBER.pattern)}, {cell})", "expected a number"),
        "int": (f"NOT regexp({_q(WHOLE.pattern)}, {cell})", "expected a whole number"),
        # The year 0 (and negative years) sort before '0001': Python's dates start at year 1.
        "date": (f"(length({cell}) != 10 OR substr({cell}, 5, 1) != '-' OR {cell} < '0001' "
                 f"OR date(julianday({cell})) IS NOT {cell})", DATE_MESSAGE),
        "datetime": (f"julianday({cell}) IS NULL",
                     "expected an ISO 8601 date-time such as 2024-05-01T12:00:00Z"),
        "bool": (f"lower({cell}) NOT IN ('true', 'false', '1', '0')", "expected true or false"),
    }
    if kind not in tests:
        return None
    test, message = tests[kind]
    message = header + chr(31) + header + ": " + message + ("" if personal else ",")
    plainly_good = _plainly_good(kind, f"c{i}")
    guard = f"NOT {plainly_good} AND " if plainly_good else ""
    return f"WHEN {guard}{cell} != '' AND {test} THEN {_q(message)} || {got}"


def _plainly_good(kind: str, cell: str) -> str | None:
    """SQL true only for a value of ``kind`` that the full test would pass, written as the
    cells of a district's files almost all are: tested first, on the cell as it is, it spares
    the common value the trims and the full test (the check of half the district's results:
    10.9 -> 8.6 s, measured). False says nothing: the full test decides."""
    return {
        "float": f"({cell} GLOB '[0-9]*' AND {cell} NOT GLOB '*[^0-9.]*' AND {cell} NOT GLOB '*.*.*')",
        "int": f"({cell} GLOB '[0-9]*' AND {cell} NOT GLOB '*[^0-9]*')",
        # Through a day number and back, only a real day written as YYYY-MM-DD comes back
        # unchanged (date() alone gives 2023-02-30 back as it is).
        "date": f"({cell} >= '0001' AND date(julianday({cell})) IS {cell})",
    }.get(kind)


def _convert(kind: str, i: int) -> str:
    cell = f"NULLIF({_cell(i)}, '')"
    return {
        "float": f"CAST({cell} AS REAL)",
        "int": f"CAST({cell} AS INTEGER)",
        "bool": f"CASE lower({cell}) WHEN 'true' THEN 1 WHEN '1' THEN 1 WHEN 'false' THEN 0 WHEN '0' THEN 0 END",
        "list": f"cbe_list({cell})",  # the row reader's own rule (blanks around every comma go)
    }.get(kind, cell)


@dataclass
class CheckedPart:
    """A file, or a part of it (lines in a row), checked (see :func:`check_raw`): its tables."""

    raw: str  # the cells as text, by line: ``temp.raw_<entity>``, or ``<alias>.raw`` when read ahead
    good: str  # the good rows converted to the stage's columns, stored (``_seq``) in key order
    bad: str  # (line, reason) of the bad rows


@dataclass
class CheckedFile:
    """A file checked and converted, in parts in line order (read ahead side by side)."""

    parts: list[CheckedPart]
    header: list[str]
    received: int
    drop: Callable[[], None]  # removes the tables (and scratch databases) when the load is done


def load_raw(driver: sqlite3.Connection, table: str, raw: IO[bytes], spec: FileSpec, *, version: str | None,
             encoding: str, result: FileResult, skipped_lines: int = 0) -> tuple[list[str], int] | None:
    """Load ``raw``'s rows as text into ``table`` (created here, temporary when named ``temp.``);
    ``(header, rows)``, or None when the file is not valid text in its encoding (the caller falls
    back to the row reader). A file whose header is unusable gives ``([], 0)`` with ``result.fatal``
    set. ``skipped_lines``: lines of the file left out between the header and ``raw``'s rows (a
    part of a file), so lines are numbered as in the file."""
    try:
        opened = open_csv(raw, spec, version=version, encoding=encoding, errors="strict", result=result)
    except UnicodeDecodeError:
        return None
    if opened is None:
        return [], 0
    reader, header = opened
    width = len(header)
    cursor = driver.cursor()
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cells = ", ".join(f"c{i} TEXT" for i in range(width))
    cursor.execute(f"CREATE TABLE {table} (_line INTEGER PRIMARY KEY, {cells})")
    try:
        received = cursor.executemany(f"INSERT INTO {table} VALUES (?{', ?' * width})",
                                      _rows(reader, header, spec, result, skipped_lines)).rowcount
    except UnicodeDecodeError:
        cursor.execute(f"DROP TABLE {table}")
        result.rejects.clear()
        return None
    finally:
        cursor.close()
    return header, received


def check_raw(driver: sqlite3.Connection, raw: str, good: str, bad: str, header: list[str], spec: FileSpec, *,
              delta: bool) -> None:
    """Check the raw table ``raw`` with the reader's rules: ``bad`` gets (line, field and reason)
    of each bad row, ``good`` the other rows converted to the stage's columns, sorted by id.

    Runs on whichever connection holds ``raw`` (the read-ahead process's, usually). Key order
    makes the store's insert an append to its primary key index instead of a random insert per
    row (three times faster, measured); of two rows sharing an id the earlier line still comes
    first, so the first given still wins.
    """
    driver.create_function("regexp", 2, _regexp, deterministic=True)
    driver.create_function("cbe_list", 1, _list, deterministic=True)
    index = {h: i for i, h in enumerate(header)}
    feeding = column_plan(spec, header)
    sid = _cell(index["sourcedId"])
    status = _cell(index["status"]) if "status" in index else "''"
    deleting = f"({delta:d} AND lower({status}) = 'tobedeleted')"
    whens = [f"WHEN {sid} = '' THEN 'sourcedId' || {_SEP} || 'sourcedId is empty'"]
    if delta:
        whens.append(f"WHEN lower({status}) NOT IN ('active', 'tobedeleted') THEN 'status' || {_SEP} || "
                     "'status must be active or tobedeleted in a delta file'")
    checks = [f"WHEN {_cell(index[c.header])} = '' THEN {_q(c.header + chr(31) + c.header + ' is required')}"
              for c in feeding.values() if c.required]
    personal = spec.entity in PERSONAL
    checks += [w for c in feeding.values() if (w := _problem(c.kind, index[c.header], c.header, personal))]
    if checks:
        whens.append(f"WHEN {deleting} THEN NULL")  # deletions need only their id
        whens += checks
    data_cols = ENTITIES[spec.entity].data_columns
    columns = [_convert(feeding[c].kind, index[feeding[c].header]) if c in feeding else "NULL" for c in data_cols]
    modified = f"NULLIF({_cell(index['dateLastModified'])}, '')" if "dateLastModified" in index else "NULL"
    names = stage_columns(spec.entity)
    cursor = driver.cursor()
    try:
        for table, definition in ((bad, "(_line INTEGER PRIMARY KEY, _reason TEXT)"),
                                  (good, f"(_seq INTEGER PRIMARY KEY, {', '.join(names)})")):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute(f"CREATE TABLE {table} {definition}")
        # One pass finds the bad rows (few); the good ones are then moved without re-checking.
        cursor.execute(f"INSERT INTO {bad} SELECT _line, _reason FROM (SELECT _line, CASE {' '.join(whens)} "
                       f"END AS _reason FROM {raw}) WHERE _reason IS NOT NULL")
        values = ", ".join(["_line", "0", sid, *columns, modified, deleting])
        cursor.execute(f"INSERT INTO {good} ({', '.join(names)}) SELECT {values} FROM {raw} "
                       f"WHERE _line NOT IN (SELECT _line FROM {bad}) ORDER BY {sid}, _line")
    finally:
        cursor.close()


def stage_with_sql(load: EntityLoad, raw: IO[bytes], spec: FileSpec, *, delta: bool, version: str | None,
                   encoding: str, result: FileResult) -> bool:
    """Stage ``raw`` into ``load`` through SQL; False when the caller must use the row reader."""
    driver = load.conn.connection.driver_connection
    tables = [f"temp.{kind}_{spec.entity}" for kind in ("raw", "good", "bad")]
    loaded = load_raw(driver, tables[0], raw, spec, version=version, encoding=encoding, result=result)
    if loaded is None:
        return False
    header, received = loaded
    if header:
        check_raw(driver, *tables, header, spec, delta=delta)

        def drop() -> None:
            for table in tables:
                driver.execute(f"DROP TABLE IF EXISTS {table}")

        stage_checked(load, CheckedFile([CheckedPart(*tables)], header, received, drop), result=result)
    return True


def stage_checked(load: EntityLoad, checked: CheckedFile, *, result: FileResult) -> None:
    """Record a checked file's bad rows as rejects and stage its good rows into ``load``."""
    sid = _cell(checked.header.index("sourcedId"))
    result.sql_rejects = sum(_record_rejects(load, part.raw, part.bad, checked.header, sid)
                             for part in checked.parts)
    names = ", ".join(stage_columns(load.entity))
    load.counts.received += checked.received
    if load.first_load():
        # The load reads the good rows in place (a view), in key order; dropped when it is done.
        load.stage_view([f"SELECT _seq, {names} FROM {part.good}" for part in checked.parts], order="_seq")
        load.on_finish(checked.drop)
    else:
        for part in checked.parts:
            load.conn.exec_driver_sql(f"INSERT INTO {load.stage_name} SELECT {names} FROM {part.good}")
        checked.drop()


def _rows(reader: Iterator[list[str]], header: list[str], spec: FileSpec, result: FileResult,
          skipped: int) -> Iterator[list]:
    from cbe_bridge.store.ingest import Reject

    where = f"{spec.name} line "
    width = len(header)
    while True:
        try:  # around the loop, not each row: a malformed row is rare, the loop is hot
            for row in reader:
                if len(row) == width:
                    yield [reader.line_num + skipped, *row]  # type: ignore[attr-defined]
                elif len(row) > width:
                    result.rejects.append(overlong_row(spec, f"{where}{reader.line_num + skipped}",  # type: ignore[attr-defined]
                                                       header, row))
                elif row and any(row):
                    yield [reader.line_num + skipped, *row, *[""] * (width - len(row))]  # type: ignore[attr-defined]
            return
        except csv.Error as exc:  # as the row reader: the row is rejected, reading goes on
            result.rejects.append(Reject(spec.entity, f"{where}{reader.line_num + skipped}",  # type: ignore[attr-defined]
                                         f"malformed CSV: {exc}"))


def _record_rejects(load: EntityLoad, table: str, bad: str, header: list[str], sid: str) -> int:
    raw = "json_object(" + ", ".join(f"{_q(h)}, c{i}" for i, h in enumerate(header)) + ")"
    sep = "instr(_reason, char(31))"
    return load.conn.exec_driver_sql(
        f"INSERT INTO rejects (run_id, source, entity, location, record_id, field, reason, raw, status) "
        f"SELECT ?, ?, ?, ? || ' line ' || _line, NULLIF({sid}, ''), substr(_reason, 1, {sep} - 1), "
        f"substr(_reason, {sep} + 1), {raw}, 'pending' FROM {table} JOIN {bad} USING (_line)",
        (load.run_id, load.source, load.entity, load.file_label)).rowcount
