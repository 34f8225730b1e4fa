"""The shape ``cbe-bridge verify`` holds a credential to when no 1EdTech schema is at hand.

Written for this project from the CLR 2.0 and Open Badges 3.0 data models in their VC Data
Model 2.0 form (``validFrom``, the v2 context): what must be there and of which type. It is
deliberately smaller than the official JSON Schemas (which ``verify --schema-dir`` applies on
top, and which the tests apply to every credential the demo emits); it ships with the package
so a verifier works offline and without the standards folder.
"""

from __future__ import annotations

from typing import Any

DATETIME_Z = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
VC_V2 = "https://www.w3.org/ns/credentials/v2"


def _typed(name: str) -> dict[str, Any]:
    """A ``type`` that is an array containing ``name`` (OB 3.0 allows a bare string for some)."""
    return {"oneOf": [{"const": name},
                      {"type": "array", "minItems": 1, "items": {"type": "string"}, "contains": {"const": name}}]}


_DEFS: dict[str, Any] = {
    "DateTimeZ": {"type": "string", "pattern": DATETIME_Z},
    "Profile": {
        "type": "object", "required": ["id", "type"],
        "properties": {"id": {"type": "string", "minLength": 1}, "type": _typed("Profile"),
                       "name": {"type": "string"}},
    },
    "ProfileRef": {"oneOf": [{"type": "string", "minLength": 1}, {"$ref": "#/$defs/Profile"}]},
    "Alignment": {
        "type": "object", "required": ["type", "targetName", "targetUrl"],
        "properties": {"type": _typed("Alignment"), "targetName": {"type": "string"},
                       "targetUrl": {"type": "string", "minLength": 1}},
    },
    "RubricCriterionLevel": {
        "type": "object", "required": ["id", "type", "name"],
        "properties": {"id": {"type": "string"}, "type": _typed("RubricCriterionLevel"), "name": {"type": "string"},
                       "points": {"type": "string"}, "level": {"type": "string"}},
    },
    "ResultDescription": {
        "type": "object", "required": ["id", "type", "name", "resultType"],
        "properties": {"id": {"type": "string"}, "type": _typed("ResultDescription"), "name": {"type": "string"},
                       "resultType": {"type": "string"},
                       "rubricCriterionLevel": {"type": "array", "items": {"$ref": "#/$defs/RubricCriterionLevel"}},
                       "allowedValue": {"type": "array", "items": {"type": "string"}}},
    },
    "Result": {
        "type": "object", "required": ["type"],
        "properties": {"type": _typed("Result"), "achievedLevel": {"type": "string"},
                       "resultDescription": {"type": "string"}, "value": {"type": "string"},
                       "status": {"enum": ["Completed", "Enrolled", "Failed", "InProgress", "OnHold",
                                           "Provisional", "Withdrew"]}},
    },
    "Achievement": {
        "type": "object", "required": ["id", "type", "criteria", "description", "name"],
        "properties": {"id": {"type": "string", "minLength": 1}, "type": _typed("Achievement"),
                       "name": {"type": "string"}, "description": {"type": "string"},
                       "criteria": {"type": "object"}, "creditsAvailable": {"type": "number"},
                       "alignment": {"type": "array", "items": {"$ref": "#/$defs/Alignment"}},
                       "resultDescription": {"type": "array", "items": {"$ref": "#/$defs/ResultDescription"}}},
    },
    "AchievementCredential": {
        "type": "object", "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject"],
        "properties": {
            "@context": {"type": "array", "minItems": 2, "prefixItems": [{"const": VC_V2}],
                         "contains": {"type": "string", "pattern": r"^https://purl\.imsglobal\.org/spec/ob/v3p0/"}},
            "id": {"type": "string", "minLength": 1},
            "type": {"type": "array", "allOf": [{"contains": {"const": "VerifiableCredential"}},
                                                {"contains": {"enum": ["AchievementCredential",
                                                                       "OpenBadgeCredential"]}}]},
            "issuer": {"$ref": "#/$defs/ProfileRef"},
            "validFrom": {"$ref": "#/$defs/DateTimeZ"}, "validUntil": {"$ref": "#/$defs/DateTimeZ"},
            "credentialSubject": {
                "type": "object", "required": ["type", "achievement"],
                "properties": {"type": _typed("AchievementSubject"), "achievement": {"$ref": "#/$defs/Achievement"},
                               "result": {"type": "array", "items": {"$ref": "#/$defs/Result"}},
                               "creditsEarned": {"type": "number"}},
            },
        },
    },
}

CLR_CREDENTIAL_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ClrCredential (CLR 2.0, VC Data Model 2.0 shape) as cbe-bridge verifies it",
    "type": "object",
    "required": ["@context", "id", "type", "issuer", "validFrom", "name", "credentialSubject"],
    "properties": {
        "@context": {"type": "array", "minItems": 3, "prefixItems": [{"const": VC_V2}],
                     "allOf": [{"contains": {"type": "string",
                                             "pattern": r"^https://purl\.imsglobal\.org/spec/clr/v2p0/"}},
                               {"contains": {"type": "string",
                                             "pattern": r"^https://purl\.imsglobal\.org/spec/ob/v3p0/"}}]},
        "id": {"type": "string", "minLength": 1},
        "type": {"type": "array", "allOf": [{"contains": {"const": "VerifiableCredential"}},
                                            {"contains": {"const": "ClrCredential"}}]},
        "issuer": {"$ref": "#/$defs/ProfileRef"},
        "validFrom": {"$ref": "#/$defs/DateTimeZ"}, "validUntil": {"$ref": "#/$defs/DateTimeZ"},
        "name": {"type": "string", "minLength": 1},
        "credentialSubject": {
            "type": "object", "required": ["type", "verifiableCredential"],
            "properties": {
                "type": _typed("ClrSubject"),
                "verifiableCredential": {"type": "array", "minItems": 1,
                                         "items": {"$ref": "#/$defs/AchievementCredential"}},
                "achievement": {"type": "array", "items": {"$ref": "#/$defs/Achievement"}},
                "association": {"type": "array", "items": {
                    "type": "object", "required": ["type", "associationType", "sourceId", "targetId"]}},
            },
        },
        "credentialSchema": {"type": "array", "items": {"type": "object", "required": ["id", "type"]}},
    },
    "$defs": _DEFS,
}

__all__ = ["CLR_CREDENTIAL_SCHEMA", "DATETIME_Z"]
