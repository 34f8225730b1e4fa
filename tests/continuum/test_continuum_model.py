"""The continuum model: navigation, references, node types, scales, validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cbe_bridge.errors import MappingError
from cbe_bridge.model.continuum import (
    Continuum,
    ContinuumNode,
    ProficiencyLevel,
    ProficiencyScale,
    build_nodes,
    node_type_key,
)


def _continuum() -> Continuum:
    drafts = [
        {"id": "M", "human_code": "MATH", "title": "Mathematics", "statement": "Mathematics",
         "node_type": "Content Area"},
        {"id": "C1", "human_code": "MATH.C1", "title": "Algebra", "statement": "Algebra",
         "node_type": "Competency", "parent_id": "M"},
        {"id": "T1", "human_code": "DUP", "title": "Equations", "statement": "Equations",
         "node_type": "Learning Target", "parent_id": "C1"},
        {"id": "T2", "human_code": "dup", "title": "Functions", "statement": "Functions",
         "node_type": "LearningTarget", "parent_id": "C1", "uri": "https://x.example/T2"},
        {"id": "E", "title": "English", "statement": "English", "node_type": None},
    ]
    return Continuum(id="c", title="C", nodes=build_nodes(drafts))


def test_build_nodes_orders_and_numbers():
    c = _continuum()
    assert list(c.nodes) == ["M", "C1", "T1", "T2", "E"]
    assert [(n.depth, n.sequence) for n in c.nodes.values()] == [
        (0, 1), (1, 1), (2, 1), (2, 2), (0, 2)]
    assert c.nodes["E"].node_type == "Level 1"  # inferred from depth


def test_navigation():
    c = _continuum()
    assert [n.id for n in c.roots()] == ["M", "E"]
    assert [n.id for n in c.children("C1")] == ["T1", "T2"]
    assert [n.id for n in c.ancestors("T2")] == ["C1", "M"]
    assert c.ancestors("M") == []
    assert [n.id for n in c.descendants("M")] == ["C1", "T1", "T2"]
    assert [n.id for n in c.leaves()] == ["T1", "T2", "E"]
    assert c.content_area_of("T1").id == "M" and c.content_area_of("M").id == "M"
    assert c.node_types() == ["Content Area", "Level 1", "Competency", "Learning Target",
                              "LearningTarget"]
    assert [n.id for n in c.nodes_of_type("learning_target")] == ["T1", "T2"]
    with pytest.raises(KeyError, match="no node with id 'X'"):
        c.children("X")


def test_node_type_key():
    assert node_type_key("Learning Target") == node_type_key("LearningTarget") == "learningtarget"
    assert node_type_key("content_area") == node_type_key("Content-Area")


def test_resolve_rules():
    c = _continuum()
    assert c.resolve("m").id == "M"
    assert c.resolve("urn:uuid:T1").id == "T1"
    assert c.resolve("HTTPS://x.example/T2").id == "T2"
    assert c.resolve("math.c1").id == "C1"
    assert c.resolve("DUP").id == "T1"  # exact human code wins over the case-insensitive match
    assert c.resolve("  ") is None
    with pytest.raises(MappingError, match="matches 2 nodes"):
        c.resolve("Dup")
    assert [n.id for n in c.resolve_all("Dup")] == ["T1", "T2"]


def test_tree_validation():
    node = ContinuumNode(id="A", title="A", statement="A", node_type="X", parent_id="missing",
                         sequence=1, depth=1)
    with pytest.raises(ValidationError, match="parent 'missing'"):
        Continuum(id="c", title="C", nodes={"A": node})
    with pytest.raises(ValidationError, match="differs from the node id"):
        root = node.model_copy(update={"parent_id": None, "depth": 0})
        Continuum(id="c", title="C", nodes={"B": root})


def test_scales():
    scale = ProficiencyScale(
        id="marzano", title="Marzano 0-4",
        levels=[ProficiencyLevel(code=str(v), label=str(v), value=v) for v in (0, 1, 2, 2.5, 3, 4)],
        proficient_at=3,
    )
    assert scale.level_for(2.7).code == "2.5"
    assert scale.level_for(-1) is None
    assert scale.level_by_code("2.5").value == 2.5
    assert scale.is_proficient(3) is True and scale.is_proficient(2.99) is False
    assert (scale.min_value, scale.max_value) == (0, 4)
    numeric_code = ProficiencyLevel(code=4, label="Four", value=4)  # YAML may give numbers
    assert numeric_code.code == "4"
    with pytest.raises(ValidationError, match="outside the levels"):
        ProficiencyScale(id="s", title="S", levels=scale.levels, proficient_at=5)
    with pytest.raises(ValidationError, match="unique"):
        ProficiencyScale(id="s", title="S", levels=[ProficiencyLevel(code="A", label="", value=1),
                                                    ProficiencyLevel(code="a", label="", value=2)])
    with pytest.raises(ValidationError):
        ProficiencyScale(id="s", title="S", levels=[], proficient_at=None)
