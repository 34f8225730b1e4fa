"""What the store holds that the mapping does not cover (``cbe-bridge mapping coverage``).

Uncovered courses contribute no derived evidence and keep their teacher's letter on the
traditional transcript; uncovered objectives' scores are not used at all; uncovered score
scales are read on the proficiency scale only when their values fit it. Each gap is listed
so the district can extend its mapping.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from cbe_bridge.engine.policy import Policy
from cbe_bridge.store.database import Store


@dataclass
class Gap:
    kind: str  # course | objective | score_scale
    source: str
    id: str
    code: str | None
    title: str | None
    records: int  # how many records the gap affects


_COURSES = """
SELECT co.source, co.source_id, co.course_code, co.sced_code, co.title,
       (SELECT COUNT(*) FROM classes c WHERE c.source = co.source AND c.course_id = co.source_id)
FROM courses co ORDER BY co.source, co.course_code, co.source_id
"""
_OBJECTIVES = """
SELECT source, objective_id, COUNT(*) FROM (
  SELECT source, objective_id FROM result_objectives
  UNION ALL SELECT source, objective_id FROM line_item_objectives
) x GROUP BY source, objective_id ORDER BY source, objective_id
"""
_SCALES = "SELECT source, source_id, title FROM score_scales ORDER BY source, title"


def coverage(store: Store, policy: Policy) -> list[Gap]:
    gaps: list[Gap] = []
    with store.engine.connect() as conn:
        for source, cid, code, sced, title, classes in conn.execute(sa.text(_COURSES)):
            if policy.alignment_for(code, sced, title) is None:
                gaps.append(Gap("course", source, cid, code or sced, title, classes))
        for source, objective, count in conn.execute(sa.text(_OBJECTIVES)):
            if policy.node_for_objective(objective) is None:
                gaps.append(Gap("objective", source, objective, None, None, count))
        for source, sid, title in conn.execute(sa.text(_SCALES)):
            if not policy.mapping.covers_score_scale(title):
                gaps.append(Gap("score_scale", source, sid, None, title, 0))
    return gaps
