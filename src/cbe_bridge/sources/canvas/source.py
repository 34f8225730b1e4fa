"""The Canvas LMS source: courses, then each course's rosters, gradebook and outcomes.

* Auth: a bearer token from the environment or a secrets file.
* Paging: ``Link: rel="next"`` (``per_page`` at most 100). Each course's collections are
  separate, so the puller keeps several courses in flight at once within the concurrency.
* Rate limit: Canvas meters a token with a leaky bucket. The client slows down as
  ``X-Rate-Limit-Remaining`` falls below ``low_water`` and pauses everyone on a 403 "Rate Limit
  Exceeded", then retries: slower, never failing for it.
* Every cycle is a full pull (Canvas has no change feed for these collections); a course's
  collections replace what the store had for that course, and a resumed cycle skips the
  courses it finished.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from cbe_bridge.sources.base import RunContext
from cbe_bridge.sources.canvas.settings import CanvasSettings
from cbe_bridge.sources.canvas.streams import COURSES, PER_COURSE, STREAMS
from cbe_bridge.sources.http.auth import BearerAuth
from cbe_bridge.sources.http.client import HttpClient
from cbe_bridge.sources.http.live import LiveSource
from cbe_bridge.sources.http.paging import LinkHeaderPaginator, Paginator
from cbe_bridge.sources.http.pull import BARRIER
from cbe_bridge.sources.http.ratelimit import LeakyBucketGovernor
from cbe_bridge.sources.http.streams import SourceInfo, Stream


def _error_detail(raw: Any) -> str | None:
    try:
        body = raw.json()
    except ValueError:
        return None
    if isinstance(body, dict) and isinstance(body.get("errors"), list):
        return "; ".join(str(e.get("message", e)) if isinstance(e, dict) else str(e) for e in body["errors"])
    return None


class CanvasSource(LiveSource):
    """A configured Canvas instance."""

    kind: ClassVar[str] = "canvas"
    info: ClassVar[SourceInfo] = SourceInfo(
        "canvas", "Canvas LMS REST API v1 (courses, enrollments, submissions, outcomes)",
        frozenset({"resume", "parallel", "bearer", "rate-limit"}))
    streams: ClassVar[tuple[Stream, ...]] = STREAMS
    settings: CanvasSettings

    def open_client(self) -> HttpClient:
        s = self.settings
        return self.new_client(_error_detail, auth=BearerAuth(s.token.resolve()),
                               governor=LeakyBucketGovernor(low_water=s.low_water, max_delay=s.max_delay,
                                                            overflow_pause=s.overflow_pause))

    def _url(self, path: str) -> str:
        return f"{self.settings.base_url.rstrip('/')}/api/v1/{path}"

    def plan(self, run: RunContext, client: HttpClient, cycle: dict[str, Any]) -> Iterator[Any]:
        """Courses first; once they are committed, every chosen stream of every course."""
        s = self.settings
        paging = {"per_page": s.page_size}
        if s.course_ids:
            for course in s.course_ids:
                item = self.collection(COURSES, self._url(f"courses/{course}"), Paginator(), cycle,
                                       key=f"courses/{course}", label=f"course {course}", full=True)
                item.extract = lambda body: [body] if isinstance(body, dict) else []
                yield item
        else:
            path = f"accounts/{s.account_id}/courses" if s.account_id else "courses"
            extra = {"enrollment_term_id": s.enrollment_term_id} if s.enrollment_term_id and s.account_id else {}
            yield self.collection(COURSES, self._url(path), LinkHeaderPaginator(), cycle,
                                  params={**paging, **extra}, full=True, remember=True)
        yield BARRIER  # the per-course plan reads the courses just committed
        chosen = {st.name for st in self.selected()}
        for course in self._course_ids(run):
            for stream in PER_COURSE:
                if stream.name not in chosen:
                    continue
                scope = (stream.sweep, {"course": course}) if stream.sweep else None
                yield self.collection(stream, self._url(stream.path.format(course=course)), LinkHeaderPaginator(),
                                      cycle, key=f"{stream.name}/{course}", label=f"{stream.name} (course {course})",
                                      params=paging, full=True, course=course, sweep_scope=scope)

    def _course_ids(self, run: RunContext) -> list[str]:
        """The courses of this cycle: the configured ones, or those the listing gave (committed,
        so a resumed cycle plans the same courses)."""
        if self.settings.course_ids:
            return [str(c) for c in self.settings.course_ids]
        return run.seen("courses", "courses")
