"""Reading and checking the next large files while the current one is merged.

A bundle's large files go through the SQL bulk path (:mod:`.sql_stage`): the csv module's rows
are loaded as text into a raw table, checked and converted by SQL into a table of good rows in
key order, then merged into the store. In one process these alternate; here two read-ahead
processes do the first two steps for each large file, in load order, each in a scratch
database of its own, while the store merges the file before. The largest files are read in
two parts side by side when they can be cut safely (:mod:`.parts`). Measured on the
50,000-student district: sync 131 s -> 104 s reading ahead in one process; 98 s -> 79 s
checking ahead too, in two processes, with the largest files in parts. A thread instead of a
process was slower than no overlap at all (parsing holds the GIL).

The sync's connection attaches a scratch database only once it is loaded and committed (so the
snapshot it reads is complete) and detaches it after the sync's transaction ends; a connection
attaches only so many (10 by default), so only the largest files are read ahead (:func:`plan`),
the rest by the sync itself.

Scratch files live in a private temporary folder (they hold student records) that is removed
when the sync ends, whatever happened.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import Connection

from cbe_bridge.sources.oneroster_csv.bundle import Bundle
from cbe_bridge.sources.oneroster_csv.files import FileSpec
from cbe_bridge.sources.oneroster_csv.reader import FileResult
from cbe_bridge.sources.oneroster_csv.parts import open_part, split
from cbe_bridge.sources.oneroster_csv.sql_stage import CheckedFile, CheckedPart, check_raw, load_raw

log = logging.getLogger(__name__)

CACHE_KIB = 131072  # page cache of a scratch database while it is written or read (as the store's)
WORKERS = 2
SPLIT_FROM = 64 * 1024 * 1024  # bytes; a file this large is read in two parts side by side


@dataclass
class Preloaded:
    """A file, or a part of it, loaded in a read-ahead process: its scratch database, header and
    reader results."""

    path: Path | None  # None: a later part of a file that could not be split (the first part holds it all)
    header: list[str] | None  # None: not valid text in its encoding (use the row reader)
    received: int
    result: FileResult


def _load(bundle_path: Path, spec: FileSpec, delta: bool, part: int, parts: int, path: Path,
          version: str | None, encoding: str) -> Preloaded:
    """In a read-ahead process: part ``part`` of ``parts`` of ``spec``'s rows as text into the
    scratch database at ``path``, checked and converted there (:func:`.sql_stage.check_raw`)."""
    result = FileResult()
    with Bundle(bundle_path) as bundle:  # its own handle
        file_path = bundle.file_path(spec.name)
        pieces = split(file_path, parts) if parts > 1 and file_path is not None else None
        if (pieces is None and part > 0) or (pieces is not None and part >= len(pieces)):
            return Preloaded(None, [], 0, result)  # the file is in fewer parts
        driver = sqlite3.connect(path, isolation_level=None)
        try:
            # A scratch copy: a crash loses nothing that the next sync would not read again.
            driver.execute("PRAGMA journal_mode=OFF")
            driver.execute("PRAGMA synchronous=OFF")
            driver.execute(f"PRAGMA cache_size={-CACHE_KIB}")
            driver.execute("BEGIN")
            opened = bundle.open(spec.name) if pieces is None else open_part(file_path, pieces[part])
            with opened as raw:
                loaded = load_raw(driver, "raw", raw, spec, version=version, encoding=encoding, result=result,
                                  skipped_lines=0 if pieces is None else pieces[part].skipped_lines)
            if loaded and loaded[0]:
                check_raw(driver, "raw", "good", "bad", loaded[0], spec, delta=delta)
            driver.execute("COMMIT")
        finally:
            driver.close()
    if loaded is None:
        return Preloaded(path, None, 0, result)
    header, received = loaded
    return Preloaded(path, header, received, result)


@dataclass(frozen=True)
class Planned:
    """A file to read ahead: its spec, whether it is a delta, its size, and in how many parts."""

    spec: FileSpec
    delta: bool
    size: int
    parts: int = 1


def plan(files: Sequence[Planned], databases: int, *, byte_safe: bool) -> list[Planned]:
    """Which files to read ahead, and in how many parts, within ``databases`` scratch databases
    (a connection attaches only so many): the largest first, split while there is room."""
    chosen = sorted(files, key=lambda f: -f.size)[:databases]
    room = databases - len(chosen)
    out = []
    for item in chosen:
        parts = WORKERS if byte_safe and item.size >= SPLIT_FROM and room >= WORKERS - 1 else 1
        room -= parts - 1
        out.append(replace(item, parts=parts))
    order = {f.spec.name: i for i, f in enumerate(files)}
    return sorted(out, key=lambda f: order[f.spec.name])


class Preloader:
    """Loads and checks files in read-ahead processes, in order; see the module docstring."""

    def __init__(self, bundle_path: Path, files: Sequence[Planned], *, version: str | None,
                 encoding: str) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="cbe-bridge-load-"))  # mode 0700
        # Processes, not threads: parsing CSV holds the GIL, and a thread doing it slows the
        # store's own work on this one more than the overlap gains (measured).
        self._pool = ProcessPoolExecutor(WORKERS)
        self._futures: dict[str, list[Future[Preloaded]]] = {
            f.spec.name: [self._pool.submit(_load, bundle_path, f.spec, f.delta, k, f.parts,
                                            self._folder / f"{f.spec.entity}-{k}.db", version, encoding)
                          for k in range(f.parts)]
            for f in files}
        self._attached: list[str] = []

    def __contains__(self, name: str) -> bool:
        return name in self._futures

    def take(self, conn: Connection, spec: FileSpec) -> tuple[CheckedFile | None, FileResult] | None:
        """The file's checked tables, attached to ``conn`` (None: read it with the row reader), with
        what the reader found; None when reading ahead failed (the caller reads the file itself,
        and meets the same problem, reported the usual way)."""
        try:
            done = [f.result() for f in self._futures[spec.name]]
        except Exception as exc:  # noqa: BLE001 - see the docstring
            log.debug("%s: reading ahead failed (%s)", spec.name, type(exc).__name__)
            return None
        done = [d for d in done if d.path is not None]
        if any(d.header is None for d in done):
            return None, FileResult()
        result = FileResult(rejects=[r for d in done for r in d.result.rejects], fatal=done[0].result.fatal)
        if not done[0].header:  # unusable header: result.fatal says why
            return CheckedFile([], [], 0, lambda: None), result
        driver = conn.connection.driver_connection
        aliases = []
        for k, part in enumerate(done):
            alias = f"preload_{spec.entity}_{k}"
            try:
                conn.exec_driver_sql(f"ATTACH DATABASE ? AS {alias}", (str(part.path),))
            except Exception as exc:  # noqa: BLE001 - an SQLite that refuses ATTACH in a transaction
                log.debug("%s: cannot attach the file read ahead (%s)", spec.name, type(exc).__name__)
                return None
            self._attached.append(alias)
            aliases.append(alias)
            # Read through a page cache like the store's (the checks and the load scan the
            # tables more than once); given back when the load is done. Files go with their folder.
            driver.execute(f"PRAGMA {alias}.cache_size={-CACHE_KIB}")

        def done_with() -> None:
            for alias in aliases:
                driver.execute(f"PRAGMA {alias}.cache_size=16")

        parts = [CheckedPart(f"{a}.raw", f"{a}.good", f"{a}.bad") for a in aliases]
        return CheckedFile(parts, done[0].header, sum(d.received for d in done), done_with), result

    def stop(self) -> None:
        """Stop reading ahead: files not started are dropped; one being read is finished."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def release(self, conn: Connection) -> None:
        """After the sync's transaction ended: detach the scratch databases and remove them."""
        self.stop()
        for alias in self._attached:
            try:
                conn.exec_driver_sql(f"DETACH DATABASE {alias}")
            except Exception:  # noqa: BLE001 - a connection that keeps one is not handed out again
                conn.invalidate()
                break
        self._attached.clear()
        shutil.rmtree(self._folder, ignore_errors=True)


__all__ = ["Planned", "Preloaded", "Preloader", "plan"]
