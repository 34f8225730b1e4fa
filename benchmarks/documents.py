"""Benchmark: proficiency-based transcripts for a graduating class, on every core.

Prints figures; asserts nothing (performance is measured here, never in the test suite).

    python benchmarks/documents.py --students 16000 --measure 4000 --workers 2   # the full figure
    python benchmarks/documents.py --students 2000 --measure 200 --workers 2     # a quicker estimate

``--students`` is the district size (four graduating classes, so 16,000 gives a class of
about 4,000); ``--measure`` renders the first N students of the graduating class (a PDF takes
about a second of one core, so 4,000 take over half an hour on 2 cores: measure fewer and
the documents/s figure still holds, since every student is independent work).

Figures:
* documents/s of ``run_batch`` (read results, build views, Jinja2, WeasyPrint, write 0600
  files) with N workers, and how busy the cores were (worker CPU time / wall time / workers);
* WeasyPrint's raw render time for the same HTML (``HTML(string=...).write_pdf()`` in N
  processes, nothing else), and cbe-bridge's overhead over it: pipeline wall / raw wall - 1;
* a per-stage breakdown in one process (CPU seconds per document).
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from cbe_bridge.config import Contact, SchoolProfile
from cbe_bridge.documents import DocumentContext, DocumentSpec, run_batch, select_students
from cbe_bridge.documents.attachment import default_class_of
from cbe_bridge.translate.student_records import load_records
from cbe_bridge.engine.compute import PolicySource, compute
from cbe_bridge.samplegen import generate
from cbe_bridge.sources.oneroster_csv import OneRosterCsvSource
from cbe_bridge.store import open_store
from cbe_bridge.sync import sync_sources

AS_OF = date(2026, 11, 24)
SCHOOL = SchoolProfile(name="Benchmark High School", district="Benchmark District", ceeb_code="000000",
                       address="1 Test Road, Testville", programme="A proficiency-based high school.",
                       contacts=[Contact(role="Registrar", name="Registrar", email="registrar@example.org")])


def _build(work: Path, students: int, reuse: bool, workers: int) -> tuple[str, PolicySource]:
    reference = Path(__file__).resolve().parents[1] / "mappings" / "reference-district.yaml"
    db = work / "bench.db"
    policy = PolicySource((work / "district" / "mapping.yaml",))
    if reuse and db.exists():
        return str(db), policy
    started = time.perf_counter()
    generate(work / "district", students=students, extends=reference.as_posix())
    for stale in work.glob("bench.db*"):
        stale.unlink()
    store = open_store(db)
    sync_sources(store, [OneRosterCsvSource("sis", work / "district" / "oneroster")])
    compute(store, policy, as_of=AS_OF, workers=workers)
    store.dispose()
    print(f"built a {students}-student district (generate, sync, compute) in {time.perf_counter() - started:.0f} s")
    return str(db), policy


_raw: dict = {}


def _raw_init() -> None:
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    _raw["weasyprint"], _raw["fonts"] = weasyprint, FontConfiguration()


def _raw_render(html: str) -> int:
    return len(_raw["weasyprint"].HTML(string=html).write_pdf(font_config=_raw["fonts"]))


def _stages(ctx: DocumentContext, keys: list, n: int) -> dict[str, float]:
    """CPU seconds per document of each stage, in this process."""
    keys = keys[:n]
    spent = dict.fromkeys(("read results", "build view", "Jinja2 HTML", "WeasyPrint layout + PDF", "write file"), 0.0)
    ctx.renderer.pdf("<p>warm up</p>")

    def clock(stage: str, started: float) -> float:
        now = time.process_time()
        spent[stage] += now - started
        return now

    t = time.process_time()
    with ctx.store.engine.connect() as conn:
        records = load_records(conn, keys)
    t = clock("read results", t)
    for key in keys:
        view = ctx.view(records[key], "transcript")
        t = clock("build view", t)
        html = ctx.renderer.html(view, ctx.words)
        t = clock("Jinja2 HTML", t)
        pdf = ctx.renderer.pdf(html)
        t = clock("WeasyPrint layout + PDF", t)
        (ctx.spec.out_dir / "stage.pdf").write_bytes(pdf)
        t = clock("write file", t)
    return {k: v / len(keys) for k, v in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=16_000, help="district size (about 4 classes)")
    parser.add_argument("--measure", type=int, default=4_000, help="students of the class to render")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="reuse the district and store in --workdir")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="cbe-docs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    url, policy_source = _build(work, args.students, args.reuse, args.workers)

    spec = DocumentSpec(url, policy_source, SCHOOL, work / "out", issued=AS_OF)
    ctx = DocumentContext(spec)
    with ctx.store.engine.connect() as conn:
        year = default_class_of(conn, ctx.run["as_of"])
        keys = select_students(conn, class_of=year)
    measured = keys[:args.measure]
    print(f"class of {year}: {len(keys)} students; rendering {len(measured)} with {args.workers} worker(s)")

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run_batch(spec, measured, ("transcript",), workers=args.workers)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    pipeline = result.seconds
    rate = len(result.written) / pipeline
    print(f"cbe-bridge:  {len(result.written)} transcripts in {pipeline:.1f} s = {rate:.2f} documents/s "
          f"({len(result.failures)} failures); cores busy {busy / pipeline / args.workers:.0%}")
    print(f"             a class of {len(keys)}: about {len(keys) / rate / 60:.1f} min; of 4,000: "
          f"{4000 / rate / 60:.1f} min")

    with ctx.store.engine.connect() as conn:
        records = load_records(conn, measured)
    pages = [ctx.renderer.html(ctx.view(records[k], "transcript"), ctx.words) for k in measured]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers, initializer=_raw_init) as pool:
        sizes = list(pool.map(_raw_render, pages, chunksize=max(1, len(pages) // (args.workers * 8))))
    raw = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    raw_busy = (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    print(f"WeasyPrint:  the same {len(sizes)} HTML pages to PDF in {raw:.1f} s = {len(sizes) / raw:.2f} documents/s; "
          f"cores busy {raw_busy / raw / args.workers:.0%}")
    print(f"overhead:    {pipeline / raw - 1:+.1%} wall time (cbe-bridge over WeasyPrint's raw render), "
          f"{busy / raw_busy - 1:+.1%} CPU time ({busy / len(measured):.2f} s against "
          f"{raw_busy / len(sizes):.2f} s of CPU per document; CPU time is the steadier figure on a busy machine)")

    stages = _stages(ctx, measured, min(20, len(measured)))
    total = sum(stages.values())
    print("per document, one process (CPU s):  " + ", ".join(
        f"{k} {v:.3f} ({v / total:.0%})" for k, v in stages.items()))
    ctx.close()


if __name__ == "__main__":
    main()
