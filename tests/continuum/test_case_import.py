"""CASE CFPackage import: the real OpenSALT sample, small fixtures, rubrics, and every problem."""

from __future__ import annotations

import json

import pytest

from cbe_bridge.continuum import load_case, parse_case, parse_case_text
from cbe_bridge.errors import EXIT_USAGE, MappingError

SIX_A = "edfce0e7-dbbf-40d5-af1a-baccabef85e9"  # CCSS.Math.Content.6.RP.A
SIX_A_3 = "d83a65ed-770c-4dbe-a505-11e5e17a9a79"
SIX_A_3C = "63d859f8-45f6-47e3-9d65-189a3214f677"


@pytest.mark.standards
class TestOpenSaltSample:
    def test_document(self, case_sample):
        c = load_case(case_sample)
        assert c.id == "20c5134f-423d-4097-a971-3dd5152bf507"
        assert c.title == "What Standards Could Be"
        assert c.source_format == "case"
        assert c.last_changed == "2017-05-25T18:05:33"
        assert c.source_uri.endswith("/20c5134f-423d-4097-a971-3dd5152bf507")
        assert len(c.source_sha256) == 64
        assert len(c.nodes) == 16

    def test_tree_shape(self, case_sample):
        c = load_case(case_sample)
        # the two clusters hang off the CFDocument with sequenceNumber 1 and 2
        codes = [r.human_code for r in c.roots()]
        assert codes == ["CCSS.Math.Content.6.RP.A", "CCSS.Math.Content.7.RP.A"]
        assert [n.human_code for n in c.children(SIX_A)] == [
            "CCSS.Math.Content.6.RP.A.1", "CCSS.Math.Content.6.RP.A.2",
            "CCSS.Math.Content.6.RP.A.3"]
        assert [n.list_enumeration for n in c.children(SIX_A_3)] == ["a.", "b.", "c.", "d."]
        assert [n.sequence for n in c.children(SIX_A_3)] == [1, 2, 3, 4]
        assert c.node_types() == ["Cluster", "Standard", "Component"]
        assert {n.depth for n in c.nodes_of_type("Component")} == {2}
        assert len(c.leaves()) == 12
        # nodes are in outline order: every node comes after its parent
        order = list(c.nodes)
        assert all(order.index(n.parent_id) < order.index(n.id)
                   for n in c.nodes.values() if n.parent_id)

    def test_item_fields(self, case_sample):
        c = load_case(case_sample)
        node = c.nodes[SIX_A_3C]
        assert node.human_code == "CCSS.Math.Content.6.RP.A.3c"
        assert node.node_type == "Component"
        assert node.educational_level == ["06"]
        assert node.statement.startswith("Find a percent of a quantity as a rate per 100")
        assert len(node.title) <= 80 and node.title.endswith("…")
        assert node.uri == f"http://opensalt-staging.opened.com/uri/{SIX_A_3C}"
        assert c.content_area_of(SIX_A_3C).id == SIX_A
        assert [a.id for a in c.ancestors(SIX_A_3C)] == [SIX_A_3, SIX_A]

    def test_resolve(self, case_sample):
        c = load_case(case_sample)
        assert c.resolve(SIX_A_3C).id == SIX_A_3C
        assert c.resolve(SIX_A_3C.upper()).id == SIX_A_3C
        assert c.resolve(f"urn:uuid:{SIX_A_3C.upper()}").id == SIX_A_3C
        assert c.resolve(f"http://opensalt-staging.opened.com/uri/{SIX_A_3C}").id == SIX_A_3C
        assert c.resolve("CCSS.Math.Content.6.RP.A.3c").id == SIX_A_3C
        assert c.resolve("ccss.math.content.6.rp.a.3C").id == SIX_A_3C
        assert c.resolve("CCSS.Math.Content.9.RP.A") is None
        assert c.resolve(c.id) is None  # the CFDocument is not a node


class TestSmallPackages:
    def test_sequence_numbers_order_siblings(self, small_package):
        c = parse_case(small_package())
        assert [r.human_code for r in c.roots()] == ["ELA", "MATH"]  # sequenceNumber 1, 2
        assert [n.human_code for n in c.children("a1")] == ["MATH.C1", "MATH.C2"]
        assert c.nodes["t1"].dok == 3
        assert c.nodes["t1"].educational_level == ["08", "09"]
        assert c.node_types() == ["Content Area", "Competency", "Learning Target"]
        assert c.version == "2.0"

    def test_cfpackage_wrapper(self, small_package):
        c = parse_case({"CFPackage": small_package()})
        assert len(c.nodes) == 5

    def test_item_without_association_is_a_root(self, small_package, case_parts):
        package = small_package()
        habit = case_parts.item("h1", "HAB", "Habits of work", CFItemType="Habit")
        package["CFItems"].append(habit)
        c = parse_case(package)
        assert [r.id for r in c.roots()] == ["a2", "a1", "h1"]  # unsequenced roots come last

    def test_item_type_sources(self, small_package, case_parts):
        package = small_package()
        package["CFItems"] = [
            case_parts.item("r1", "R1",
                            CFItemTypeURI={"title": "Strand", "identifier": "t-s", "uri": "u"}),
            case_parts.item("r2", "R2", CFItemTypeURI={"identifier": "T-LT", "uri": "u"}),
            case_parts.item("r3", "R3"),
        ]
        package["CFDefinitions"] = {"CFItemTypes": [
            {"identifier": "t-lt", "uri": "u", "title": "Learning Target", "hierarchyCode": "1"}]}
        package["CFAssociations"] = [case_parts.child_of("s1", "r2", "r1"),
                                     case_parts.child_of("s2", "r3", "r2")]
        c = parse_case(package)
        assert [n.node_type for n in c.nodes.values()] == ["Strand", "Learning Target", "Level 3"]

    def test_abbreviated_statement_is_the_title(self, small_package):
        package = small_package()
        package["CFItems"][0]["abbreviatedStatement"] = "Math"
        package["CFItems"][0]["conceptKeywords"] = ["number", "algebra"]
        node = parse_case(package).nodes["a1"]
        assert (node.title, node.statement) == ("Math", "Mathematics")
        assert node.keywords == ["number", "algebra"]

    def test_duplicate_json_key_is_a_problem(self, small_package):
        text = json.dumps(small_package())
        text = text.replace('"title": "Example continuum"', '"title": "A", "title": "B"', 1)
        with pytest.raises(MappingError) as err:
            parse_case_text(text, source="dup.json")
        assert "duplicate key 'title'" in str(err.value)

    def test_invalid_json_names_line_and_column(self):
        with pytest.raises(MappingError) as err:
            parse_case_text('{\n  "CFDocument": {,}\n}', source="bad.json")
        assert err.value.problems[0].location == "bad.json:2:18"


class TestRubrics:
    RUBRIC = {
        "identifier": "rub-1", "uri": "https://case.example.org/uri/rub-1",
        "title": "Proficiency scale", "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
        "CFRubricCriteria": [{
            "identifier": "crit-1", "uri": "u", "category": "Linear equations", "position": 1,
            "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
            "CFItemURI": {"title": "t1", "identifier": "t1",
                          "uri": "https://case.example.org/uri/t1"},
            "CFRubricCriterionLevels": [
                {"identifier": f"lv-{score}", "uri": "u", "score": score, "quality": quality,
                 "description": f"{quality} work", "position": 5 - score,
                 "lastChangeDateTime": "2024-01-01T00:00:00+00:00"}
                for score, quality in ((4, "Exemplary"), (3, "Proficient"), (2, "In Progress"),
                                       (1, "Limited Progress"))
            ],
        }],
    }

    def test_rubric_becomes_a_scale(self, small_package):
        package = small_package()
        package["CFRubrics"] = [self.RUBRIC]
        [scale] = parse_case(package).scales
        assert scale.id == "rub-1"
        assert scale.title == "Proficiency scale"
        assert [(lv.code, lv.label, lv.value) for lv in scale.levels] == [
            ("1", "Limited Progress", 1.0), ("2", "In Progress", 2.0), ("3", "Proficient", 3.0),
            ("4", "Exemplary", 4.0)]
        assert scale.levels[2].description == "Proficient work"
        assert scale.proficient_at == 3.0
        assert scale.applies_to == ["t1"]
        assert scale.is_proficient(3.5) and not scale.is_proficient(2.5)

    def test_criteria_with_different_levels_give_one_scale_each(self, small_package):
        rubric = json.loads(json.dumps(self.RUBRIC))
        second = json.loads(json.dumps(rubric["CFRubricCriteria"][0]))
        second.update(identifier="crit-2", category="Collaboration", CFItemURI=None)
        second["CFRubricCriterionLevels"] = second["CFRubricCriterionLevels"][2:]
        rubric["CFRubricCriteria"].append(second)
        package = small_package()
        package["CFRubrics"] = [rubric]
        scales = parse_case(package).scales
        assert [(s.id, s.title, len(s.levels)) for s in scales] == [
            ("crit-1", "Proficiency scale: Linear equations", 4),
            ("crit-2", "Proficiency scale: Collaboration", 2)]
        assert scales[1].proficient_at is None  # no level called "Proficient"

    def test_level_without_score_is_a_problem(self, small_package):
        rubric = json.loads(json.dumps(self.RUBRIC))
        del rubric["CFRubricCriteria"][0]["CFRubricCriterionLevels"][1]["score"]
        package = small_package()
        package["CFRubrics"] = [rubric]
        with pytest.raises(MappingError) as err:
            parse_case(package, source="rubric.json")
        assert [p.location for p in err.value.problems] == [
            "rubric.json#/CFRubrics/0/CFRubricCriteria/0/CFRubricCriterionLevels/1/score"]


class TestProblems:
    def test_cycle_and_dangling_associations_are_all_reported(self, small_package, case_parts):
        package = small_package()
        package["CFAssociations"] += [
            case_parts.child_of("s6", "c2", "t1"),  # c2 already has a parent: a1
            case_parts.child_of("s7", "ghost", "a1"),  # unknown child
            case_parts.child_of("s8", "a2", "nowhere"),  # unknown parent (a2 already a root too)
        ]
        package["CFItems"] += [case_parts.item("p"), case_parts.item("q")]
        package["CFAssociations"] += [case_parts.child_of("s9", "p", "q"),
                                      case_parts.child_of("s10", "q", "p")]
        with pytest.raises(MappingError) as err:
            parse_case(package, source="broken.json")
        error = err.value
        assert error.exit_code == EXIT_USAGE
        found = {(p.location, p.message.split(" ")[0]) for p in error.problems}
        assert ("broken.json#/CFAssociations/6", "item") in found  # two parents
        assert ("broken.json#/CFAssociations/7/originNodeURI", "isChildOf") in found
        assert ("broken.json#/CFAssociations/8/destinationNodeURI", "isChildOf") in found
        cycle = [p for p in error.problems if "cycle" in p.message]
        assert len(cycle) == 1
        assert cycle[0].location == "broken.json#/CFAssociations/9"
        assert "p -> q -> p" in cycle[0].message or "q -> p -> q" in cycle[0].message
        assert "/CFAssociations/10" in cycle[0].hint
        assert "4 problems" in error.message

    def test_self_parent_is_a_cycle(self, small_package, case_parts):
        package = small_package()
        package["CFAssociations"][4] = case_parts.child_of("s5", "t1", "t1")
        with pytest.raises(MappingError) as err:
            parse_case(package, source="x.json")
        assert "cycle" in err.value.problems[0].message
        assert err.value.problems[0].location == "x.json#/CFAssociations/4"

    def test_wrapper_prefix_in_pointers(self, small_package, case_parts):
        package = small_package()
        package["CFAssociations"].append(case_parts.child_of("s7", "ghost", "a1"))
        with pytest.raises(MappingError) as err:
            parse_case({"CFPackage": package}, source="w.json")
        assert err.value.problems[0].location == "w.json#/CFPackage/CFAssociations/6/originNodeURI"

    def test_duplicate_identifier_and_missing_statement(self, small_package, case_parts):
        package = small_package()
        package["CFItems"].append(case_parts.item("A1", "MATH-again"))
        del package["CFItems"][1]["fullStatement"]
        with pytest.raises(MappingError) as err:
            parse_case(package, source="d.json")
        locations = {p.location for p in err.value.problems}
        assert "d.json#/CFItems/5/identifier" in locations
        assert "d.json#/CFItems/1" in locations

    def test_missing_document_and_bad_sequence(self, small_package):
        package = small_package()
        del package["CFDocument"]
        package["CFAssociations"][0]["sequenceNumber"] = "first"
        with pytest.raises(MappingError) as err:
            parse_case(package, source="m.json")
        assert {p.location for p in err.value.problems} >= {
            "m.json#/CFDocument", "m.json#/CFAssociations/0/sequenceNumber"}

    def test_not_an_object(self):
        with pytest.raises(MappingError):
            parse_case([1, 2, 3])
