"""A tiny OneRoster 1.2 bundle, written file by file so tests can break one thing at a time."""

from __future__ import annotations

from pathlib import Path

from conftest import write_csv

HEADERS = {
    "orgs.csv": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
    "academicSessions.csv": ["sourcedId", "status", "dateLastModified", "title", "type", "startDate", "endDate",
                             "parentSourcedId", "schoolYear"],
    "courses.csv": ["sourcedId", "status", "dateLastModified", "schoolYearSourcedId", "title", "courseCode",
                    "grades", "orgSourcedId", "subjects", "subjectCodes"],
    "classes.csv": ["sourcedId", "status", "dateLastModified", "title", "grades", "courseSourcedId", "classCode",
                    "classType", "location", "schoolSourcedId", "termSourcedIds", "subjects", "subjectCodes",
                    "periods"],
    "users.csv": ["sourcedId", "status", "dateLastModified", "enabledUser", "username", "userIds", "givenName",
                  "familyName", "middleName", "identifier", "email", "sms", "phone", "agentSourcedIds", "grades",
                  "password", "userMasterIdentifier", "resourceSourcedIds", "preferredGivenName",
                  "preferredMiddleName", "preferredFamilyName", "primaryOrgSourcedId", "pronouns"],
    "enrollments.csv": ["sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId",
                        "userSourcedId", "role", "primary", "beginDate", "endDate"],
    "results.csv": ["sourcedId", "status", "dateLastModified", "lineItemSourcedId", "studentSourcedId",
                    "scoreStatus", "score", "scoreDate", "comment", "textScore", "classSourcedId"],
    "lineItems.csv": ["sourcedId", "status", "dateLastModified", "title", "description", "assignDate", "dueDate",
                      "classSourcedId", "categorySourcedId", "academicSessionSourcedId", "resultValueMin",
                      "resultValueMax", "schoolSourcedId"],
    "categories.csv": ["sourcedId", "status", "dateLastModified", "title", "weight"],
}

ROWS = {
    "orgs.csv": [["o1", "", "", "Riverbend HS", "school", "", ""]],
    "academicSessions.csv": [["t1", "", "", "Fall 2024", "semester", "2024-08-26", "2025-01-17", "", "2025"]],
    "courses.csv": [["c1", "", "", "", "Algebra I", "ALG1", "09", "o1", "Mathematics", "02052"]],
    "classes.csv": [["k1", "", "", "Algebra I - 1", "09", "c1", "ALG1-1", "scheduled", "", "o1", "t1", "", "", "1"]],
    "users.csv": [["u1", "", "", "true", "ann", "", "Ann", "Lee", "", "S001", "", "", "", "", "09", "pw", "", "",
                   "", "", "", "o1", ""],
                  ["u2", "", "", "true", "bo", "", "Bo", "Diaz", "", "S002", "", "", "", "", "09", "", "", "", "",
                   "", "", "o1", ""]],
    "enrollments.csv": [["e1", "", "", "k1", "o1", "u1", "student", "", "", ""],
                        ["e2", "", "", "k1", "o1", "u2", "student", "", "", ""]],
    "categories.csv": [["cat1", "", "", "Final Grade", ""]],
    "lineItems.csv": [["li1", "", "", "Final", "", "2024-08-26", "2025-01-17", "k1", "cat1", "t1", "0", "100", "o1"]],
    "results.csv": [["r1", "", "", "li1", "u1", "fully graded", "91", "2025-01-17", "", "A-", "k1"],
                    ["r2", "", "", "li1", "u2", "fully graded", "78", "2025-01-17", "", "C+", "k1"]],
}


def make_bundle(folder: Path, *, rows: dict[str, list[list[str]]] | None = None,
                manifest: dict[str, str] | None = None, version: str = "1.2") -> Path:
    """Write the bundle (with ``rows`` replacing some files' rows) and its manifest."""
    data = {**ROWS, **(rows or {})}
    for name, header in HEADERS.items():
        write_csv(folder / name, header, data[name])
    modes = {f"file.{name[:-4]}": "bulk" for name in HEADERS}
    modes.update(manifest or {})
    write_csv(folder / "manifest.csv", ["propertyName", "value"],
              [["manifest.version", "1.0"], ["oneroster.version", version], *modes.items()])
    return folder
