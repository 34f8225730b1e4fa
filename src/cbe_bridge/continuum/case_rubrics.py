"""CASE ``CFRubrics`` -> proficiency scales (part of the CASE import, :mod:`.case`).

A ``CFRubric`` holds ``CFRubricCriteria``, each with ``CFRubricCriterionLevels`` (score,
quality, description, position). Each level becomes a :class:`ProficiencyLevel` with
``value = score``, ``code`` = the score as text (``"3"``, ``"2.5"``), ``label = quality`` and
``description`` (or ``feedback``); levels are sorted by score, ``position`` is not used.

* When every criterion of a rubric has the same levels (scores and qualities), the rubric is one
  scale whose id is the rubric identifier; otherwise each criterion is its own scale (id = the
  criterion identifier, title = ``"<rubric title>: <category>"``).
* ``applies_to`` lists the items named by the criteria's ``CFItemURI``.
* ``proficient_at`` is the score of the level whose quality is exactly "Proficient" (ignoring
  case); CASE has no threshold field, so otherwise it is left unset for the mapping to give.
* A rubric without scored levels is not a scale and is skipped; a level without a numeric score
  or a score used twice is a problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from cbe_bridge.model.continuum import ProficiencyLevel, ProficiencyScale

__all__ = ["number", "rubric_scales"]

Report = Callable[..., None]  # (message, json pointer, hint=None)
ItemLookup = Callable[[Any], "tuple[str | None, str]"]  # link -> (item id or None, shown)


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def number(value: Any) -> float | None:
    """A number from a JSON number or numeric string (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def rubric_scales(
    rubrics: list[Any], find_item: ItemLookup, problem: Report
) -> list[ProficiencyScale]:
    """Scales from the package's ``CFRubrics`` list; problems go to ``problem``."""
    scales: list[ProficiencyScale] = []
    for k, rubric in enumerate(rubrics):
        ptr = f"/CFRubrics/{k}"
        if not isinstance(rubric, dict) or not _text(rubric.get("identifier")):
            problem("a CFRubric must be an object with an identifier", ptr)
            continue
        rubric_id = rubric["identifier"].strip()
        title = _text(rubric.get("title")) or f"Rubric {rubric_id}"
        parts = _criteria(rubric, ptr, find_item, problem)
        if not parts:
            continue
        if len({tuple((lv.value, lv.label) for lv in p[2]) for p in parts}) == 1:
            groups = [(rubric_id, title, parts[0][2], [i for p in parts for i in p[3]])]
        else:
            groups = [(p[0], f"{title}: {p[1]}", p[2], p[3]) for p in parts]
        for ident, scale_title, levels, applies in groups:
            proficient = next(
                (lv.value for lv in levels if lv.label.casefold() == "proficient"), None)
            try:
                scales.append(ProficiencyScale(id=ident, title=scale_title, levels=levels,
                                               proficient_at=proficient,
                                               applies_to=list(dict.fromkeys(applies))))
            except ValidationError as exc:
                msg = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
                problem(f"rubric cannot be a proficiency scale: {msg}", ptr)
    return scales


def _criteria(
    rubric: dict[str, Any], ptr: str, find_item: ItemLookup, problem: Report
) -> list[tuple[str, str, list[ProficiencyLevel], list[str]]]:
    """(identifier, label, levels, item ids) per criterion that has scored levels."""
    parts = []
    criteria = rubric.get("CFRubricCriteria") or []
    for c, criterion in enumerate(criteria if isinstance(criteria, list) else []):
        cptr = f"{ptr}/CFRubricCriteria/{c}"
        if not isinstance(criterion, dict):
            problem("a CFRubricCriterion must be an object", cptr)
            continue
        levels = _levels(criterion.get("CFRubricCriterionLevels") or [], cptr, problem)
        applies: list[str] = []
        if criterion.get("CFItemURI") is not None:
            item, shown = find_item(criterion["CFItemURI"])
            if item:
                applies.append(item)
            else:
                problem(f"CFItemURI {shown} is not an item of this package", f"{cptr}/CFItemURI")
        ident = _text(criterion.get("identifier")) or f"{rubric['identifier'].strip()}-{c + 1}"
        label = _text(criterion.get("category")) or _text(criterion.get("description"))
        if levels:
            parts.append((ident, label or f"criterion {c + 1}", levels, applies))
    return parts


def _levels(raw: Any, cptr: str, problem: Report) -> list[ProficiencyLevel]:
    levels: list[ProficiencyLevel] = []
    seen: dict[float, int] = {}
    for n, level in enumerate(raw if isinstance(raw, list) else []):
        lptr = f"{cptr}/CFRubricCriterionLevels/{n}"
        score = number(level.get("score")) if isinstance(level, dict) else None
        if score is None:
            problem("rubric level without a numeric score", f"{lptr}/score",
                    "every level of a rubric used as a proficiency scale needs a score")
            continue
        if score in seen:
            problem(f"score {score:g} is used by two levels (also level {seen[score]})", lptr)
            continue
        seen[score] = n
        code = str(int(score)) if score.is_integer() else f"{score:g}"
        levels.append(ProficiencyLevel(
            code=code,
            label=_text(level.get("quality")) or code,
            value=score,
            description=_text(level.get("description")) or _text(level.get("feedback")),
        ))
    return sorted(levels, key=lambda lv: lv.value)
