"""Write-back to a OneRoster 1.1 / 1.2 provider: gradebook line items and results, PUT by sourcedId.

For an SIS that takes OneRoster grade passback:

* one ``category`` ("Proficiency-based grades (cbe-bridge)") the line items belong to;
* per class with back-translated marks, one ``lineItem`` ("Proficiency-based grade") on the
  class's term, scored on the proficiency scale (``resultValueMin`` 0 to the scale's top);
* per student and class, a ``result``: ``score`` the proficiency value the letter came from,
  the letter in ``textScore`` (1.2) and in ``comment`` (1.1 has no text score), and in 1.2 a
  ``learningObjectiveSet`` with the student's level on each competency the course is aligned
  to (source ``case``, the CASE identifiers of the continuum).

sourcedIds are UUID 5 values derived from the store source and the class (and student), so a
re-run PUTs the same ids: a PUT by sourcedId replaces, nothing is duplicated. Classes,
students, schools and terms are referred to by the store's ids, which are the provider's
sourcedIds when the records came from it (its REST API or its CSV export).
Teachers' letters kept as given (courses not aligned to the continuum, and classes with no
standards evidence, whose mark is the teacher's letter) are not written: the SIS has them
already, and they were not made from proficiency.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

from cbe_bridge.engine.policy import Policy
from cbe_bridge.translate.student_records import CourseMark, StudentRecord
from cbe_bridge.sources.http.client import HttpClient, Response
from cbe_bridge.sources.http.settings import OAuth2Settings
from cbe_bridge.sources.oneroster_rest.settings import OneRosterRestSettings
from cbe_bridge.writeback.gather import Gathered
from cbe_bridge.writeback.plan import Change, Skip

RESOURCES = ("categories", "lineItems", "results")
NAMESPACE = uuid.UUID("8f1c6a52-4d0e-5b7a-9c61-3e2b7d9a0c15")  # cbe-bridge write-back ids
# The 1.2 scope that allows PUT on gradebook collections (asked for unless the configuration names scopes).
SCOPE_CREATEPUT = "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.createput"


def sourced_id(*parts: str) -> str:
    """A deterministic sourcedId for a record cbe-bridge writes."""
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


_COLLECTIONS = {"class": "classes", "category": "categories", "lineItem": "lineItems", "user": "users",
                "org": "orgs", "academicSession": "academicSessions"}


def _ref(kind: str, sid: str) -> dict[str, str]:
    """A OneRoster GUIDRef (href relative to the service)."""
    return {"href": f"/{_COLLECTIONS[kind]}/{sid}", "sourcedId": sid, "type": kind}


def _num(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


class OneRosterBuilder:
    """Turns gathered records into OneRoster gradebook changes."""

    def __init__(self, g: Gathered, policy: Policy, version: str) -> None:
        self.g, self.policy, self.version = g, policy, version
        self.category = sourced_id(g.source, "category")

    def build(self) -> tuple[list[Change], list[Skip]]:
        items: dict[str, Change] = {}
        results: list[Change] = []
        skipped: list[Skip] = []
        for rec in self.g.records:
            for mark in rec.courses:
                if mark.letter is None or mark.value is None or \
                        self.policy.keeps_teacher_letter(mark.basis, mark.letter, mark.source_letter):
                    continue  # the teacher's letter kept: the SIS has it already
                klass = self.g.classes.get(mark.class_id)
                if klass is None:
                    skipped.append(Skip("results", sourced_id(self.g.source, "result", rec.person.student_id,
                                                              mark.class_id), f"class {mark.class_id} is not in the store"))
                    continue
                if mark.class_id not in items:
                    items[mark.class_id] = self._line_item(mark, klass)
                results.append(self._result(rec, mark, items[mark.class_id].key))
        if not items:
            return [], skipped
        return [self._category(), *items.values(), *results], skipped

    def _put(self, resource: str, sid: str, record: dict[str, Any]) -> Change:
        singular = resource[:-1] if resource != "categories" else "category"
        body = {"sourcedId": sid, "status": "active", **record}
        return Change.make(resource, sid, "PUT", f"{resource}/{sid}", {singular: body})

    def _category(self) -> Change:
        return self._put("categories", self.category, {"title": "Proficiency-based grades (cbe-bridge)"})

    def _line_item(self, mark: CourseMark, klass: dict[str, Any]) -> Change:
        sid = sourced_id(self.g.source, "lineItem", mark.class_id)
        day = mark.term_end or self.g.run.as_of
        record: dict[str, Any] = {
            "title": "Proficiency-based grade",
            "description": "Course grade back-translated from proficiency on the course's competencies",
            "assignDate": mark.session_start or day, "dueDate": day,
            "class": _ref("class", mark.class_id), "category": _ref("category", self.category),
            "resultValueMin": 0.0, "resultValueMax": float(self.policy.scale.max_value),
        }
        if mark.session_id:
            record["gradingPeriod" if self.version == "1.1" else "academicSession"] = \
                _ref("academicSession", mark.session_id)
        if self.version != "1.1" and klass.get("school_id"):
            record["school"] = _ref("org", klass["school_id"])
        return self._put("lineItems", sid, record)

    def _result(self, rec: StudentRecord, mark: CourseMark, line_item: str) -> Change:
        student = rec.person.student_id
        sid = sourced_id(self.g.source, "result", student, mark.class_id)
        record: dict[str, Any] = {
            "lineItem": _ref("lineItem", line_item), "student": _ref("user", student),
            "scoreStatus": "fully graded", "score": _num(mark.value),
            "scoreDate": mark.term_end or self.g.run.as_of,
            "comment": f"{mark.letter} (back-translated from proficiency, {mark.basis} evidence)",
        }
        if self.version != "1.1":
            record.update({"class": _ref("class", mark.class_id), "textScore": mark.letter})
            objectives = self._objectives(rec, mark)
            if objectives:
                record["learningObjectiveSet"] = [{"source": "case", "learningObjectiveResults": objectives}]
        return self._put("results", sid, record)

    def _objectives(self, rec: StudentRecord, mark: CourseMark) -> list[dict[str, Any]]:
        alignment = self.policy.alignment_for(mark.course_code, mark.sced_code, mark.title)
        out = []
        for node, _weight in alignment.competencies if alignment else ():
            figure = rec.figures.get(node)
            if figure is not None and figure.value is not None:
                item: dict[str, Any] = {"learningObjectiveId": node, "score": _num(figure.value)}
                if figure.level_code:
                    item["textScore"] = figure.level_code
                out.append(item)
        return sorted(out, key=lambda i: i["learningObjectiveId"])


class OneRosterTarget:
    """A configured OneRoster REST source, written to through its own client."""

    def __init__(self, settings: OneRosterRestSettings) -> None:
        self.settings = settings
        self.name = settings.name
        self.version = settings.version

    def connect(self) -> HttpClient:
        from cbe_bridge.sources.oneroster_rest.source import OneRosterRestSource

        settings = self.settings
        if isinstance(settings.auth, OAuth2Settings) and not settings.auth.scopes and settings.version == "1.2":
            # The source reads with the read-only scopes; writing results needs createput.
            settings = settings.model_copy(update={"auth": settings.auth.model_copy(
                update={"scopes": [SCOPE_CREATEPUT]})})
        return OneRosterRestSource(settings).open_client()

    def url(self, change: Change) -> str:
        base = self.settings.base_url.rstrip("/")
        return f"{base}{self.settings.service_path('gradebook')}/{change.path}"

    def body(self, change: Change) -> dict[str, Any]:
        # dateLastModified is when it is sent: kept out of the content hash, so it alone never
        # makes a record look changed.
        (singular, record), = change.body.items()
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return {singular: {**record, "dateLastModified": stamp}}

    def location(self, change: Change, response: Response) -> str | None:
        return self.url(change)
