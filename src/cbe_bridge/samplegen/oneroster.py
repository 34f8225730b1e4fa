"""OneRoster 1.2 CSV headers and the writers for the bundle's small files.

Headers are the CSV binding's columns in the binding's order (1EdTech OneRoster 1.2 CSV
Binding). The roster, catalogue and gradebook-definition files (orgs, academicSessions,
courses, classes, users, demographics, roles, categories, scoreScales, lineItems and their
learning-objective and score-scale links, teacher enrollments) are written here; the
per-student files are streamed by :mod:`cbe_bridge.samplegen.gradebook`.
"""

from __future__ import annotations

import csv
import random
from typing import IO, Any

from cbe_bridge.samplegen.catalog import COURSES, FAMILY_NAMES, GIVEN_NAMES
from cbe_bridge.samplegen.common import LETTER_CUTS, SCHOOL_YEARS, Term, guid, year_bounds
from cbe_bridge.samplegen.district import District

__all__ = ["HEADERS", "EMITTED", "ABSENT", "CATEGORIES", "SCORE_SCALES", "DISTRICT_ID",
           "write_static", "write_manifest", "course_id", "csv_writer"]

_META = ["sourcedId", "status", "dateLastModified"]
HEADERS: dict[str, list[str]] = {
    "orgs.csv": _META + ["name", "type", "identifier", "parentSourcedId"],
    "academicSessions.csv": _META + ["title", "type", "startDate", "endDate", "parentSourcedId",
                                     "schoolYear"],
    "courses.csv": _META + ["schoolYearSourcedId", "title", "courseCode", "grades", "orgSourcedId",
                            "subjects", "subjectCodes"],
    "classes.csv": _META + ["title", "grades", "courseSourcedId", "classCode", "classType",
                            "location", "schoolSourcedId", "termSourcedIds", "subjects",
                            "subjectCodes", "periods"],
    "users.csv": _META + ["enabledUser", "username", "userIds", "givenName", "familyName",
                          "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds",
                          "grades", "password", "userMasterIdentifier", "resourceSourcedIds",
                          "preferredGivenName", "preferredMiddleName", "preferredFamilyName",
                          "primaryOrgSourcedId", "pronouns"],
    "demographics.csv": _META + ["birthDate", "sex", "americanIndianOrAlaskaNative", "asian",
                                 "blackOrAfricanAmerican", "nativeHawaiianOrOtherPacificIslander",
                                 "white", "demographicRaceTwoOrMoreRaces",
                                 "hispanicOrLatinoEthnicity", "countryOfBirthCode",
                                 "stateOfBirthAbbreviation", "cityOfBirth",
                                 "publicSchoolResidenceStatus"],
    "enrollments.csv": _META + ["classSourcedId", "schoolSourcedId", "userSourcedId", "role",
                                "primary", "beginDate", "endDate"],
    "roles.csv": _META + ["userSourcedId", "roleType", "role", "beginDate", "endDate",
                          "orgSourcedId", "userProfileSourcedId"],
    "categories.csv": _META + ["title", "weight"],
    "scoreScales.csv": _META + ["title", "type", "orgSourcedId", "courseSourcedId",
                                "classSourcedId", "scoreScaleValue"],
    "lineItems.csv": _META + ["title", "description", "assignDate", "dueDate", "classSourcedId",
                              "categorySourcedId", "academicSessionSourcedId", "resultValueMin",
                              "resultValueMax", "schoolSourcedId"],
    "lineItemLearningObjectiveIds.csv": _META + ["lineItemSourcedId", "source",
                                                 "learningObjectiveId"],
    "lineItemScoreScales.csv": _META + ["title", "lineItemSourcedId", "scoreScaleSourcedId"],
    "results.csv": _META + ["lineItemSourcedId", "studentSourcedId", "scoreStatus", "score",
                            "scoreDate", "comment", "textScore", "classSourcedId", "inProgress",
                            "incomplete", "late", "missing"],
    "resultLearningObjectiveIds.csv": _META + ["resultSourcedId", "source", "learningObjectiveId",
                                               "score", "textScore"],
    "resultScoreScales.csv": _META + ["title", "resultSourcedId", "scoreScaleSourcedId"],
}
EMITTED = tuple(HEADERS)
ABSENT = ("classResources.csv", "courseResources.csv", "resources.csv", "userProfiles.csv",
          "userResources.csv")
# Manifest keys in the binding's order.
MANIFEST_FILES = ("academicSessions", "categories", "classes", "classResources", "courses",
                  "courseResources", "demographics", "enrollments", "lineItemLearningObjectiveIds",
                  "lineItems", "lineItemScoreScales", "orgs", "resources",
                  "resultLearningObjectiveIds", "results", "resultScoreScales", "roles",
                  "scoreScales", "userProfiles", "userResources", "users")

DISTRICT_ID = "org-district"
# (sourcedId, title, weight)
CATEGORIES = (("cat-final", "Final Grade", ""), ("cat-assessment", "Assessment", "80"),
              ("cat-practice", "Practice", "20"), ("cat-habits", "Habits of Learning", ""))
_LETTER_VALUE = ",".join(
    f"{{{letter}:{low}-{100 if i == 0 else LETTER_CUTS[i - 1][1] - 1}}}"
    for i, (letter, low) in enumerate(LETTER_CUTS))
# (sourcedId, title, type, scoreScaleValue)
SCORE_SCALES = (
    ("ss-mastery4", "Mastery 1-4", "mastery",
     "{4:Exemplary},{3:Proficient},{2:In Progress},{1:Limited Progress}"),
    ("ss-mastery-codes", "Mastery Codes E/P/IP/LP", "mastery", "{E:4},{P:3},{IP:2},{LP:1}"),
    ("ss-letter", "Percent / Letter Grade", "percent", _LETTER_VALUE),
)


def csv_writer(fh: IO[str]) -> Any:
    """RFC 4180 CSV (CRLF line ends, minimal quoting)."""
    return csv.writer(fh, lineterminator="\r\n")


def course_id(code: str) -> str:
    return guid(f"course/{code}")


def write_manifest(fh: IO[str], system_name: str) -> None:
    w = csv_writer(fh)
    w.writerow(["propertyName", "value"])
    w.writerow(["manifest.version", "1.0"])
    w.writerow(["oneroster.version", "1.2"])
    for name in MANIFEST_FILES:
        w.writerow([f"file.{name}", "absent" if f"{name}.csv" in ABSENT else "bulk"])
    w.writerow(["source.systemName", system_name])
    w.writerow(["source.systemCode", "cbe-bridge-samplegen"])


def _rows_orgs(d: District) -> list[list[str]]:
    rows = [[DISTRICT_ID, "", "", "Maplewood Unified School District", "district", "9900001", ""]]
    rows += [[s.sourced_id, "", "", s.name, "school", s.identifier, DISTRICT_ID] for s in d.schools]
    return rows


def _rows_sessions(terms: list[Term]) -> list[list[str]]:
    rows: list[list[str]] = []
    for year in SCHOOL_YEARS:
        fall_start, _, _, spring_end = year_bounds(year)
        year_id = guid(f"session/{year}/year")
        rows.append([year_id, "", "", f"{year - 1}-{year}", "schoolYear", fall_start.isoformat(),
                     spring_end.isoformat(), "", str(year)])
        for t in terms:
            if t.year == year:
                rows.append([t.sourced_id, "", "", t.title, "semester", t.start, t.end_excl,
                             year_id, str(year)])
    return rows


def _rows_courses() -> list[list[str]]:
    return [[course_id(c.code), "", "", "", c.title, c.code, ",".join(c.grades), DISTRICT_ID,
             c.subject, c.sced] for c in COURSES]


def _races(st_index: int, seed: int) -> list[str]:
    r = random.Random((seed << 22) + st_index)
    race = r.choices(range(6), (0.01, 0.06, 0.14, 0.005, 0.645, 0.13))[0]
    flags = ["true" if race == k else "false" for k in range(6)]
    return flags + ["true" if r.random() < 0.26 else "false"]


def write_static(files: dict[str, Any], d: District, seed: int) -> None:
    """Write every file that does not grow with student-by-class results."""
    files["orgs.csv"].writerows(_rows_orgs(d))
    files["academicSessions.csv"].writerows(_rows_sessions(d.terms))
    files["courses.csv"].writerows(_rows_courses())
    files["categories.csv"].writerows([[i, "", "", t, w] for i, t, w in CATEGORIES])
    files["scoreScales.csv"].writerows(
        [[i, "", "", t, k, DISTRICT_ID, "", "", v] for i, t, k, v in SCORE_SCALES])
    school_ids = [s.sourced_id for s in d.schools]
    users, roles, demo = files["users.csv"], files["roles.csv"], files["demographics.csv"]
    first_day = d.terms[0].start
    for t in d.teachers:
        uname = f"{t.given[0]}{t.family}{t.index + 1}".lower()
        users.writerow([t.sourced_id, "", "", "true", uname, f"{{LDAP:{uname}}}", t.given,
                        t.family, "", f"T{1001 + t.index}", f"{uname}@maplewood.k12.example", "",
                        "", "", "", "", "", "", "", "", "", school_ids[t.school], ""])
        roles.writerow([f"role-t{t.index + 1}", "", "", t.sourced_id, "primary", "teacher",
                        first_day, "", school_ids[t.school], ""])
    for s in d.schools:
        cid = f"cns-{s.index + 1:03d}"
        given = GIVEN_NAMES[(7 * s.index + 3) % len(GIVEN_NAMES)]
        family = FAMILY_NAMES[s.index % len(FAMILY_NAMES)]
        uname = f"counselor{s.index + 1}"
        users.writerow([cid, "", "", "true", uname, f"{{LDAP:{uname}}}", given, family, "",
                        f"C{101 + s.index}", f"{uname}@maplewood.k12.example", "", "", "", "", "",
                        "", "", "", "", "", s.sourced_id, ""])
        roles.writerow([f"role-c{s.index + 1}", "", "", cid, "primary", "counselor", first_day, "",
                        s.sourced_id, ""])
    for st in d.students:
        uname = f"{st.given[0]}{st.family}{st.index + 1}".lower()
        grade = f"{12 - (st.grad_year - SCHOOL_YEARS[-1]):02d}"
        users.writerow([st.sourced_id, "", "", "true", uname, f"{{SIS:{700001 + st.index}}}",
                        st.given, st.family, st.middle, str(700001 + st.index),
                        f"{uname}@students.maplewood.k12.example", "", "", "", grade, "", "", "",
                        "", "", "", school_ids[st.school], ""])
        begin = first_day
        if st.transfer is not None:
            term = d.terms[st.transfer[0]]
            begin = term.days[st.transfer[1]]
        elif st.start_year > SCHOOL_YEARS[0]:
            begin = next(t.start for t in d.terms if t.year == st.start_year)
        roles.writerow([f"role-s{st.index + 1}", "", "", st.sourced_id, "primary", "student",
                        begin, "", school_ids[st.school], ""])
        demo.writerow([st.sourced_id, "", "", st.birth_date, st.sex, *_races(st.index, seed),
                       "US", "", "", ""])
    _write_sections(files, d, school_ids)


def _write_sections(files: dict[str, Any], d: District, school_ids: list[str]) -> None:
    classes, items = files["classes.csv"], files["lineItems.csv"]
    item_los, item_scales = files["lineItemLearningObjectiveIds.csv"], files["lineItemScoreScales.csv"]
    enrollments = files["enrollments.csv"]
    n_lo = n_scale = n_enr = 0
    for (s, c, _), secs in d.sections.items():
        for sec in secs:
            course, term, school = sec.course, sec.term, school_ids[s]
            period = str((c + sec.number) % 7 + 1)
            classes.writerow([sec.sourced_id, "", "", f"{course.title} - Section {sec.number:02d} "
                              f"({term.title})", ",".join(course.grades), course_id(course.code),
                              f"{course.code}-{sec.number:02d}", "scheduled",
                              f"Room {100 + (c * 7 + sec.number) % 250}", school, term.sourced_id,
                              course.subject if course.sced else "", course.sced, period])
            n_enr += 1
            enrollments.writerow([f"enr-t{n_enr}", "", "", sec.sourced_id, school,
                                  sec.teacher.sourced_id, "teacher", "true", term.start,
                                  term.end_excl, ])
            text = sec.teacher.text_scores
            for a in sec.assessments:
                assign = term.days[max(0, a.day - 5)]
                cat = "cat-habits" if a.habits else "cat-assessment"
                desc = ("Habits of learning: " if a.habits else "Assesses ") + ", ".join(a.targets)
                items.writerow([a.line_item_id, "", "", a.title, desc, assign, a.date,
                                sec.sourced_id, cat, term.sourced_id, "" if text else "1.0",
                                "" if text else "4.0", school])
                for oid in a.objective_ids:
                    n_lo += 1
                    item_los.writerow([f"lilo{n_lo}", "", "", a.line_item_id, "case", oid])
                n_scale += 1
                scale = SCORE_SCALES[1] if text else SCORE_SCALES[0]
                item_scales.writerow([f"liss{n_scale}", "", "", scale[1], a.line_item_id, scale[0]])
            items.writerow([sec.final_id, "", "", f"{course.title} Final Grade ({term.title})",
                            "Semester final grade", term.start, term.last_day, sec.sourced_id,
                            "cat-final", term.sourced_id, "0.0", "100.0", school])
            n_scale += 1
            item_scales.writerow([f"liss{n_scale}", "", "", SCORE_SCALES[2][1], sec.final_id,
                                  SCORE_SCALES[2][0]])
