"""What the engine reads per student: a result's own objective scores, else its line item's
alignment, on SQLite and PostgreSQL."""

from __future__ import annotations

from cbe_bridge.engine.records import ScoreRow, scores_for
from cbe_bridge.store.schema import CANONICAL


def _insert(conn, table: str, *rows: dict) -> None:
    columns = dict.fromkeys(CANONICAL[table].columns.keys())
    conn.execute(CANONICAL[table].insert(), [{**columns, "source": "sis", **row} for row in rows])


def test_scores_come_from_result_objectives_else_from_the_line_items_alignment(store):
    with store.engine.begin() as conn:
        _insert(conn, "score_scales", {"source_id": "sc1", "title": "Four-point"},
                {"source_id": "sc2", "title": "Percent"})
        _insert(conn, "line_items",
                {"source_id": "li1", "class_id": "k1", "result_min": 0, "result_max": 4},
                {"source_id": "li2", "class_id": "k1", "result_min": 0, "result_max": 100},
                {"source_id": "li3", "class_id": "k1"})  # aligned to nothing
        _insert(conn, "line_item_objectives",
                {"source_id": "a1", "line_item_id": "li1", "objective_id": "LO-1"},
                {"source_id": "a2", "line_item_id": "li2", "objective_id": "LO-2"},
                {"source_id": "a3", "line_item_id": "li2", "objective_id": "LO-3"})
        _insert(conn, "line_item_score_scales", {"source_id": "ls1", "line_item_id": "li2", "score_scale_id": "sc2"})
        _insert(conn, "results",
                # r1 carries per-objective scores: those count, not li1's alignment
                {"source_id": "r1", "line_item_id": "li1", "student_id": "u1", "score": 3.0,
                 "score_date": "2025-01-10"},
                # r2 has none: its score counts once per objective li2 is aligned to
                {"source_id": "r2", "line_item_id": "li2", "student_id": "u1", "class_id": "k9",
                 "score": 88.0, "text_score": "B+", "score_date": "2025-01-11"},
                {"source_id": "r3", "line_item_id": "li3", "student_id": "u1", "score": 1.0},
                {"source_id": "r4", "line_item_id": "li2", "student_id": "u2", "score": 50.0})
        _insert(conn, "result_objectives",
                {"source_id": "ro1", "result_id": "r1", "objective_id": "LO-7", "score": 4.0},
                {"source_id": "ro2", "result_id": "r1", "objective_id": "LO-8", "text_score": "M"})
        _insert(conn, "result_score_scales", {"source_id": "rs1", "result_id": "r1", "score_scale_id": "sc1"})

    with store.engine.connect() as conn:
        found = scores_for(conn, "sis", ["u1"])

    assert set(found) == {"u1"}
    rows = sorted(found["u1"], key=lambda r: r.objective_id)
    assert rows == [
        ScoreRow("LO-2", 88.0, "B+", "2025-01-11", "results/r2", "k9", "li2", 0, 100, "Percent"),
        ScoreRow("LO-3", 88.0, "B+", "2025-01-11", "results/r2", "k9", "li2", 0, 100, "Percent"),
        ScoreRow("LO-7", 4.0, None, "2025-01-10", "result_objectives/ro1", "k1", "li1", 0, 4, "Four-point"),
        ScoreRow("LO-8", None, "M", "2025-01-10", "result_objectives/ro2", "k1", "li1", 0, 4, "Four-point"),
    ]
