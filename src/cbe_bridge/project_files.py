"""Where the shipped mapping files and the sample district are found.

In a checkout (or an editable install) they are the repository's ``mappings/`` and
``samples/``; a regular install puts them under ``<prefix>/share/cbe-bridge/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from cbe_bridge.errors import ConfigError

_CHECKOUT = Path(__file__).resolve().parents[2]
_SHARE = Path(sys.prefix) / "share" / "cbe-bridge"


def _find(name: str) -> Path:
    for base in (_CHECKOUT, _SHARE):
        if (base / name).is_dir():
            return base / name
    raise ConfigError(f"cannot find the shipped '{name}' folder",
                      hint="run cbe-bridge from its source checkout (pip install -e .)")


def mappings_dir() -> Path:
    return _find("mappings")


def sample_district_dir() -> Path:
    return _find("samples") / "district"
