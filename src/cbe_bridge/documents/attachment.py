"""The college attachment (school profile): the school, its grading policy, and its class.

Generated from configuration (the school), the mapping in force (scale, rules, conversion:
see :mod:`.wording`), the continuum (its structure) and the stored results of the graduating
class (distributions), so it never drifts from the transcripts it accompanies. Shares are
counts of stored figures over the students of the class; nothing is recomputed.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cbe_bridge.documents.views import Provenance, SchoolView, gpa_text, is_habit_area
from cbe_bridge.documents.wording import ScaleKey, plural
from cbe_bridge.engine.records import school_year_of
from cbe_bridge.engine.policy import Policy
from cbe_bridge.store.schema import gpa, proficiency, students

GPA_BIN = 0.25  # width of a GPA histogram bar


def share_text(share: float) -> str:
    return f"{share * 100:.0f}%"


@dataclass(frozen=True)
class Segment:
    code: str
    label: str
    count: int
    share: float  # 0-1, of the students in the class

    @property
    def text(self) -> str:
        return share_text(self.share)


@dataclass(frozen=True)
class AreaDistribution:
    code: str
    title: str
    students: int
    segments: tuple[Segment, ...]  # lowest level first, then "not assessed"
    proficient_share: float

    @property
    def proficient_text(self) -> str:
        return share_text(self.proficient_share)


@dataclass(frozen=True)
class GraduationShare:
    code: str
    title: str
    met: int
    students: int

    @property
    def text(self) -> str:
        return share_text(self.met / self.students) if self.students else "-"

    @property
    def share(self) -> float:
        return self.met / self.students if self.students else 0.0


@dataclass(frozen=True)
class GpaBin:
    low: float
    high: float
    count: int

    @property
    def label(self) -> str:
        return f"{self.low:.2f}"


@dataclass(frozen=True)
class GpaDistribution:
    students: int
    bins: tuple[GpaBin, ...]
    mean: str
    median: str
    middle_half: str  # 25th-75th percentile
    weighted_mean: str
    scale_max: float

    @property
    def peak(self) -> int:
        return max((b.count for b in self.bins), default=0)


@dataclass(frozen=True)
class StructureRow:
    depth: int
    node_types: str
    count: int


@dataclass(frozen=True)
class AreaStructure:
    code: str
    title: str
    parts: str  # "5 competencies, 14 learning targets"
    habit: bool


@dataclass
class AttachmentView:
    school: SchoolView
    key: ScaleKey
    provenance: Provenance
    class_of: int
    students: int
    continuum_title: str
    structure: list[StructureRow] = field(default_factory=list)
    areas: list[AreaStructure] = field(default_factory=list)
    distributions: list[AreaDistribution] = field(default_factory=list)
    habits: list[AreaDistribution] = field(default_factory=list)
    graduation: list[GraduationShare] = field(default_factory=list)
    graduation_all: GraduationShare | None = None
    gpa: GpaDistribution | None = None
    unofficial: bool = False
    kind: str = "attachment"

    def graduation_for(self, code: str) -> GraduationShare | None:
        return next((g for g in self.graduation if g.code == code), None)

    @property
    def title(self) -> str:
        return f"School profile, class of {self.class_of}: {self.school.name}"


def default_class_of(conn: Connection, as_of: str | None) -> int | None:
    """The graduating class: the class finishing the school year of the last computation
    (or the nearest later class, or the latest class in the store)."""
    years = sorted(y for (y,) in conn.execute(sa.select(students.c.class_of).distinct()) if y is not None)
    if not years:
        return None
    current = school_year_of(date.fromisoformat(as_of)) if as_of else years[0]
    return next((y for y in years if y >= current), years[-1])


def _where(query: sa.Select, class_of: int, school_id: str | None) -> sa.Select:
    query = query.where(students.c.class_of == class_of)
    return query.where(students.c.school_id == school_id) if school_id else query


def _structure(policy: Policy) -> tuple[list[StructureRow], list[AreaStructure]]:
    c = policy.continuum
    by_depth: dict[int, Counter[str]] = {}
    for node in c.nodes.values():
        by_depth.setdefault(node.depth, Counter())[node.node_type] += 1
    rows = [StructureRow(d, ", ".join(by_depth[d]), sum(by_depth[d].values())) for d in sorted(by_depth)]
    areas = []
    for root in c.roots():
        counts = Counter(n.node_type for n in c.descendants(root.id))
        parts = ", ".join(f"{n} {plural(t) if n != 1 else t.lower()}" for t, n in counts.items())
        areas.append(AreaStructure(root.human_code or "", root.title, parts, is_habit_area(policy, root.id)))
    return rows, areas


def _distributions(conn: Connection, policy: Policy, key: ScaleKey, class_of: int, school_id: str | None,
                   n: int) -> tuple[list[AreaDistribution], list[AreaDistribution]]:
    roots = policy.continuum.roots()
    join = sa.and_(students.c.source == proficiency.c.source, students.c.student_id == proficiency.c.student_id)
    query = _where(sa.select(proficiency.c.node_id, proficiency.c.level_code, sa.func.count())
                   .join(students, join).where(proficiency.c.node_id.in_([r.id for r in roots]))
                   .group_by(proficiency.c.node_id, proficiency.c.level_code), class_of, school_id)
    counts: dict[str, Counter[str]] = {}
    for node_id, level, count in conn.execute(query):
        counts.setdefault(node_id, Counter())[level or ""] += count
    academic, habits = [], []
    for root in roots:
        found = counts.get(root.id, Counter())
        segments = [Segment(lv.code, lv.label, found.get(lv.code, 0), found.get(lv.code, 0) / n if n else 0.0)
                    for lv in key.levels]
        missing = n - sum(s.count for s in segments)
        segments.append(Segment("", "Not yet assessed", missing, missing / n if n else 0.0))
        proficient = sum(s.share for s, lv in zip(segments, key.levels) if lv.proficient)
        block = AreaDistribution(root.human_code or "", root.title, n, tuple(segments), proficient)
        (habits if is_habit_area(policy, root.id) else academic).append(block)
    return academic, habits


def _graduation(conn: Connection, class_of: int, school_id: str | None,
                n: int) -> tuple[list[GraduationShare], GraduationShare | None]:
    met: Counter[tuple[str, str]] = Counter()
    order: list[tuple[str, str]] = []
    all_met = 0
    for (raw,) in conn.execute(_where(sa.select(students.c.graduation), class_of, school_id)):
        rows = json.loads(raw or "[]")
        for g in rows:
            req = (g.get("code") or g.get("node") or "", g.get("title") or "")
            if req not in order:
                order.append(req)
            met[req] += bool(g.get("met"))
        all_met += bool(rows) and all(g.get("met") for g in rows)
    shares = [GraduationShare(code, title, met[(code, title)], n) for code, title in order]
    return shares, (GraduationShare("", "All requirements", all_met, n) if shares else None)


def _gpa(conn: Connection, class_of: int, school_id: str | None, scale_max: float) -> GpaDistribution | None:
    join = sa.and_(students.c.source == gpa.c.source, students.c.student_id == gpa.c.student_id)
    rows = conn.execute(_where(sa.select(gpa.c.unweighted, gpa.c.weighted).join(students, join)
                               .where(gpa.c.scope == "cumulative"), class_of, school_id)).all()
    values = sorted(r[0] for r in rows if r[0] is not None)
    if not values:
        return None
    weighted = [r[1] for r in rows if r[1] is not None]
    # Bars of GPA_BIN from the lowest filled bar to the top of the scale; the top bar holds
    # the top value (4.00), as a reader expects.
    nbins = int(round(scale_max / GPA_BIN))
    first = min(int(values[0] / GPA_BIN), nbins - 1)
    counts = Counter(min(int(v / GPA_BIN + 1e-9), nbins - 1) for v in values)
    bins = tuple(GpaBin(i * GPA_BIN, (i + 1) * GPA_BIN, counts.get(i, 0)) for i in range(first, nbins))
    quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    return GpaDistribution(len(values), bins, gpa_text(statistics.fmean(values)), gpa_text(statistics.median(values)),
                           f"{gpa_text(quartiles[0])} - {gpa_text(quartiles[2])}",
                           gpa_text(statistics.fmean(weighted)) if weighted else "-", scale_max)


def attachment_view(conn: Connection, policy: Policy, *, class_of: int, school_id: str | None, school: SchoolView,
                    key: ScaleKey, provenance: Provenance) -> AttachmentView:
    """The school profile for one graduating class (``school_id`` narrows to one school)."""
    n = conn.execute(_where(sa.select(sa.func.count()).select_from(students), class_of, school_id)).scalar() or 0
    view = AttachmentView(school, key, provenance, class_of, n, policy.continuum.title)
    view.structure, view.areas = _structure(policy)
    view.distributions, view.habits = _distributions(conn, policy, key, class_of, school_id, n)
    view.graduation, view.graduation_all = _graduation(conn, class_of, school_id, n)
    view.gpa = _gpa(conn, class_of, school_id, policy.mapping.gpa.scale_max)
    return view


__all__ = ["AreaDistribution", "AttachmentView", "GpaDistribution", "GraduationShare", "Segment",
           "attachment_view", "default_class_of"]
