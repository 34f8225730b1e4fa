"""A fake Canvas LMS on a :class:`FakeServer`: courses and per-course collections.

``Link`` header paging (``page``/``per_page``, at most 100), bearer token auth, and Canvas's
leaky bucket: every request costs ``cost`` units from a bucket of ``capacity`` that drains
at ``leak`` units per second; the remaining amount is sent in ``X-Rate-Limit-Remaining``, and
a request that would overflow gets ``403 Forbidden (Rate Limit Exceeded)``.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlencode

from fakes.server import FakeServer, Reply, Request


def district(courses: int = 3, students: int = 12) -> dict:
    """A deterministic little Canvas account."""
    data: dict = {"courses": [], "per_course": {}}
    users = {n: {"id": 1000 + n, "name": f"Student {n}", "sortable_name": f"Family{n}, Given{n}",
                 "short_name": f"Given{n}", "sis_user_id": f"S{n:04d}", "login_id": f"s{n}"} for n in range(students)}
    for c in range(courses):
        cid = 100 + c
        data["courses"].append({"id": cid, "name": f"Biology {c}", "course_code": f"BIO-{c}", "sis_course_id": f"BIO{c}",
                                "enrollment_term_id": 7, "workflow_state": "available"})
        members = [n for n in range(students) if n % courses == c or n % 2 == 0]
        outcome = 500 + c
        data["per_course"][cid] = {
            "sections": [{"id": 200 + c, "name": f"Biology {c} - A", "course_id": cid, "sis_section_id": f"BIO{c}-A"}],
            "users": [users[n] for n in members],
            "enrollments": [{"id": 10_000 + cid * 100 + n, "course_id": cid, "course_section_id": 200 + c,
                             "user_id": users[n]["id"], "type": "StudentEnrollment", "enrollment_state": "active",
                             "updated_at": "2024-10-01T12:00:00Z",
                             "grades": {"current_score": 80.0 + n % 20, "current_grade": "B", "final_score": 70.0,
                                        "final_grade": "C"}} for n in members],
            "assignments": [{"id": 3000 + cid * 10 + a, "name": f"Lab {a}", "course_id": cid, "points_possible": 4,
                             "due_at": "2024-10-01T05:59:59Z", "created_at": "2024-09-01T00:00:00Z"} for a in range(2)],
            "submissions": [{"id": 70_000 + cid * 1000 + n * 10 + a, "assignment_id": 3000 + cid * 10 + a,
                             "user_id": users[n]["id"], "score": float(1 + (n + a) % 4), "grade": str(1 + (n + a) % 4),
                             "workflow_state": "graded", "graded_at": "2024-10-02T10:00:00Z", "late": False,
                             "missing": False, "rubric_assessment": {"_crit1": {"points": float(1 + n % 4)}}}
                            for n in members for a in range(2)],
            "outcome_groups": [{"id": 40 + c, "title": f"Biology {c} outcomes", "vendor_guid": None,
                                "parent_outcome_group": None}],
            "outcome_links": [{"outcome_group": {"id": 40 + c}, "outcome": {
                "id": outcome, "title": f"Cells {c}", "display_name": f"BIO.{c}",
                "vendor_guid": f"6b8e0f5c-0000-4000-8000-0000000001{c:02d}"}}],
            "outcome_results": [{"id": 90_000 + cid * 100 + n, "score": float(1 + n % 4), "possible": 4.0,
                                 "submitted_or_assessed_at": "2024-10-02T10:00:00Z",
                                 "links": {"user": str(users[n]["id"]), "learning_outcome": str(outcome),
                                           "alignment": f"assignment_{3000 + cid * 10}"}} for n in members],
            "rollups": [{"scores": [{"score": float(1 + n % 4), "count": 1, "links": {"outcome": str(outcome)}}],
                         "links": {"user": str(users[n]["id"]), "section": str(200 + c)}} for n in members],
        }
    return data


class CanvasFake:
    """Installs the Canvas routes; ``data`` may be changed between requests."""

    def __init__(self, server: FakeServer, data: dict, *, token: str = "canvas-token-123456",
                 capacity: float = 700.0, leak: float = 10.0, cost: float = 0.0) -> None:
        self.server, self.data, self.token = server, data, token
        self.capacity, self.leak, self.cost = capacity, leak, cost
        self._level, self._at = 0.0, time.monotonic()
        self._lock = threading.Lock()
        self.throttled = 0
        server.route("GET", r"/api/v1/(?:accounts/\w+/)?courses", self.courses)
        server.route("GET", r"/api/v1/courses/(\d+)", self.course)
        server.route("GET", r"/api/v1/courses/(\d+)/(sections|users|enrollments|assignments|outcome_groups)", self.per_course)
        server.route("GET", r"/api/v1/courses/(\d+)/students/submissions",
                     lambda r, m: self._list(r, self._course(m)["submissions"], m))
        server.route("GET", r"/api/v1/courses/(\d+)/outcome_group_links",
                     lambda r, m: self._list(r, self._course(m)["outcome_links"], m))
        server.route("GET", r"/api/v1/courses/(\d+)/outcome_results",
                     lambda r, m: self._list(r, self._course(m)["outcome_results"], m, key="outcome_results"))
        server.route("GET", r"/api/v1/courses/(\d+)/outcome_rollups",
                     lambda r, m: self._list(r, self._course(m)["rollups"], m, key="rollups"))

    def _course(self, m) -> dict:  # noqa: ANN001
        return self.data["per_course"].get(int(m.group(1)), {})

    def _meter(self) -> tuple[bool, float]:
        with self._lock:
            now = time.monotonic()
            self._level = max(0.0, self._level - (now - self._at) * self.leak)
            self._at = now
            if self._level + self.cost > self.capacity:
                self.throttled += 1
                return False, self.capacity - self._level
            self._level += self.cost
            return True, self.capacity - self._level

    def _gate(self, request: Request) -> Reply | None:
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"errors": [{"message": "Invalid access token."}]})
        ok, remaining = self._meter()
        if not ok:
            return Reply(403, b"403 Forbidden (Rate Limit Exceeded)", {"X-Rate-Limit-Remaining": f"{remaining:.1f}"})
        return None

    def _list(self, request: Request, items: list, m, key: str | None = None) -> Reply:  # noqa: ANN001
        denied = self._gate(request)
        if denied is not None:
            return denied
        per_page = min(int(request.arg("per_page", "10")), 100)
        page = int(request.arg("page", "1"))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {"X-Rate-Limit-Remaining": f"{self._meter_remaining():.1f}"}
        base = request.url.split("?")[0]
        query = [(k, v) for k, v in request.query if k != "page"]
        links = [f'<{base}?{urlencode(query + [("page", "1")])}>; rel="first"']
        if page * per_page < len(items):
            links.insert(0, f'<{base}?{urlencode(query + [("page", str(page + 1))])}>; rel="next"')
        headers["Link"] = ", ".join(links)
        body = {key: chunk, "linked": {}, "meta": {}} if key else chunk
        return Reply(200, body, headers)

    def _meter_remaining(self) -> float:
        with self._lock:
            return self.capacity - self._level

    def courses(self, request: Request, m) -> Reply:  # noqa: ANN001
        return self._list(request, self.data["courses"], m)

    def course(self, request: Request, m) -> Reply:  # noqa: ANN001
        denied = self._gate(request)
        if denied is not None:
            return denied
        found = next((c for c in self.data["courses"] if c["id"] == int(m.group(1))), None)
        return Reply(200, found) if found else Reply(404, {"errors": [{"message": "The specified resource does not exist."}]})

    def per_course(self, request: Request, m) -> Reply:  # noqa: ANN001
        return self._list(request, self._course(m).get(m.group(2), []), m)
