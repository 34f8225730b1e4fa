"""The model helpers the engine relies on, on a small mapping built in code."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cbe_bridge.mapping import Mapping, load_mapping

from .conftest import REFERENCE


def test_score_translations(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        score_scales:
          - match: {title: Percent}
            linear: {from_min: 0, from_max: 100, to_min: 1, to_max: 4}
          - match: {source_id: "ss-7"}
            values: {3.0: 3, Meets: 3}
        """)
    m = load_mapping([path])
    assert m.translate_score("percent", 50, None)[0] == 2.5
    assert m.translate_score("Percent", 120, None)[0] == 4  # held at the end of the line
    assert m.translate_score("Percent", None, "75")[0] == 3.25
    assert m.translate_score(None, 3, None, source_id="ss-7")[0] == 3  # 3 == "3.0"
    assert m.translate_score(None, None, "meets", source_id="ss-7")[0] == 3
    assert m.translate_score("Unknown", 3, None) is None
    assert m.covers_score_scale("PERCENT") and not m.covers_score_scale("Other")


def test_scale_lookup():
    m = load_mapping([REFERENCE])
    assert m.scale("mastery4") is m.scale()
    with pytest.raises(KeyError, match="no proficiency scale 'x'"):
        m.scale("x")
    scale = m.scale()
    assert scale.level_for(3.4).code == "P" and scale.level_by_code("e").label == "Exemplary"
    assert scale.is_proficient(3) and not scale.is_proficient(2.99)


def test_built_in_code_runs_the_same_checks():
    import yaml

    data = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    assert Mapping.model_validate(data).fingerprint == load_mapping([REFERENCE]).fingerprint
    data["default_grade_scale"] = "nope"
    with pytest.raises(ValidationError, match="no grade scale 'nope'"):
        Mapping.model_validate(data)


def test_models_are_frozen():
    m = load_mapping([REFERENCE])
    with pytest.raises(ValidationError):
        m.aggregation.default.weight = 0.1  # type: ignore[union-attr]


PASS_FAIL = {"pass_letters": ["P", "CR"], "fail_letters": ["NC"]}


@pytest.mark.parametrize(("rule", "letter", "points", "earned"), [
    ({"method": "course_grade", "min_points": 1.0}, "D", 1.0, True),
    ({"method": "course_grade", "min_points": 2.0}, "D", 1.0, False),
    ({"method": "competencies_proficient"}, "D", 1.0, True),  # no competencies to judge: the letter
    ({"method": "competencies_proficient"}, "F", 0.0, False),
    ({"method": "competencies_proficient"}, "W", None, False),  # a letter without points
    ({"method": "course_grade", "min_points": 1.0}, "P", None, False),  # no pass letters listed
    ({"method": "course_grade", "min_points": 1.0, **PASS_FAIL}, " P ", None, True),
    ({"method": "competencies_proficient", **PASS_FAIL}, "CR", None, True),
    ({"method": "competencies_proficient", **PASS_FAIL}, "NC", None, False),
])
def test_a_course_outside_the_continuum_earns_credit_by_its_letter(rule, letter, points, earned):
    from pydantic import TypeAdapter

    from cbe_bridge.mapping.policies import CreditRule

    assert TypeAdapter(CreditRule).validate_python(rule).earned_outside_continuum(letter, points) is earned


@pytest.mark.parametrize(("rule", "competencies_proficient", "earned"), [
    ({"method": "course_grade", "min_points": 1.0, **PASS_FAIL}, False, True),  # the teacher's P
    ({"method": "competencies_proficient", **PASS_FAIL}, False, False),  # the competencies decide
])
def test_a_pass_on_an_aligned_course_earns_credit_where_the_letter_decides(rule, competencies_proficient, earned):
    from pydantic import TypeAdapter

    from cbe_bridge.mapping.policies import CreditRule

    assert TypeAdapter(CreditRule).validate_python(rule).earned("P", None, competencies_proficient) is earned
