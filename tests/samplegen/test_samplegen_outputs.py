"""The CASE continuum, the mapping file, the bad rows, determinism, zip and CLI."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from cbe_bridge.samplegen import generate
from cbe_bridge.samplegen.__main__ import main
from cbe_bridge.samplegen.oneroster import EMITTED

REPO = Path(__file__).resolve().parents[2]
STANDARDS = REPO.parent / "shared" / "standards"
CASE_SCHEMA = STANDARDS / "case" / "v1p1" / "json-schema" / "case_v1p1_cfpackage_official.json"
SHIPPED = REPO / "samples" / "district"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# --- CASE -----------------------------------------------------------------------------------

def test_case_package_tree(district: Any) -> None:
    pkg = district.case()
    doc = pkg["CFDocument"]
    items = {i["identifier"]: i for i in pkg["CFItems"]}
    assert len(items) == len(pkg["CFItems"]) and all(GUID.match(i) for i in items)
    by_code = {i["humanCodingScheme"]: i for i in items.values()}
    parent: dict[str, str] = {}
    for a in pkg["CFAssociations"]:
        assert a["associationType"] == "isChildOf"
        assert a["originNodeURI"]["identifier"] in items
        dest = a["destinationNodeURI"]["identifier"]
        assert dest in items or dest == doc["identifier"]
        assert isinstance(a["sequenceNumber"], int)
        parent[a["originNodeURI"]["identifier"]] = dest
    assert set(parent) == set(items), "every item has exactly one parent"
    children: dict[str, list[dict[str, Any]]] = {}
    for child, p in parent.items():
        children.setdefault(p, []).append(items[child])
    areas = children[doc["identifier"]]
    assert all(a["CFItemType"] == "Content Area" for a in areas)
    academic = [a for a in areas if a["humanCodingScheme"] != "HOL"]
    assert {"ELA", "MATH", "SCI", "SOC"} <= {a["humanCodingScheme"] for a in academic}
    for area in academic:
        comps = children[area["identifier"]]
        assert 3 <= len(comps) <= 5 and all(c["CFItemType"] == "Competency" for c in comps)
        for comp in comps:
            targets = children[comp["identifier"]]
            assert 2 <= len(targets) <= 4
            assert all(t["CFItemType"] == "Learning Target" for t in targets)
            assert all(t["humanCodingScheme"].startswith(comp["humanCodingScheme"] + ".LT")
                       for t in targets)
    habits = children[by_code["HOL"]["identifier"]]
    assert habits and all(h["CFItemType"] == "Habit" for h in habits)
    levels = pkg["CFRubrics"][0]["CFRubricCriteria"][0]["CFRubricCriterionLevels"]
    assert [(lv["score"], lv["quality"]) for lv in levels] == [
        (1, "Limited Progress"), (2, "In Progress"), (3, "Proficient"), (4, "Exemplary")]


@pytest.mark.standards
def test_case_package_validates_against_case_1_1_schema(district: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    if not CASE_SCHEMA.is_file():
        pytest.skip(f"CASE JSON schema not found at {CASE_SCHEMA}")
    schema = json.loads(CASE_SCHEMA.read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()
    jsonschema.validate(district.case(), schema, format_checker=checker)


def test_case_package_imports_as_continuum(district: Any) -> None:
    case = pytest.importorskip("cbe_bridge.continuum.case")
    continuum = case.load_case(district.root / "continuum.case.json")
    codes = {n.human_code for n in continuum.nodes.values()}
    assert {"MATH", "MATH.C1", "MATH.C1.LT2", "HOL.H1"} <= codes
    assert continuum.scales and continuum.scales[0].proficient_at == 3


def test_objective_ids_are_case_guids(district: Any) -> None:
    pkg = district.case()
    kinds = {i["identifier"]: i["CFItemType"] for i in pkg["CFItems"]}
    unknown = {a["sourced_id"] for a in district.anomalies() if a["kind"] == "unknown_objective"}
    urn = 0
    for name in ("lineItemLearningObjectiveIds.csv", "resultLearningObjectiveIds.csv"):
        for r in district.rows(name):
            oid = r["learningObjectiveId"]
            if oid.startswith("urn:uuid:"):
                urn += 1
                oid = oid[len("urn:uuid:"):]
            assert GUID.match(oid), oid
            if r["sourcedId"] in unknown:
                assert oid not in kinds
            else:
                assert kinds[oid] in {"Learning Target", "Habit"}
    assert urn > 0


# --- mapping --------------------------------------------------------------------------------

def test_mapping_file(district: Any) -> None:
    mapping = yaml.safe_load((district.root / "mapping.yaml").read_text(encoding="utf-8"))
    assert mapping["version"] == 1
    assert mapping["extends"] == "../../mappings/reference-district.yaml"
    assert mapping["continuum"] == "continuum.case.json"
    assert mapping["objective_alignments"] == {"auto_case_guid": True}
    codes = {i["humanCodingScheme"] for i in district.case()["CFItems"]}
    courses = district.rows("courses.csv")
    kinds: Counter[str] = Counter()
    matched: set[str] = set()
    for a in mapping["course_alignments"]:
        (kind, value), = a["match"].items()
        kinds[kind] += 1
        hits = [c for c in courses if
                (kind == "course_code" and c["courseCode"] == value)
                or (kind == "sced" and c["subjectCodes"] == value)
                or (kind == "title_pattern" and re.search(value, c["title"]))]
        assert len(hits) == 1, a["match"]
        matched.add(hits[0]["courseCode"])
        assert a["competencies"] and all(c["node"] in codes for c in a["competencies"])
        assert a["course_level"] in {"regular", "honors", "ap"}
        assert a["credits"] == 0.5 and a["grade_scale"] == "letters_pm"
    assert kinds["course_code"] > kinds["sced"] > kinds["title_pattern"] == 1
    assert {c["courseCode"] for c in courses} - matched == {"ADVIS", "YRBK"}
    titles = {s["title"] for s in district.rows("scoreScales.csv")}
    assert {s["match"]["title"] for s in mapping["score_scales"]} == titles
    reqs = mapping["graduation"]["requirements"]
    assert {r["node"] for r in reqs} >= {"ELA", "MATH", "SCI", "SOC"}
    assert all(r["node"] in codes and r["level"] == 3 for r in reqs)


# --- deliberate bad rows ----------------------------------------------------------------------

def test_anomalies_point_at_their_rows(district: Any) -> None:
    found = district.anomalies()
    assert Counter(a["kind"] for a in found) == Counter({
        "non_numeric_score": 1, "bad_date": 1, "duplicate_sourced_id": 1, "unknown_student": 1,
        "score_out_of_scale": 1, "unknown_objective": 1})
    for a in found:
        with open(district.root / "oneroster" / a["file"], encoding="utf-8", newline="") as fh:
            text = fh.read()
        line = text.split("\r\n")[a["line"] - 1]
        row = next(csv.reader(io.StringIO(line)))
        header = text.split("\r\n", 1)[0].split(",")
        assert row[0] == a["sourced_id"]
        assert row[header.index(a["field"])] == a["value"]
    readme = (district.root / "README.md").read_text(encoding="utf-8")
    assert all(f"| {a['file']} | {a['line']} |" in readme for a in found)


# --- determinism, zip, CLI --------------------------------------------------------------------

def test_deterministic_and_seeded(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", students=40, seed=7, zip_bundle=True)
    generate(tmp_path / "b", students=40, seed=7, zip_bundle=True)
    generate(tmp_path / "c", students=40, seed=8)
    fa, fb, fc = _files(tmp_path / "a"), _files(tmp_path / "b"), _files(tmp_path / "c")
    assert fa == fb
    assert fa["oneroster/results.csv"] != fc["oneroster/results.csv"]
    assert fa["continuum.case.json"] == fc["continuum.case.json"]
    assert a.files["users.csv"] > 40 and a.total_rows > 0


def test_zip_holds_the_bundle(tmp_path: Path) -> None:
    generate(tmp_path, students=12, seed=3, zip_bundle=True)
    with zipfile.ZipFile(tmp_path / "oneroster.zip") as zf:
        names = sorted(zf.namelist())
        assert names == sorted(["manifest.csv", *EMITTED])
        for name in names:
            assert zf.read(name) == (tmp_path / "oneroster" / name).read_bytes()


def test_tiny_district(tmp_path: Path) -> None:
    s = generate(tmp_path, students=1, seed=1)
    assert s.files["demographics.csv"] == 1 and s.schools == 1


def test_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path), "--students", "16", "--seed", "5"]) == 0
    out = capsys.readouterr().out
    assert "rows/s" in out and "results.csv" in out
    assert (tmp_path / "oneroster" / "manifest.csv").is_file()
    assert not (tmp_path / "oneroster.zip").exists()


def test_shipped_sample_is_current(tmp_path: Path) -> None:
    """samples/district is exactly the default run (regenerate it after changing the generator:
    ``python -m cbe_bridge.samplegen --out samples/district``)."""
    if not (SHIPPED / "oneroster" / "manifest.csv").is_file():
        pytest.skip("samples/district has not been generated")
    generate(tmp_path)
    fresh = _files(tmp_path)
    shipped = {k: v for k, v in _files(SHIPPED).items() if k in fresh}
    assert sorted(shipped) == sorted(fresh)
    stale = [k for k in fresh if shipped[k] != fresh[k]]
    assert not stale, f"samples/district is out of date: {stale}"


def test_shipped_mapping_loads_with_the_mapping_loader() -> None:
    loader = pytest.importorskip("cbe_bridge.mapping.loader")
    path = SHIPPED / "mapping.yaml"
    if not path.is_file() or not (REPO / "mappings" / "reference-district.yaml").is_file():
        pytest.skip("samples/district/mapping.yaml or the reference mapping is missing")
    mapping = loader.load_mapping(path)
    assert len(mapping.course_alignments) >= 40
    assert {g.id for g in mapping.grade_scales} >= {"letters_pm"}
