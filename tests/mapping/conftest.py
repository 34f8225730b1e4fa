"""Helpers for the mapping tests: write small mapping files, collect the problems they raise."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from cbe_bridge.errors import MappingError
from cbe_bridge.mapping import load_mapping

REPO = Path(__file__).resolve().parents[2]
MAPPINGS = REPO / "mappings"
REFERENCE = MAPPINGS / "reference-district.yaml"


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write("name.yaml", text) -> path; text is dedented; '{ref}' is the reference file."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n").replace("{ref}", REFERENCE.as_posix()),
                        encoding="utf-8")
        return path

    return _write


def problems(*paths: Path) -> list[tuple[str | None, str, str | None]]:
    """(location, message, hint) of every problem loading ``paths``; fails if none."""
    with pytest.raises(MappingError) as info:
        load_mapping(list(paths))
    assert info.value.exit_code == 2
    return [(p.location, p.message, p.hint) for p in info.value.problems]


def at(path: Path, line: int, col: int) -> str:
    return f"{path}:{line}:{col}"
