"""The shipped mapping files load, alone and layered, and answer the engine's questions."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from cbe_bridge.engine.methods import CountRule, Score, aggregate, count_rule, cut_points, rollup
from cbe_bridge.mapping import Mapping, load_mapping

from .conftest import MAPPINGS, REFERENCE, REPO

SHIPPED = sorted(MAPPINGS.rglob("*.yaml"))
VENDORS = MAPPINGS / "vendors"


def test_shipped_files_are_there():
    names = {p.relative_to(MAPPINGS).as_posix() for p in SHIPPED}
    assert {"reference-district.yaml", "vendors/powerschool-letters.yaml",
            "vendors/canvas-outcomes.yaml", "vendors/marzano-0-4.yaml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_each_shipped_file_loads_and_fits_the_published_schema(path: Path):
    mapping = load_mapping([path])
    assert isinstance(mapping, Mapping)
    assert len(mapping.fingerprint) == 64
    schema = json.loads((REPO / "schemas" / "mapping.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_reference_policy():
    m = load_mapping([REFERENCE])
    scale = m.scale()
    assert scale.id == "mastery4" and [lv.code for lv in scale.levels] == ["LP", "IP", "P", "E"]
    assert scale.proficient_at == 3
    assert m.default_proficiency_scale().max_value == 4
    assert m.aggregation_for("Learning Target").model_dump() == {"method": "decaying_average",
                                                                  "weight": 0.65}
    assert m.aggregation_for("learning_target").params() == {"weight": 0.65}
    assert m.rollup_for("Competency").params() == {"k": 3}
    assert m.rollup_for("Measurement Topic").method == "all_children_proficient"
    assert m.derived_evidence.weight == 0.5 and m.derived_evidence.only_without_direct
    assert m.course_grades.line_item_categories == ["Final Grade", "Term Grade"]
    assert m.habits_node_types == ["Habit"] and m.is_habit_type("habit")
    assert m.course_alignments == []  # district courses belong in the district's file
    assert dict(m.gpa.weights) == {"honors": 0.5, "ap": 1.0, "dual_enrollment": 1.0}
    cuts = [(c.min, c.letter) for c in m.gpa.conversion.cuts]
    # The scale starts at 1, so the D band starts above it: Limited Progress throughout fails.
    assert [cut_points(v, cuts) for v in (4, 3.0, 2.99, 2.5, 2.49, 2.0, 1.99, 1.5, 1.49, 1.0)] == \
        ["A", "A", "B", "B", "C", "C", "D", "D", "F", "F"]
    assert m.credit_earned(letter="D", points=1.0, competencies_proficient=False)
    assert not m.credit_earned(letter="F", points=0.0, competencies_proficient=True)
    assert m.credit_earned(letter="P", points=None, competencies_proficient=False)  # pass/fail course
    assert not m.credit_earned(letter="NC", points=None, competencies_proficient=False)
    assert (m.credit_rule.pass_letters, m.credit_rule.fail_letters) == (["P"], ["NC"])
    assert m.default_credits == 1.0
    assert m.percent_bands(None) == [(90, 4), (80, 3), (70, 2), (60, 1.5), (0, 1)]
    assert m.letter_percent(None, "b") == 85


def test_vendor_and_district_layered(write):
    district = write("district/mapping.yaml", f"""
        version: 1
        extends: {(MAPPINGS / 'reference-district.yaml').as_posix()}
        continuum: continuum.case.json
        course_alignments:
          - match: {{course_code: ALG1}}
            competencies: [{{node: MATH.C1, weight: 1.0}}, {{node: MATH.C2, weight: 0.5}}]
            course_level: honors
          - match: {{title_pattern: "^Algebra"}}
            competencies: [{{node: MATH.C1}}]
        """)
    m = load_mapping([VENDORS / "powerschool-letters.yaml", VENDORS / "canvas-outcomes.yaml",
                      district])
    # the shared base is applied once, first
    assert [Path(f).name for f in m.source_files] == [
        "reference-district.yaml", "powerschool-letters.yaml", "canvas-outcomes.yaml", "mapping.yaml"]
    assert m.continuum_path == district.parent / "continuum.case.json"
    assert m.letter_percent("letters", "B+") == 88  # PowerSchool's letters replaced the reference's
    assert m.gpa.points["B+"] == 3.3 and m.gpa.points["A"] == 4.0
    assert m.translate_score("Canvas Mastery Scale", 4.0, None)[0] == 4
    assert m.translate_score("canvas mastery scale", None, "Near Mastery")[0] == 2
    assert m.translate_score("Proficiency 1-4", None, "E")[0] == 4  # reference rule still there
    rule = m.course_alignment_for("ALG1", None, "Algebra I Honors")
    assert rule is not None and rule.course_level == "honors" and rule.describe_match() == "course_code 'ALG1'"
    assert m.course_alignment_for("ALG9", None, "algebra ii").describe_match() == "title_pattern '^Algebra'"


def test_marzano_count_rules_work_with_the_engine():
    m = load_mapping([VENDORS / "marzano-0-4.yaml"])
    assert m.scale().id == "marzano04" and m.scale().proficient_at == 3
    assert len(m.scale().levels) == 9
    conv = m.gpa.conversion
    rules = [CountRule(**r.model_dump(exclude={"letter"}), letter=r.letter) for r in conv.rules]
    assert count_rule([3, 4, 3.5], rules, conv.otherwise) == "A"
    assert count_rule([3, 2, 4, 2.5], rules, conv.otherwise) == "B"
    assert count_rule([3, 1, 4], rules, conv.otherwise) == "I"
    assert count_rule([2, 2.5, 3], rules, conv.otherwise) == "C"
    assert "I" not in m.gpa.points and "I" in m.gpa.not_in_gpa
    assert m.aggregation_for("Measurement Topic").method == "power_law"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_policy_params_fit_the_engine_methods(path: Path):
    m = load_mapping([path])
    scale = m.scale()
    scores = [Score(v, __import__("datetime").date(2024, 1, i + 1)) for i, v in enumerate([2, 3, 3, 4])]
    for node_type in [None, *m.aggregation.by_node_type]:
        p = m.aggregation_for(node_type)
        value = aggregate(p.method, scores, **p.params(), scale_min=scale.min_value,
                          scale_max=scale.max_value)
        assert value is not None and scale.min_value <= value <= scale.max_value
    for node_type in [None, *m.rollup.by_node_type]:
        p = m.rollup_for(node_type)
        rollup(p.method, [3, 3, 4, 2], threshold=scale.proficient_at, **p.params())


def test_fingerprint_is_stable_and_changes_with_policy(write):
    a = load_mapping([REFERENCE]).fingerprint
    assert load_mapping([REFERENCE]).fingerprint == a
    child = write("child.yaml", """
        version: 1
        extends: {ref}
        derived_evidence: {weight: 0.4}
        """)
    assert load_mapping([child]).fingerprint != a
    # where the files are does not change the fingerprint; what they say does
    same = write("same.yaml", """
        version: 1
        extends: {ref}
        continuum: elsewhere.json
        """)
    assert load_mapping([same]).fingerprint == a


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_engine_policy_of_each_shipped_file_gives_letters(path: Path):
    from cbe_bridge.continuum import load_continuum
    from cbe_bridge.engine.policy import Policy

    policy = Policy(load_mapping([path]), load_continuum(REPO / "samples" / "district" / "continuum.case.json"))
    scale = policy.scale
    top, bottom = policy.letter_for(scale.max_value, [scale.max_value] * 3), policy.letter_for(
        scale.min_value, [scale.min_value] * 3)
    assert top in policy.mapping.gpa.points and top != bottom
    assert policy.letter_for(scale.max_value, []) == top  # again: cached tables give the same answer
