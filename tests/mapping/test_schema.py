"""The published JSON Schema is generated from the models and checked in; it must not drift."""

from __future__ import annotations

import jsonschema

from cbe_bridge.mapping import mapping_json_schema
from cbe_bridge.schemas import REGENERATE, schema_text

from .conftest import REPO

SCHEMA = REPO / "schemas" / "mapping.schema.json"


def test_checked_in_schema_matches_the_models():
    assert SCHEMA.exists(), f"schemas/mapping.schema.json is missing; run: {REGENERATE}"
    assert SCHEMA.read_text(encoding="utf-8") == schema_text(mapping_json_schema()), (
        f"schemas/mapping.schema.json is out of date with the models; regenerate it: {REGENERATE}")


def test_schema_is_valid_and_lets_partial_files_through():
    schema = mapping_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors({"version": 1, "extends": "base.yaml",
                                           "gpa": {"weights": {"ap": 1.0}}}))
    assert list(validator.iter_errors({"extends": "base.yaml"}))  # version is required
    bad = {"version": 1, "aggregation": {"default": {"method": "decaying_average", "weight": 2}}}
    assert list(validator.iter_errors(bad))
    assert list(validator.iter_errors({"version": 1, "agregation": {}}))
