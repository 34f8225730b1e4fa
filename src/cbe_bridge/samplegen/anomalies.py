"""The deliberate bad rows a real export would carry, placed deterministically and recorded.

Which students carry them depends only on the number of students, so the same seed and size
put them on the same lines. Each is recorded with its file, physical line number (the header
is line 1) and sourcedId, and written to ``anomalies.json`` and the README by the generator:

* ``results.csv``: a Final Grade result whose ``score`` holds the letter ("B+") instead of a
  number; one whose ``scoreDate`` is in US form (``MM/DD/YYYY``); a second row re-using an
  earlier result's sourcedId (a later correction with another score); a result for a student
  who is not in users.csv.
* ``resultLearningObjectiveIds.csv``: a score of 5 on the 1-4 scale; a row whose
  learningObjectiveId is a CASE GUID that is not in the continuum (a retired target).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from cbe_bridge.samplegen.common import guid, letter_for

__all__ = ["Anomaly", "Anomalies", "RETIRED_TARGET", "ghost_student"]

RETIRED_TARGET = guid("case/item/SCI.C5.LT1")  # a retired target: not in continuum.case.json


def ghost_student(n_students: int) -> str:
    """A student id in the usual form that users.csv never holds (a deleted record)."""
    return f"stu-{n_students + 101:06d}"


@dataclass(frozen=True)
class Anomaly:
    file: str
    line: int  # physical line, header = 1
    sourced_id: str
    kind: str
    field: str
    value: str
    note: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Anomalies:
    """Decides where the bad rows go and applies them to a student's rows before writing."""

    def __init__(self, n_students: int) -> None:
        self.non_numeric = n_students // 4
        self.bad_date = n_students // 2
        self.duplicate = (3 * n_students) // 4
        self.objective_from = n_students // 3
        self.objective_pending = True
        self.ghost = ghost_student(n_students)
        self.found: list[Anomaly] = []

    def _note(self, file: str, line: int, sid: str, kind: str, field: str, value: str,
              note: str) -> None:
        self.found.append(Anomaly(file, line, sid, kind, field, value, note))

    def apply(self, index: int, res: list[tuple[str, ...]], finals: list[int],
              los: list[tuple[str, ...]], lines: dict[str, int], n_res: int) -> int:
        """Mutate/extend one student's rows; return how many result ids were used."""
        used = 0
        base = lines["results.csv"]
        if index == self.non_numeric and finals:
            i = finals[0]
            row = list(res[i])
            row[6], row[9] = row[9], ""
            res[i] = tuple(row)
            self._note("results.csv", base + i + 1, row[0], "non_numeric_score", "score", row[6],
                       "a Final Grade result with the letter typed into the numeric score column")
        if index == self.bad_date and len(finals) > 1:
            i = finals[1]
            row = list(res[i])
            y, m, d = row[7].split("-")
            row[7] = f"{m}/{d}/{y}"
            res[i] = tuple(row)
            self._note("results.csv", base + i + 1, row[0], "bad_date", "scoreDate", row[7],
                       "scoreDate in US MM/DD/YYYY form instead of ISO 8601 YYYY-MM-DD")
        if index == self.duplicate and len(finals) > 2:
            first = res[finals[2]]
            pct = min(100.0, float(first[6]) + 3.0)
            dup = list(first)
            dup[6], dup[9] = f"{pct:.1f}", letter_for(pct)
            res.append(tuple(dup))
            self._note("results.csv", base + len(res), first[0], "duplicate_sourced_id",
                       "sourcedId", first[0],
                       f"re-uses the sourcedId of line {base + finals[2] + 1} with another score "
                       "(a later correction exported as a second row)")
            used += 1
            ghost = list(first)
            ghost[0], ghost[4], ghost[6], ghost[9] = f"r{n_res + used}", self.ghost, "85.0", "B"
            res.append(tuple(ghost))
            self._note("results.csv", base + len(res), ghost[0], "unknown_student",
                       "studentSourcedId", self.ghost,
                       "a result for a student who is not in users.csv")
        if self.objective_pending and index >= self.objective_from:
            numeric = [k for k, row in enumerate(los) if row[6]]
            if numeric:
                self.objective_pending = False
                lo_base = lines["resultLearningObjectiveIds.csv"]
                k = numeric[0]
                row = list(los[k])
                row[6] = "5"
                los[k] = tuple(row)
                self._note("resultLearningObjectiveIds.csv", lo_base + k + 1, row[0],
                           "score_out_of_scale", "score", "5",
                           "a score of 5 on the 1-4 mastery scale")
                extra = (f"{row[3]}.9", "", "", row[3], "case", RETIRED_TARGET, "3", "")
                los.insert(k + 1, extra)
                self._note("resultLearningObjectiveIds.csv", lo_base + k + 2, extra[0],
                           "unknown_objective", "learningObjectiveId", RETIRED_TARGET,
                           "a CASE GUID that is not in continuum.case.json (a retired target)")
        return used
