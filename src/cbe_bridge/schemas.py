"""The published JSON Schemas in ``schemas/``, generated from the models.

Regenerate after changing a model (tests fail when a checked-in file drifts)::

    python -m cbe_bridge.schemas [SCHEMAS_DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from cbe_bridge.config import config_json_schema

REGENERATE = "python -m cbe_bridge.schemas"


def published() -> dict[str, dict[str, Any]]:
    """Every published schema by file name."""
    from cbe_bridge.mapping.schema import mapping_json_schema  # noqa: PLC0415 - needs every mapping model

    return {"config.schema.json": config_json_schema(), "mapping.schema.json": mapping_json_schema()}


def schema_text(schema: dict[str, Any]) -> str:
    """A schema as the checked-in file holds it (2-space JSON, trailing newline)."""
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in published().items():
        path = folder / name
        path.write_text(schema_text(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "schemas"
    for path in write_schemas(target):
        print(f"wrote {path}")
