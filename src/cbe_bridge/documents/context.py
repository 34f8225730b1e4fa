"""What a document job needs, and one process's means to render: store, policy, templates.

:class:`DocumentSpec` is small and picklable, so worker processes each build their own
:class:`DocumentContext` from it (their own store connection, policy and WeasyPrint fonts).
A context refuses to render when the stored figures were computed under another mapping or
continuum than the one in force: the school profile would then explain rules that did not
make the transcripts it accompanies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from cbe_bridge import __version__
from cbe_bridge.config import SchoolProfile
from cbe_bridge.documents.attachment import attachment_view, default_class_of
from cbe_bridge.translate.student_records import StudentRecord, latest_compute_run, require_current
from cbe_bridge.documents.render import Renderer
from cbe_bridge.documents.views import Provenance, school_view, traditional_view, transcript_view
from cbe_bridge.documents.wording import policy_words
from cbe_bridge.engine.compute import ComputeRun, PolicySource
from cbe_bridge.engine.policy import Policy
from cbe_bridge.errors import UsageError
from cbe_bridge.outputs import private_dir, write_private
from cbe_bridge.store import Store, open_store

KINDS = ("transcript", "traditional")  # per-student documents
FILE_PREFIX = {"transcript": "transcript", "traditional": "traditional-transcript"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class DocumentSpec:
    """A document job: where the data and policy are, how and where to write."""

    store_url: str
    policy_source: PolicySource
    school: SchoolProfile
    out_dir: Path
    fmt: str = "pdf"  # pdf | html
    unofficial: bool = False
    template_dir: Path | None = None  # files here override the shipped templates
    issued: date | None = None  # the issue date printed (default: today)

    def path_for(self, kind: str, student_id: str) -> Path:
        """Files are named by source id, never by name: names must not leak into listings."""
        return self.out_dir / f"{FILE_PREFIX[kind]}-{_UNSAFE.sub('_', student_id)}.{self.fmt}"


class DocumentContext:
    """Everything one process needs to render documents for a spec."""

    def __init__(self, spec: DocumentSpec, *, store: Store | None = None, policy: Policy | None = None) -> None:
        self.spec = spec
        self._own_store = store is None
        self.store = store or open_store(spec.store_url, create=False)
        self.policy = policy or spec.policy_source.load()
        self.run = checked_run(self.store, self.policy)
        self.renderer = Renderer(spec.template_dir)
        self.words = policy_words(self.policy)
        self.school = school_view(spec.school)
        self.provenance = Provenance(
            __version__, self.run.version, self.run.id, self.run.as_of, self.run.mapping_fingerprint,
            self.run.continuum_id, self.renderer.fingerprint, spec.issued or date.today())

    def close(self) -> None:
        if self._own_store:
            self.store.dispose()

    # -- per student -----------------------------------------------------------------------
    def view(self, record: StudentRecord, kind: str):  # noqa: ANN201 - a view model
        common = dict(school=self.school, key=self.words.key, provenance=self.provenance,
                      unofficial=self.spec.unofficial)
        if kind == "traditional":
            return traditional_view(record, **common)
        return transcript_view(self.policy, record, **common)

    def render(self, view) -> bytes:  # noqa: ANN001
        html = self.renderer.html(view, self.words)
        return self.renderer.pdf(html) if self.spec.fmt == "pdf" else html.encode("utf-8")

    def write_student(self, record: StudentRecord, kind: str) -> Path:
        """Render and write one student's document, readable by its owner only."""
        return write_private(self.spec.path_for(kind, record.person.student_id), self.render(self.view(record, kind)))

    # -- school profile ----------------------------------------------------------------------
    def write_attachment(self, class_of: int | None = None, school_id: str | None = None) -> Path:
        """The school profile for a graduating class (default: the class graduating in the
        school year of the last computation)."""
        with self.store.engine.connect() as conn:
            year = class_of or default_class_of(conn, self.run.as_of)
            if year is None:
                raise UsageError("no computed students, so no class to describe",
                                 hint="run 'cbe-bridge compute' first")
            view = attachment_view(conn, self.policy, class_of=year, school_id=school_id, school=self.school,
                                   key=self.words.key, provenance=self.provenance)
        if view.students == 0:
            raise UsageError(f"no computed student graduates in {year}" + (f" at {school_id}" if school_id else ""),
                             hint="check --class-of (and --school)")
        view.unofficial = self.spec.unofficial
        private_dir(self.spec.out_dir)
        return write_private(self.spec.out_dir / f"school-profile-{year}.{self.spec.fmt}", self.render(view))


def checked_run(store: Store, policy: Policy) -> ComputeRun:
    """The last compute run, if it was made under the policy in force."""
    with store.engine.connect() as conn:
        run = latest_compute_run(conn)  # the same "nothing computed yet" as exports and write-back
    require_current(run, policy,
                    "documents would describe rules that did not make them", "make the documents")
    return run


__all__ = ["DocumentContext", "DocumentSpec", "FILE_PREFIX", "KINDS", "checked_run"]
