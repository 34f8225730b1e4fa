"""Regenerate the published JSON Schemas: ``python -m cbe_bridge.schemas [SCHEMAS_DIR]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cbe_bridge.config import config_json_schema


def write_schemas(folder: Path) -> list[Path]:
    from cbe_bridge.mapping.schema import mapping_json_schema  # noqa: PLC0415

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in (("config.schema.json", config_json_schema()),
                         ("mapping.schema.json", mapping_json_schema())):
        path = folder / name
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "schemas"
    for path in write_schemas(target):
        print(f"wrote {path}")
