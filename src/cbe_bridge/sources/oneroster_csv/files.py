"""What each OneRoster CSV file holds, and how its columns land in the canonical store.

One table for 1.1 and 1.2: columns that exist in only one version are optional here, and a
column is *required* only where both versions require it (the reader also enforces the
version-specific required columns named in ``REQUIRED_BY_VERSION``). Columns a file carries
that are not listed (``metadata.*`` extensions, ``password``, ``sms``, ``phone``) are not
stored: the store keeps what the engine and the documents need and no more personal data.

The order of ``FILES`` is the load order: a file comes after every file it references.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    header: str  # CSV header
    column: str  # store column
    kind: str = "str"  # str | date | datetime | float | int | bool | list
    required: bool = False


@dataclass(frozen=True)
class FileSpec:
    name: str  # file name in the bundle, e.g. "results.csv"
    entity: str  # store entity
    columns: tuple[Column, ...]

    @property
    def manifest_key(self) -> str:
        return "file." + self.name.removesuffix(".csv")


def _c(header: str, column: str, kind: str = "str", required: bool = False) -> Column:
    return Column(header, column, kind, required)


FILES: tuple[FileSpec, ...] = (
    FileSpec("orgs.csv", "orgs", (
        _c("name", "name", required=True), _c("type", "org_type", required=True),
        _c("identifier", "identifier"), _c("parentSourcedId", "parent_id"))),
    FileSpec("academicSessions.csv", "academic_sessions", (
        _c("title", "title", required=True), _c("type", "session_type", required=True),
        _c("startDate", "start_date", "date", True), _c("endDate", "end_date", "date", True),
        _c("parentSourcedId", "parent_id"), _c("schoolYear", "school_year", "int", True))),
    FileSpec("courses.csv", "courses", (
        _c("title", "title", required=True), _c("courseCode", "course_code"),
        _c("grades", "grades", "list"), _c("orgSourcedId", "org_id", required=True),
        _c("subjects", "subjects", "list"), _c("subjectCodes", "subject_codes", "list"),
        _c("schoolYearSourcedId", "school_year_id"))),
    FileSpec("classes.csv", "classes", (
        _c("title", "title", required=True), _c("courseSourcedId", "course_id", required=True),
        _c("classCode", "class_code"), _c("classType", "class_type", required=True),
        _c("schoolSourcedId", "school_id", required=True),
        _c("termSourcedIds", "term_ids", "list", True), _c("subjects", "subjects", "list"),
        _c("grades", "grades", "list"), _c("periods", "periods", "list"),
        _c("location", "location"))),
    FileSpec("users.csv", "users", (
        _c("role", "role"), _c("enabledUser", "enabled", "bool", True),
        _c("username", "username", required=True), _c("givenName", "given_name", required=True),
        _c("familyName", "family_name", required=True), _c("middleName", "middle_name"),
        _c("identifier", "identifier"), _c("email", "email"), _c("grades", "grades", "list"),
        _c("orgSourcedIds", "org_ids", "list"), _c("primaryOrgSourcedId", "primary_org_id"),
        _c("userIds", "user_ids", "list"), _c("userMasterIdentifier", "master_id"),
        _c("preferredGivenName", "preferred_given_name"),
        _c("preferredFamilyName", "preferred_family_name"))),
    FileSpec("demographics.csv", "demographics", (
        _c("birthDate", "birth_date", "date"), _c("sex", "sex"))),
    FileSpec("roles.csv", "roles", (
        _c("userSourcedId", "user_id", required=True), _c("roleType", "role_type", required=True),
        _c("role", "role", required=True), _c("orgSourcedId", "org_id", required=True),
        _c("beginDate", "begin_date", "date"), _c("endDate", "end_date", "date"))),
    FileSpec("enrollments.csv", "enrollments", (
        _c("classSourcedId", "class_id", required=True), _c("schoolSourcedId", "school_id", required=True),
        _c("userSourcedId", "user_id", required=True), _c("role", "role", required=True),
        _c("primary", "is_primary", "bool"), _c("beginDate", "begin_date", "date"),
        _c("endDate", "end_date", "date"))),
    FileSpec("categories.csv", "categories", (
        _c("title", "title", required=True), _c("weight", "weight", "float"))),
    FileSpec("scoreScales.csv", "score_scales", (
        _c("title", "title", required=True), _c("type", "scale_type", required=True),
        _c("orgSourcedId", "org_id"), _c("courseSourcedId", "course_id"),
        _c("classSourcedId", "class_id"), _c("scoreScaleValue", "scale_values", required=True))),
    FileSpec("lineItems.csv", "line_items", (
        _c("title", "title", required=True), _c("description", "description"),
        _c("assignDate", "assign_date", "date", True), _c("dueDate", "due_date", "date", True),
        _c("classSourcedId", "class_id", required=True),
        _c("categorySourcedId", "category_id", required=True),
        _c("academicSessionSourcedId", "session_id"), _c("gradingPeriodSourcedId", "session_id"),
        _c("resultValueMin", "result_min", "float"), _c("resultValueMax", "result_max", "float"),
        _c("schoolSourcedId", "school_id"))),
    FileSpec("lineItemLearningObjectiveIds.csv", "line_item_objectives", (
        _c("lineItemSourcedId", "line_item_id", required=True),
        _c("source", "objective_source", required=True),
        _c("learningObjectiveId", "objective_id", required=True))),
    FileSpec("lineItemScoreScales.csv", "line_item_score_scales", (
        _c("lineItemSourcedId", "line_item_id", required=True),
        _c("scoreScaleSourcedId", "score_scale_id", required=True))),
    FileSpec("results.csv", "results", (
        _c("lineItemSourcedId", "line_item_id", required=True),
        _c("studentSourcedId", "student_id", required=True), _c("classSourcedId", "class_id"),
        _c("scoreStatus", "score_status", required=True), _c("score", "score", "float"),
        _c("textScore", "text_score"), _c("scoreDate", "score_date", "date", True),
        _c("comment", "comment"), _c("inProgress", "in_progress", "bool"),
        _c("incomplete", "incomplete", "bool"), _c("late", "late", "bool"),
        _c("missing", "missing", "bool"))),
    FileSpec("resultLearningObjectiveIds.csv", "result_objectives", (
        _c("resultSourcedId", "result_id", required=True),
        _c("source", "objective_source", required=True),
        _c("learningObjectiveId", "objective_id", required=True),
        _c("score", "score", "float"), _c("textScore", "text_score"))),
    FileSpec("resultScoreScales.csv", "result_score_scales", (
        _c("resultSourcedId", "result_id", required=True),
        _c("scoreScaleSourcedId", "score_scale_id", required=True))),
    FileSpec("resources.csv", "resources", (
        _c("vendorResourceId", "vendor_resource_id", required=True), _c("title", "title"),
        _c("roles", "roles", "list"), _c("importance", "importance"), _c("vendorId", "vendor_id"),
        _c("applicationId", "application_id"))),
    FileSpec("classResources.csv", "class_resources", (
        _c("classSourcedId", "class_id", required=True),
        _c("resourceSourcedId", "resource_id", required=True), _c("title", "title"))),
    FileSpec("courseResources.csv", "course_resources", (
        _c("courseSourcedId", "course_id", required=True),
        _c("resourceSourcedId", "resource_id", required=True), _c("title", "title"))),
    FileSpec("userResources.csv", "user_resources", (
        _c("userSourcedId", "user_id", required=True),
        _c("resourceSourcedId", "resource_id", required=True),
        _c("orgSourcedId", "org_id"), _c("classSourcedId", "class_id"))),
    FileSpec("userProfiles.csv", "user_profiles", (
        _c("userSourcedId", "user_id", required=True), _c("profileType", "profile_type", required=True),
        _c("vendorId", "vendor_id", required=True), _c("applicationId", "application_id"),
        _c("description", "description"), _c("credentialType", "credential_type", required=True),
        _c("username", "username", required=True))),
)

FILES_BY_NAME = {spec.name: spec for spec in FILES}

# Files about people: a bad value in them is never repeated in a message (it may be a
# birth date or a name), only its file, line and field.
PERSONAL = frozenset({"users", "demographics", "user_profiles"})

# Required only in one version of the binding.
REQUIRED_BY_VERSION: dict[str, dict[str, tuple[str, ...]]] = {
    "1.1": {"users.csv": ("role", "orgSourcedIds"), "lineItems.csv": ("gradingPeriodSourcedId",)},
    "1.2": {"lineItems.csv": ("academicSessionSourcedId",)},
}
