"""Our continuum YAML format: the Chugach example, an RSU2-style file, round trips, errors."""

from __future__ import annotations

import textwrap

import pytest

from cbe_bridge.continuum import (
    dump_continuum_yaml,
    load_case,
    load_continuum_yaml,
    parse_continuum_yaml,
)
from cbe_bridge.errors import MappingError

RSU2 = textwrap.dedent("""\
    version: 1
    id: rsu2-example
    title: RSU2-style continuum
    revision: "3"
    last_changed: 2024-06-01
    scales:
      - id: mastery4
        title: Proficiency scale (1-4)
        levels:
          - {code: LP, label: Limited Progress, value: 1}
          - {code: IP, label: In Progress, value: 2}
          - {code: P, label: Proficient, value: 3}
          - {code: E, label: Exemplary, value: 4}
        proficient_at: 3
        applies_to: [MATH.C1.T1.LT1, MATH.C1.T1.LT2]
    children:
      - id: MATH
        code: MATH
        title: Mathematics
        type: Content Area
        children:
          - id: MATH.C1
            code: MATH.C1
            title: Algebraic reasoning
            type: Competency
            children:
              - id: MATH.C1.T1
                code: MATH.C1.T1
                title: Linear equations
                type: Measurement Topic
                children:
                  - code: MATH.C1.T1.LT1
                    title: Solve one-variable linear equations
                    statement: I can solve linear equations in one variable.
                    type: Learning Target
                    dok: 2
                    educational_level: ["08"]
                  - code: MATH.C1.T1.LT2
                    title: Model with linear equations
                    type: Learning Target
                    dok: 3
                    keywords: [modelling, equations]
      - code: HOW
        title: Habits of work
        type: Habit
    """)


def test_chugach_example(chugach_example):
    c = load_continuum_yaml(chugach_example)
    assert [r.title for r in c.roots()] == ["Reading", "Writing", "Mathematics"]
    assert all(len(c.children(r.id)) == 10 for r in c.roots())
    reading = c.resolve("RD")
    assert reading.graduation_level == 8 and reading.node_type == "Content Area"
    assert [n.level for n in c.children("RD")] == list(range(1, 11))
    assert c.resolve("rd.10").node_type == "Level"  # from node_types by depth
    assert c.node_types() == ["Content Area", "Level"]
    [scale] = c.scales
    assert [lv.code for lv in scale.levels] == ["EM", "DE", "PR", "AD"]
    assert scale.proficient_at == 3.0
    assert c.version == "2024.1" and c.source_format == "yaml"


def test_rsu2_structure():
    c = parse_continuum_yaml(RSU2, source="rsu2.yaml")
    assert c.node_types() == ["Content Area", "Habit", "Competency", "Measurement Topic",
                              "Learning Target"]
    lt1 = c.resolve("MATH.C1.T1.LT1")
    assert lt1.id == "MATH.C1.T1.LT1"  # id defaults to code
    assert lt1.statement == "I can solve linear equations in one variable."
    assert lt1.title == "Solve one-variable linear equations"
    assert (lt1.dok, lt1.educational_level, lt1.depth) == (2, ["08"], 3)
    assert c.resolve("MATH.C1.T1.LT2").statement == "Model with linear equations"  # = title
    assert c.resolve("MATH.C1.T1.LT2").keywords == ["modelling", "equations"]
    assert c.last_changed == "2024-06-01"
    assert c.scales[0].applies_to == ["MATH.C1.T1.LT1", "MATH.C1.T1.LT2"]
    assert [n.id for n in c.descendants("MATH")] == [
        "MATH.C1", "MATH.C1.T1", "MATH.C1.T1.LT1", "MATH.C1.T1.LT2"]


def test_round_trip_of_our_format():
    first = parse_continuum_yaml(RSU2)
    second = parse_continuum_yaml(dump_continuum_yaml(first))
    assert second.nodes == first.nodes
    assert second.scales == first.scales
    assert (second.id, second.title, second.version, second.last_changed) == (
        first.id, first.title, first.version, first.last_changed)


def test_round_trip_of_chugach_example(chugach_example):
    first = load_continuum_yaml(chugach_example)
    second = parse_continuum_yaml(dump_continuum_yaml(first))
    assert second.nodes == first.nodes and second.scales == first.scales


@pytest.mark.standards
def test_case_package_converts_to_our_format(case_sample):
    case = load_case(case_sample)
    ours = parse_continuum_yaml(dump_continuum_yaml(case))
    assert ours.nodes == case.nodes
    assert ours.source_uri == case.source_uri


def _problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(MappingError) as err:
        parse_continuum_yaml(textwrap.dedent(text), source="c.yaml")
    return [(p.location, p.message) for p in err.value.problems]


def test_problems_are_collected_with_line_and_column():
    problems = _problems("""\
        id: x
        title: X
        children:
          - id: A
            titel: Typo
            children:
              - {id: A1, title: One, dok: high}
              - {id: a, title: Same id as A}
          - id: B
            title: B
            title: B again
        """)
    assert problems == [
        ("c.yaml:1:1", "'version' is missing"),
        ("c.yaml:5:5", "node: unknown key 'titel'"),
        ("c.yaml:4:5", "node 'A' has no 'title'"),
        ("c.yaml:7:35", "dok must be an integer, got 'high'"),
        ("c.yaml:8:14", "id 'a' is used twice (first at c.yaml:4:9)"),
        ("c.yaml:11:5", "node: duplicate key 'title'"),
    ]


def test_unknown_key_hint():
    with pytest.raises(MappingError) as err:
        parse_continuum_yaml("version: 1\nid: x\ntitle: X\nchildren:\n  - {id: A, titel: T}\n")
    assert err.value.problems[0].hint == "did you mean 'title'?"


def test_syntax_error_location():
    problems = _problems("""\
        version: 1
        id: x
        children:
          - {id: A, title: [unclosed
        """)
    assert problems[0][0].startswith("c.yaml:5:")


def test_version_and_empty_continuum():
    assert _problems("version: 2\nid: x\ntitle: X\nchildren: []\n") == [
        ("c.yaml:1:10", "unsupported version 2"),
        ("c.yaml:4:11", "the continuum has no nodes"),
    ]


def test_scale_and_graduation_problems():
    problems = _problems("""\
        version: 1
        id: x
        title: X
        scales:
          - id: s
            levels: [{code: A, value: 2}, {code: B, value: 1}]
          - id: t
            levels: [{code: A, value: 1}]
            applies_to: [NOPE]
        children:
          - {id: RD, title: Reading, graduation_level: 8, children: [{id: RD.1, title: L1, level: 1}]}
        """)
    assert problems == [
        ("c.yaml:11:48", "graduation_level 8 of 'RD' is not the 'level' of any of its children"),
        ("c.yaml:5:5", "scale 's': level values must be strictly ascending, got [2.0, 1.0]"),
        ("c.yaml:9:18", "'NOPE' is not a node of this continuum"),
    ]


def test_not_a_mapping_and_empty_file():
    assert _problems("- just\n- a list\n") == [("c.yaml:1:1", "continuum file must be a mapping")]
    with pytest.raises(MappingError, match="empty"):
        parse_continuum_yaml("")


def test_documented_example_parses(chugach_example):
    import re

    doc = (chugach_example.parent.parent / "continuum-format.md").read_text(encoding="utf-8")
    [example] = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    c = parse_continuum_yaml(example, source="continuum-format.md")
    assert c.resolve("MATH.C1.T1.LT1").node_type == "Learning Target"
    assert c.resolve("HOW").node_type == "Habit"


def test_scale_level_problems_are_reported_once():
    assert _problems("""\
        version: 1
        id: x
        title: X
        scales:
          - levels: [{label: A, value: 1}, {code: B, value: high}]
        children: [{id: A, title: A}]
        """) == [
        ("c.yaml:5:14", "scale level has no 'code'"),
        ("c.yaml:5:53", "value must be a number, got 'high'"),
        ("c.yaml:5:5", "scale without 'id'"),
    ]
