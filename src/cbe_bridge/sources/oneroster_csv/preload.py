"""Reading the next large files while the current one is checked and merged.

A bundle's large files go through the SQL bulk path (:mod:`.sql_stage`): first the csv
module's rows are loaded as text into a raw table, then SQLite checks and merges them. In one
process the two alternate; here a second process loads each large file's raw table, in load
order, into a scratch database of its own, so the next file is read while the store works on
the current one (on the 10,000-student sample: 23.1 s -> 17.8 s for the whole bundle; a
thread instead of a process was slower than no overlap at all, parsing holds the GIL). The sync's connection attaches a scratch database only once it is loaded and committed
(so the snapshot it reads is complete) and detaches it after the sync's transaction ends.

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
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Connection

from cbe_bridge.sources.oneroster_csv.bundle import Bundle
from cbe_bridge.sources.oneroster_csv.files import FileSpec
from cbe_bridge.sources.oneroster_csv.reader import FileResult
from cbe_bridge.sources.oneroster_csv.sql_stage import RawTable, load_raw

log = logging.getLogger(__name__)

CACHE_KIB = 131072  # page cache of a scratch database while it is written or read (as the store's)


@dataclass
class Preloaded:
    """A file loaded in the second process: its scratch database, header and reader results."""

    path: Path
    header: list[str] | None  # None: not valid text in its encoding (use the row reader)
    received: int
    result: FileResult


def _load(bundle_path: Path, spec: FileSpec, path: Path, version: str | None, encoding: str) -> Preloaded:
    """In the second process: ``spec``'s rows as text into the scratch database at ``path``."""
    result = FileResult()
    driver = sqlite3.connect(path, isolation_level=None)
    try:
        # A scratch copy: a crash loses nothing that the next sync would not read again.
        driver.execute("PRAGMA journal_mode=OFF")
        driver.execute("PRAGMA synchronous=OFF")
        driver.execute(f"PRAGMA cache_size={-CACHE_KIB}")
        driver.execute("BEGIN")
        with Bundle(bundle_path) as bundle, bundle.open(spec.name) as raw:  # its own handle
            loaded = load_raw(driver, "raw", raw, spec, version=version, encoding=encoding, result=result)
        driver.execute("COMMIT")
    finally:
        driver.close()
    if loaded is None:
        return Preloaded(path, None, 0, result)
    header, received = loaded
    return Preloaded(path, header, received, result)


class Preloader:
    """Loads ``specs``' raw tables in a second process, in order; see the module docstring."""

    def __init__(self, bundle_path: Path, specs: Sequence[FileSpec], *, version: str | None,
                 encoding: str) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="cbe-bridge-load-"))  # mode 0700
        # A process, not a thread: parsing CSV holds the GIL, and a thread doing it slows the
        # store's own work on this one more than the overlap gains (measured).
        self._pool = ProcessPoolExecutor(1)
        self._futures: dict[str, Future[Preloaded]] = {
            s.name: self._pool.submit(_load, bundle_path, s, self._folder / f"{s.entity}.db", version, encoding)
            for s in specs}
        self._attached: list[str] = []

    def __contains__(self, name: str) -> bool:
        return name in self._futures

    def take(self, conn: Connection, spec: FileSpec) -> tuple[RawTable | None, FileResult] | None:
        """The file's raw table, attached to ``conn`` (None: read it with the row reader), with
        what the reader found; None when reading ahead failed (the caller reads the file itself,
        and meets the same problem, reported the usual way)."""
        try:
            done = self._futures[spec.name].result()
        except Exception as exc:  # noqa: BLE001 - see the docstring
            log.debug("%s: reading ahead failed (%s)", spec.name, type(exc).__name__)
            return None
        if done.header is None:
            return None, done.result
        if not done.header:  # unusable header: result.fatal says why
            return RawTable("", [], 0, lambda: None), done.result
        alias = f"preload_{spec.entity}"
        try:
            conn.exec_driver_sql(f"ATTACH DATABASE ? AS {alias}", (str(done.path),))
        except Exception as exc:  # noqa: BLE001 - an SQLite that refuses ATTACH in a transaction
            log.debug("%s: cannot attach the file read ahead (%s)", spec.name, type(exc).__name__)
            return None
        self._attached.append(alias)
        driver = conn.connection.driver_connection
        # Read through a page cache like the store's (a check pass and the load scan the table
        # more than once); given back when the load is done. The file goes with its folder.
        driver.execute(f"PRAGMA {alias}.cache_size={-CACHE_KIB}")
        return RawTable(f"{alias}.raw", done.header, done.received,
                        lambda: driver.execute(f"PRAGMA {alias}.cache_size=16")), done.result

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


__all__ = ["Preloaded", "Preloader"]
