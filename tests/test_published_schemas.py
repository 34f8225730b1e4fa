"""The JSON Schemas in schemas/ match the models they are generated from."""

from __future__ import annotations

import json

from conftest import REPO

from cbe_bridge.config import config_json_schema
from cbe_bridge.schemas import REGENERATE


def test_config_schema_is_current():
    published = json.loads((REPO / "schemas" / "config.schema.json").read_text())
    assert published == config_json_schema(), (
        f"schemas/config.schema.json is out of date: regenerate it with '{REGENERATE}' and commit it")
