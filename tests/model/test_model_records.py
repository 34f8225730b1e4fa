"""The canonical records, the store's tables and the CSV binding agree."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cbe_bridge.model.records import RECORD_TYPES, Result, User
from cbe_bridge.sources.oneroster_csv.files import FILES
from cbe_bridge.store.schema import CANONICAL, ENTITIES


def test_every_record_type_is_a_table_with_its_fields():
    for record in RECORD_TYPES:
        table = CANONICAL[record.entity]
        assert set(record.model_fields) <= set(table.c.keys()), record.__name__


def test_every_csv_column_lands_in_a_record_field():
    for spec in FILES:
        fields = set(ENTITIES[spec.entity].data_columns)
        for column in spec.columns:
            assert column.column in fields, f"{spec.name}: {column.header} -> {column.column}"


def test_records_validate_like_the_loader():
    ok = Result(source="sis", source_id="r1", line_item_id="li1", student_id="u1", score_status="fully graded",
                score=3.0, score_date="2025-01-17")
    assert ok.score == 3.0
    with pytest.raises(ValidationError):
        Result(source="sis", source_id="r1", line_item_id="li1", student_id="u1", score_status="x",
               score_date="01/17/2025")
    with pytest.raises(ValidationError):
        User(source="sis", source_id="u1", username="a", given_name="A", family_name="B", password="x")


def test_references_are_declared_on_the_records():
    assert ("student_id", "users") in ENTITIES["results"].references
    assert ("result_id", "results") in ENTITIES["result_objectives"].references
