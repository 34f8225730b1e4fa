"""Each kind of mistake in a mapping file is reported with file:line:column and a useful message."""

from __future__ import annotations

import pytest

from cbe_bridge.errors import MappingError
from cbe_bridge.mapping import load_mapping

from .conftest import at, problems


def test_bad_yaml(write):
    path = write("m.yaml", """
        version: 1
        title: "unclosed
        """)
    [(where, message, _)] = problems(path)
    assert where.startswith(f"{path}:") and "not valid YAML" in message


def test_tabs_get_a_hint(write):
    path = write("m.yaml", "version: 1\nderived_evidence:\n\tweight: 0.5\n")
    [(where, message, hint)] = problems(path)
    assert where == at(path, 3, 1)
    assert "not valid YAML" in message and "tab" in hint


def test_duplicate_key(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        derived_evidence:
          weight: 0.5
          weight: 0.4
        """)
    [(where, message, _)] = problems(path)
    assert where == at(path, 5, 3)
    assert message == "duplicate key 'weight' (first written on line 4)"


def test_missing_version(write):
    path = write("m.yaml", """
        extends: {ref}
        """)
    [(where, message, hint)] = problems(path)
    assert where == at(path, 1, 1) and message == "missing 'version'" and "version: 1" in hint


def test_newer_version_says_upgrade(write):
    path = write("m.yaml", "version: 2\n")
    [(where, message, hint)] = problems(path)
    assert where == at(path, 1, 10)
    assert "version 2" in message and "upgrade cbe-bridge" in hint


def test_unknown_keys_get_a_suggestion(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        aggregaton:
          default: {method: mean}
        rollup:
          default: {method: k_of_n, kk: 2}
        """)
    found = problems(path)
    assert (at(path, 3, 1), "unknown key 'aggregaton'",
            "did you mean 'aggregation'?") in found
    assert (at(path, 6, 29), "rollup.default: unknown key 'kk'", "did you mean 'k'?") in found
    assert (at(path, 6, 12), "rollup.default: missing required key 'k'", None) in found


def test_bad_method(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        aggregation:
          by_node_type:
            Topic: {method: decaying_avg, weight: 0.6}
        """)
    [(where, message, hint)] = problems(path)
    assert where == at(path, 5, 12)
    assert message == "aggregation.by_node_type.Topic: unknown method 'decaying_avg'"
    assert hint == "did you mean 'decaying_average'?"


@pytest.mark.parametrize(("policy", "col", "message"), [
    ("{method: decaying_average, weight: 1.5}", 47,
     "aggregation.default.weight: must be less than or equal to 1, got 1.5"),
    ("{method: decaying_average, weight: 0}", 47,
     "aggregation.default.weight: must be greater than 0, got 0"),
    ("{method: n_times, n: 0, threshold: 3}", 33,
     "aggregation.default.n: must be greater than or equal to 1, got 0"),
    ("{method: n_times, n: 2}", 12, "aggregation.default: missing required key 'threshold'"),
])
def test_bad_params(write, policy, col, message):
    path = write("m.yaml", f"""
        version: 1
        extends: {{ref}}
        aggregation:
          default: {policy}
        """)
    [(where, found, _)] = problems(path)
    assert (where, found) == (at(path, 4, col), message)


def test_n_times_threshold_must_be_on_the_scale(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        aggregation:
          default: {method: n_times, n: 2, threshold: 7}
        """)
    [(where, message, _)] = problems(path)
    assert where == at(path, 4, 47)
    assert message == ("aggregation.default.threshold: n_times threshold 7 is outside scale "
                       "'mastery4' (1-4)")


def test_points_table_missing_a_letter(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        gpa:
          conversion:
            method: cut_points
            cuts:
              - {min: 3.5, letter: A+}
              - {min: 0, letter: F}
        """)
    [(where, message, hint)] = problems(path)
    assert where == at(path, 7, 28)
    assert message == ("gpa.conversion.cuts[0].letter: cut_points can give the letter 'A+', "
                       "which has no grade points")
    assert "gpa.points" in hint


def test_a_pass_letter_cannot_have_grade_points(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        credit_rule: {method: course_grade, pass_letters: [P, D], fail_letters: [NC]}
        """)
    [(where, message, hint)] = problems(path)
    assert where == at(path, 3, 51)
    assert message == ("credit_rule.pass_letters: 'D' has grade points (1): a letter-graded course's "
                       "letter, not a pass/fail one")
    assert "leave 'D' out of pass_letters" in hint


@pytest.mark.parametrize(("rule", "says"), [
    ("{method: course_grade, pass_letters: [P], fail_letters: []}", "fail_letters is empty"),
    ("{method: course_grade, pass_letters: [P], fail_letters: [P]}", "'P' is both a pass and a fail letter"),
])
def test_pass_and_fail_letters_come_in_pairs(write, rule, says):
    path = write("m.yaml", f"""
        version: 1
        extends: {{ref}}
        credit_rule: {rule}
        """)
    [(_, message, _)] = problems(path)
    assert says in message


def test_cut_points_must_cover_the_scale(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        gpa:
          conversion: {method: cut_points, cuts: [{min: 3, letter: A}, {min: 2, letter: B}]}
        """)
    [(where, message, hint)] = problems(path)
    assert where == at(path, 4, 42) and "lowest cut starts at 2" in message
    assert "min: 1" in hint


def test_extends_cycle(write):
    a = write("a.yaml", "version: 1\nextends: b.yaml\n")
    b = write("b.yaml", "version: 1\nextends: [a.yaml]\n")
    [(where, message, hint)] = problems(a)
    assert where == at(b, 2, 11)
    assert message == f"'extends' makes a cycle: {a} -> {b} -> {a}"
    assert "cannot extend itself" in hint


def test_extends_missing_file(write):
    path = write("m.yaml", "version: 1\nextends: nowhere.yaml\n")
    [(where, message, _)] = problems(path)
    assert where == at(path, 2, 10) and message == f"no such file: {path.parent / 'nowhere.yaml'}"


def test_regex_that_does_not_compile(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        course_alignments:
          - match: {title_pattern: "^Alg(ebra"}
            competencies: [{node: MATH.C1}]
        """)
    [(where, message, _)] = problems(path)
    assert where == at(path, 4, 28)
    assert message.startswith("course_alignments[0].match.title_pattern: title_pattern is not a "
                              "valid regular expression: missing )")


def test_one_matcher_per_rule(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        course_alignments:
          - match: {course_code: ALG1, sced: "02052"}
            competencies: [{node: MATH.C1, weight: 0}]
        """)
    found = problems(path)
    assert (at(path, 4, 12), "course_alignments[0].match: write exactly one of course_code, sced, "
            "title_pattern (found course_code, sced)", None) in found
    assert (at(path, 5, 44), "course_alignments[0].competencies[0].weight: must be greater than 0, "
            "got 0", None) in found


def test_proficiency_scale_rules(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        proficiency_scales:
          - id: bad
            title: Bad
            levels: [{code: A, label: a, value: 2}, {code: a, label: b, value: 1}]
            proficient_at: 2.5
        """)
    found = problems(path)
    assert found[0][0] == at(path, 6, 13) and "ascending" in found[0][1]


def test_proficient_at_must_be_a_level(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        proficiency_scales:
          - id: mastery4
            title: Four
            levels: [{code: A, label: a, value: 1}, {code: B, label: b, value: 2}]
            proficient_at: 1.5
        """)
    [(where, message, _)] = problems(path)
    assert where == at(path, 7, 20)
    assert message == ("proficiency_scales[0].proficient_at: proficient_at must be the value of one "
                       "of the levels (1, 2), got 1.5")


def test_every_problem_of_every_file_at_once(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        derived_evidence: {weight: 2, only_without_direct: maybe}
        habits_node_type: [Habit]
        gpa:
          weights: {honours: 0.5}
        """)
    found = problems(path)
    assert [w for w, _, _ in found] == [at(path, 3, 28), at(path, 3, 52), at(path, 4, 1),
                                        at(path, 6, 13)]
    assert found[3][2] == "did you mean 'honors'?"


def test_unknown_reference_to_a_scale(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        score_scales:
          - match: {title: X}
            scale: mastery5
            values: {"1": 1}
        """)
    [(where, message, hint)] = problems(path)
    assert where == at(path, 5, 12) and "no proficiency scale 'mastery5'" in message
    assert "mastery4" in hint


def test_missing_sections_in_a_file_without_a_base(write):
    path = write("m.yaml", "version: 1\ntitle: nothing yet\n")
    found = problems(path)
    assert {m for _, m, _ in found} == {f"missing required key {k!r}" for k in
                                        ("proficiency_scales", "aggregation", "rollup",
                                         "credit_rule", "gpa")}
    assert all(w == at(path, 1, 1) for w, _, _ in found)


def test_error_text_has_no_traceback_and_names_the_file(write):
    path = write("m.yaml", "version: 1\nextends: {ref}\nrollup: {default: {method: best}}\n")
    with pytest.raises(MappingError) as info:
        load_mapping([path])
    text = str(info.value)
    assert text.startswith(f"1 problem in {path}")
    assert f"{path}:3:19: rollup.default: unknown method 'best'" in text
    assert "Traceback" not in text


def test_sced_with_leading_zero_stays_text(write):
    path = write("m.yaml", """
        version: 1
        extends: {ref}
        course_alignments:
          - match: {sced: 02052}
            competencies: [{node: MATH.C1}]
        """)
    m = load_mapping([path])
    assert m.course_alignments[0].match.sced == "02052"
    assert m.course_alignment_for(None, "02052", None) is not None
