"""``extends:`` and layering: merge rules, order, and where merged values came from."""

from __future__ import annotations

from cbe_bridge.mapping import load_mapping

from .conftest import REFERENCE, at, problems


def test_mappings_merge_key_by_key_and_null_removes(write):
    child = write("child.yaml", """
        version: 1
        extends: {ref}
        derived_evidence: {weight: 0.25}
        gpa:
          weights: {ap: 1.5}
        graduation:
        """)
    m = load_mapping([child])
    assert m.derived_evidence.weight == 0.25 and m.derived_evidence.only_without_direct is True
    assert dict(m.gpa.weights) == {"honors": 0.5, "ap": 1.5, "dual_enrollment": 1.0}
    assert m.gpa.conversion.method == "cut_points"  # untouched sections stay
    assert m.location_of("derived_evidence", "weight") == at(child, 3, 28)
    assert m.location_of("derived_evidence", "only_without_direct").startswith(str(REFERENCE))


def test_a_method_replaces_the_whole_choice(write):
    child = write("child.yaml", """
        version: 1
        extends: {ref}
        aggregation:
          default: {method: n_times, n: 3, threshold: 3}
        gpa:
          conversion:
            method: count_rule
            rules: [{letter: A, min_share_at_or_above: 1, at_or_above: 3}]
            otherwise: B
        """)
    m = load_mapping([child])
    assert m.aggregation.default.params() == {"n": 3, "threshold": 3}  # no 'weight' leaked in
    assert m.aggregation_for("Learning Target").method == "decaying_average"  # by_node_type kept
    assert m.gpa.conversion.method == "count_rule"


def test_scales_merge_by_id_and_rules_are_prepended(write):
    child = write("child.yaml", """
        version: 1
        extends: {ref}
        grade_scales:
          - id: letters
            letters: {A: 100}
            percent_to_level: [{min: 0, value: 3}]
          - id: pass_fail
            letters: {P: 80, F: 20}
            percent_to_level: [{min: 50, value: 3}, {min: 0, value: 1}]
        score_scales:
          - match: {title: "Proficiency 1-4"}
            values: {"4": 3}
        """)
    m = load_mapping([child])
    assert [g.id for g in m.grade_scales] == ["letters", "pass_fail"]
    assert m.letter_percent("letters", "B") is None  # replaced whole, not merged
    assert [s.match.title for s in m.score_scales] == ["Proficiency 1-4", "Proficiency 1-4"]
    assert m.translate_score("Proficiency 1-4", 4, None)[0] == 3  # the child's rule wins
    assert m.translate_score("Proficiency 1-4", None, "P")[0] == 3  # the parent's still answers


def test_files_given_together_are_layered_in_order(write):
    first = write("first.yaml", """
        version: 1
        extends: {ref}
        derived_evidence: {weight: 0.1}
        course_alignments:
          - match: {course_code: ALG1}
            competencies: [{node: A}]
        """)
    second = write("second.yaml", """
        version: 1
        derived_evidence: {weight: 0.2}
        course_alignments:
          - match: {course_code: ALG1}
            competencies: [{node: B}]
        """)
    m = load_mapping([first, second])
    assert m.derived_evidence.weight == 0.2
    assert m.course_alignment_for("ALG1", None, None).competencies[0].node == "B"
    assert len(m.source_files) == 3


def test_course_precedence_code_then_sced_then_title(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        course_alignments:
          - match: {title_pattern: "algebra"}
            competencies: [{node: T}]
          - match: {sced: "02"}
            competencies: [{node: S}]
          - match: {course_code: ALG1}
            competencies: [{node: C}]
        """)
    m = load_mapping([path])

    def node(code, sced, title):
        rule = m.course_alignment_for(code, sced, title)
        return rule.competencies[0].node if rule else None

    assert node("alg1", "02052", "Algebra I") == "C"
    assert node("ALG2", "02052", "Algebra II") == "S"
    assert node("ALG2", "03001", "Algebra II") == "T"
    assert node("BIO", "03001", "Biology") is None


def test_diamond_base_is_applied_once(write):
    a = write("a.yaml", "version: 1\nextends: {ref}\ntitle: A\n")
    b = write("b.yaml", "version: 1\nextends: [{ref}, a.yaml]\ntitle: B\n")
    m = load_mapping([a, b])
    assert [f.rsplit("/", 1)[-1] for f in m.source_files] == ["reference-district.yaml", "a.yaml",
                                                             "b.yaml"]
    assert m.title == "B" and len(m.score_scales) == 1


def test_problem_in_a_base_file_names_the_base(write):
    base = write("base.yaml", """
        version: 1
        extends: {ref}
        rollup:
          default: {method: k_of_n, k: 0}
        """)
    child = write("child.yaml", "version: 1\nextends: base.yaml\n")
    [(where, message, _)] = problems(child)
    assert where == at(base, 4, 32) and message.startswith("rollup.default.k: must be greater")


def test_extends_must_name_files(write):
    path = write("m.yaml", "version: 1\nextends: {a: b}\n")
    [(where, message, _)] = problems(path)
    assert where == at(path, 2, 10) and "'extends' must be a file name" in message


def test_parameters_alone_keep_the_inherited_method(write):
    child = write("child.yaml", """
        version: 1
        extends: {ref}
        aggregation:
          default: {weight: 0.75}
        """)
    assert load_mapping([child]).aggregation.default.model_dump() == {
        "method": "decaying_average", "weight": 0.75}
