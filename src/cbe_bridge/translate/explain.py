"""``explain``: every figure of a student, traced back to the evidence rows it came from.

The student's figures are recomputed with the same function the bulk computation uses, so the
chain shown is exactly how the stored figure was made; a figure that differs from the stored
one (the data or the mapping changed since ``compute``) is flagged, and so is a mapping or
continuum other than the one the stored figures were computed under.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cbe_bridge.engine.compute import latest_run
from cbe_bridge.engine.figures import gpa_figures, graduation_status
from cbe_bridge.engine.policy import Policy
from cbe_bridge.engine.records import evidence_for, linked_people
from cbe_bridge.engine.student import NodeResult, StudentResult, compute_student
from cbe_bridge.identity.settings import IdentitySettings
from cbe_bridge.store.database import Store
from cbe_bridge.store.schema import proficiency
from cbe_bridge.translate.student_records import computed_under


@dataclass
class Explanation:
    result: StudentResult
    stale: list[str]  # nodes whose stored value differs from the recomputed one
    lines: list[str]


def _node_lines(policy: Policy, result: StudentResult, node_id: str, depth: int, out: list[str],
                max_evidence: int) -> None:
    node = policy.continuum.nodes[node_id]
    res: NodeResult | None = result.nodes.get(node_id)
    pad = "  " * depth
    if res is None or res.value is None:
        out.append(f"{pad}{node.human_code or node.id}  {node.title}: no evidence")
        return
    flag = {"direct": "direct", "derived": "DERIVED from course grades", "mixed": "direct + derived"}[res.basis or "direct"]
    status = "proficient" if res.proficient else "not yet proficient"
    out.append(f"{pad}{node.human_code or node.id}  {node.title}: {res.value:.2f} = level {res.level_code} "
               f"({status}; {flag}; {res.n_direct} direct, {res.n_derived} derived; last {res.last_date})")
    out.append(f"{pad}  rule: {res.rule}")
    for ev in sorted(res.evidence, key=lambda e: (e.when, e.record))[:max_evidence]:
        out.append(f"{pad}  - {policy.evidence_note(ev)}")
    if len(res.evidence) > max_evidence:
        out.append(f"{pad}  ... {len(res.evidence) - max_evidence} more evidence rows (use --all)")
    for child in res.children:
        _node_lines(policy, result, child, depth + 1, out, max_evidence)


def explain(store: Store, policy: Policy, source: str, student_id: str, node_ref: str | None = None,
            *, max_evidence: int = 8, identity: IdentitySettings | None = None) -> Explanation:
    """``identity``: the ``[identity]`` settings; linked people's evidence is the student's (as in compute)."""
    with store.engine.connect() as conn:
        linked = {} if identity is None else {
            other: people for other, people in linked_people(conn, source, [student_id]).items()
            if other in identity.sources}
        all_scores, all_grades = evidence_for(conn, source, [student_id], policy.grade_categories, identity,
                                              linked)
        scores, grades = all_scores.get(student_id, []), all_grades.get(student_id, [])
        stored = dict(conn.execute(sa.select(proficiency.c.node_id, proficiency.c.value).where(
            proficiency.c.source == source, proficiency.c.student_id == student_id)).all())
        run = latest_run(conn)  # explain the figures as of the day they were computed
    result = compute_student(policy, source, student_id, scores, grades, run.as_of if run else None)
    stale = [n for n, r in result.nodes.items()
             if r.value is not None and (stored.get(n) is None or abs(stored[n] - r.value) > 1e-9)]
    lines: list[str] = [f"Student {source}/{student_id}"]
    for other, people in sorted(linked.items()):
        lines.append(f"  also {other}/{', '.join(sorted(people))} (linked by [identity]; its evidence is "
                     f"marked '{other}:')")
    if run and not computed_under(run, policy):
        # Letters, credits and GPA may move with a mapping edit while no proficiency value does.
        lines.append("! the mapping or continuum changed since the last 'cbe-bridge compute': what follows "
                     "is made under the mapping in force, not the stored figures; run it again")
    if stale:
        lines.append(f"! {len(stale)} figure(s) differ from the stored results: the data or the mapping "
                     "changed since the last 'cbe-bridge compute'; run it again")
    if node_ref:
        node = policy.continuum.resolve(node_ref)
        if node is None:
            from cbe_bridge.errors import UsageError
            raise UsageError(f"no continuum node {node_ref!r}", hint="see 'cbe-bridge continuum show'")
        roots = [node.id]
    else:
        roots = [n.id for n in policy.continuum.roots()]
    lines.append("")
    lines.append("Proficiency (value on the proficiency scale, level, and the evidence behind it):")
    for root in roots:
        _node_lines(policy, result, root, 1, lines, max_evidence)
    if node_ref is None:
        lines.append("")
        lines.append("Courses (back-translated letter, credits):")
        for c in result.courses:
            g = c.grade
            value = f"{c.value:.2f}" if c.value is not None else "-"
            if not policy.keeps_teacher_letter(c.basis, c.letter, g.letter):
                how = f"from {value}"
            elif c.value is None:
                how = "as the teacher gave it"
            else:
                how = f"as the teacher gave it (reads {value} on the scale)"
            lines.append(f"  {g.school_year or ''} {g.course_code or g.course_id} {g.course_title or ''}: "
                         f"{c.letter or '-'} {how} [{c.basis}] credits {c.credits_earned:g}/"
                         f"{c.credits_attempted:g}{'' if c.counted else ' (failed, taken again in a later year: not in GPA)'}")
            lines.append(f"    rule: {c.rule}; teacher's grade {g.letter or '-'} ({g.record})")
            for node_id, v, w in c.competencies:
                n = policy.continuum.nodes[node_id]
                lines.append(f"    - {n.human_code or n.id} {n.title}: "
                             f"{'no evidence in this class' if v is None else f'{v:.2f}'} x weight {w:g}")
        lines.append("")
        lines.append("GPA (on the back-translated letters of the counted courses):")
        for pair in sorted(gpa_figures(policy, result.courses), key=lambda p: p.scope):
            if pair.scope.startswith("term:"):
                continue
            u, w = pair.unweighted, pair.weighted
            lines.append(f"  {pair.scope}: unweighted {u.rounded} = {u.quality_points:g} quality points / "
                         f"{u.credits:g} credits; weighted {w.rounded}")
        lines.append("")
        lines.append("Graduation requirements:")
        for row in graduation_status(policy, result):
            achieved = "-" if row["achieved"] is None else f"{row['achieved']:.2f}"
            lines.append(f"  {row['code'] or row['node']} {row['title']}: needs {row['required']:g}, "
                         f"has {achieved}: {'met' if row['met'] else 'not yet met'}")
    return Explanation(result, stale, lines)
