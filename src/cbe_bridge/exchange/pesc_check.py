"""Reading PESC XML safely, and checking transcripts against the PESC schemas and samples.

* :func:`safe_parser` / :func:`parse_xml`: no entity expansion, no DTD loading, no network;
  a document that declares a DOCTYPE is refused outright (a transcript never needs one, and
  an internal subset is how entity bombs arrive).
* :class:`CoreValidator`: the AcademicRecord (v1.13) and CoreMain (v1.19) XSDs, compiled
  through a resolver that maps their ``schemaLocation`` names onto the files at hand (and
  stands in a small ISO 3166-1 country-code type for the code list that is not shipped).
  The HighSchoolTranscript *message* schema is not among them, so the document's parts are
  validated against their AcademicRecord types: ``TransmissionData`` as
  ``TransmissionDataType`` and ``Student`` as ``K12StudentType``.
* :func:`element_paths` / :func:`precedence`: the document's structure and sibling order, to
  compare element by element with the official samples.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from cbe_bridge.errors import SourceError, UsageError

ACREC_NS = "urn:org:pesc:sector:AcademicRecord:v1.13.0"
CORE_NS = "urn:org:pesc:core:CoreMain:v1.19.0"
ISO_NS = "urn:org:pesc:codes:iso_3166-1:v1.0.0"

# Our own stand-in for the ISO 3166-1 code list CoreMain imports (the list itself is not here).
_ISO_STUB = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{ISO_NS}">
  <xs:simpleType name="CountryAlpha2CodeSimpleType">
    <xs:restriction base="xs:string"><xs:pattern value="[A-Z]{{2}}"/></xs:restriction>
  </xs:simpleType>
</xs:schema>"""

# A no-namespace schema declaring the parts of a transcript as global elements of their types.
_WRAPPER = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:AcRec="{ACREC_NS}">
  <xs:import namespace="{ACREC_NS}" schemaLocation="cbe-bridge-acrec.xsd"/>
  <xs:element name="TransmissionData" type="AcRec:TransmissionDataType"/>
  <xs:element name="Student" type="AcRec:K12StudentType"/>
</xs:schema>"""


def safe_parser(**extra: object) -> etree.XMLParser:
    """An lxml parser that never expands entities, loads a DTD or touches the network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, **extra)


def parse_xml(data: bytes, what: str = "document") -> etree._ElementTree:
    """Parse untrusted XML; refuse DOCTYPE declarations and report syntax errors plainly."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, safe_parser(remove_blank_text=True)))
    except etree.XMLSyntaxError as exc:
        raise SourceError(f"{what}: not well-formed XML ({exc})") from None
    if tree.docinfo.doctype:
        raise SourceError(f"{what}: declares a DOCTYPE; refused (entity declarations are not accepted)")
    return tree


class _Resolver(etree.Resolver):
    def __init__(self, files: dict[str, Path], strings: dict[str, str]) -> None:
        super().__init__()
        self.files, self.strings = files, strings

    def resolve(self, url, pubid, context):  # noqa: ANN001, ANN201 - lxml's signature
        name = (url or "").rsplit("/", 1)[-1]
        if name in self.strings:
            return self.resolve_string(self.strings[name], context)
        if name in self.files:
            return self.resolve_filename(str(self.files[name]), context)
        return None  # anything else stays unresolved: no network, no surprises


@dataclass(frozen=True)
class XsdProblem:
    part: str  # TransmissionData | Student
    line: int
    path: str | None
    message: str

    def __str__(self) -> str:
        return f"{self.part} {self.path or ''} (line {self.line}): {self.message}"


def _find(xsd_dir: Path, pattern: str) -> Path:
    found = sorted(xsd_dir.glob(pattern))
    if not found:
        raise UsageError(f"no {pattern} in {xsd_dir}",
                         hint="give the folder holding Academic_Record_v_1.13.xsd and CoreMain_v_1.19.xsd")
    return found[-1]


class CoreValidator:
    """The AcademicRecord/CoreMain types, compiled once per folder."""

    def __init__(self, xsd_dir: Path) -> None:
        acrec = _find(xsd_dir, "Academic_Record*1.13*.xsd")
        core = _find(xsd_dir, "CoreMain*1.19*.xsd")
        resolver = _Resolver({"cbe-bridge-acrec.xsd": acrec, "CoreMain_v1.19.0.xsd": core},
                             {"iso_3166-1_v1.0.0.xsd": _ISO_STUB})
        parser = safe_parser()
        parser.resolvers.add(resolver)
        doc = etree.fromstring(_WRAPPER.encode(), parser, base_url=str(xsd_dir / "cbe-bridge-wrapper.xsd"))
        self.schema = etree.XMLSchema(doc)

    def problems(self, root: etree._Element) -> list[XsdProblem]:
        """Schema errors of the transcript's TransmissionData and Student parts."""
        out: list[XsdProblem] = []
        for part in ("TransmissionData", "Student"):
            el = root.find(part)
            if el is None:
                out.append(XsdProblem(part, 0, None, "missing"))
                continue
            copy = etree.fromstring(etree.tostring(el), safe_parser())
            if not self.schema.validate(copy):
                out += [XsdProblem(part, e.line, e.path, e.message) for e in self.schema.error_log]
        return out


@lru_cache(maxsize=4)
def core_validator(xsd_dir: Path) -> CoreValidator:
    return CoreValidator(xsd_dir)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def element_paths(root: etree._Element, *, stop_at: str = "UserDefinedExtensions") -> set[str]:
    """Slash paths of local element names (no indexes); content below ``stop_at`` is skipped."""
    out: set[str] = set()

    def walk(el: etree._Element, prefix: str) -> None:
        path = f"{prefix}/{_local(el.tag)}"
        out.add(path)
        if _local(el.tag) == stop_at:
            return
        for child in el:
            if isinstance(child.tag, str):
                walk(child, path)

    walk(root, "")
    return out


def child_sequences(root: etree._Element) -> list[tuple[str, list[str]]]:
    """(element path, its children's local names in document order) for every element."""
    out: list[tuple[str, list[str]]] = []

    def walk(el: etree._Element, prefix: str) -> None:
        path = f"{prefix}/{_local(el.tag)}"
        children = [c for c in el if isinstance(c.tag, str)]
        out.append((path, [_local(c.tag) for c in children]))
        for child in children:
            walk(child, path)

    walk(root, "")
    return out


def precedence(root: etree._Element) -> dict[str, set[tuple[str, str]]]:
    """For each element path, the pairs (a, b) of different child names where an a comes before a b."""
    pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path, names in child_sequences(root):
        first: dict[str, int] = {}
        last: dict[str, int] = {}
        for i, name in enumerate(names):
            first.setdefault(name, i)
            last[name] = i
        # Over distinct names only: repeated siblings (Course x 15) add nothing but cost.
        pairs[path].update((a, b) for a in first for b in last if a != b and first[a] < last[b])
    return dict(pairs)


__all__ = ["CoreValidator", "XsdProblem", "child_sequences", "core_validator", "element_paths", "parse_xml",
           "precedence", "safe_parser"]
