"""PESC High School Transcripts for every demo student: XSD types, the samples' structure, safe XML."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner
from lxml import etree

from cbe_bridge.cli import main
from cbe_bridge.errors import SourceError
from cbe_bridge.exchange.pesc import CBE_NS, HS_NS, PescBuilder, PescOptions, clean, to_bytes
from cbe_bridge.exchange.pesc_check import core_validator, element_paths, parse_xml, precedence
from tests.conftest import standards_path
from tests.exchange.conftest import NOW

SAMPLES_V150 = ["NovaScotia_HighSchoolTranscript.xml", "NovaScotia_HighSchoolTranscript3.xml"]
# Elements we write that the two v1.5.0 samples happen not to use; each is in the
# AcademicRecord/CoreMain types (the XSD test proves it), most in the Ontario sample too.
NOT_IN_SAMPLES = {
    "/HighSchoolTranscript/TransmissionData/Source/Organization/CEEBACT",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/Address",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/Address/AddressLine",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/Address/City",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/Address/StateProvinceCode",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/Address/PostalCode",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/Phone",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/Phone/AreaCityCode",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/Phone/PhoneNumber",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/URL",
    "/HighSchoolTranscript/TransmissionData/Source/Organization/Contacts/URL/URLAddress",
    "/HighSchoolTranscript/TransmissionData/DocumentOfficialCode",
    "/HighSchoolTranscript/TransmissionData/DocumentCompleteCode",
    "/HighSchoolTranscript/Student/AcademicRecord/School/CEEBACT",
    "/HighSchoolTranscript/Student/AcademicRecord/School/Contacts/Address/StateProvinceCode",
    "/HighSchoolTranscript/Student/AcademicRecord/School/Contacts/Phone/AreaCityCode",
    "/HighSchoolTranscript/Student/AcademicRecord/School/Contacts/Email",
    "/HighSchoolTranscript/Student/AcademicRecord/School/Contacts/Email/EmailAddress",
    "/HighSchoolTranscript/Student/AcademicRecord/School/Contacts/URL",
    "/HighSchoolTranscript/Student/AcademicRecord/School/Contacts/URL/URLAddress",
    "/HighSchoolTranscript/Student/AcademicRecord/StudentLevel/StudentLevelCode",
    "/HighSchoolTranscript/Student/AcademicRecord/UserDefinedExtensions",
    "/HighSchoolTranscript/Student/AcademicRecord/AcademicSummary",
    *(f"/HighSchoolTranscript/Student/AcademicRecord/{where}AcademicSummary/{leaf}"
      for where in ("", "AcademicSession/")
      for leaf in ("AcademicSummaryType", "AcademicSummaryLevel", "GPA", "NoteMessage", "GPA/CreditHoursAttempted",
                   "GPA/CreditHoursEarned", "GPA/CreditUnit", "GPA/GradePointAverage", "GPA/TotalQualityPoints",
                   "GPA/CreditHoursforGPA", "GPA/GPARangeMinimum", "GPA/GPARangeMaximum")),
    "/HighSchoolTranscript/Student/AcademicRecord/AcademicSession/AcademicSummary",
    "/HighSchoolTranscript/Student/AcademicRecord/AcademicSession/AcademicSessionDetail/SessionName",
    "/HighSchoolTranscript/Student/AcademicRecord/AcademicSession/AcademicSessionDetail/SessionType",
    *(f"/HighSchoolTranscript/Student/AcademicRecord/AcademicSession/Course/{leaf}"
      for leaf in ("CourseRepeatCode", "CourseFiveDigitSCEDCode", "CourseSCEDCode", "CourseLevel",
                   "CourseGPAApplicabilityCode")),
}


@pytest.fixture(scope="module")
def documents(policy, settings, exported):
    run, records = exported
    builder = PescBuilder(policy, settings.school, run, NOW, PescOptions(destination="State University"))
    return [(rec, builder.build(rec)) for rec in records]


@pytest.fixture(scope="module")
def samples():
    return [parse_xml(standards_path("pesc", "samples", name).read_bytes(), name).getroot() for name in SAMPLES_V150]


def test_every_transcript_validates_against_the_academic_record_and_core_xsds(documents):
    validator = core_validator(standards_path("pesc", "xsd"))
    for rec, root in documents:
        problems = validator.problems(root)
        assert not problems, f"{rec.person.student_id}: {[str(p) for p in problems[:5]]}"


def test_the_validator_catches_what_the_schema_forbids(documents):
    validator = core_validator(standards_path("pesc", "xsd"))
    root = parse_xml(to_bytes(documents[0][1])).getroot()
    root.find("TransmissionData/TransmissionType").text = "Sometimes"
    course = root.find("Student/AcademicRecord/AcademicSession/Course")
    course.insert(0, etree.Element("CourseColour"))
    messages = " ".join(str(p) for p in validator.problems(root))
    assert "Sometimes" in messages and "CourseColour" in messages


def test_structure_matches_the_official_samples_element_by_element(documents, samples):
    sample_paths = set().union(*(element_paths(s) for s in samples))
    sample_order: dict[str, set[tuple[str, str]]] = {}
    for s in samples:
        for parent, pairs in precedence(s).items():
            sample_order.setdefault(parent, set()).update(pairs)
    ours_all: set[str] = set()
    for _rec, root in documents:
        assert root.tag == f"{{{HS_NS}}}HighSchoolTranscript"
        assert all(el.tag.startswith(f"{{{CBE_NS}}}") or "}" not in el.tag
                   for el in root.iter() if isinstance(el.tag, str) and el is not root)
        ours_all |= element_paths(root)
        # Siblings that the samples also have never come in the opposite order to theirs.
        for parent, pairs in precedence(root).items():
            reversed_pairs = {(a, b) for a, b in pairs if (b, a) in sample_order.get(parent, set())}
            assert not reversed_pairs, f"{parent}: {sorted(reversed_pairs)} come the other way round in the samples"
    unexpected = ours_all - sample_paths - NOT_IN_SAMPLES
    assert not unexpected, sorted(unexpected)
    core = {"/HighSchoolTranscript/TransmissionData/DocumentID", "/HighSchoolTranscript/Student/Person/Name/LastName",
            "/HighSchoolTranscript/Student/AcademicRecord/AcademicSession/Course/CourseAcademicGrade",
            "/HighSchoolTranscript/Student/AcademicRecord/AcademicSession/AcademicSessionDetail/SessionSchoolYear",
            "/HighSchoolTranscript/Student/AcademicRecord/AcademicSession/Course/CourseCreditEarned"}
    assert core <= ours_all & sample_paths


def test_a_transcript_says_what_the_store_says(documents, policy):
    rec, root = next(d for d in documents if d[0].person.student_id == "stu-000001")
    record = root.find("Student/AcademicRecord")
    assert root.findtext("Student/Person/Name/LastName") == rec.person.family_name
    assert root.findtext("TransmissionData/Destination/Organization/OrganizationName") == "State University"
    summary = record.find("AcademicSummary")
    assert summary.findtext("AcademicSummaryType") == "NonWeighted"
    assert float(summary.findtext("GPA/GradePointAverage")) == pytest.approx(rec.gpa["cumulative"].unweighted, abs=5e-4)
    assert float(summary.findtext("GPA/TotalQualityPoints")) == pytest.approx(rec.gpa["cumulative"].quality_points)
    courses = record.findall("AcademicSession/Course")
    assert len(courses) == len(rec.courses)
    assert [c.findtext("CourseAcademicGrade") for c in courses] == [m.letter for m in rec.courses]
    assert sum(float(c.findtext("CourseCreditEarned")) for c in courses) == pytest.approx(
        sum(m.credits_earned for m in rec.courses))
    years = [s.findtext("AcademicSessionDetail/SessionSchoolYear") for s in record.findall("AcademicSession")]
    assert years == sorted(years) and years[0].endswith(str(min(m.school_year for m in rec.courses)))
    ext = record.find(f"UserDefinedExtensions/{{{CBE_NS}}}CompetencyTranscript")
    comps = ext.findall(f"{{{CBE_NS}}}Competency")
    continuum = policy.continuum
    expected = [n for n in continuum.nodes.values() if n.id in rec.figures and not continuum.is_leaf(n.id)]
    assert [c.get("id") for c in comps] == [n.id for n in expected]
    first = comps[0]
    fig = rec.figures[first.get("id")]
    assert first.get("level") == fig.level_code and first.get("basis") == fig.basis
    assert float(first.get("value")) == pytest.approx(fig.value, abs=5e-4)
    assert ext.find(f"{{{CBE_NS}}}Attachment").get("href") == "school-profile.pdf"
    assert all(len(n.text) <= 80 for n in root.iter("NoteMessage"))


def test_xml_is_parsed_without_entities_or_network():
    bomb = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><r>&b;</r>'
    with pytest.raises(SourceError, match="DOCTYPE"):
        parse_xml(bomb)
    external = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/x.dtd"><r/>'
    with pytest.raises(SourceError, match="DOCTYPE"):
        parse_xml(external)
    with pytest.raises(SourceError, match="well-formed"):
        parse_xml(b"<r>")
    assert clean("a\x00b\x1fc") == "abc" and len(clean("word " * 40, 80)) <= 80


def test_pesc_command_writes_owner_only_validated_files(demo, tmp_path):
    out = tmp_path / "pesc"
    result = CliRunner().invoke(main, ["--config", str(demo.config), "pesc", "stu-000001", "--out", str(out),
                                       "--xsd-dir", str(standards_path("pesc", "xsd")), "--official"])
    assert result.exit_code == 0, result.output
    path = out / "stu-000001.pesc.xml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and "validated" in result.output
    root = parse_xml(path.read_bytes()).getroot()
    assert root.findtext("TransmissionData/DocumentOfficialCode") == "Official"
    result = CliRunner().invoke(main, ["--config", str(demo.config), "pesc", "nobody-at-all"])
    assert result.exit_code == 2 and "nobody-at-all" in result.output
