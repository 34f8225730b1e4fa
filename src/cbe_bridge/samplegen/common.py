"""Fixed constants shared by the generator: namespace for uuid5 identifiers, the calendar.

Everything is fixed so that the same seed and size give byte-identical output: school years
end 2024..2027, the current graduating class is the class of 2027, and every date string is
formatted once here rather than per row.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "NAMESPACE", "guid", "SCHOOL_YEARS", "CURRENT_YEAR", "Term", "build_terms", "LAST_MODIFIED",
    "CASE_BASE_URI", "LETTER_CUTS", "letter_for",
]

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://cbe-bridge.example/samplegen")
SCHOOL_YEARS: tuple[int, ...] = (2024, 2025, 2026, 2027)  # the year each school year ends
CURRENT_YEAR = SCHOOL_YEARS[-1]  # class of 2027 = seniors in the current year
LAST_MODIFIED = "2027-06-11T00:00:00Z"  # export timestamp (CASE lastChangeDateTime etc.)
CASE_BASE_URI = "https://standards.maplewood.k12.example/uri/"
# Letter grades by lowest percent (inclusive), highest first.
LETTER_CUTS: tuple[tuple[str, int], ...] = (
    ("A", 93), ("A-", 90), ("B+", 87), ("B", 83), ("B-", 80), ("C+", 77), ("C", 73), ("C-", 70),
    ("D+", 67), ("D", 63), ("D-", 60), ("F", 0))


def letter_for(percent: float) -> str:
    """The letter grade for a percent score."""
    for letter, cut in LETTER_CUTS:
        if percent >= cut:
            return letter
    return "F"


def guid(name: str) -> str:
    """Deterministic lowercase GUID for a name within the generator's namespace."""
    return str(uuid.uuid5(NAMESPACE, name))


@dataclass(frozen=True)
class Term:
    """One semester. ``end_excl`` follows OneRoster (endDate exclusive); ``days`` holds every
    instructional date string (weekdays) from start to the last day."""

    index: int  # 0..7 across the four years
    year: int  # school year (ending year)
    sem: int  # 0 = fall, 1 = spring
    sourced_id: str
    title: str  # "Fall 2023"
    code: str  # "2024F"
    start: str
    end_excl: str
    last_day: str
    days: tuple[str, ...]
    year_frac: tuple[float, ...]  # fraction of the school year at each day (0..1)


def _weekdays(start: date, end_excl: date) -> list[date]:
    out, d = [], start
    while d < end_excl:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def year_bounds(year: int) -> tuple[date, date, date, date]:
    """(fall start, fall end exclusive, spring start, spring end exclusive) for a school year."""
    return (date(year - 1, 8, 21), date(year, 1, 13), date(year, 1, 16), date(year, 6, 8))


def build_terms() -> list[Term]:
    terms: list[Term] = []
    for year in SCHOOL_YEARS:
        fall_start, fall_end, spring_start, spring_end = year_bounds(year)
        span = (spring_end - fall_start).days
        for sem, (start, end) in enumerate(((fall_start, fall_end), (spring_start, spring_end))):
            days = _weekdays(start, end)
            label = "Fall" if sem == 0 else "Spring"
            cal_year = start.year
            terms.append(Term(
                index=len(terms), year=year, sem=sem,
                sourced_id=guid(f"session/{year}/{label.lower()}"),
                title=f"{label} {cal_year}", code=f"{year}{label[0]}",
                start=start.isoformat(), end_excl=end.isoformat(),
                last_day=days[-1].isoformat(),
                days=tuple(d.isoformat() for d in days),
                year_frac=tuple((d - fall_start).days / span for d in days),
            ))
    return terms
