"""A fake Ed-Fi ODS/API (7.x style, Data Standard 5 shapes) on a :class:`FakeServer`.

DS 4 mode (``district(data_standard=4)`` served by ``EdFiFake(..., data_model="4.0.0")``): the
discovery document names data model 4.0.0; gradebook entries and student gradebook entries
have their DS 4 shapes and identities (section, ``dateAssigned`` and ``gradebookEntryTitle``;
the student section association), and grades theirs (the grading period keyed by
``periodSequence``, ``gradingPeriodSequence`` in ``keyValues``, as the ODS/API 6.x SDK models
``EdFiGradingPeriodReference`` and ``TrackedChangesEdFiGradeKey`` have them); the other
resources keep their DS 5 shapes.

Discovery document at ``/``, OAuth at ``/oauth/token``, resources at
``/data/v3[/<year>]/ed-fi/<resource>`` with ``offset``/``limit`` (max 500), ``totalCount`` (the
``Total-Count`` header), ``minChangeVersion``/``maxChangeVersion``, and ``/deletes`` listings;
``/changeQueries/v1[/<year>]/availableChangeVersions``. Every change takes the next change
version; a deletion is remembered with its ``keyValues`` (the resource's identity).

Writes (for write-back tests): ``POST /data/v3[/<year>]/ed-fi/<resource>`` upserts by natural
key like the ODS/API (201 created, 200 updated, ``Location`` naming the record), answers 400
to a body without its identity, 409 to a course transcript whose student academic record is
missing; ``refuse`` hooks can reject chosen records. ``posted`` counts POSTs per resource.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from fakes.server import FakeServer, Reply, Request

IDENTITY = {  # resource -> function(record) -> keyValues (names as the /deletes listing gives them)
    "schools": lambda r: {"schoolId": r["schoolId"]},
    "localEducationAgencies": lambda r: {"localEducationAgencyId": r["localEducationAgencyId"]},
    "sessions": lambda r: {"schoolId": r["schoolReference"]["schoolId"],
                           "schoolYear": r["schoolYearTypeReference"]["schoolYear"], "sessionName": r["sessionName"]},
    "courses": lambda r: {"courseCode": r["courseCode"],
                          "educationOrganizationId": r["educationOrganizationReference"]["educationOrganizationId"]},
    "courseOfferings": lambda r: {"localCourseCode": r["localCourseCode"], "schoolId": r["schoolReference"]["schoolId"],
                                  "schoolYear": r["sessionReference"]["schoolYear"],
                                  "sessionName": r["sessionReference"]["sessionName"]},
    "sections": lambda r: {"sectionIdentifier": r["sectionIdentifier"], **{
        k: r["courseOfferingReference"][k] for k in ("localCourseCode", "schoolId", "schoolYear", "sessionName")}},
    "students": lambda r: {"studentUniqueId": r["studentUniqueId"]},
    "studentSectionAssociations": lambda r: {"beginDate": r["beginDate"],
                                             "studentUniqueId": r["studentReference"]["studentUniqueId"],
                                             **{k: v for k, v in r["sectionReference"].items() if k != "link"}},
    "grades": lambda r: {**{k: v for k, v in r["studentSectionAssociationReference"].items() if k != "link"},
                         "gradeTypeDescriptor": r["gradeTypeDescriptor"],
                         "gradingPeriodDescriptor": r["gradingPeriodReference"]["gradingPeriodDescriptor"],
                         "gradingPeriodName": r["gradingPeriodReference"]["gradingPeriodName"],
                         "gradingPeriodSchoolYear": r["gradingPeriodReference"]["schoolYear"]},
    "learningStandards": lambda r: {"learningStandardId": r["learningStandardId"]},
    "gradebookEntries": lambda r: {"gradebookEntryIdentifier": r["gradebookEntryIdentifier"],
                                   "namespace": r["namespace"]},
    "studentGradebookEntries": lambda r: {"gradebookEntryIdentifier": r["gradebookEntryReference"]["gradebookEntryIdentifier"],
                                          "namespace": r["gradebookEntryReference"]["namespace"],
                                          "studentUniqueId": r["studentReference"]["studentUniqueId"]},
    "competencyObjectives": lambda r: {"objective": r["objective"],
                                       "objectiveGradeLevelDescriptor": r["objectiveGradeLevelDescriptor"],
                                       "educationOrganizationId": r["educationOrganizationReference"]["educationOrganizationId"]},
}

# DS 4 identities that differ (flat, as the /deletes listing gives them; references without ``link``).
IDENTITY_DS4 = {
    "grades": lambda r: {**{k: v for k, v in r["studentSectionAssociationReference"].items() if k != "link"},
                         "gradeTypeDescriptor": r["gradeTypeDescriptor"],
                         "gradingPeriodDescriptor": r["gradingPeriodReference"]["gradingPeriodDescriptor"],
                         "gradingPeriodSequence": r["gradingPeriodReference"]["periodSequence"],
                         "gradingPeriodSchoolYear": r["gradingPeriodReference"]["schoolYear"]},
    "gradebookEntries": lambda r: {"dateAssigned": r["dateAssigned"], "gradebookEntryTitle": r["gradebookEntryTitle"],
                                   **{k: v for k, v in r["sectionReference"].items() if k != "link"}},
    "studentGradebookEntries": lambda r: {
        **{k: v for k, v in r["gradebookEntryReference"].items() if k != "link"},
        **{k: v for k, v in r["studentSectionAssociationReference"].items() if k != "link"}},
}

# Resources only written by the write-back tests (the ODS keys them like this).
WRITE_IDENTITY = {
    "studentAcademicRecords": lambda r: {
        "educationOrganizationId": r["educationOrganizationReference"]["educationOrganizationId"],
        "schoolYear": r["schoolYearTypeReference"]["schoolYear"],
        "studentUniqueId": r["studentReference"]["studentUniqueId"], "termDescriptor": r["termDescriptor"]},
    "courseTranscripts": lambda r: {
        **r["studentAcademicRecordReference"], "courseAttemptResultDescriptor": r["courseAttemptResultDescriptor"],
        "courseCode": r["courseReference"]["courseCode"],
        "courseEducationOrganizationId": r["courseReference"]["educationOrganizationId"]},
}
KEYS = {**IDENTITY, **WRITE_IDENTITY}

NS = "uri://ed-fi.org/"
SCHOOL, LEA, YEAR, SESSION = 255901001, 255901, 2025, "2024-2025 Fall Semester"
PERIOD = {"gradingPeriodDescriptor": NS + "GradingPeriodDescriptor#First Six Weeks",
          "gradingPeriodName": "2024-2025 Fall Semester Exam 1", "schoolId": SCHOOL, "schoolYear": YEAR}
PERIOD_DS4 = {"gradingPeriodDescriptor": NS + "GradingPeriodDescriptor#First Six Weeks", "periodSequence": 1,
              "schoolId": SCHOOL, "schoolYear": YEAR}


def district(students: int = 20, sections: int = 3, data_standard: int = 5) -> dict[str, list[dict]]:
    """A deterministic little district in Ed-Fi Data Standard 5 JSON (records before change versions);
    ``data_standard=4``: gradebook entries, student gradebook entries and grades in their DS 4 shapes."""
    d: dict[str, list[dict]] = {k: [] for k in IDENTITY}
    d["localEducationAgencies"].append({"localEducationAgencyId": LEA, "nameOfInstitution": "Grand Bend ISD",
                                        "localEducationAgencyCategoryDescriptor": NS + "LocalEducationAgencyCategoryDescriptor#Independent",
                                        "categories": []})
    d["schools"].append({"schoolId": SCHOOL, "nameOfInstitution": "Grand Bend High School", "gradeLevels": [],
                         "educationOrganizationCategories": [],
                         "localEducationAgencyReference": {"localEducationAgencyId": LEA}})
    d["sessions"].append({"sessionName": SESSION, "schoolReference": {"schoolId": SCHOOL},
                          "schoolYearTypeReference": {"schoolYear": YEAR}, "termDescriptor": NS + "TermDescriptor#Fall Semester",
                          "beginDate": "2024-08-26", "endDate": "2025-01-17", "totalInstructionalDays": 88})
    d["learningStandards"] += [{"learningStandardId": f"LS{i}", "description": f"Standard {i}", "namespace": NS,
                                "learningStandardItemCode": f"MATH.{i}", "academicSubjects": [], "gradeLevels": [],
                                "contentStandard": {"title": "Math"},
                                "uri": f"https://case.example/uri/6b8e0f5c-0000-4000-8000-00000000000{i}"}
                               for i in range(3)]
    d["competencyObjectives"].append({"objective": "Reasoning", "objectiveGradeLevelDescriptor": NS + "GradeLevelDescriptor#Ninth grade",
                                      "educationOrganizationReference": {"educationOrganizationId": LEA},
                                      "competencyObjectiveId": "CO-1"})
    for s in range(sections):
        code = f"ALG-{s}"
        d["courses"].append({"courseCode": code, "courseTitle": f"Algebra {s}", "numberOfParts": 1,
                             "identificationCodes": [{"courseIdentificationSystemDescriptor": NS + "CourseIdentificationSystemDescriptor#SCED",
                                                      "identificationCode": f"0205{s}"}],
                             "educationOrganizationReference": {"educationOrganizationId": LEA}})
        session = {"schoolId": SCHOOL, "schoolYear": YEAR, "sessionName": SESSION}
        d["courseOfferings"].append({"localCourseCode": code, "courseReference": {"courseCode": code, "educationOrganizationId": LEA},
                                     "schoolReference": {"schoolId": SCHOOL}, "sessionReference": session})
        section = {"localCourseCode": code, **session, "sectionIdentifier": f"{code}-01"}
        d["sections"].append({"sectionIdentifier": f"{code}-01", "courseOfferingReference": {"localCourseCode": code, **session},
                              "sectionName": f"Algebra {s} period 1"})
        d["gradebookEntries"].append(gradebook_entry(s, section, data_standard))
    for n in range(students):
        uid = f"6040{n:04d}"
        d["students"].append({"studentUniqueId": uid, "firstName": f"First{n}", "lastSurname": f"Last{n}",
                              "birthDate": "2009-05-01", "birthSexDescriptor": NS + "SexDescriptor#Female"})
        s = n % sections
        code = f"ALG-{s}"
        section = {"localCourseCode": code, "schoolId": SCHOOL, "schoolYear": YEAR, "sessionName": SESSION,
                   "sectionIdentifier": f"{code}-01"}
        d["studentSectionAssociations"].append({"beginDate": "2024-08-26", "sectionReference": section,
                                                "studentReference": {"studentUniqueId": uid}})
        d["grades"].append({"gradeTypeDescriptor": NS + "GradeTypeDescriptor#Grading Period",
                            "gradingPeriodReference": PERIOD_DS4 if data_standard == 4 else PERIOD,
                            "studentSectionAssociationReference": {**section, "studentUniqueId": uid, "beginDate": "2024-08-26"},
                            "letterGradeEarned": "ABCD"[n % 4], "numericGradeEarned": 95 - 10 * (n % 4),
                            "learningStandardGrades": [{"learningStandardReference": {"learningStandardId": f"LS{s % 3}"},
                                                        "numericGradeEarned": 1 + n % 4}]})
        d["studentGradebookEntries"].append({**student_entry_keys(s, section, uid, data_standard),
                                             "numericGradeEarned": 7 + n % 4, "dateFulfilled": "2024-09-12"})
    return d


def gradebook_entry(s: int, section: dict, data_standard: int = 5) -> dict:
    """Section ``s``'s quiz, aligned to one learning standard."""
    standards = [{"learningStandardReference": {"learningStandardId": f"LS{s % 3}"}}]
    if data_standard == 4:
        return {"gradebookEntryTitle": f"Quiz {s}", "dateAssigned": "2024-09-10", "sectionReference": section,
                "gradebookEntryTypeDescriptor": NS + "GradebookEntryTypeDescriptor#Quiz", "learningStandards": standards}
    return {"gradebookEntryIdentifier": f"GBE{s}", "namespace": NS + "gradebook", "dateAssigned": "2024-09-10",
            "title": f"Quiz {s}", "sourceSectionIdentifier": section["sectionIdentifier"], "sectionReference": section,
            "maxPoints": 10, "learningStandards": standards}


def student_entry_keys(s: int, section: dict, uid: str, data_standard: int = 5) -> dict:
    """The references of student ``uid``'s entry for section ``s``'s quiz."""
    if data_standard == 4:
        return {"gradebookEntryReference": {"dateAssigned": "2024-09-10", "gradebookEntryTitle": f"Quiz {s}", **section},
                "studentSectionAssociationReference": {**section, "studentUniqueId": uid, "beginDate": "2024-08-26"}}
    return {"gradebookEntryReference": {"gradebookEntryIdentifier": f"GBE{s}", "namespace": NS + "gradebook"},
            "studentReference": {"studentUniqueId": uid}}


class EdFiFake:
    """Installs the ODS/API routes; change data only through :meth:`upsert` and :meth:`delete`."""

    def __init__(self, server: FakeServer, data: dict[str, list[dict]], *, year: int | None = None,
                 client: tuple[str, str] = ("edfi-key", "edfi-secret"), api_version: str = "7.1",
                 data_model: str = "5.0.0") -> None:
        self.server = server
        self.version = 0
        self.data_model = data_model
        self.keys = {**KEYS, **(IDENTITY_DS4 if data_model.startswith("4.") else {})}
        self.records: dict[str, dict[tuple, dict]] = {name: {} for name in KEYS}
        self.posted: dict[str, int] = {}
        self.refuse: list[Any] = []  # hooks (resource, body) -> Reply | None, asked before a POST is stored
        self.deletes: dict[str, list[dict]] = {name: [] for name in IDENTITY}
        self.year = year
        self.api_version = api_version
        server.clients[client[0]] = client[1]
        for name, records in data.items():
            for record in records:
                self.upsert(name, record)
        y = rf"/{year}" if year else ""
        server.route("GET", r"", self.discovery)
        server.route("POST", r"/oauth/token", lambda r, m: server.token_endpoint(r))
        server.route("GET", rf"/changeQueries/v1{y}/availableChangeVersions", self.available)
        server.route("GET", rf"/data/v3{y}/ed-fi/(\w+)/deletes", self.deleted)
        server.route("GET", rf"/data/v3{y}/ed-fi/(\w+)", self.listing)
        server.route("POST", rf"/data/v3{y}/ed-fi/(\w+)", self.post)

    def upsert(self, name: str, record: dict) -> bool:
        """Store ``record`` under its natural key; True when it was new."""
        key = tuple(sorted(self.keys[name](record).items()))
        self.version += 1
        old = self.records[name].get(key)
        self.records[name][key] = {**record, "id": old["id"] if old else uuid.uuid4().hex,
                                   "_changeVersion": self.version, "_lastModifiedDate": "2024-09-01T00:00:00Z"}
        return old is None

    def stored(self, name: str) -> list[dict]:
        """The records of ``name`` as clients wrote them (without the server's own fields)."""
        return [{k: v for k, v in r.items() if not k.startswith("_") and k != "id"}
                for r in self.records[name].values()]

    def modify(self, name: str, index: int, **fields: Any) -> None:
        record = list(self.records[name].values())[index]
        self.upsert(name, {k: v for k, v in {**record, **fields}.items() if not k.startswith("_") and k != "id"})

    def delete(self, name: str, index: int) -> dict:
        key, record = list(self.records[name].items())[index]
        del self.records[name][key]
        self.version += 1
        self.deletes[name].append({"id": record["id"], "changeVersion": self.version, "keyValues": dict(key)})
        return record

    # -- the API ----------------------------------------------------------------------------------
    def discovery(self, request: Request, m) -> Reply:  # noqa: ANN001
        base = self.server.url
        return Reply(200, {"version": self.api_version, "suite": "3",
                           "dataModels": [{"name": "Ed-Fi", "version": self.data_model}],
                           "urls": {"dependencies": f"{base}/metadata/data/v3/dependencies", "oauth": f"{base}/oauth/token",
                                    "dataManagementApi": f"{base}/data/v3", "changeQueries": f"{base}/changeQueries/v1"}})

    def available(self, request: Request, m) -> Reply:  # noqa: ANN001
        if not self.server.bearer_ok(request):
            return Reply(401, {"message": "Authorization denied."})
        return Reply(200, {"oldestChangeVersion": 0, "newestChangeVersion": self.version})

    @staticmethod
    def _window(request: Request, items: list[dict], key: str) -> list[dict]:
        low, high = request.arg("minChangeVersion"), request.arg("maxChangeVersion")
        return [r for r in items if (low is None or r[key] >= int(low)) and (high is None or r[key] <= int(high))]

    def _page(self, request: Request, items: list[dict]) -> Reply:
        limit = int(request.arg("limit", "25"))
        if limit > 500:
            return Reply(400, {"message": "Limit must be omitted or set to a value between 0 and 500."})
        offset = int(request.arg("offset", "0"))
        headers = {"Total-Count": str(len(items))} if request.arg("totalCount") == "true" else {}
        return Reply(200, items[offset: offset + limit], headers)

    def listing(self, request: Request, m) -> Reply:  # noqa: ANN001
        if not self.server.bearer_ok(request):
            return Reply(401, {"message": "Authorization denied."})
        if m.group(1) not in self.records:
            return Reply(404, {"message": "not found"})
        items = sorted(self.records[m.group(1)].values(), key=lambda r: r["id"])
        items = self._window(request, items, "_changeVersion")
        return self._page(request, [{k: v for k, v in r.items() if k != "_changeVersion"} for r in items])

    def deleted(self, request: Request, m) -> Reply:  # noqa: ANN001
        if not self.server.bearer_ok(request):
            return Reply(401, {"message": "Authorization denied."})
        return self._page(request, self._window(request, self.deletes.get(m.group(1), []), "changeVersion"))

    def post(self, request: Request, m) -> Reply:  # noqa: ANN001
        """An ODS/API POST: an upsert by natural key."""
        if not self.server.bearer_ok(request):
            return Reply(401, {"message": "Authorization denied."})
        name = m.group(1)
        if name not in self.keys:
            return Reply(404, {"message": "not found"})
        self.posted[name] = self.posted.get(name, 0) + 1
        try:
            body = json.loads(request.body)
            key = self.keys[name](body)
        except (ValueError, KeyError, TypeError) as exc:
            return Reply(400, {"message": f"The request is invalid: {type(exc).__name__} {exc}"})
        for hook in self.refuse:
            reply = hook(name, body)
            if reply is not None:
                return reply
        if name == "courseTranscripts":
            record = {k: key[k] for k in ("educationOrganizationId", "schoolYear", "studentUniqueId", "termDescriptor")}
            if tuple(sorted(record.items())) not in self.records["studentAcademicRecords"]:
                return Reply(409, {"message": "The referenced 'StudentAcademicRecord' resource does not exist."})
        created = self.upsert(name, body)
        rid = self.records[name][tuple(sorted(key.items()))]["id"]
        return Reply(201 if created else 200, None,
                     {"Location": f"{self.server.url}{request.path.rstrip('/')}/{rid}"})
