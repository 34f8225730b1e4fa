"""A student's stored results as one JSON-ready document (what the demo writes per student)."""

from __future__ import annotations

import json
from collections import defaultdict

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge.engine.compute import ComputeRun
from cbe_bridge.engine.policy import Policy
from cbe_bridge.store.schema import CANONICAL, gpa, proficiency, students
from cbe_bridge.translate.gpa_report import course_lines


def student_documents(conn: Connection, policy: Policy, compute_run: ComputeRun) -> dict[tuple[str, str], dict]:
    """Every computed student's results, keyed by (source, student id)."""
    users = CANONICAL["users"]
    docs: dict[tuple[str, str], dict] = {}
    query = sa.select(students, users.c.identifier).join(
        users, sa.and_(users.c.source == students.c.source, users.c.source_id == students.c.student_id),
        isouter=True)
    for row in conn.execute(query).mappings():
        key = (row["source"], row["student_id"])
        docs[key] = {
            "student": {"source": row["source"], "id": row["student_id"], "local_id": row["identifier"],
                        "grade_level": row["grade_level"], "class_of": row["class_of"]},
            "computed": {"run": compute_run.id, "as_of": compute_run.as_of,
                         "mapping_fingerprint": compute_run.mapping_fingerprint,
                         "continuum": compute_run.continuum_id, "cbe_bridge": compute_run.version},
            "graduation": json.loads(row["graduation"] or "[]"),
            "proficiency": [], "courses": [], "gpa": {},
        }
    nodes = policy.continuum.nodes
    order = {node_id: i for i, node_id in enumerate(nodes)}
    by_student: dict[tuple[str, str], list] = defaultdict(list)
    for row in conn.execute(sa.select(proficiency)).mappings():
        by_student[(row["source"], row["student_id"])].append(row)
    for key, rows in by_student.items():
        if key not in docs:
            continue
        docs[key]["proficiency"] = [
            {"node": r["node_id"], "code": nodes[r["node_id"]].human_code if r["node_id"] in nodes else None,
             "title": nodes[r["node_id"]].title if r["node_id"] in nodes else None,
             "value": round(r["value"], 4), "level": r["level_code"], "proficient": r["proficient"],
             "basis": r["basis"], "evidence": {"direct": r["n_direct"], "derived": r["n_derived"]},
             "last_evidence": r["last_date"], "rule": r["rule"]}
            for r in sorted(rows, key=lambda r: order.get(r["node_id"], 0))]
    for row in conn.execute(sa.select(gpa).where(~gpa.c.scope.like("term:%"))).mappings():
        key = (row["source"], row["student_id"])
        if key in docs:
            docs[key]["gpa"][row["scope"]] = {"unweighted": row["unweighted"], "weighted": row["weighted"],
                                              "credits": row["credits"]}
    for key, doc in docs.items():
        doc["courses"] = [
            {k: c[k] for k in ("school_year", "course_code", "title", "source_letter", "letter", "value",
                               "basis", "course_level", "credits_attempted", "credits_earned", "counted")}
            for c in course_lines(conn, *key)]
    return docs


__all__ = ["student_documents"]
