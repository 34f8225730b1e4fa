"""The generator's second pass: stream each student's enrollments and results.

For every class in a student's plan this writes the student's enrollment, one result per
assessment line item (with one resultLearningObjectiveIds row per aligned learning target or
habit), and the semester's Final Grade result (percent ``score`` + letter ``textScore``; a
pass/fail course's is ``P`` or ``NC`` with no percent).
Rows are built per student and written with ``writerows``; nothing accumulates across
students except a few counters, so memory stays flat however many students there are.

The score model: a student's latent level on a target is
``BASE + ability + area offset + GROWTH * years since grade 9 + course adjustment
+ target difficulty + noise``, rounded and clamped to 1..4. Course percent grades follow the
same latent level (without per-score noise) so grades and standards scores agree loosely.
The deliberate bad rows (see :mod:`cbe_bridge.samplegen.anomalies`) are applied here.
"""

from __future__ import annotations

import random
from statistics import NormalDist
from typing import Any

from cbe_bridge.samplegen.anomalies import Anomalies
from cbe_bridge.samplegen.common import letter_for
from cbe_bridge.samplegen.district import District, plan_for

__all__ = ["write_gradebook", "BASE", "GROWTH"]

BASE = 2.15
GROWTH = 0.3
NOISE = 0.55
HABIT_BASE = 2.45
HABIT_GROWTH = 0.15
# Standard normal noise by table lookup (4096 quantiles): much cheaper than random.gauss.
_NOISE_BITS = 12
_UNIT_NOISE = tuple(NormalDist().inv_cdf((i + 0.5) / (1 << _NOISE_BITS))
                    for i in range(1 << _NOISE_BITS))
SCORE_NOISE = tuple(NOISE * z for z in _UNIT_NOISE)
CODES = ("", "LP", "IP", "P", "E")
NUMS = ("", "1", "2", "3", "4")


def _level(x: float) -> int:
    return 1 if x < 1.5 else 2 if x < 2.5 else 3 if x < 3.5 else 4


def write_gradebook(files: dict[str, Any], d: District, seed: int, anomalies: Anomalies,
                    lines: dict[str, int]) -> None:
    """Stream student enrollments, results and objective scores; ``lines`` counts the lines
    written so far per file (header included) and is updated."""
    w_enr, w_res = files["enrollments.csv"], files["results.csv"]
    w_lo, w_rss = files["resultLearningObjectiveIds.csv"], files["resultScoreScales.csv"]
    school_ids = [s.sourced_id for s in d.schools]
    terms = d.terms
    ordinal: dict[tuple[int, int, int], int] = {}
    n_enr = n_res = n_rss = 0
    for st in d.students:
        r = random.Random(((seed << 24) + st.index * 2) ^ 0x5DEECE66D)
        bits = r.getrandbits
        sid, school = st.sourced_id, school_ids[st.school]
        arrive_term, arrive_day = st.transfer if st.transfer is not None else (-1, -1)
        enr: list[tuple[str, ...]] = []
        res: list[tuple[str, ...]] = []
        los: list[tuple[str, ...]] = []
        rss: list[tuple[str, ...]] = []
        finals: list[int] = []  # indexes into res of Final Grade rows with a percent
        for term_i, course_i, fail in plan_for(st, seed, terms):
            key = (st.school, course_i, term_i)
            o = ordinal.get(key, 0)
            ordinal[key] = o + 1
            secs = d.sections[key]
            sec = secs[o % len(secs)]
            term, cid = sec.term, sec.sourced_id
            first_day = arrive_day if term_i == arrive_term else 0
            n_enr += 1
            enr.append((f"enr{n_enr}", "", "", cid, school, sid, "student", "",
                        term.days[first_day] if first_day else term.start, term.end_excl))
            t0 = term.year - st.start_year
            area = sec.area
            ab = st.ability + (st.area_offset[area] if area else 0.0)
            mu0 = BASE + ab + sec.adj
            if sec.sbg:
                text = sec.teacher.text_scores
                for a in sec.assessments:
                    if a.day < first_day:
                        continue
                    if a.habits:
                        mu = HABIT_BASE + st.habit_ability + HABIT_GROWTH * (t0 + a.year_frac)
                    else:
                        mu = mu0 + GROWTH * (t0 + a.year_frac)
                    n_res += 1
                    rid = f"r{n_res}"
                    total = 0
                    for k, oid in enumerate(a.objective_ids):
                        x = mu + a.difficulty[k] + SCORE_NOISE[bits(_NOISE_BITS)]
                        v = 1 if x < 1.5 else 2 if x < 2.5 else 3 if x < 3.5 else 4
                        total += v
                        los.append((f"{rid}.{k + 1}", "", "", rid, "case", oid,
                                    "" if text else NUMS[v], CODES[v] if text else ""))
                    overall = _level(total / len(a.objective_ids))
                    res.append((rid, "", "", a.line_item_id, sid, "fully graded",
                                "" if text else NUMS[overall], a.date, "",
                                CODES[overall] if text else "", "", "", "", "", ""))
                    if text:
                        n_rss += 1
                        rss.append((f"rss{n_rss}", "", "", "Mastery Codes E/P/IP/LP", rid,
                                    "ss-mastery-codes"))
            if fail:
                pct = 38.0 + 20.0 * r.random()
            else:
                m = (mu0 + GROWTH * (t0 + 0.25 + 0.5 * term.sem) if area
                     else HABIT_BASE + st.habit_ability + HABIT_GROWTH * t0 + 0.4)
                pct = min(100.0, max(35.0, 55.0 + 11.0 * m + 4.0 * _UNIT_NOISE[bits(_NOISE_BITS)]))
            pct = round(pct, 1)
            n_res += 1
            if sec.course.pass_fail:  # P where the letter scale passes, else NC; no percent
                res.append((f"r{n_res}", "", "", sec.final_id, sid, "fully graded", "",
                            term.last_day, "", "NC" if letter_for(pct) == "F" else "P", cid, "", "", "", ""))
                continue
            finals.append(len(res))
            res.append((f"r{n_res}", "", "", sec.final_id, sid, "fully graded", f"{pct:.1f}",
                        term.last_day, "", letter_for(pct), cid, "", "", "", ""))
        n_res += anomalies.apply(st.index, res, finals, los, lines, n_res)
        w_enr.writerows(enr)
        w_res.writerows(res)
        w_lo.writerows(los)
        w_rss.writerows(rss)
        lines["enrollments.csv"] += len(enr)
        lines["results.csv"] += len(res)
        lines["resultLearningObjectiveIds.csv"] += len(los)
        lines["resultScoreScales.csv"] += len(rss)
