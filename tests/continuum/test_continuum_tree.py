"""render_tree golden output and continuum_to_dict."""

from __future__ import annotations

import json
import textwrap

import pytest

from cbe_bridge.continuum import continuum_to_dict, load_case, parse_continuum_yaml, render_tree
from cbe_bridge.errors import MappingError

FIXTURE = textwrap.dedent("""\
    version: 1
    id: tiny
    title: Tiny   district
    children:
      - code: MATH
        title: Mathematics
        type: Content Area
        children:
          - code: MATH.C1
            title: Algebraic reasoning
            type: Competency
            children:
              - code: MATH.C1.LT1
                title: >-
                  Solve linear equations and inequalities in one variable, including equations
                  with coefficients represented by letters, and explain each step of the solution
                type: Learning Target
              - id: lt2
                title: Graph linear functions
                type: Learning Target
          - code: MATH.C2
            title: Geometric reasoning
            type: Competency
      - code: HOW
        title: Habits of work
        type: Habit
    """)

GOLDEN = """\
Tiny district
├── MATH  Mathematics  [Content Area]
│   ├── MATH.C1  Algebraic reasoning  [Competency]
│   │   ├── MATH.C1.LT1  Solve linear equations and inequalities in one…  [Learning Target]
│   │   └── Graph linear functions  [Learning Target]
│   └── MATH.C2  Geometric reasoning  [Competency]
└── HOW  Habits of work  [Habit]
"""

GOLDEN_DEPTH_2 = """\
Tiny district
├── MATH  Mathematics  [Content Area]
│   ├── MATH.C1  Algebraic reasoning  [Competency]
│   │   └── … 2 more nodes
│   └── MATH.C2  Geometric reasoning  [Competency]
└── HOW  Habits of work  [Habit]
"""

GOLDEN_ROOT = """\
Tiny district
└── MATH.C1  Algebraic reasoning  [Competency]
    ├── MATH.C1.LT1  Solve linear equati…  [Learning Target]
    └── Graph linear functions  [Learning Target]
"""


@pytest.fixture
def tiny():
    return parse_continuum_yaml(FIXTURE, source="tiny.yaml")


def test_golden(tiny):
    text = render_tree(tiny)
    assert text == GOLDEN
    assert max(len(line) for line in text.splitlines()) <= 100


def test_max_depth(tiny):
    assert render_tree(tiny, max_depth=2) == GOLDEN_DEPTH_2
    assert render_tree(tiny, max_depth=1).splitlines()[2] == "│   └── … 4 more nodes"
    with pytest.raises(ValueError):
        render_tree(tiny, max_depth=0)


def test_root_and_width(tiny):
    assert render_tree(tiny, root="math.c1", width=60) == GOLDEN_ROOT
    with pytest.raises(MappingError, match="not a node"):
        render_tree(tiny, root="NOPE")


@pytest.mark.standards
def test_sample_fits_100_columns(case_sample):
    text = render_tree(load_case(case_sample))
    lines = text.splitlines()
    assert len(lines) == 17
    assert all(len(line) <= 100 for line in lines)
    assert lines[1].startswith("├── CCSS.Math.Content.6.RP.A  Understand ratio concepts")
    assert lines[1].endswith("  [Cluster]")


def test_to_dict(tiny):
    data = continuum_to_dict(tiny)
    json.dumps(data)  # serialisable as is
    assert data["node_count"] == 6
    assert data["node_types"] == ["Content Area", "Habit", "Competency", "Learning Target"]
    math = data["tree"][0]
    assert math["human_code"] == "MATH" and math["node_type"] == "Content Area"
    assert [c["id"] for c in math["children"]] == ["MATH.C1", "MATH.C2"]
    assert math["children"][0]["children"][1]["id"] == "lt2"
    cut = continuum_to_dict(tiny, max_depth=1, root="MATH")
    assert cut["tree"][0]["children"] == [] and cut["tree"][0]["hidden_descendants"] == 4
