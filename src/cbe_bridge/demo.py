"""``cbe-bridge demo``: the whole job, end to end, on the shipped sample district.

Writes into the output folder: the store (``cbe-bridge.db``), the configuration it used
(``cbe-bridge.toml``, so every other command can be tried on the demo), one JSON file of
results per student (``students/``), ``summary.json``, and under ``documents/`` the school
profile for the graduating class with a proficiency-based and a traditional transcript (PDF)
for each of its students. Re-running is safe: the sync is
idempotent and the computation replaces its results.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cbe_bridge.config import load_settings
from cbe_bridge.documents import write_demo_documents
from cbe_bridge.engine.compute import ComputeSummary, PolicySource, compute
from cbe_bridge.outputs import private_dir, write_json, write_private
from cbe_bridge.project_files import sample_district_dir
from cbe_bridge.sources.oneroster_csv import OneRosterCsvSource
from cbe_bridge.store import open_store
from cbe_bridge.sync import SourceOutcome, sync_sources
from cbe_bridge.translate.student_records import latest_compute_run
from cbe_bridge.translate.student_report import student_documents

DEMO_CONFIG = """\
# cbe-bridge configuration written by 'cbe-bridge demo' for the shipped sample district.
# Try any command on it:  cbe-bridge --config {config} status
# Relative paths are relative to this file.

[store]
url = "cbe-bridge.db"   # a SQLite file; or postgresql://user@host/dbname

[mapping]
# Layered in order: the sample district's file extends the shipped reference policy.
files = ["{mapping}"]

[[sources]]
name = "sis"
kind = "oneroster-csv"
path = "{bundle}"

[school]
name = "Maplewood High School"
district = "Maplewood Unified School District (synthetic sample data)"
ceeb_code = "000000"
address = "100 Sample Road, Maplewood, ME 04000"
phone = "(207) 555-0100"
website = "https://example.org/maplewood"
programme = "A four-year comprehensive high school awarding a proficiency-based diploma."

[[school.contacts]]
role = "School counselor"
name = "Counseling Office"
email = "counseling@example.org"

[output]
dir = "out"
"""


@dataclass
class DemoResult:
    out: Path
    config: Path
    sync: list[SourceOutcome]
    compute: ComputeSummary
    summary: dict = field(default_factory=dict)


def write_demo_config(out: Path) -> Path:
    sample = sample_district_dir()
    config = out / "cbe-bridge.toml"
    write_private(config, DEMO_CONFIG.format(config=config, mapping=(sample / "mapping.yaml").as_posix(),
                                             bundle=(sample / "oneroster").as_posix()))
    return config


def run_demo(out: Path, *, as_of: date | None = None, workers: int | None = None,
             documents_limit: int | None = None) -> DemoResult:
    """The whole job on the sample; ``documents_limit`` caps the students given documents."""
    private_dir(out)
    config = write_demo_config(out)
    settings = load_settings(config)
    store = open_store(settings.store.url)
    try:
        sources = [OneRosterCsvSource(s.name, s.path, s.encoding) for s in settings.sources]
        outcomes = sync_sources(store, sources)
        policy_source = PolicySource(tuple(settings.mapping.files))
        summary = compute(store, policy_source, as_of=as_of or date.today(), workers=workers)
        policy = policy_source.load()
        with store.engine.connect() as conn:
            docs = student_documents(conn, policy, latest_compute_run(conn))
        folder = private_dir(out / "students")
        for (_source, student_id), doc in docs.items():
            write_json(folder / f"{student_id}.json", doc)
        result = DemoResult(out, config, outcomes, summary, _summary(docs, outcomes, summary))
        result.summary["documents"] = write_demo_documents(settings, out / "documents", workers=workers,
                                                           issued=as_of, limit=documents_limit)
        write_json(out / "summary.json", result.summary)
        return result
    finally:
        store.dispose()


def _summary(docs: dict, outcomes: list[SourceOutcome], compute_summary: ComputeSummary) -> dict:
    gpas = [d["gpa"]["cumulative"]["unweighted"] for d in docs.values()
            if d["gpa"].get("cumulative", {}).get("unweighted") is not None]
    levels = Counter(p["level"] for d in docs.values() for p in d["proficiency"])
    bases = Counter(p["basis"] for d in docs.values() for p in d["proficiency"])
    by_class = Counter(d["student"]["class_of"] for d in docs.values())
    return {
        "students": len(docs),
        "students_by_class_of": {str(k): v for k, v in sorted(by_class.items(), key=lambda kv: kv[0] or 0)},
        "sync": [{"source": o.source, "status": o.status, "rejected": o.rejected,
                  "counts": {k: c.as_dict() for k, c in o.counts.items()}} for o in outcomes],
        "proficiency_figures": compute_summary.proficiency_rows,
        "levels": dict(levels), "basis": dict(bases),
        "course_marks": compute_summary.course_rows,
        "gpa_unweighted": {"students": len(gpas), "mean": round(statistics.fmean(gpas), 3) if gpas else None,
                           "min": min(gpas, default=None), "max": max(gpas, default=None)},
        "unmapped_objectives": len(compute_summary.unmapped_objectives),
    }
