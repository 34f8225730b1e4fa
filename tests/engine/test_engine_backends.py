"""The same bundle gives the same figures on SQLite and PostgreSQL, and a re-run is idempotent."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from conftest import REPO

from cbe_bridge.engine.compute import PolicySource, compute
from cbe_bridge.samplegen import generate
from cbe_bridge.sources.oneroster_csv import OneRosterCsvSource
from cbe_bridge.store.schema import course_marks, gpa, proficiency
from cbe_bridge.sync import sync_sources


@pytest.fixture(scope="module")
def district(tmp_path_factory):
    out = tmp_path_factory.mktemp("district")
    generate(out, students=24, extends=(REPO / "mappings" / "reference-district.yaml").as_posix())
    return out


def figures(store) -> dict:
    with store.engine.connect() as conn:
        return {
            "proficiency": sorted((r.student_id, r.node_id, round(r.value, 9), r.level_code, r.basis)
                                  for r in conn.execute(sa.select(proficiency))),
            "courses": sorted((r.student_id, r.class_id, r.letter, r.credits_earned, r.counted)
                              for r in conn.execute(sa.select(course_marks))),
            "gpa": sorted((r.student_id, r.scope, None if r.unweighted is None else round(r.unweighted, 9))
                          for r in conn.execute(sa.select(gpa))),
        }


def build(store, district) -> dict:
    (outcome,) = sync_sources(store, [OneRosterCsvSource("sis", district / "oneroster")])
    assert outcome.status in ("ok", "partial")
    compute(store, PolicySource((district / "mapping.yaml",)), as_of=date(2026, 11, 24), workers=1)
    return figures(store)


_reference: dict = {}


def test_figures_agree_across_backends_and_reruns(store, district):
    first = build(store, district)
    assert first["proficiency"] and first["courses"] and first["gpa"]
    (again,) = sync_sources(store, [OneRosterCsvSource("sis", district / "oneroster")], full=True)
    assert sum(c.changed for c in again.counts.values()) == 0
    compute(store, PolicySource((district / "mapping.yaml",)), as_of=date(2026, 11, 24), workers=2)
    assert figures(store) == first
    # Both backends (this test runs once per store fixture) must match each other.
    if _reference:
        assert first == _reference["figures"]
    else:
        _reference["figures"] = first
