"""Shared fixtures for the continuum tests: the real OpenSALT sample and small CASE packages."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# the shared standards folder sits beside the checkout; it is read in place, never copied
STANDARDS = (REPO_ROOT / ".." / "shared" / "standards").resolve()
CASE_SAMPLE = (STANDARDS / "case" / "samples"
               / "opensalt-framework-20c5134f-ccss-math-7RP-sample.json")
EXAMPLES = REPO_ROOT / "docs" / "examples"

DOC_ID = "d0c00000-0000-4000-8000-000000000000"


@pytest.fixture
def case_sample() -> Path:
    """The OpenSALT export of CCSS 6.RP / 7.RP, or a skip when the standards are absent."""
    if not CASE_SAMPLE.is_file():
        pytest.skip(f"shared standards not found at {CASE_SAMPLE} (needs ../shared/standards)")
    return CASE_SAMPLE


def item(
    ident: str, code: str | None = None, statement: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A CFItem with the required fields."""
    out: dict[str, Any] = {
        "identifier": ident,
        "uri": f"https://case.example.org/uri/{ident}",
        "fullStatement": statement or f"Statement of {code or ident}",
        "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
    }
    if code:
        out["humanCodingScheme"] = code
    out.update(extra)
    return out


def child_of(ident: str, child: str, parent: str, seq: int | None = None) -> dict[str, Any]:
    """An isChildOf association (parent may be DOC_ID for a root)."""
    out: dict[str, Any] = {
        "identifier": ident,
        "uri": f"https://case.example.org/uri/{ident}",
        "associationType": "isChildOf",
        "originNodeURI": {"title": child, "identifier": child,
                          "uri": f"https://case.example.org/uri/{child}"},
        "destinationNodeURI": {"title": parent, "identifier": parent,
                               "uri": f"https://case.example.org/uri/{parent}"},
        "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
    }
    if seq is not None:
        out["sequenceNumber"] = seq
    return out


SMALL_PACKAGE: dict[str, Any] = {
    "CFDocument": {
        "identifier": DOC_ID,
        "uri": f"https://case.example.org/uri/{DOC_ID}",
        "creator": "Example District",
        "title": "Example continuum",
        "version": "2.0",
        "lastChangeDateTime": "2024-01-01T00:00:00+00:00",
    },
    "CFItems": [
        item("a1", "MATH", "Mathematics", CFItemType="Content Area"),
        item("a2", "ELA", "English language arts", CFItemType="Content Area"),
        item("c2", "MATH.C2", "Geometric reasoning", CFItemType="Competency"),
        item("c1", "MATH.C1", "Algebraic reasoning", CFItemType="Competency"),
        item("t1", "MATH.C1.T1", "Linear equations", CFItemType="Learning Target",
             extensions={"dok": 3}, educationLevel=["08", "09"]),
    ],
    "CFAssociations": [
        child_of("s1", "a1", DOC_ID, 2),
        child_of("s2", "a2", DOC_ID, 1),
        child_of("s3", "c1", "a1", 1),
        child_of("s4", "c2", "a1", 2),
        child_of("s5", "t1", "c1"),
        {"identifier": "x1", "uri": "https://case.example.org/uri/x1",
         "associationType": "isRelatedTo",
         "originNodeURI": {"title": "t1", "identifier": "t1", "uri": "u"},
         "destinationNodeURI": {"title": "elsewhere", "identifier": "zzz", "uri": "u2"},
         "lastChangeDateTime": "2024-01-01T00:00:00+00:00"},
    ],
}


@pytest.fixture
def small_package() -> Callable[[], dict[str, Any]]:
    """A factory for fresh copies of a five-item package (tests may mutate their copy)."""
    return lambda: copy.deepcopy(SMALL_PACKAGE)


@pytest.fixture
def case_parts() -> Any:
    """Builders for CASE fixtures: ``item``, ``child_of`` and the document id ``DOC_ID``."""
    from types import SimpleNamespace

    return SimpleNamespace(item=item, child_of=child_of, DOC_ID=DOC_ID)


@pytest.fixture
def chugach_example() -> Path:
    """docs/examples/continuum-chugach.yaml (part of the project)."""
    return EXAMPLES / "continuum-chugach.yaml"
