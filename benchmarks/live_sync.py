"""Benchmark: a district-sized OneRoster REST pull from the fake server, against its bound.

The fake provider runs in a child process (so its JSON encoding does not compete with the
sync for the GIL) with a fixed latency per request and a rate limit (requests per second;
over it, 429 with Retry-After). The sync runs with the same rate limit configured, as a
district would configure it from the vendor's published quota. The bound is the larger of

* requests x latency / concurrency (the network, fully overlapped), and
* requests / rate limit (the quota: ``rate`` per second with one second of burst),

and the figure is the measured wall time of ``sync`` over that bound (target: within 1.5x).
For comparison it also times the same pages fetched by bare ``requests`` threads that do
nothing with them: on a shared or small machine (and with this Python fake server) even that
stays above the bound, and the sync's own cost is its ratio to that floor. Records are made on
the fly from their index, so 50,000 students cost the server no memory.
Prints figures and asserts nothing::

    python benchmarks/live_sync.py --students 50000 --latency 0.2 --rate 40 --concurrency 8
"""

from __future__ import annotations

import argparse
import math
import multiprocessing as mp
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from cbe_bridge.sources.oneroster_rest.settings import OneRosterRestSettings  # noqa: E402
from cbe_bridge.sources.oneroster_rest.source import OneRosterRestSource  # noqa: E402
from cbe_bridge.store import open_store  # noqa: E402
from cbe_bridge.sync import sync_sources  # noqa: E402
from fakes.server import FakeServer, Reply  # noqa: E402

STAMP = "2024-09-01T00:00:00.000Z"


def _ref(sid: str) -> dict:
    return {"href": f"https://sis.example/{sid}", "sourcedId": sid, "type": "ref"}


class District:
    """OneRoster JSON records computed from their index: ``count(name)`` and ``record(name, i)``."""

    def __init__(self, students: int, per_student: int, classes: int) -> None:
        self.students, self.per_student, self.classes = students, per_student, classes
        self.teachers = classes

    def count(self, name: str) -> int:
        return {"orgs": 1, "academicSessions": 1, "courses": self.classes, "classes": self.classes,
                "users": self.students + self.teachers, "demographics": self.students,
                "enrollments": self.students * self.per_student}.get(name, 0)

    def record(self, name: str, i: int) -> dict:
        base = {"status": "active", "dateLastModified": STAMP}
        if name == "orgs":
            return {**base, "sourcedId": "org1", "name": "Big District High", "type": "school"}
        if name == "academicSessions":
            return {**base, "sourcedId": "term1", "title": "Fall", "type": "semester", "startDate": "2024-08-26",
                    "endDate": "2025-01-17", "schoolYear": 2025}
        if name == "courses":
            return {**base, "sourcedId": f"crs{i:05d}", "title": f"Course {i}", "courseCode": f"C{i}",
                    "org": _ref("org1"), "grades": ["09"]}
        if name == "classes":
            return {**base, "sourcedId": f"cls{i:05d}", "title": f"Course {i} - 1", "classType": "scheduled",
                    "course": _ref(f"crs{i:05d}"), "school": _ref("org1"), "terms": [_ref("term1")]}
        if name == "users":
            if i < self.teachers:
                return {**base, "sourcedId": f"tch{i:05d}", "username": f"t{i}", "enabledUser": "true",
                        "givenName": "T", "familyName": f"Teacher{i}", "role": "teacher", "orgs": [_ref("org1")]}
            n = i - self.teachers
            return {**base, "sourcedId": f"stu{n:06d}", "username": f"s{n}", "enabledUser": "true",
                    "givenName": f"Given{n}", "familyName": f"Family{n}", "identifier": f"S{n:06d}",
                    "roles": [{"roleType": "primary", "role": "student", "org": _ref("org1")}],
                    "grades": ["09"], "primaryOrg": _ref("org1")}
        if name == "demographics":
            return {**base, "sourcedId": f"stu{i:06d}", "birthDate": "2009-01-01", "sex": "female"}
        if name == "enrollments":
            n, k = divmod(i, self.per_student)
            c = (n * self.per_student + k) % self.classes
            return {**base, "sourcedId": f"enr{n:06d}_{k}", "class": _ref(f"cls{c:05d}"), "school": _ref("org1"),
                    "user": _ref(f"stu{n:06d}"), "role": "student"}
        raise KeyError(name)


def serve(students: int, per_student: int, classes: int, latency: float, rate: float, conn) -> None:  # noqa: ANN001
    """The child process: the fake provider until the parent closes the pipe."""
    district = District(students, per_student, classes)
    server = FakeServer()
    server.latency = latency
    server.clients["bench-id"] = "bench-secret"
    burst = max(2.0, rate)  # a quota of `rate` per second, with a second's worth of burst
    lock, state = threading.Lock(), {"tokens": burst, "at": time.monotonic(), "over": 0}

    def listing(request, m) -> Reply:  # noqa: ANN001
        with lock:  # the provider's quota: a token bucket; over it, 429
            now = time.monotonic()
            state["tokens"] = min(burst, state["tokens"] + (now - state["at"]) * rate)
            state["at"] = now
            if state["tokens"] < 1:
                state["over"] += 1
                return Reply(429, {"imsx_codeMajor": "failure"}, {"Retry-After": "1"})
            state["tokens"] -= 1
        if not server.bearer_ok(request):
            return Reply(401, {"imsx_codeMajor": "failure"})
        name = m.group(1)
        total = district.count(name)
        offset, limit = int(request.arg("offset", "0")), int(request.arg("limit", "100"))
        page = [district.record(name, i) for i in range(offset, min(offset + limit, total))]
        return Reply(200, {name: page}, {"X-Total-Count": str(total)})

    server.route("POST", r"/oauth/token", lambda r, m: server.token_endpoint(r))
    server.route("GET", r"/ims/oneroster/(?:rostering|gradebook)/v1p2/(\w+)", listing)
    with server:
        conn.send(server.url)
        conn.recv()  # until the parent is done
        conn.send({"requests": server.count, "over_quota": state["over"]})


def raw_floor(url: str, district: District, streams: list[str], args: argparse.Namespace) -> float:
    """The same requests with bare ``requests`` threads and no processing: what this machine and
    the fake server allow at best, for comparison with the sync (which also parses and stores)."""
    import requests  # noqa: PLC0415

    from cbe_bridge.sources.http.ratelimit import TokenBucket  # noqa: PLC0415

    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=args.concurrency + 1))
    token = session.post(f"{url}/oauth/token", data={"grant_type": "client_credentials"},
                         auth=("bench-id", "bench-secret")).json()["access_token"]
    bucket = TokenBucket(args.rate)
    pages = [(name, offset) for name in streams for offset in range(0, max(district.count(name), 1), args.page_size)]

    def get(page: tuple[str, int]) -> None:
        bucket.acquire()
        session.get(f"{url}/ims/oneroster/rostering/v1p2/{page[0]}", params={"offset": page[1], "limit": args.page_size},
                    headers={"Authorization": f"Bearer {token}"}).json()

    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(get, pages))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--enrollments", type=int, default=6, help="class enrollments per student")
    parser.add_argument("--classes", type=int, default=2_000)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per request at the server")
    parser.add_argument("--rate", type=float, default=40.0, help="the server's quota, requests per second")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("--no-floor", dest="floor", action="store_false",
                        help="skip the bare-requests comparison run")
    args = parser.parse_args()

    parent, child = mp.Pipe()
    proc = mp.get_context("fork").Process(target=serve, args=(args.students, args.enrollments, args.classes,
                                                              args.latency, args.rate, child), daemon=True)
    proc.start()
    url = parent.recv()
    os.environ.update(BENCH_ID="bench-id", BENCH_SECRET="bench-secret")
    settings = OneRosterRestSettings.model_validate({
        "name": "sis", "kind": "oneroster-rest", "base_url": url, "page_size": args.page_size,
        "concurrency": args.concurrency, "rate_limit": args.rate, "overlap_seconds": 0,
        "streams": ["orgs", "academicSessions", "courses", "classes", "users", "demographics", "enrollments"],
        "auth": {"method": "oauth2", "token_url": f"{url}/oauth/token", "client_id": {"env": "BENCH_ID"},
                 "client_secret": {"env": "BENCH_SECRET"}}})
    district = District(args.students, args.enrollments, args.classes)
    records = sum(district.count(s) for s in settings.streams or [])
    pages = sum(max(1, math.ceil(district.count(s) / args.page_size)) for s in settings.streams or [])
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "bench.db")
        started = time.perf_counter()
        (outcome,) = sync_sources(store, [OneRosterRestSource(settings)])
        elapsed = time.perf_counter() - started
        store.dispose()
    floor = raw_floor(url, district, list(settings.streams or []), args) if args.floor else None
    parent.send("done")
    served = parent.recv()
    proc.join(5)
    network = pages * args.latency / args.concurrency
    quota = pages / args.rate
    bound = max(network, quota)
    retries = sum(c.retries for c in outcome.collections.values())
    print(f"students {args.students:,}  records {records:,}  pages {pages}  (page size {args.page_size}, "
          f"{args.concurrency} in flight, latency {args.latency * 1000:.0f} ms, quota {args.rate:g}/s)")
    print(f"status {outcome.status}  requests served {served['requests']}  over quota {served['over_quota']}  "
          f"client retries {retries}")
    print(f"bound: network {network:.2f} s, quota {quota:.2f} s -> {bound:.2f} s")
    print(f"measured {elapsed:.2f} s = {elapsed / bound:.2f} x the bound  ({records / elapsed:,.0f} records/s)")
    if floor is not None:
        print(f"bare requests, no processing, same pages: {floor:.2f} s = {floor / bound:.2f} x the bound "
              f"(the sync is {elapsed / floor:.2f} x that)")


if __name__ == "__main__":
    main()
