"""Shared fixtures: one default-size district generated once per test session."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from cbe_bridge.samplegen import GenerationSummary, generate

REPO = Path(__file__).resolve().parents[2]
STANDARDS = REPO.parent / "shared" / "standards"


class District:
    """A generated district with cached CSV tables."""

    def __init__(self, root: Path, summary: GenerationSummary) -> None:
        self.root = root
        self.summary = summary
        self._tables: dict[str, list[dict[str, str]]] = {}

    def rows(self, name: str) -> list[dict[str, str]]:
        if name not in self._tables:
            with open(self.root / "oneroster" / name, encoding="utf-8", newline="") as fh:
                self._tables[name] = list(csv.DictReader(fh))
        return self._tables[name]

    def header(self, name: str) -> list[str]:
        with open(self.root / "oneroster" / name, encoding="utf-8", newline="") as fh:
            return next(csv.reader(fh))

    def case(self) -> dict[str, Any]:
        return json.loads((self.root / "continuum.case.json").read_text(encoding="utf-8"))

    def anomalies(self) -> list[dict[str, Any]]:
        return json.loads((self.root / "anomalies.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def district(tmp_path_factory: pytest.TempPathFactory) -> District:
    root = tmp_path_factory.mktemp("district")
    return District(root, generate(root))
