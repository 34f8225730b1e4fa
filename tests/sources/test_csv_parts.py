"""Splitting a large CSV file into parts of whole records (read side by side)."""

from __future__ import annotations

import csv
import io

import pytest

from cbe_bridge.sources.oneroster_csv.parts import byte_safe, open_part, split
from cbe_bridge.sources.oneroster_csv.preload import Planned, plan
from cbe_bridge.sources.oneroster_csv.files import FILES_BY_NAME


def rows_with_lines(path, parts):
    """Every part's rows, numbered as the file's lines, by reading each part as the loader does."""
    out = []
    for part in parts:
        with open_part(path, part) as raw:
            reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""))
            assert next(reader) == ["sourcedId", "score"]  # every part starts with the header
            out += [(reader.line_num + part.skipped_lines, row) for row in reader]
    return out


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("count", [2, 3, 7])
def test_parts_hold_every_record_once_with_the_files_line_numbers(tmp_path, newline, count):
    path = tmp_path / "results.csv"
    lines = ["sourcedId,score"] + [f"r{i},{i % 5}" for i in range(1, 200)]
    path.write_bytes(newline.join(lines).encode() + newline.encode())
    parts = split(path, count)
    assert parts is not None and len(parts) == count
    assert [p.start for p in parts[1:]] == [p.end for p in parts[:-1]]
    whole = [(n, line.split(",")) for n, line in enumerate(lines, 1)][1:]
    assert rows_with_lines(path, parts) == whole


def test_a_file_with_quotes_or_without_rows_is_not_split(tmp_path):
    quoted = tmp_path / "a.csv"
    quoted.write_text('sourcedId,score\nr1,"1"\nr2,2\n')
    assert split(quoted, 2) is None
    header_only = tmp_path / "b.csv"
    header_only.write_text("sourcedId,score\n")
    assert split(header_only, 2) is None


def test_a_short_file_makes_fewer_parts(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("sourcedId,score\nr1,1\n")
    parts = split(path, 4)
    assert parts is not None and len(parts) == 1
    assert rows_with_lines(path, parts) == [(2, ["r1", "1"])]


def test_only_encodings_where_a_newline_is_one_byte_are_split():
    assert byte_safe("utf-8") and byte_safe("UTF8") and byte_safe("cp1252")
    assert not byte_safe("utf-16") and not byte_safe("no-such-codec")


def test_plan_reads_the_largest_files_ahead_and_splits_them_within_the_attach_limit():
    spec = FILES_BY_NAME
    files = [Planned(spec["enrollments.csv"], False, 100 << 20), Planned(spec["lineItems.csv"], False, 10 << 20),
             Planned(spec["results.csv"], False, 400 << 20), Planned(spec["resultLearningObjectiveIds.csv"],
                                                                    False, 500 << 20)]
    planned = plan(files, 10, byte_safe=True)
    assert [(p.spec.name, p.parts) for p in planned] == [  # load order kept
        ("enrollments.csv", 2), ("lineItems.csv", 1), ("results.csv", 2), ("resultLearningObjectiveIds.csv", 2)]
    tight = plan(files, 3, byte_safe=True)  # three databases: the three largest, none split
    assert [(p.spec.name, p.parts) for p in tight] == [
        ("enrollments.csv", 1), ("results.csv", 1), ("resultLearningObjectiveIds.csv", 1)]
    assert all(p.parts == 1 for p in plan(files, 10, byte_safe=False))
