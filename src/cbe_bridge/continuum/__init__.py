"""The learning continuum: import (CASE CFPackage JSON or cbe-bridge's YAML), look-up, display.

Public API (everything else in the submodules is private)::

    load_continuum(path, base_dir=None) -> Continuum      format chosen by content
    parse_continuum(text, source=...) -> Continuum        same, from text already in memory
    parse_case / parse_case_text / load_case               CASE 1.0 / 1.1 CFPackage
    parse_continuum_yaml / load_continuum_yaml             our YAML format (version: 1)
    dump_continuum_yaml(continuum) -> str                  write our YAML format
    render_tree(continuum, max_depth=None, root=None)      text tree for people
    continuum_to_dict(continuum, max_depth=None, root=None) nested dict for --format json

The models (:class:`Continuum`, :class:`ContinuumNode`, :class:`ProficiencyScale`,
:class:`ProficiencyLevel`) live in :mod:`cbe_bridge.model.continuum` and are re-exported here.
Every loader raises :class:`cbe_bridge.errors.MappingError` carrying all problems found, each
with a location (``file:line:col`` for YAML, ``file.json#/JSON/pointer`` for CASE).
"""

from cbe_bridge.continuum.case import is_case_package, load_case, parse_case, parse_case_text
from cbe_bridge.continuum.loader import detect_format, load_continuum, parse_continuum
from cbe_bridge.continuum.tree import continuum_to_dict, render_tree
from cbe_bridge.continuum.yaml_format import (
    FORMAT_VERSION,
    dump_continuum_yaml,
    load_continuum_yaml,
    parse_continuum_yaml,
)
from cbe_bridge.model.continuum import (
    Continuum,
    ContinuumNode,
    ProficiencyLevel,
    ProficiencyScale,
    node_type_key,
)

__all__ = [
    "FORMAT_VERSION",
    "Continuum",
    "ContinuumNode",
    "ProficiencyLevel",
    "ProficiencyScale",
    "continuum_to_dict",
    "detect_format",
    "dump_continuum_yaml",
    "is_case_package",
    "load_case",
    "load_continuum",
    "load_continuum_yaml",
    "node_type_key",
    "parse_case",
    "parse_case_text",
    "parse_continuum",
    "parse_continuum_yaml",
    "render_tree",
]
