"""Documents for colleges: the proficiency-based transcript, the traditional transcript, and
the college attachment (school profile), as HTML and PDF.

::

    store (engine results) --records--> view models --templates (Jinja2 + print CSS)--> HTML
                                  ^                                                   \\--WeasyPrint--> PDF
    mapping in force --wording--/  (policy in plain words, scale key, conversion table)

* :mod:`.records` reads a batch of students' stored results in a few queries;
* :mod:`.views` and :mod:`.attachment` turn them into what templates print (formatted text);
* :mod:`.wording` says the mapping policy in plain words;
* :mod:`.render` renders templates (``templates/``, overridable per district) to HTML/PDF;
* :mod:`.context` and :mod:`.batch` run jobs: one context per process, every core, failures
  per student kept and reported at the end.

Renderers compute no policy: every level, date, letter, credit and GPA is read from the
engine's tables, and every document records the package version, the compute run and the
mapping fingerprint that made it.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from cbe_bridge.config import Settings
from cbe_bridge.documents.batch import BatchResult, Failure, run_batch
from cbe_bridge.documents.context import KINDS, DocumentContext, DocumentSpec
from cbe_bridge.translate.student_records import select_students
from cbe_bridge.engine.compute import PolicySource

__all__ = ["BatchResult", "DocumentContext", "DocumentSpec", "Failure", "KINDS", "run_batch",
           "select_students", "spec_from_settings", "write_demo_documents"]


def spec_from_settings(settings: Settings, out_dir: Path, **options: Any) -> DocumentSpec:
    """A document job on the configured store, mapping and school profile."""
    return DocumentSpec(settings.store.url, PolicySource(tuple(settings.mapping.files)), settings.school,
                        Path(out_dir), **options)


def write_demo_documents(settings: Any, out_dir: Path, *, workers: int | None = None,
                         issued: date | None = None, limit: int | None = None) -> dict[str, Any]:
    """The three kinds of document for the sample district's graduating class, under ``out_dir``.

    ``settings`` is the demo's :class:`~cbe_bridge.config.Settings` (or an ``App``, whose
    settings are used). Writes a proficiency-based and a traditional transcript (PDF) for
    every student of the graduating class (the first ``limit`` in alphabetical order, when
    given: a PDF takes about a second of one core), and the school profile for that class;
    returns a JSON-ready summary (counts, files, failures, seconds).
    """
    settings = getattr(settings, "settings", settings)
    spec = spec_from_settings(settings, Path(out_dir), issued=issued)
    ctx = DocumentContext(spec)
    try:
        profile = ctx.write_attachment()
        class_of = int(profile.stem.rsplit("-", 1)[-1])
        with ctx.store.engine.connect() as conn:
            keys = select_students(conn, class_of=class_of)
        keys = keys[:limit] if limit is not None else keys
    finally:
        ctx.close()
    batch = run_batch(spec, keys, KINDS, workers=workers)
    return {
        "folder": str(spec.out_dir), "class_of": class_of, "students": len(keys),
        "school_profile": profile.name,
        "transcripts": sum(1 for p in batch.written if p.name.startswith("transcript-")),
        "traditional_transcripts": sum(1 for p in batch.written if p.name.startswith("traditional-")),
        "failures": [{"student": f.student_id, "kind": f.kind, "message": f.message} for f in batch.failures],
        "seconds": round(batch.seconds, 1),
    }
