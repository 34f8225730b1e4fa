"""load_continuum: format chosen by content, clear errors for anything else."""

from __future__ import annotations

import json

import pytest

from cbe_bridge.continuum import detect_format, load_continuum, parse_continuum
from cbe_bridge.errors import MappingError


@pytest.mark.standards
def test_case_json_by_content(case_sample, tmp_path):
    # the file name says nothing: detection is by content
    target = tmp_path / "framework.txt"
    target.write_bytes(b"\xef\xbb\xbf" + case_sample.read_bytes())  # with a BOM
    c = load_continuum(target)
    assert c.source_format == "case" and len(c.nodes) == 16


def test_yaml_and_relative_paths(chugach_example):
    c = load_continuum(chugach_example.name, base_dir=chugach_example.parent)
    assert c.source_format == "yaml" and len(c.roots()) == 3
    assert len(load_continuum(str(chugach_example)).nodes) == 33


def test_case_package_in_memory(small_package):
    text = json.dumps({"CFPackage": small_package()})
    assert detect_format(text) == "case"
    assert len(parse_continuum(text, source="mem.json").nodes) == 5


def test_our_format_written_as_json():
    text = json.dumps({"version": 1, "id": "x", "title": "X",
                       "children": [{"id": "A", "title": "A"}]})
    assert detect_format(text) == "yaml"
    assert parse_continuum(text).resolve("A").title == "A"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"hello": "world"}', "JSON, but not a CASE CFPackage"),
        ("[1, 2]", "JSON, but not a CASE CFPackage"),
        ("just: yaml\n", "not a continuum"),
        ("version: 1\ncourse_alignments: []\n", "not a continuum"),
        ("", "empty"),
        ('{"CFDocument": ', "not valid JSON"),
        ("a: [b\n", "neither JSON nor valid YAML"),
    ],
)
def test_unknown_content(content, message):
    with pytest.raises(MappingError, match=message) as err:
        parse_continuum(content, source="f")
    assert err.value.hint and "CASE" in err.value.hint


def test_mapping_file_gets_a_hint():
    with pytest.raises(MappingError) as err:
        parse_continuum("version: 1\ncontinuum: c.json\nproficiency_scales: []\n")
    assert "mapping file" in err.value.problems[0].message


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(MappingError, match="not found"):
        load_continuum(tmp_path / "nope.json")
    with pytest.raises(MappingError, match="is not a file"):
        load_continuum(tmp_path)


def test_not_utf8():
    with pytest.raises(MappingError, match="not UTF-8"):
        parse_continuum(b"\xff\xfe\x00v", source="f")
