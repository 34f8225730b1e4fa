"""A fake OneRoster 1.1 / 1.2 REST provider on a :class:`FakeServer`.

Collections live in memory (``data[collection][sourcedId] = record``, OneRoster JSON shapes).
Listings honour ``limit``/``offset`` (with ``X-Total-Count`` and a ``Link`` header),
``sort=sourcedId``, and ``filter=dateLastModified>='...'`` (``>`` too). Records with status
``tobedeleted`` are listed only by filtered (delta) requests. Auth: OAuth 2 bearer tokens from
``/oauth/token``, or OAuth 1.0a signatures checked with this module's own implementation.

Grade passback (for write-back tests): ``PUT <gradebook service>/<collection>/<sourcedId>``
with ``{"<singular>": {...}}`` creates (201) or replaces (200) the record; a body whose
sourcedId differs from the URL's is refused (400); ``refuse`` hooks can reject chosen
records; ``put`` counts PUTs per collection and ``scopes`` records the scopes tokens were asked for.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from fakes.server import FakeServer, Reply, Request

ROSTERING = ("orgs", "academicSessions", "courses", "classes", "users", "demographics", "enrollments")
GRADEBOOK = ("categories", "scoreScales", "lineItems", "results")


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _r(sid: str) -> dict:
    return {"href": f"https://example.test/{sid}", "sourcedId": sid, "type": "ref"}


def district(students: int = 30, classes: int = 4, items_per_class: int = 2, enrollments_per_student: int = 2,
             objectives: bool = True) -> dict[str, dict[str, dict]]:
    """A deterministic little district in OneRoster 1.2 JSON."""
    stamp = "2024-09-01T00:00:00.000Z"
    data: dict[str, dict[str, dict]] = {c: {} for c in (*ROSTERING, *GRADEBOOK)}

    def put(collection: str, record: dict) -> None:
        data[collection][record["sourcedId"]] = {"status": "active", "dateLastModified": stamp, **record}

    put("orgs", {"sourcedId": "org1", "name": "Riverbend High", "type": "school", "identifier": "RHS"})
    put("academicSessions", {"sourcedId": "term1", "title": "Fall 2024", "type": "semester",
                             "startDate": "2024-08-26", "endDate": "2025-01-17", "schoolYear": 2025})
    put("categories", {"sourcedId": "cat1", "title": "Assessment", "weight": 1.0})
    put("scoreScales", {"sourcedId": "ss1", "title": "Mastery 1-4", "type": "mastery",
                        "scoreScaleValue": [{"itemValueLHS": str(v), "itemValueRHS": str(v)} for v in (1, 2, 3, 4)]})
    for c in range(classes):
        put("courses", {"sourcedId": f"crs{c}", "title": f"Course {c}", "courseCode": f"C{c}",
                        "org": _r("org1"), "subjectCodes": [f"0205{c % 10}"], "grades": ["09"]})
        put("classes", {"sourcedId": f"cls{c}", "title": f"Course {c} - 1", "classCode": f"C{c}-1",
                        "classType": "scheduled", "course": _r(f"crs{c}"), "school": _r("org1"),
                        "terms": [_r("term1")], "periods": ["1"]})
        put("users", {"sourcedId": f"tch{c}", "username": f"t{c}", "enabledUser": "true", "givenName": "T",
                      "familyName": f"Teacher{c}", "roles": [{"roleType": "primary", "role": "teacher",
                                                              "org": _r("org1")}], "password": "secret-pw"})
        for i in range(items_per_class):
            record = {"sourcedId": f"li{c}_{i}", "title": f"Assessment {i}", "assignDate": "2024-09-01",
                      "dueDate": "2024-10-01", "class": _r(f"cls{c}"), "category": _r("cat1"),
                      "academicSession": _r("term1"), "resultValueMin": 1, "resultValueMax": 4,
                      "scoreScale": _r("ss1")}
            if objectives:
                record["learningObjectiveSet"] = [{"source": "case", "learningObjectiveIds": [f"LO{c}.{i}"]}]
            put("lineItems", record)
    for n in range(students):
        sid = f"stu{n:05d}"
        put("users", {"sourcedId": sid, "username": f"s{n}", "enabledUser": "true", "givenName": f"Given{n}",
                      "familyName": f"Family{n}", "identifier": f"S{n:05d}", "grades": ["09"],
                      "roles": [{"roleType": "primary", "role": "student", "org": _r("org1")}],
                      "primaryOrg": _r("org1"), "phone": "555-0100"})
        put("demographics", {"sourcedId": sid, "birthDate": "2009-01-01", "sex": "female"})
        for k in range(enrollments_per_student):
            c = (n + k) % classes
            put("enrollments", {"sourcedId": f"enr{n:05d}_{k}", "class": _r(f"cls{c}"), "school": _r("org1"),
                                "user": _r(sid), "role": "student", "primary": "false"})
            for i in range(items_per_class):
                record = {"sourcedId": f"res{n:05d}_{c}_{i}", "lineItem": _r(f"li{c}_{i}"), "student": _r(sid),
                          "class": _r(f"cls{c}"), "scoreStatus": "fully graded", "score": float(1 + (n + i) % 4),
                          "scoreDate": "2024-10-02", "scoreScale": _r("ss1")}
                if objectives:
                    record["learningObjectiveSet"] = [{"source": "case", "learningObjectiveResults": [
                        {"learningObjectiveId": f"LO{c}.{i}", "score": float(1 + (n + i) % 4)}]}]
                put("results", record)
    return data


def from_samples(folder: Path) -> dict[str, dict[str, dict]]:
    """The 1EdTech OneRoster 1.1 REST samples (``../shared/standards``) as the provider's data."""
    data: dict[str, dict[str, dict]] = {c: {} for c in (*ROSTERING, *GRADEBOOK)}
    for path in sorted(folder.glob("*.json")):
        if "invalid" in path.name:
            continue
        body = json.loads(path.read_text(encoding="utf-8"))
        for key, records in body.items():
            for record in records:
                data.setdefault(key, {})[record["sourcedId"]] = record
    return data


class OneRosterFake:
    """Installs the provider's routes on ``server``; ``data`` may be changed between requests."""

    def __init__(self, server: FakeServer, data: dict[str, dict[str, dict]], *, version: str = "1.2",
                 oauth1: tuple[str, str] | None = None, client: tuple[str, str] = ("or-id", "or-secret"),
                 max_limit: int | None = None) -> None:
        self.server, self.data, self.version = server, data, version
        self.oauth1 = oauth1
        self.max_limit = max_limit
        self.ignore_offset = False
        self.put: dict[str, int] = {}
        self.refuse: list = []  # hooks (collection, record) -> Reply | None, asked before a PUT is stored
        self.scopes: list[str] = []
        server.clients[client[0]] = client[1]
        server.route("POST", r"/oauth/token", self.token)
        if version == "1.1":
            server.route("GET", r"/ims/oneroster/v1p1/(\w+)", self.listing)
            server.route("PUT", r"/ims/oneroster/v1p1/(\w+)/([^/]+)", self.replace)
        else:
            server.route("GET", r"/ims/oneroster/(?:rostering|gradebook)/v1p2/(\w+)", self.listing)
            server.route("PUT", r"/ims/oneroster/gradebook/v1p2/(\w+)/([^/]+)", self.replace)

    def token(self, request: Request, m) -> Reply:  # noqa: ANN001
        self.scopes.append(dict(parse_qsl(request.body.decode())).get("scope", ""))
        return self.server.token_endpoint(request)

    # -- changes the tests make -------------------------------------------------------------
    def modify(self, collection: str, sid: str, **fields: object) -> None:
        self.data[collection][sid].update(fields, dateLastModified=now())

    def soft_delete(self, collection: str, sid: str) -> None:
        self.data[collection][sid].update(status="tobedeleted", dateLastModified=now())

    def add(self, collection: str, record: dict) -> None:
        self.data[collection][record["sourcedId"]] = {"status": "active", "dateLastModified": now(), **record}

    def hard_delete(self, collection: str, sid: str) -> None:
        del self.data[collection][sid]

    # -- the API ----------------------------------------------------------------------------------
    def _authorized(self, request: Request) -> bool:
        if self.oauth1 is None:
            return self.server.bearer_ok(request)
        return verify_oauth1(request, *self.oauth1)

    def listing(self, request: Request, m) -> Reply:  # noqa: ANN001
        if not self._authorized(request):
            return Reply(401, {"imsx_codeMajor": "failure", "imsx_severity": "error",
                               "imsx_description": "Unauthorized"})
        name = m.group(1)
        if name not in self.data:
            return Reply(404, {"imsx_codeMajor": "failure", "imsx_severity": "error",
                               "imsx_description": f"unknown collection {name}",
                               "imsx_CodeMinor": {"imsx_codeMinorField": [
                                   {"imsx_codeMinorFieldName": "TargetEndSystem",
                                    "imsx_codeMinorFieldValue": "unknownobject"}]}})
        records = list(self.data[name].values())
        flt = request.arg("filter")
        if flt:
            field, op, value = _parse_filter(flt)
            records = [r for r in records if _compare(str(r.get(field, "")), op, value)]
        else:
            records = [r for r in records if r.get("status") != "tobedeleted"]
        if request.arg("sort"):
            records.sort(key=lambda r: str(r.get(request.arg("sort"), "")))
        limit = int(request.arg("limit", "100"))
        if self.max_limit:
            limit = min(limit, self.max_limit)
        offset = 0 if self.ignore_offset else int(request.arg("offset", "0"))
        page = records[offset: offset + limit]
        headers = {"X-Total-Count": str(len(records))}
        if offset + limit < len(records):
            query = [(k, v) for k, v in request.query if k != "offset"] + [("offset", str(offset + limit))]
            headers["Link"] = f'<{request.url.split("?")[0]}?{urlencode(query)}>; rel="next"'
        return Reply(200, {name: page}, headers)

    def replace(self, request: Request, m) -> Reply:  # noqa: ANN001
        """PUT by sourcedId: create or replace (grade passback)."""
        name, sid = m.group(1), m.group(2)
        if not self._authorized(request):
            return Reply(401, {"imsx_codeMajor": "failure", "imsx_severity": "error", "imsx_description": "Unauthorized"})
        if name not in SINGULAR:
            return Reply(405, {"imsx_codeMajor": "failure", "imsx_description": f"PUT is not supported on {name}"})
        self.put[name] = self.put.get(name, 0) + 1
        try:
            record = json.loads(request.body)[SINGULAR[name]]
        except (ValueError, KeyError, TypeError):
            return Reply(400, {"imsx_codeMajor": "failure", "imsx_description": f"the body has no '{SINGULAR[name]}'"})
        if record.get("sourcedId") != sid:
            return Reply(400, {"imsx_codeMajor": "failure", "imsx_description": "sourcedId differs from the URL's"})
        for hook in self.refuse:
            reply = hook(name, record)
            if reply is not None:
                return reply
        created = sid not in self.data.setdefault(name, {})
        self.data[name][sid] = record
        return Reply(201 if created else 200, None)


SINGULAR = {"categories": "category", "lineItems": "lineItem", "results": "result", "scoreScales": "scoreScale"}


def _parse_filter(text: str) -> tuple[str, str, str]:
    for op in (">=", "<=", "!=", ">", "<", "="):
        if op in text:
            field, _, value = text.partition(op)
            return field.strip(), op, value.strip().strip("'")
    raise ValueError(text)


def _compare(left: str, op: str, right: str) -> bool:
    return {">=": left >= right, ">": left > right, "<=": left <= right, "<": left < right,
            "=": left == right, "!=": left != right}[op]


def verify_oauth1(request: Request, key: str, secret: str) -> bool:
    """An independent check of an OAuth 1.0a HMAC-SHA256 signature (RFC 5849)."""
    header = request.headers.get("authorization", "")
    if not header.startswith("OAuth "):
        return False
    params = {}
    for part in header[6:].split(","):
        k, _, v = part.strip().partition("=")
        params[_unquote(k)] = _unquote(v.strip('"'))
    if params.get("oauth_consumer_key") != key or params.get("oauth_signature_method") != "HMAC-SHA256":
        return False
    given = params.pop("oauth_signature", "")
    params.pop("realm", None)
    url = urlsplit(request.url)
    pairs = list(parse_qsl(url.query, keep_blank_values=True)) + list(params.items())
    enc = lambda s: quote(s, safe="~")  # noqa: E731
    norm = "&".join(f"{k}={v}" for k, v in sorted((enc(k), enc(v)) for k, v in pairs))
    base = f"{request.method}&{enc(f'http://{url.netloc.lower()}{url.path}')}&{enc(norm)}"
    want = base64.b64encode(hmac.new(f"{enc(secret)}&".encode(), base.encode(), hashlib.sha256).digest()).decode()
    return hmac.compare_digest(want, given)


def _unquote(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)
