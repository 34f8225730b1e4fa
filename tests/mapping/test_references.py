"""check_references: node references the continuum does not know, with where they were written."""

from __future__ import annotations

from cbe_bridge.mapping import check_references, load_mapping

from .conftest import at


def test_unresolved_references_are_located(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        course_alignments:
          - match: {course_code: ALG1}
            competencies: [{node: MATH.C1}, {node: MATH.C9}]
        objective_alignments:
          rules:
            - match: {source: canvas, id: "4821"}
              node: MATH.C1.T1
            - match: {case_guid: "urn:uuid:5d3f1c52-0c6f-4b36-9d8b-2a6a6f1a9c11"}
              node: NOPE
        graduation:
          requirements: [{node: MATH, level: 3}, {node: SCI, level: 3}]
        """)
    m = load_mapping([path])
    known = {"MATH", "MATH.C1", "MATH.C1.T1"}
    found = check_references(m, lambda ref: ref if ref in known else None)
    assert [(p.location, p.message) for p in found] == [
        (at(path, 5, 44), "course_alignments[0].competencies[1].node: node 'MATH.C9' is not in "
                          "the continuum"),
        (at(path, 11, 13), "objective_alignments.rules[1].node: node 'NOPE' is not in the continuum"),
        (at(path, 13, 49), "graduation.requirements[1].node: node 'SCI' is not in the continuum"),
    ]
    assert all("human code" in p.hint for p in found)
    assert check_references(m, lambda ref: object()) == []


def test_objective_overrides(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        objective_alignments:
          auto_case_guid: false
          rules:
            - match: {id: "4821"}
              node: A
            - match: {case_guid: "urn:uuid:5D3F"}
              node: B
            - match: {human_code: "MATH.1"}
              node: C
            - match: {id: "4821"}
              node: D
        """)
    m = load_mapping([path])
    assert m.objective_node_overrides() == {"4821": "A", "5D3F": "B", "urn:uuid:5D3F": "B",
                                            "MATH.1": "C"}
    assert m.objective_alignments.auto_case_guid is False
