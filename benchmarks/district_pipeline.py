"""Benchmark: a district-size OneRoster bundle -> store -> proficiency, credits and GPA.

Prints figures; asserts nothing (performance is measured here, never in the test suite).

    python benchmarks/district_pipeline.py --students 50000 [--workdir /tmp/cbe-bench] [--keep]

Figures:
* generation time (not part of the pipeline);
* ingest: rows/s of ``cbe-bridge sync`` over the whole bundle, and the ratio of its time to
  ``sqlite3``'s own ``.import`` of the same CSV files into an empty database on this machine,
  with the four slowest files split into reading and checking + merging;
* compute: aggregation + rollup + credits + GPA time for every student;
* peak RSS of this process and of the compute workers;
* the machine's speed (a plain Python loop), to compare runs on different machines.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from cbe_bridge.engine.compute import PolicySource, compute
from cbe_bridge.samplegen import generate
from cbe_bridge.sources.oneroster_csv import OneRosterCsvSource
from cbe_bridge.store import open_store
from cbe_bridge.sync import sync_sources


def _rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children: contention on a shared machine
    stretches wall time, much less CPU time, so both are printed."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


class _FileTimes(logging.Handler):
    """Collects the CSV source's per-file timings (its debug lines carry counts and seconds only)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.files: list[tuple] = []  # (file, rows, read seconds, reader, merge seconds)

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.args, tuple) and len(record.args) == 5:
            self.files.append(record.args)


def _csv_rows(folder: Path) -> int:
    total = 0
    for path in folder.glob("*.csv"):
        if path.name == "manifest.csv":
            continue
        with open(path, "rb") as handle:
            total += sum(1 for _ in handle) - 1
    return total


def _sqlite_import(folder: Path, db: Path) -> float:
    script = ".mode csv\n" + "".join(
        f".import '{p}' '{p.stem}'\n" for p in sorted(folder.glob("*.csv")) if p.name != "manifest.csv")
    started = time.perf_counter()
    subprocess.run(["sqlite3", str(db)], input=script, text=True, check=True)
    return time.perf_counter() - started


def _machine_speed() -> float:
    """Seconds for a plain Python loop of 10 M additions: the same code's figures move with the
    machine (they have differed by half between machines of the same kind), so each run says
    how fast its machine was."""
    started = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the generated data and store")
    parser.add_argument("--reuse", action="store_true", help="reuse the district already in --workdir")
    parser.add_argument("--compute-only", action="store_true",
                        help="reuse the synced store in --workdir and time the computation alone")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cbe-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    speed = _machine_speed()
    try:
        started = time.perf_counter()
        reference = Path(__file__).resolve().parents[1] / "mappings" / "reference-district.yaml"
        if not (args.reuse and (work / "district" / "mapping.yaml").exists()):
            generate(work / "district", students=args.students, extends=reference.as_posix())
            print(f"generated {args.students} students in {time.perf_counter() - started:.1f} s")
        if not args.compute_only:
            for stale in work.glob("*.db*"):
                stale.unlink()
        bundle = work / "district" / "oneroster"
        rows = _csv_rows(bundle)
        size = sum(p.stat().st_size for p in bundle.glob("*.csv")) / 1024**2
        print(f"bundle: {rows:,} data rows, {size:,.0f} MiB of CSV")

        if args.compute_only:
            baseline = None
        elif shutil.which("sqlite3"):
            (work / "baseline.db").unlink(missing_ok=True)
            baseline = _sqlite_import(bundle, work / "baseline.db")
            print(f"sqlite3 .import: {baseline:.1f} s ({rows / baseline:,.0f} rows/s)")
        else:
            baseline = None
            print("sqlite3 CLI not found: no baseline")

        store = open_store(work / "cbe-bridge.db")
        ingest = 0.0
        if not args.compute_only:
            started, cpu = time.perf_counter(), _cpu_seconds()
            times = _FileTimes()
            source_log = logging.getLogger("cbe_bridge.sources.oneroster_csv.source")
            source_log.addHandler(times)
            source_log.setLevel(logging.DEBUG)
            (outcome,) = sync_sources(store, [OneRosterCsvSource("sis", bundle)])
            ingest = time.perf_counter() - started
            source_log.removeHandler(times)
            received = sum(c.received for c in outcome.counts.values())
            print(f"cbe-bridge sync: {ingest:.1f} s, {_cpu_seconds() - cpu:.1f} s CPU "
                  f"({received / ingest:,.0f} rows/s; {outcome.rejected} rejected)"
                  + (f"; {ingest / baseline:.2f}x sqlite3 .import" if baseline else ""))
            for name, count, read, reader, merged in sorted(times.files, key=lambda f: -(f[2] + f[4]))[:4]:
                print(f"  {name}: {count:,} rows, read {read:.1f} s ({reader} path), checked and merged {merged:.1f} s")

        policy = PolicySource((work / "district" / "mapping.yaml",))
        started, cpu = time.perf_counter(), _cpu_seconds()
        summary = compute(store, policy, as_of=date(2026, 11, 24), workers=args.workers)
        took = time.perf_counter() - started
        print(f"compute: {summary.students:,} students, {summary.proficiency_rows:,} proficiency figures, "
              f"{summary.course_rows:,} course marks in {took:.1f} s, {_cpu_seconds() - cpu:.1f} s CPU over "
              f"all processes ({summary.students / took:,.0f} students/s)")
        print(f"pipeline (sync + compute): {ingest + took:.1f} s")
        print(f"peak RSS: this process {_rss_mib(resource.RUSAGE_SELF):,.0f} MiB, "
              f"largest worker {_rss_mib(resource.RUSAGE_CHILDREN):,.0f} MiB")
        print(f"store size: {(work / 'cbe-bridge.db').stat().st_size / 1024**2:,.0f} MiB; cores: {os.cpu_count()}")
        print(f"machine: a Python loop of 10 M additions took {speed:.2f} s of CPU before the run, "
              f"{_machine_speed():.2f} s after")
        store.dispose()
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
