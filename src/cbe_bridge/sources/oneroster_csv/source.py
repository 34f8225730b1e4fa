"""The OneRoster CSV source: a bundle (folder or zip) loaded file by file in load order.

Incremental by content: each file's fingerprint is its watermark, and a file whose content
has not changed since the last sync is skipped (``--full`` reads it anyway). The manifest
decides bulk, delta or absent per file; without a manifest, present files are bulk.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cbe_bridge.sources.base import RunContext
from cbe_bridge.sources.oneroster_csv import sql_stage
from cbe_bridge.sources.oneroster_csv.bundle import Bundle
from cbe_bridge.sources.oneroster_csv.files import FILES
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
            for spec in FILES:
                mode = manifest.mode(spec.name, bundle.has(spec.name))
                if mode == "absent":
                    continue
                counts = run.counts_for(spec.entity)
                if not bundle.has(spec.name):
                    record_rejects(run.conn, self.name, run.run_id, [Reject(
                        spec.entity, spec.name,
                        f"the manifest lists {spec.name} as {mode} but the bundle has no such file")])
                    counts.rejected += 1
                    continue
                stream = f"file:{spec.name}"
                fingerprint = f"{mode}:{bundle.fingerprint(spec.name)}"
                if run.watermark(stream) == fingerprint:
                    continue
                result = FileResult()
                load = EntityLoad(run.conn, self.name, spec.entity, run.run_id, spec.name,
                                  bulk=(mode == "bulk"))
                delta = mode == "delta"
                size = bundle.size(spec.name)
                started = time.perf_counter()
                staged = False
                if sql_stage.usable(load, spec, size):
                    with bundle.open(spec.name) as raw:
                        staged = sql_stage.stage_with_sql(load, raw, spec, delta=delta, version=manifest.version,
                                                          encoding=self.encoding, result=result)
                if not staged:
                    with bundle.open(spec.name) as raw:
                        load.stage_tuples(read_file(raw, spec, delta=delta, version=manifest.version,
                                                    encoding=self.encoding, result=result))
                if result.fatal is not None:
                    # The file cannot be read at all: keep the store's records as they are.
                    record_rejects(run.conn, self.name, run.run_id, [result.fatal])
                    counts.rejected += 1
                    continue
                record_rejects(run.conn, self.name, run.run_id, result.rejects)
                read_at = time.perf_counter()
                counts.add(load.finish())
                # Timings and counts only: never a record's content.
                log.debug("%s: %d rows read in %.1fs (%s), checked and merged in %.1fs", spec.name,
                          load.counts.received, read_at - started, "sql" if staged else "rows",
                          time.perf_counter() - read_at)
                counts.rejected += len(result.rejects) + result.sql_rejects
                if not result.rejects and not result.sql_rejects and not load.counts.rejected:
                    run.set_watermark(stream, fingerprint)
                else:
                    # Rejected rows stay pending; the next sync reads the file again so a
                    # corrected record goes in without --full.
                    run.set_watermark(stream, "retry:" + fingerprint)
