"""The district's policy in plain words, for the people who read transcripts.

Every sentence here is generated from the mapping policy in force (scales, aggregation and
rollup methods, derived-evidence weight, credit rule, graduation requirements, GPA
conversion), so the school profile can never drift from the rules that made the figures on
the transcripts it accompanies. The method sentences come from the engine's own
``describe_aggregation`` / ``describe_rollup``: one description per method, shared with
``cbe-bridge explain``. Nothing here decides anything; it only says what the mapping says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cbe_bridge.engine.methods.aggregation import describe_aggregation
from cbe_bridge.engine.methods.rollup import describe_rollup
from cbe_bridge.engine.policy import Policy
from cbe_bridge.mapping import Mapping
from cbe_bridge.mapping.policies import CountRuleConversion, CutPointsConversion

COURSE_LEVEL_LABELS = {"regular": "", "honors": "Honors", "ap": "AP", "dual_enrollment": "Dual enrollment",
                       "elo": "Extended learning"}


def num(value: float | None, places: int = 2) -> str:
    """A number as printed on documents: fixed places, '-' for none."""
    return "-" if value is None else f"{value:.{places}f}"


def short(value: float) -> str:
    """3.0 -> '3', 0.5 -> '0.5' (levels, weights, thresholds as people write them)."""
    return f"{value:g}"


def plural(node_type: str) -> str:
    """'Learning Target' -> 'learning targets', 'Competency' -> 'competencies'."""
    words = node_type.strip().lower()
    if re.search(r"\d$", words):
        return f"{words} items"
    if re.search(r"[^aeiou]y$", words):
        return words[:-1] + "ies"
    if re.search(r"(s|x|ch|sh)$", words):
        return words + "es"
    return words + "s"


@dataclass(frozen=True)
class LevelKey:
    code: str
    label: str
    value: float
    value_text: str
    description: str | None
    proficient: bool  # at or above the threshold
    tone: int  # 1-4, lowest to highest: the colour the templates give the level


@dataclass(frozen=True)
class ScaleKey:
    """The proficiency scale as printed on every page and in the school profile."""

    title: str
    levels: tuple[LevelKey, ...]
    threshold: float
    threshold_label: str

    def level(self, code: str | None) -> LevelKey | None:
        wanted = (code or "").casefold()
        return next((lv for lv in self.levels if lv.code.casefold() == wanted), None)


def scale_key(mapping: Mapping) -> ScaleKey:
    """The default proficiency scale (the one figures are stored on) with its threshold."""
    scale = mapping.scale()
    last = max(len(scale.levels) - 1, 1)
    levels = tuple(LevelKey(lv.code, lv.label, lv.value, short(lv.value), lv.description,
                            lv.value >= scale.proficient_at, 1 + round(3 * i / last))
                   for i, lv in enumerate(scale.levels))
    at = scale.level_for(scale.proficient_at)
    return ScaleKey(scale.title, levels, scale.proficient_at, at.label if at else short(scale.proficient_at))


@dataclass(frozen=True)
class Statement:
    heading: str
    text: str


def _types(policy: Policy) -> tuple[list[str], dict[str, list[str]]]:
    """Node types that have leaves (evidence is aggregated there) and, per parent type, the
    types of its children (in continuum order)."""
    continuum = policy.continuum
    leaf_types: list[str] = []
    child_types: dict[str, list[str]] = {}
    for node in continuum.nodes.values():
        kids = policy.children[node.id]
        if not kids and node.node_type not in leaf_types:
            leaf_types.append(node.node_type)
        for kid in kids:
            names = child_types.setdefault(node.node_type, [])
            kid_type = continuum.nodes[kid].node_type
            if kid_type not in names:
                names.append(kid_type)
    return leaf_types, child_types


def how_proficiency_is_decided(policy: Policy) -> list[Statement]:
    """Plain-words account of the aggregation and rollup rules, evidence and thresholds."""
    m, key = policy.mapping, scale_key(policy.mapping)
    out = [Statement("Evidence", (
        f"Teachers score student work on the {key.title} against the learning targets of the continuum. "
        "Each of these scores is direct evidence of what the student knows and can do."))]
    leaf_types, child_types = _types(policy)
    for node_type in leaf_types:
        p = m.aggregation_for(node_type)
        text = describe_aggregation(p.method, **p.params(), scale_min=policy.scale.min_value,
                                    scale_max=policy.scale.max_value)
        out.append(Statement(f"A student's level on {plural(node_type)}", text))
    for node_type, kids in child_types.items():
        p = m.rollup_for(node_type)
        params = p.params()
        parts = " or ".join(plural(k) for k in kids)
        text = describe_rollup(p.method, **params, threshold=policy.threshold, parts=parts)
        if params.get("k"):
            # The engine asks for all the parts when a node has fewer than k of them.
            text += f" A {node_type.lower()} with fewer than {params['k']} {parts} needs all of them."
        out.append(Statement(f"A student's level on {plural(node_type)}", text))
    d = m.derived_evidence
    use = ("only where a learning target or competency has no direct evidence"
           if d.only_without_direct else "alongside direct evidence, blended at that weight")
    out.append(Statement("Course grades (derived evidence)", (
        "A course grade is also evidence, for the competencies the course is aligned to: the letter is read "
        f"as a percent on the grade scale and the percent as a level (below). It counts {short(d.weight)} of "
        f"a direct score and is used {use}. Results that rest on it are marked \"derived\" on transcripts.")))
    out.append(Statement("Proficient", (
        f"A result of {short(key.threshold)} ({key.threshold_label}) or above is proficient. Higher levels "
        "are reported as achieved; they are never counted as extra credit toward graduation.")))
    if m.habits_node_types:
        names = ", ".join(plural(t) for t in m.habits_node_types)
        out.append(Statement("Habits of learning", (
            f"Habits of learning ({names}) are reported separately from academic results and never count "
            "toward academic levels, credit or GPA.")))
    return out


def grade_bands(mapping: Mapping) -> list[tuple[str, str, list[str]]]:
    """For each grade scale used by a course alignment: (title, band text, letters) rows."""
    used = {a.grade_scale for a in mapping.course_alignments} or {None}
    out = []
    for scale_id in sorted(used, key=lambda s: s or ""):
        scale = mapping.grade_scale(scale_id)
        if scale is None:
            continue
        level = mapping.scale()
        bands = []
        for low, value in scale.bands():
            lv = level.level_for(value)
            bands.append(f"{short(low)}% and above: {short(value)}" + (f" ({lv.label})" if lv else ""))
        out.append((scale.title or scale.id, "; ".join(bands), list(scale.letters)))
    return out


def credit_text(mapping: Mapping) -> str:
    rule = mapping.credit_rule
    if rule.method == "course_grade":
        letters = sorted((l for l, p in mapping.gpa.points.items() if p >= rule.min_points),
                         key=lambda l: -mapping.gpa.points[l])
        which = f" ({', '.join(letters)})" if letters else ""
        text = (f"A course earns its credits when its letter carries at least {short(rule.min_points)} "
                f"grade point{'s' if rule.min_points != 1 else ''}{which}: the letter computed from "
                "proficiency, or the teacher's where the class has no standards evidence.")
        unaligned = ", which earns the credit the same way."
    else:
        text = ("A course earns its credits when every competency the course is aligned to is proficient "
                "on the class's standards evidence; where the class has none, when the teacher's letter "
                "carries grade points.")
        unaligned = ", which earns the credit when it carries grade points."
    text += (f" A course not aligned to the continuum is worth {short(rule.default_credits)} "
             f"credit and keeps the teacher's letter{unaligned}")
    if rule.pass_letters:
        text += (f" A pass/fail course is marked {' or '.join(rule.pass_letters)} when its credit is earned, "
                 f"{' or '.join(rule.fail_letters)} when not, and is left out of the GPA.")
    return text


@dataclass(frozen=True)
class Requirement:
    code: str
    title: str
    level_text: str


def graduation_requirements(policy: Policy, key: ScaleKey) -> list[Requirement]:
    out = []
    for req in policy.mapping.graduation.requirements:
        node = policy.continuum.resolve(req.node)
        level = next((lv for lv in reversed(key.levels) if lv.value <= req.level), None)
        label = f"{short(req.level)}" + (f" ({level.label})" if level else "")
        out.append(Requirement(node.human_code or "" if node else req.node, node.title if node else req.node,
                               f"{label} or above"))
    return out


@dataclass(frozen=True)
class ConversionRow:
    condition: str  # the proficiency values (or results) that give the letter
    letter: str
    points: str  # grade points, or "not in GPA"


def conversion_rows(mapping: Mapping) -> list[ConversionRow]:
    """The GPA conversion table exactly as the mapping states it."""
    g, top = mapping.gpa, mapping.scale().max_value

    def points(letter: str) -> str:
        return num(g.points[letter], 1) if letter in g.points else "not in GPA"

    conversion = g.conversion
    rows: list[ConversionRow] = []
    if isinstance(conversion, CutPointsConversion):
        upper: float | None = None
        for cut in sorted(conversion.cuts, key=lambda c: -c.min):
            cond = f"{num(cut.min)} - {num(top)}" if upper is None else f"{num(cut.min)} - under {num(upper)}"
            rows.append(ConversionRow(cond, cut.letter, points(cut.letter)))
            upper = cut.min
    elif isinstance(conversion, CountRuleConversion):
        for rule in conversion.rules:
            parts = []
            if rule.min_share_at_or_above:
                parts.append(f"at least {rule.min_share_at_or_above:.0%} of results {short(rule.at_or_above)} "
                             "or above")
            if rule.max_count_below is not None:
                parts.append(f"at most {rule.max_count_below} below {short(rule.below or 0)}")
            if rule.min_count_below is not None:
                parts.append(f"at least {rule.min_count_below} below {short(rule.below or 0)}")
            rows.append(ConversionRow("; ".join(parts) or "any results", rule.letter, points(rule.letter)))
        rows.append(ConversionRow("otherwise", conversion.otherwise, points(conversion.otherwise)))
    return rows


def conversion_method(mapping: Mapping) -> str:
    if mapping.gpa.conversion.method == "cut_points":
        return ("A course's letter is read from its proficiency value (the weighted mean of the competencies "
                "the course is aligned to, on the evidence of that class) by the cut points below; with no "
                "such evidence, the teacher's letter stands.")
    return ("A course's letter is the first rule below that the results on its learning targets satisfy "
            "(the strictest first); with no such results, the teacher's letter stands.")


def weights_text(mapping: Mapping) -> str:
    g = mapping.gpa
    bonus = [f"{COURSE_LEVEL_LABELS.get(k, k)} +{short(v)}" for k, v in g.weights.items() if v]
    if not bonus:
        return "The weighted GPA equals the unweighted GPA: no course level carries extra points."
    cap = g.scale_max + max(g.weights.values())
    return (f"The weighted GPA adds {', '.join(bonus)} to the points of a passing letter (never above "
            f"{num(cap, 1)}); a failing letter gets no bonus.")


def gpa_definition(mapping: Mapping) -> str:
    g = mapping.gpa
    text = (f"GPA is credit-weighted on a {num(g.scale_max, 1)} scale: the grade points of each course times "
            "its credits, summed and divided by the credits counted. A failed course taken again in a "
            "later school year leaves the GPA; the later grade counts.")
    if g.not_in_gpa:
        text += f" Letters without grade points ({', '.join(g.not_in_gpa)}) are left out of the GPA."
    rule = mapping.credit_rule
    if rule.pass_letters:
        text += (f" A pass/fail course ({', '.join(rule.pass_letters)} pass, {', '.join(rule.fail_letters)} fail) "
                 "is left out of the GPA.")
    return text


@dataclass(frozen=True)
class PolicyWords:
    """Every policy sentence and table the documents print, built once per batch."""

    key: ScaleKey
    statements: tuple[Statement, ...]
    grade_bands: tuple[tuple[str, str, list[str]], ...]
    credit: str
    requirements: tuple[Requirement, ...]
    conversion_method: str
    conversion: tuple[ConversionRow, ...]
    weights: str
    gpa_definition: str
    gpa_scale: str  # "4.0"
    habit_types: tuple[str, ...]
    pass_fail: tuple[tuple[str, str], ...]  # (letter, "pass" | "fail") of pass/fail courses


def policy_words(policy: Policy) -> PolicyWords:
    m = policy.mapping
    key = scale_key(m)
    return PolicyWords(key, tuple(how_proficiency_is_decided(policy)), tuple(grade_bands(m)), credit_text(m),
                       tuple(graduation_requirements(policy, key)), conversion_method(m),
                       tuple(conversion_rows(m)), weights_text(m), gpa_definition(m),
                       num(m.gpa.scale_max, 1), tuple(m.habits_node_types),
                       tuple((letter, "pass") for letter in m.credit_rule.pass_letters)
                       + tuple((letter, "fail") for letter in m.credit_rule.fail_letters))


__all__ = [
    "COURSE_LEVEL_LABELS", "ConversionRow", "PolicyWords", "policy_words", "LevelKey", "Requirement", "ScaleKey", "Statement",
    "conversion_method", "conversion_rows", "credit_text", "gpa_definition", "grade_bands",
    "graduation_requirements", "how_proficiency_is_decided", "num", "plural", "scale_key", "short",
    "weights_text",
]
