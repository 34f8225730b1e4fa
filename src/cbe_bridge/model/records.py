"""The canonical records: one vocabulary for every source (OneRoster's names, in snake case).

Adapters turn their platform's records into these (Ed-Fi and Canvas are mapped onto them);
the store's tables are derived from them (:mod:`cbe_bridge.store.schema`), so a field added
here is a column there. Every record is identified by ``(source, source_id)``: the configured
source's name and the record's id in that system. References (``course_id``, ``student_id``
...) hold the referenced record's id in the same source; ``Ref("users")`` in a field's
metadata makes the loader reject a record whose reference points at nothing.

Dates are ISO text (``YYYY-MM-DD``); lists are comma-separated text, as in the CSV binding.
Bulk paths do not build these objects per row (see the CSV source): they validate the same
fields with the same rules, set-wise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from pydantic import BaseModel, ConfigDict, Field

IsoDate = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


@dataclass(frozen=True)
class Ref:
    """Field metadata: the field holds the source id of a record of ``entity``."""

    entity: str


class Record(BaseModel):
    """Fields every canonical record has."""

    model_config = ConfigDict(extra="forbid")
    entity: ClassVar[str]

    source: str
    source_id: str
    modified_at: str | None = None  # the source's dateLastModified, when it gives one


class Org(Record):
    entity: ClassVar[str] = "orgs"
    name: str
    org_type: str  # school | district | department | local | state | national
    identifier: str | None = None  # e.g. NCES id
    parent_id: str | None = None


class AcademicSession(Record):
    entity: ClassVar[str] = "academic_sessions"
    title: str
    session_type: str  # schoolYear | semester | term | gradingPeriod
    start_date: IsoDate
    end_date: IsoDate  # exclusive, per OneRoster
    parent_id: str | None = None
    school_year: int  # the year the school year ends


class Course(Record):
    entity: ClassVar[str] = "courses"
    title: str
    course_code: str | None = None
    sced_code: str | None = None  # NCES SCED code, taken from subject codes when one is given
    grades: str | None = None
    org_id: Annotated[str, Ref("orgs")]
    subjects: str | None = None
    subject_codes: str | None = None
    school_year_id: str | None = None


class Class(Record):
    entity: ClassVar[str] = "classes"
    title: str
    course_id: Annotated[str, Ref("courses")]
    class_code: str | None = None
    class_type: str
    school_id: Annotated[str, Ref("orgs")]
    term_ids: str
    subjects: str | None = None
    grades: str | None = None
    periods: str | None = None
    location: str | None = None


class User(Record):
    """A person. Passwords are never part of the record, whatever the source sends."""

    entity: ClassVar[str] = "users"
    role: str | None = None  # OneRoster 1.1 carries it here; 1.2 in roles
    enabled: bool = True
    username: str
    given_name: str
    family_name: str
    middle_name: str | None = None
    identifier: str | None = None  # local student number
    email: str | None = None
    grades: str | None = None
    org_ids: str | None = None
    primary_org_id: str | None = None
    user_ids: str | None = None
    master_id: str | None = None
    preferred_given_name: str | None = None
    preferred_family_name: str | None = None


class Demographics(Record):
    entity: ClassVar[str] = "demographics"
    source_id: Annotated[str, Ref("users")]  # the user it describes
    birth_date: IsoDate | None = None
    sex: str | None = None


class Role(Record):
    entity: ClassVar[str] = "roles"
    user_id: Annotated[str, Ref("users")]
    role_type: str  # primary | secondary
    role: str
    org_id: Annotated[str, Ref("orgs")]
    begin_date: IsoDate | None = None
    end_date: IsoDate | None = None


class Enrollment(Record):
    entity: ClassVar[str] = "enrollments"
    class_id: Annotated[str, Ref("classes")]
    school_id: str
    user_id: Annotated[str, Ref("users")]
    role: str
    is_primary: bool | None = None
    begin_date: IsoDate | None = None
    end_date: IsoDate | None = None


class Category(Record):
    entity: ClassVar[str] = "categories"
    title: str
    weight: float | None = None


class ScoreScale(Record):
    entity: ClassVar[str] = "score_scales"
    title: str
    scale_type: str
    org_id: str | None = None
    course_id: str | None = None
    class_id: str | None = None
    scale_values: str  # OneRoster's "{4:Exemplary},{3:Proficient}" text


class LineItem(Record):
    entity: ClassVar[str] = "line_items"
    title: str
    description: str | None = None
    assign_date: IsoDate
    due_date: IsoDate
    class_id: Annotated[str, Ref("classes")]
    category_id: str
    session_id: str | None = None
    result_min: float | None = None
    result_max: float | None = None
    school_id: str | None = None


class LineItemObjective(Record):
    entity: ClassVar[str] = "line_item_objectives"
    line_item_id: Annotated[str, Ref("line_items")]
    objective_source: str  # case | unknown | a platform's name
    objective_id: str


class LineItemScoreScale(Record):
    entity: ClassVar[str] = "line_item_score_scales"
    line_item_id: Annotated[str, Ref("line_items")]
    score_scale_id: Annotated[str, Ref("score_scales")]


class Result(Record):
    entity: ClassVar[str] = "results"
    line_item_id: Annotated[str, Ref("line_items")]
    student_id: Annotated[str, Ref("users")]
    class_id: str | None = None
    score_status: str
    score: float | None = None
    text_score: str | None = None
    score_date: IsoDate  # the assessment date: "most recent" is by this date
    comment: str | None = None
    in_progress: bool | None = None
    incomplete: bool | None = None
    late: bool | None = None
    missing: bool | None = None


class ResultObjective(Record):
    """A standards score: a result's score on one learning objective (OneRoster 1.2)."""

    entity: ClassVar[str] = "result_objectives"
    result_id: Annotated[str, Ref("results")]
    objective_source: str
    objective_id: str
    score: float | None = None
    text_score: str | None = None


class ResultScoreScale(Record):
    entity: ClassVar[str] = "result_score_scales"
    result_id: Annotated[str, Ref("results")]
    score_scale_id: Annotated[str, Ref("score_scales")]


class CourseGrade(Record):
    """A term or final course grade, for sources that carry them as such (Ed-Fi, SIS exports)."""

    entity: ClassVar[str] = "course_grades"
    student_id: str
    class_id: str
    course_id: str | None = None
    session_id: str | None = None
    grade_type: str | None = None  # final | term | progress
    letter: str | None = None
    percent: float | None = None
    grade_date: IsoDate | None = None


class LearningObjective(Record):
    """A learning objective a source describes (Ed-Fi learning standard, Canvas outcome)."""

    entity: ClassVar[str] = "learning_objectives"
    title: str | None = None
    human_code: str | None = None
    case_guid: str | None = None
    parent_id: str | None = None


class Resource(Record):
    entity: ClassVar[str] = "resources"
    vendor_resource_id: str
    title: str | None = None
    roles: str | None = None
    importance: str | None = None
    vendor_id: str | None = None
    application_id: str | None = None


class ClassResource(Record):
    entity: ClassVar[str] = "class_resources"
    class_id: str
    resource_id: str
    title: str | None = None


class CourseResource(Record):
    entity: ClassVar[str] = "course_resources"
    course_id: str
    resource_id: str
    title: str | None = None


class UserResource(Record):
    entity: ClassVar[str] = "user_resources"
    user_id: str
    resource_id: str
    org_id: str | None = None
    class_id: str | None = None


class UserProfile(Record):
    entity: ClassVar[str] = "user_profiles"
    user_id: str
    profile_type: str
    vendor_id: str
    application_id: str | None = None
    description: str | None = None
    credential_type: str
    username: str


RECORD_TYPES: tuple[type[Record], ...] = (
    Org, AcademicSession, Course, Class, User, Demographics, Role, Enrollment, Category, ScoreScale,
    LineItem, LineItemObjective, LineItemScoreScale, Result, ResultObjective, ResultScoreScale,
    CourseGrade, LearningObjective, Resource, ClassResource, CourseResource, UserResource, UserProfile,
)
RECORDS_BY_ENTITY: dict[str, type[Record]] = {r.entity: r for r in RECORD_TYPES}
