"""Batches: one document per student for a whole class, on every core, failures kept apart.

Students are cut into small chunks; each worker process (one per core) reads a chunk's
results in a few queries, renders each student and writes the files itself, so only paths
and failure notes travel back. A failure on one student (a template error, a record the
renderer cannot lay out) is caught and recorded, and the others go on; the caller reports
failures at the end. ``merge`` also writes one PDF per kind holding the batch, in order.
"""

from __future__ import annotations

import io
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cbe_bridge.documents.context import FILE_PREFIX, KINDS, DocumentContext, DocumentSpec
from cbe_bridge.translate.student_records import StudentKey, StudentRecord, load_records
from cbe_bridge.engine.policy import Policy
from cbe_bridge.outputs import private_dir, write_private
from cbe_bridge.store import Store

log = logging.getLogger(__name__)

MAX_CHUNK = 16  # students per task: small enough for a live progress bar and even load


@dataclass(frozen=True)
class Failure:
    """One student's document that could not be made (no personal data in the message)."""

    student_id: str
    kind: str
    message: str


@dataclass
class BatchResult:
    students: int
    written: list[Path] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    merged: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1

    @property
    def ok(self) -> bool:
        return not self.failures


Outcome = tuple[StudentKey, str, "Path | None", "str | None"]  # key, kind, written path, failure


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def render_chunk(ctx: DocumentContext, keys: Sequence[StudentKey], kinds: Sequence[str]) -> list[Outcome]:
    """Render and write every document of a chunk; never raises for one student's failure."""
    try:
        with ctx.store.engine.connect() as conn:
            records = load_records(conn, keys)
    except Exception:  # noqa: BLE001 - one bad record must not sink the chunk: retry one by one
        log.debug("chunk read failed; reading students one by one", exc_info=True)
        records = {}
        for key in keys:
            try:
                with ctx.store.engine.connect() as conn:
                    records.update(load_records(conn, [key]))
            except Exception as exc:  # noqa: BLE001
                records[key] = exc  # type: ignore[assignment]
    out: list[Outcome] = []
    for key in keys:
        record: StudentRecord | BaseException | None = records.get(key)
        for kind in kinds:
            if record is None:
                out.append((key, kind, None, "no computed results for this student"))
            elif isinstance(record, BaseException):
                out.append((key, kind, None, _describe(record)))
            else:
                try:
                    out.append((key, kind, ctx.write_student(record, kind), None))
                except Exception as exc:  # noqa: BLE001 - reported per student at the end
                    log.debug("document failed for a student", exc_info=True)
                    out.append((key, kind, None, _describe(exc)))
    return out


_worker: dict[str, DocumentContext] = {}


def _init_worker(spec: DocumentSpec) -> None:
    _worker["ctx"] = DocumentContext(spec)


def _worker_chunk(keys: list[StudentKey], kinds: tuple[str, ...]) -> list[Outcome]:
    return render_chunk(_worker["ctx"], keys, kinds)


def _chunks(keys: Sequence[StudentKey], workers: int) -> list[list[StudentKey]]:
    size = max(1, min(MAX_CHUNK, -(-len(keys) // (workers * 4))))
    return [list(keys[i:i + size]) for i in range(0, len(keys), size)]


def run_batch(spec: DocumentSpec, keys: Sequence[StudentKey], kinds: Sequence[str] = ("transcript",), *,
              workers: int | None = None, merge: bool = False, progress: Callable[[int], None] | None = None,
              store: Store | None = None, policy: Policy | None = None) -> BatchResult:
    """Write ``kinds`` of document for every student in ``keys``; see the module docstring.

    ``workers`` defaults to one per core; ``progress`` is called with the number of students
    finished after each chunk; ``store`` and ``policy`` are reused when the batch runs in
    this process (one worker), as the demo does.
    """
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown document kind(s): {unknown}")
    started = time.perf_counter()
    workers = max(1, min(workers or os.cpu_count() or 1, len(keys) or 1))
    result = BatchResult(len(keys), workers=workers)
    private_dir(spec.out_dir)
    by_key: dict[tuple[StudentKey, str], Path] = {}

    def absorb(outcomes: list[Outcome], size: int) -> None:
        for key, kind, path, failure in outcomes:
            if path is not None:
                by_key[(key, kind)] = path
                result.written.append(path)
            else:
                result.failures.append(Failure(key[1], kind, failure or "unknown failure"))
        if progress:
            progress(size)

    # The parent checks the run before any worker starts, so a stale store fails at once.
    ctx = DocumentContext(spec, store=store, policy=policy)
    try:
        chunks = _chunks(keys, workers)
        if workers == 1:
            for chunk in chunks:
                absorb(render_chunk(ctx, chunk, tuple(kinds)), len(chunk))
        else:
            with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(spec,)) as pool:
                futures = [(pool.submit(_worker_chunk, chunk, tuple(kinds)), chunk) for chunk in chunks]
                for future, chunk in futures:
                    try:
                        outcomes = future.result()
                    except Exception as exc:  # noqa: BLE001 - a worker died: its students failed, not the batch
                        log.debug("a document worker failed", exc_info=True)
                        outcomes = [(key, kind, None, _describe(exc)) for key in chunk for kind in kinds]
                    absorb(outcomes, len(chunk))
        if merge and spec.fmt == "pdf":
            for kind in kinds:
                done = [(k, by_key[(k, kind)]) for k in keys if (k, kind) in by_key]
                if done:
                    result.merged.append(merge_pdfs(ctx, done, spec.out_dir / f"{FILE_PREFIX[kind]}s-batch.pdf",
                                                    kind))
    finally:
        ctx.close()
    result.seconds = time.perf_counter() - started
    return result


def merge_pdfs(ctx: DocumentContext, done: Sequence[tuple[StudentKey, Path]], target: Path, kind: str) -> Path:
    """One PDF holding the students' documents in order, owner-only, titled for the batch."""
    title = (f"{'Traditional transcripts' if kind == 'traditional' else 'Proficiency-based transcripts'}: "
             f"{len(done)} students")
    try:
        from pypdf import PdfWriter
    except ImportError:  # pypdf is optional: lay the documents out again with WeasyPrint instead
        return _merge_by_layout(ctx, [key for key, _ in done], target, kind)
    writer = PdfWriter()
    for _, path in done:
        writer.append(str(path))
    writer.add_metadata({"/Title": title, "/Author": ctx.school.name,
                         "/mappingFingerprint": ctx.provenance.mapping_fingerprint})
    buffer = io.BytesIO()
    writer.write(buffer)
    return write_private(target, buffer.getvalue())


def _merge_by_layout(ctx: DocumentContext, keys: Sequence[StudentKey], target: Path, kind: str) -> Path:
    """The merge without pypdf: each document laid out again, the pages joined (slower)."""
    pages, first = [], None
    for start in range(0, len(keys), MAX_CHUNK):
        with ctx.store.engine.connect() as conn:
            records = load_records(conn, keys[start:start + MAX_CHUNK])
        for key in keys[start:start + MAX_CHUNK]:
            document = ctx.renderer.layout(ctx.renderer.html(ctx.view(records[key], kind), ctx.words))
            first = first or document
            pages.extend(document.pages)
    assert first is not None
    return write_private(target, first.copy(pages).write_pdf(custom_metadata=True))


__all__ = ["BatchResult", "Failure", "merge_pdfs", "render_chunk", "run_batch"]
