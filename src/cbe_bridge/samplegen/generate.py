"""Run the whole generator: continuum, district, OneRoster bundle, mapping, README, zip.

``generate(out_dir, students, seed, zip_bundle)`` writes::

    out_dir/oneroster/*.csv        OneRoster 1.2 CSV bundle (bulk), with manifest.csv
    out_dir/oneroster.zip          the same bundle zipped (only with zip_bundle=True)
    out_dir/continuum.case.json    CASE 1.0 CFPackage of the district continuum
    out_dir/mapping.yaml           the district's mapping file
    out_dir/anomalies.json         the deliberate bad rows: file, line, sourcedId, kind
    out_dir/README.md              what the sample holds and how it is messy

Other files in ``out_dir`` (such as a ``cbe-bridge.toml``) are left alone. Output is
byte-identical for the same seed, size and ``extends`` value.
"""

from __future__ import annotations

import json
import shutil
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from cbe_bridge.samplegen.anomalies import Anomalies, Anomaly
from cbe_bridge.samplegen.casepkg import write_case_package
from cbe_bridge.samplegen.common import build_terms
from cbe_bridge.samplegen.district import build_district
from cbe_bridge.samplegen.gradebook import write_gradebook
from cbe_bridge.samplegen.mapping_file import DEFAULT_EXTENDS, write_mapping
from cbe_bridge.samplegen.oneroster import EMITTED, HEADERS, csv_writer, write_manifest, write_static
from cbe_bridge.samplegen.readme import readme_text

__all__ = ["GenerationSummary", "generate", "SYSTEM_NAME"]

SYSTEM_NAME = "cbe-bridge samplegen (synthetic Maplewood USD)"
_BUFFER = 1 << 20
_ZIP_DATE = (2027, 6, 11, 0, 0, 0)


@dataclass
class GenerationSummary:
    """What one run wrote. ``files`` counts data rows (header excluded) per CSV file."""

    out_dir: Path
    students: int
    seed: int
    schools: int
    teachers: int
    classes: int
    transfers: int = 0
    retakes: int = 0
    files: dict[str, int] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total_rows(self) -> int:
        return sum(self.files.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0


def generate(out_dir: Path, students: int = 320, seed: int = 2026, zip_bundle: bool = False,
             extends: str = DEFAULT_EXTENDS) -> GenerationSummary:
    """Write a synthetic district into ``out_dir`` (created if missing)."""
    if students < 1:
        raise ValueError("students must be at least 1")
    started = time.perf_counter()
    out_dir = Path(out_dir)
    bundle = out_dir / "oneroster"
    bundle.mkdir(parents=True, exist_ok=True)
    index = write_case_package(out_dir / "continuum.case.json")
    terms = build_terms()
    district = build_district(students, seed, terms, index)
    anomalies = Anomalies(students)
    handles = {name: open(bundle / name, "w", encoding="utf-8", newline="",  # noqa: SIM115
                          buffering=_BUFFER) for name in EMITTED}
    try:
        writers = {name: csv_writer(fh) for name, fh in handles.items()}
        for name, w in writers.items():
            w.writerow(HEADERS[name])
        write_static(writers, district, seed)
        for fh in handles.values():
            fh.flush()
        lines = {name: _count_lines(bundle / name) for name in
                 ("enrollments.csv", "results.csv", "resultLearningObjectiveIds.csv",
                  "resultScoreScales.csv")}
        write_gradebook(writers, district, seed, anomalies, lines)
    finally:
        for fh in handles.values():
            fh.close()
    with open(bundle / "manifest.csv", "w", encoding="utf-8", newline="") as fh:
        write_manifest(fh, SYSTEM_NAME)
    counts = {name: _count_lines(bundle / name) - 1 for name in ("manifest.csv", *EMITTED)}
    summary = GenerationSummary(
        out_dir=out_dir, students=students, seed=seed, schools=len(district.schools),
        teachers=len(district.teachers),
        classes=sum(len(s) for s in district.sections.values()),
        transfers=sum(st.transfer is not None for st in district.students),
        retakes=district.retakes,
        files=counts, anomalies=sorted(anomalies.found, key=lambda a: (a.file, a.line)))
    (out_dir / "anomalies.json").write_text(
        json.dumps([a.as_dict() for a in summary.anomalies], indent=2) + "\n", encoding="utf-8")
    write_mapping(out_dir / "mapping.yaml", extends)
    (out_dir / "README.md").write_text(readme_text(summary), encoding="utf-8")
    if zip_bundle:
        _zip(bundle, out_dir / "oneroster.zip")
    summary.seconds = time.perf_counter() - started
    return summary


def _count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_BUFFER):
            n += chunk.count(b"\n")
    return n


def _zip(bundle: Path, target: Path) -> None:
    """Deterministic zip: sorted members, fixed timestamps, CSVs at the top level."""
    tmp = target.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name in sorted(["manifest.csv", *EMITTED]):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            with open(bundle / name, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, _BUFFER)
    tmp.replace(target)
