"""The OneRoster CSV source: a bundle (folder or zip) loaded file by file in load order.

Incremental by content: each file's fingerprint is its watermark, and a file whose content
has not changed since the last sync is skipped (``--full`` reads it anyway). The manifest
decides bulk, delta or absent per file; without a manifest, present files are bulk. Large
files take the SQL bulk path, read and checked ahead by two processes while the store
works on the file before (:mod:`.preload`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cbe_bridge.sources.base import RunContext
from cbe_bridge.sources.oneroster_csv import sql_stage
from cbe_bridge.sources.oneroster_csv.bundle import Bundle, Manifest
from cbe_bridge.sources.oneroster_csv.files import FILES, FileSpec
from cbe_bridge.sources.oneroster_csv.parts import byte_safe
from cbe_bridge.sources.oneroster_csv.preload import Planned, Preloader, plan
from cbe_bridge.sources.oneroster_csv.reader import FileResult, read_file
from cbe_bridge.store.ingest import EntityLoad, Reject, record_rejects

log = logging.getLogger(__name__)


@dataclass
class OneRosterCsvSource:
    """A configured OneRoster CSV bundle."""

    kind: ClassVar[str] = "oneroster-csv"
    name: str
    path: Path
    encoding: str = "utf-8"

    def sync(self, run: RunContext) -> None:
        with Bundle(self.path) as bundle:
            manifest = bundle.manifest()
            todo = list(self._files_to_load(run, bundle, manifest))
            dialect = run.conn.dialect.name
            big = [Planned(spec, mode == "delta", size) for spec, mode, _ in todo
                   if sql_stage.usable(dialect, spec, size := bundle.size(spec.name))]
            ahead = None
            if big:
                # Each file read ahead is attached to the sync's connection, which takes only so many.
                room = run.conn.connection.driver_connection.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED)
                ahead = Preloader(self.path, plan(big, room, byte_safe=byte_safe(self.encoding)),
                                  version=manifest.version, encoding=self.encoding)
                run.after.append(ahead.release)
            try:
                for spec, mode, fingerprint in todo:
                    self._load_file(run, bundle, manifest, spec, mode, fingerprint, ahead)
            finally:
                if ahead is not None:
                    ahead.stop()  # no file is read ahead once the sync is over

    def _files_to_load(self, run: RunContext, bundle: Bundle, manifest: Manifest) -> Iterator[tuple]:
        """(spec, mode, fingerprint) of the files to load, in load order; rejects missing files."""
        for spec in FILES:
            mode = manifest.mode(spec.name, bundle.has(spec.name))
            if mode == "absent":
                continue
            if not bundle.has(spec.name):
                record_rejects(run.conn, self.name, run.run_id, [Reject(
                    spec.entity, spec.name,
                    f"the manifest lists {spec.name} as {mode} but the bundle has no such file")])
                run.counts_for(spec.entity).rejected += 1
                continue
            fingerprint = f"{mode}:{bundle.fingerprint(spec.name)}"
            if run.watermark(f"file:{spec.name}") != fingerprint:
                yield spec, mode, fingerprint

    def _load_file(self, run: RunContext, bundle: Bundle, manifest: Manifest, spec: FileSpec, mode: str,
                   fingerprint: str, ahead: Preloader | None) -> None:
        counts = run.counts_for(spec.entity)
        result = FileResult()
        load = EntityLoad(run.conn, self.name, spec.entity, run.run_id, spec.name, bulk=(mode == "bulk"))
        delta = mode == "delta"
        started = time.perf_counter()
        staged = False
        taken = ahead.take(run.conn, spec) if ahead is not None and spec.name in ahead else None
        if taken is not None:
            checked, found = taken
            if checked is not None:  # read and checked ahead (see .preload)
                result, staged = found, True
                if checked.header:
                    sql_stage.stage_checked(load, checked, result=result)
        elif sql_stage.usable(run.conn.dialect.name, spec, bundle.size(spec.name)):
            with bundle.open(spec.name) as raw_file:
                staged = sql_stage.stage_with_sql(load, raw_file, spec, delta=delta, version=manifest.version,
                                                  encoding=self.encoding, result=result)
        if not staged:
            with bundle.open(spec.name) as raw_file:
                load.stage_tuples(read_file(raw_file, spec, delta=delta, version=manifest.version,
                                            encoding=self.encoding, result=result))
        if result.fatal is not None:
            # The file cannot be read at all: keep the store's records as they are.
            record_rejects(run.conn, self.name, run.run_id, [result.fatal])
            counts.rejected += 1
            return
        record_rejects(run.conn, self.name, run.run_id, result.rejects)
        read_at = time.perf_counter()
        counts.add(load.finish())
        # Timings and counts only: never a record's content.
        log.debug("%s: %d rows read in %.1fs (%s), checked and merged in %.1fs", spec.name,
                  load.counts.received, read_at - started, "sql" if staged else "rows",
                  time.perf_counter() - read_at)
        counts.rejected += len(result.rejects) + result.sql_rejects
        stream = f"file:{spec.name}"
        if not result.rejects and not result.sql_rejects and not load.counts.rejected:
            run.set_watermark(stream, fingerprint)
        else:
            # Rejected rows stay pending; the next sync reads the file again so a
            # corrected record goes in without --full.
            run.set_watermark(stream, "retry:" + fingerprint)
