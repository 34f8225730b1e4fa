"""Batches: every core, a failure on one student does not stop the others, merged PDFs,
and documents refuse figures computed under another mapping."""

from __future__ import annotations

import builtins
import dataclasses
import stat

import pypdf
import pytest

from cbe_bridge.documents import batch as batch_module
from cbe_bridge.documents import context as context_module
from cbe_bridge.documents import run_batch, select_students, write_demo_documents
from cbe_bridge.documents.context import DocumentContext
from cbe_bridge.errors import EngineError


def _keys(demo, n: int):
    with demo.store.engine.connect() as conn:
        keys = select_students(conn, class_of=2027)
    return keys[:n]


def test_one_failing_student_does_not_stop_the_others(demo, tmp_path, monkeypatch):
    keys = _keys(demo, 3)
    bad = keys[1][1]
    original = DocumentContext.write_student

    def flaky(self, record, kind):  # noqa: ANN001, ANN202
        if record.person.student_id == bad:
            raise RuntimeError("layout exploded")
        return original(self, record, kind)

    monkeypatch.setattr(DocumentContext, "write_student", flaky)
    result = run_batch(demo.spec(tmp_path, fmt="html"), keys, ("transcript", "traditional"), workers=1,
                       store=demo.store, policy=demo.policy)
    assert not result.ok
    assert {(f.student_id, f.kind) for f in result.failures} == {(bad, "transcript"), (bad, "traditional")}
    assert all("layout exploded" in f.message for f in result.failures)
    assert len(result.written) == 4 and all(bad not in p.name for p in result.written)


def test_parallel_batch_writes_every_student_owner_only(demo, tmp_path):
    keys = _keys(demo, 6)
    seen: list[int] = []
    result = run_batch(demo.spec(tmp_path, fmt="html"), keys, ("transcript",), workers=2, progress=seen.append)
    assert result.ok and result.workers == 2
    assert sum(seen) == 6 and len(result.written) == 6
    assert sorted(p.name for p in result.written) == sorted(f"transcript-{k[1]}.html" for k in keys)
    for path in result.written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700


def test_merge_joins_the_batch_in_order(demo, tmp_path, monkeypatch):
    keys = _keys(demo, 2)
    result = run_batch(demo.spec(tmp_path), keys, ("transcript",), workers=1, merge=True,
                       store=demo.store, policy=demo.policy)
    (merged,) = result.merged
    parts = [len(pypdf.PdfReader(str(p)).pages) for p in result.written]
    reader = pypdf.PdfReader(str(merged))
    assert len(reader.pages) == sum(parts)
    assert reader.metadata["/Title"] == "Proficiency-based transcripts: 2 students"
    assert stat.S_IMODE(merged.stat().st_mode) == 0o600
    # Without pypdf the merge lays the documents out again with WeasyPrint: same pages.
    real_import = builtins.__import__

    def no_pypdf(name, *args, **kwargs):  # noqa: ANN001, ANN202
        if name == "pypdf":
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pypdf)
    ctx = demo.context(tmp_path)
    again = batch_module.merge_pdfs(ctx, list(zip(keys[:1], result.written[:1])), tmp_path / "one.pdf",
                                    "transcript")
    monkeypatch.undo()
    assert len(pypdf.PdfReader(str(again)).pages) == parts[0]


def test_figures_from_another_mapping_are_refused(demo, tmp_path, monkeypatch):
    real = context_module.latest_compute_run

    def stale(conn):  # noqa: ANN001, ANN202
        return dataclasses.replace(real(conn), mapping_fingerprint="0" * 64)

    monkeypatch.setattr(context_module, "latest_compute_run", stale)
    with pytest.raises(EngineError, match="mapping or continuum changed"):
        demo.context(tmp_path)


def test_write_demo_documents_writes_the_three_kinds(demo, tmp_path):
    summary = write_demo_documents(demo.settings, tmp_path / "documents", workers=1, limit=1)
    assert summary["class_of"] == 2027 and summary["students"] == 1
    assert summary["transcripts"] == 1 and summary["traditional_transcripts"] == 1
    assert summary["failures"] == []
    names = sorted(p.name for p in (tmp_path / "documents").iterdir())
    assert "school-profile-2027.pdf" in names and len(names) == 3
