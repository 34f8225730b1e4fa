"""Build the sample continuum as a 1EdTech CASE 1.0 CFPackage (JSON).

The package keeps to the fields CASE 1.0 and 1.1 share, so it also validates against the
CASE 1.1 CFPackage JSON schema: CFDocument, CFItems (identifier, uri, fullStatement,
humanCodingScheme, CFItemType + CFItemTypeURI, educationLevel, lastChangeDateTime),
``isChildOf`` CFAssociations (child -> parent, top-level areas -> the CFDocument, with
sequenceNumber), CFDefinitions.CFItemTypes and one CFRubric describing the 1-4 scale.
Identifiers are uuid5 GUIDs of the human codes, so they never change between runs or seeds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cbe_bridge.samplegen.common import CASE_BASE_URI, LAST_MODIFIED, guid
from cbe_bridge.samplegen.standards import AREAS, HABITS, HABITS_AREA

__all__ = ["ContinuumIndex", "build_case_package", "write_case_package", "RUBRIC_LEVELS",
           "DOCUMENT_TITLE"]

DOCUMENT_TITLE = "Maplewood Unified School District Graduate Competency Continuum (synthetic)"
EDUCATION_LEVELS = ["09", "10", "11", "12"]
ITEM_TYPES = ("Content Area", "Competency", "Learning Target", "Habit")
# (score, quality, description)
RUBRIC_LEVELS: tuple[tuple[int, str, str], ...] = (
    (1, "Limited Progress", "With help, shows partial understanding of the simpler parts of the "
        "target; major errors or omissions remain."),
    (2, "In Progress", "Shows understanding of the simpler parts of the target independently, but "
        "not yet of the more complex parts."),
    (3, "Proficient", "Shows understanding of the whole target, including the complex parts, "
        "independently and without major errors. This is the graduation standard."),
    (4, "Exemplary", "Goes beyond the target: applies and extends it in new, complex situations."),
)


@dataclass
class ContinuumIndex:
    """What the gradebook needs from the continuum: GUIDs and the targets of competencies."""

    guid: dict[str, str] = field(default_factory=dict)  # human code -> CASE GUID
    targets: dict[str, tuple[str, ...]] = field(default_factory=dict)  # competency -> LT codes
    habits: tuple[str, ...] = ()
    item_type: dict[str, str] = field(default_factory=dict)  # human code -> CFItemType

    def learning_targets(self) -> list[str]:
        return [c for c, t in self.item_type.items() if t == "Learning Target"]


def _link(title: str, ident: str) -> dict[str, str]:
    return {"title": title, "identifier": ident, "uri": CASE_BASE_URI + ident}


def build_case_package() -> tuple[dict[str, Any], ContinuumIndex]:
    """The CFPackage as a JSON-ready dict, plus an index of it."""
    doc_id = guid("case/document")
    doc_link = _link(DOCUMENT_TITLE, doc_id)
    type_ids = {t: guid(f"case/itemtype/{t}") for t in ITEM_TYPES}
    index = ContinuumIndex()
    items: list[dict[str, Any]] = []
    assocs: list[dict[str, Any]] = []

    def add(code: str, item_type: str, statement: str, parent: str | None, seq: int,
            title: str | None = None, enum: str | None = None) -> None:
        ident = guid(f"case/item/{code}")
        index.guid[code] = ident
        index.item_type[code] = item_type
        item: dict[str, Any] = {
            "identifier": ident,
            "uri": CASE_BASE_URI + ident,
            "fullStatement": statement,
            "humanCodingScheme": code,
        }
        if title:
            item["abbreviatedStatement"] = title
        if enum:
            item["listEnumeration"] = enum
        item.update({
            "CFItemType": item_type,
            "CFItemTypeURI": _link(item_type, type_ids[item_type]),
            "language": "en",
            "educationLevel": EDUCATION_LEVELS,
            "lastChangeDateTime": LAST_MODIFIED,
        })
        items.append(item)
        if parent is None:
            dest = doc_link
        else:
            pid = index.guid[parent]
            dest = _link(parent, pid)
        assoc_id = guid(f"case/assoc/{code}")
        assocs.append({
            "identifier": assoc_id,
            "associationType": "isChildOf",
            "sequenceNumber": seq,
            "uri": CASE_BASE_URI + assoc_id,
            "originNodeURI": _link(code, ident),
            "destinationNodeURI": dest,
            "lastChangeDateTime": LAST_MODIFIED,
        })

    for a, area in enumerate(AREAS, 1):
        add(area.code, "Content Area", area.statement, None, a, area.title)
        for c, comp in enumerate(area.competencies, 1):
            add(comp.code, "Competency", comp.statement, area.code, c, comp.title, str(c))
            codes = comp.target_codes()
            index.targets[comp.code] = codes
            for t, (code, statement) in enumerate(zip(codes, comp.targets, strict=True), 1):
                add(code, "Learning Target", statement, comp.code, t, None, str(t))
    hol_code, hol_title, hol_statement = HABITS_AREA
    add(hol_code, "Content Area", hol_statement, None, len(AREAS) + 1, hol_title)
    for h, (code, title, statement) in enumerate(HABITS, 1):
        add(code, "Habit", statement, hol_code, h, title, str(h))
    index.habits = tuple(code for code, _, _ in HABITS)

    document = {
        "identifier": doc_id,
        "uri": CASE_BASE_URI + doc_id,
        "creator": "Maplewood Unified School District (synthetic sample)",
        "title": DOCUMENT_TITLE,
        "lastChangeDateTime": LAST_MODIFIED,
        "publisher": "cbe-bridge sample generator",
        "description": "A synthetic K-12 learning continuum (high-school part) for testing "
                       "cbe-bridge: content areas, competencies and learning targets, plus "
                       "habits of learning reported separately. Not a real district's standards.",
        "subject": ["Multiple subjects"],
        "language": "en",
        "version": "2025.1",
        "adoptionStatus": "Adopted",
        "licenseURI": _link("CC0 1.0", guid("case/license/cc0")),
    }
    definitions = {
        "CFItemTypes": [{
            "identifier": type_ids[t],
            "uri": CASE_BASE_URI + type_ids[t],
            "title": t,
            "description": f"{t} in the Maplewood continuum",
            "hierarchyCode": str(i),
            "typeCode": t.replace(" ", ""),
            "lastChangeDateTime": LAST_MODIFIED,
        } for i, t in enumerate(ITEM_TYPES, 1)],
        "CFLicenses": [{
            "identifier": guid("case/license/cc0"),
            "uri": CASE_BASE_URI + guid("case/license/cc0"),
            "title": "CC0 1.0",
            "licenseText": "Synthetic sample data, dedicated to the public domain (CC0 1.0).",
            "lastChangeDateTime": LAST_MODIFIED,
        }],
    }
    rubric_id = guid("case/rubric/mastery4")
    criterion_id = guid("case/rubric/mastery4/criterion")
    rubric = {
        "identifier": rubric_id,
        "uri": CASE_BASE_URI + rubric_id,
        "title": "Proficiency Scale (1-4)",
        "description": "The district's four-level proficiency scale for every learning target "
                       "and habit; 3 (Proficient) is the threshold.",
        "lastChangeDateTime": LAST_MODIFIED,
        "CFRubricCriteria": [{
            "identifier": criterion_id,
            "uri": CASE_BASE_URI + criterion_id,
            "category": "Proficiency",
            "description": "Level of proficiency shown on a learning target",
            "position": 1,
            "rubricId": rubric_id,
            "lastChangeDateTime": LAST_MODIFIED,
            "CFRubricCriterionLevels": [{
                "identifier": guid(f"case/rubric/mastery4/level/{score}"),
                "uri": CASE_BASE_URI + guid(f"case/rubric/mastery4/level/{score}"),
                "description": description,
                "quality": quality,
                "score": score,
                "position": score,
                "rubricCriterionId": criterion_id,
                "lastChangeDateTime": LAST_MODIFIED,
            } for score, quality, description in RUBRIC_LEVELS],
        }],
    }
    package = {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": assocs,
        "CFDefinitions": definitions,
        "CFRubrics": [rubric],
    }
    return package, index


def write_case_package(path: Path) -> ContinuumIndex:
    """Write the package (stable key order, 2-space indent, trailing newline)."""
    package, index = build_case_package()
    path.write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return index
