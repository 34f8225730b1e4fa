"""Open Badges 3.0 building blocks: issuer profile, achievements, result descriptions, ids.

Each function turns one piece of district policy or configuration into the OB 3.0 / CLR 2.0
JSON shape (VC Data Model 2.0: ``validFrom``, ``https://www.w3.org/ns/credentials/v2``).
Names follow the 1EdTech data model exactly; where a value has no OB term (the evidence
basis, the aggregation rule) it goes into a ``narrative`` in plain words rather than into
an invented property, so every consumer can show it.

Identifiers are ``urn:uuid:`` UUIDv5 values derived from stable inputs (issuer, continuum,
node, student, compute run), so the same results issued twice get the same ids and a
re-computation gets new ones.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime, time, timezone
from functools import lru_cache
from typing import Any

from cbe_bridge.config import SchoolProfile
from cbe_bridge.model.continuum import ContinuumNode, ProficiencyScale

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CLR_SCHEMA = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"

# A fixed namespace so ids are reproducible across machines and releases.
_NAMESPACE = uuid.UUID("6b0c6f1e-6f55-5a1c-9a4e-cbeb01d9e000")


def urn(*parts: object) -> str:
    """A stable ``urn:uuid:`` for the joined parts."""
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, "|".join(str(p) for p in parts)))


def timestamp(moment: datetime) -> str:
    """An OB ``DateTimeZ``: UTC, whole seconds, trailing ``Z``."""
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


@lru_cache(maxsize=4096)  # the same few hundred dates recur in every student's record
def day_start(text: str | None) -> str | None:
    """An ISO date (``YYYY-MM-DD``) as a ``DateTimeZ`` at midnight UTC; None stays None."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text[:10])
    except ValueError:
        return None
    return timestamp(datetime.combine(day, time(0, 0), tzinfo=timezone.utc))


def number_text(value: float | None, places: int = 2) -> str | None:
    """Values OB types as strings (``value``, ``points``) without float noise.

    Figures use 3 places so a value just under the threshold (2.995) never reads as it (3).
    """
    if value is None:
        return None
    return f"{round(value, places):g}"


def issuer_id(school: SchoolProfile, explicit: str | None) -> str:
    """The issuer's URI: explicit, else the school website, else a stable URN of its name."""
    if explicit:
        return explicit
    if school.website:
        return school.website
    return urn("issuer", school.name, school.district or "")


_ADDRESS = re.compile(r"^(?P<street>[^,]+),\s*(?P<city>[^,]+),\s*(?P<region>[A-Za-z]{2})\s+(?P<postal>[\w -]+)$")


def address(text: str | None) -> dict[str, Any] | None:
    """An OB Address from the configured one-line address (street, city, ST postal)."""
    if not text:
        return None
    m = _ADDRESS.match(text.strip())
    if m is None:
        return {"type": ["Address"], "streetAddress": text.strip()}
    return {"type": ["Address"], "streetAddress": m["street"].strip(), "addressLocality": m["city"].strip(),
            "addressRegion": m["region"].upper(), "postalCode": m["postal"].strip(), "addressCountryCode": "US"}


def issuer_profile(school: SchoolProfile, the_id: str) -> dict[str, Any]:
    """The issuer Profile from the ``[school]`` configuration."""
    profile: dict[str, Any] = {"id": the_id, "type": ["Profile"], "name": school.name}
    if school.website:
        profile["url"] = school.website
    if school.phone:
        profile["phone"] = school.phone
    email = next((c.email for c in school.contacts if c.email), None)
    if email:
        profile["email"] = email
    if school.programme:
        profile["description"] = school.programme
    addr = address(school.address)
    if addr:
        profile["address"] = addr
    if school.ceeb_code:
        profile["otherIdentifier"] = [{"type": "IdentifierEntry", "identifier": school.ceeb_code,
                                       "identifierType": "ext:CEEB"}]
    if school.district:
        profile["parentOrg"] = {"id": urn("district", school.district), "type": ["Profile"],
                                "name": school.district}
    return profile


def issuer_ref(profile: dict[str, Any]) -> dict[str, Any]:
    """The short form of the issuer used inside achievements (``creator``)."""
    return {"id": profile["id"], "type": ["Profile"], "name": profile["name"]}


# -- proficiency scale as result descriptions -----------------------------------------------------

def level_id(scale_rd_id: str, code: str) -> str:
    return f"{scale_rd_id}:level:{code}"


def scale_descriptions(scale: ProficiencyScale, continuum_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The scale as two ResultDescriptions: rubric levels, and the value on the scale."""
    rd_id = urn("scale", continuum_id, scale.id)
    proficient = scale.level_for(scale.proficient_at) if scale.proficient_at is not None else None
    levels = {
        "id": rd_id, "type": ["ResultDescription"], "name": scale.title,
        "resultType": "RubricCriterionLevel",
        "allowedValue": [lv.code for lv in scale.levels],
        "rubricCriterionLevel": [
            {"id": level_id(rd_id, lv.code), "type": ["RubricCriterionLevel"], "name": lv.label,
             "level": lv.code, "points": number_text(lv.value),
             **({"description": lv.description} if lv.description else {})}
            for lv in scale.levels],
    }
    if proficient is not None:
        levels["requiredLevel"] = level_id(rd_id, proficient.code)
    value = {
        "id": urn("scale-value", continuum_id, scale.id), "type": ["ResultDescription"],
        "name": f"{scale.title}: value", "resultType": "RubricScore",
        "valueMin": number_text(scale.min_value), "valueMax": number_text(scale.max_value),
    }
    if scale.proficient_at is not None:
        value["requiredValue"] = number_text(scale.proficient_at)
    return levels, value


def node_alignment(node: ContinuumNode, framework: str) -> dict[str, Any]:
    """An Alignment to a continuum node (a CASE CFItem when the node has a URI)."""
    align: dict[str, Any] = {
        "type": ["Alignment"], "targetName": node.title,
        "targetUrl": node.uri or f"urn:uuid:{node.id}",
        "targetDescription": node.statement, "targetFramework": framework,
        "targetCode": node.human_code or node.id,
    }
    if node.uri:
        align["targetType"] = "CFItem"
    return align


__all__ = ["CLR_CONTEXT", "CLR_SCHEMA", "OB_CONTEXT", "OB_SCHEMA", "SCHEMA_VALIDATOR", "VC_V2", "address",
           "day_start", "issuer_id", "issuer_profile", "issuer_ref", "level_id", "node_alignment",
           "number_text", "scale_descriptions", "timestamp", "urn"]
