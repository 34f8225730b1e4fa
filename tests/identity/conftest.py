"""Fixtures for identity across sources: a SIS bundle, a Canvas account on the fake, a tiny policy."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import REPO, write_csv
from fakes import canvas as fake_canvas

from cbe_bridge.identity.settings import IdentitySettings
from cbe_bridge.sources.canvas.settings import CanvasSettings
from cbe_bridge.sources.canvas.source import CanvasSource
from cbe_bridge.store.schema import CANONICAL

# Personal data the fixtures hold; no report, log line or error may ever show any of it.
SIS_NAMES = ["Ann", "Bo", "Cy", "Dee"]
PERSONAL = ["Ann", "Lee", "Given0", "Family0", "Given1", "Family1", "@example.org"]

CONTINUUM = """\
version: 1
id: tiny
title: Tiny continuum
node_types: [Content Area, Competency, Learning Target]
children:
  - code: M
    title: Mathematics
    children:
      - code: M.C1
        title: Ratios
        children:
          - {code: M.C1.T1, title: Unit rates}
          - {code: M.C1.T2, title: Proportions}
"""

MAPPING = """\
version: 1
extends: {reference}
continuum: continuum.yaml
objective_alignments:
  rules:
    - match: {{source: canvas, id: "500"}}
      node: M.C1.T1
"""


def sis_bundle(folder: Path, identifiers: list[str], user_ids: list[str] | None = None) -> Path:
    """A OneRoster CSV bundle: one class, students u1.. with these local ids (and ``userIds``
    cells, if given), a final grade each."""
    write_csv(folder / "orgs.csv", ["sourcedId", "name", "type"], [["o1", "Riverbend HS", "school"]])
    write_csv(folder / "academicSessions.csv",
              ["sourcedId", "title", "type", "startDate", "endDate", "schoolYear"],
              [["t1", "Fall 2024", "semester", "2024-08-26", "2025-01-17", "2025"]])
    write_csv(folder / "courses.csv", ["sourcedId", "title", "courseCode", "orgSourcedId"],
              [["c1", "Algebra I", "ALG1", "o1"]])
    write_csv(folder / "classes.csv",
              ["sourcedId", "title", "courseSourcedId", "classType", "schoolSourcedId", "termSourcedIds"],
              [["k1", "Algebra I - 1", "c1", "scheduled", "o1", "t1"]])
    users = [[f"u{i + 1}", "true", f"user{i + 1}", SIS_NAMES[i % 4], "Lee", ident,
              f"{SIS_NAMES[i % 4].lower()}@example.org", "student"] for i, ident in enumerate(identifiers)]
    users.append(["t9", "true", "teach", "Tess", "Lee", "T9", "tess@example.org", "teacher"])
    header = ["sourcedId", "enabledUser", "username", "givenName", "familyName", "identifier", "email", "role"]
    if user_ids is not None:
        header.append("userIds")
        users = [[*u, cell] for u, cell in zip(users, [*user_ids, ""], strict=True)]
    write_csv(folder / "users.csv", header, users)
    write_csv(folder / "enrollments.csv", ["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
              [[f"e{u[0]}", "k1", "o1", u[0], u[7]] for u in users])
    write_csv(folder / "categories.csv", ["sourcedId", "title"], [["cat1", "Final Grade"]])
    write_csv(folder / "lineItems.csv", ["sourcedId", "title", "assignDate", "dueDate", "classSourcedId",
                                         "categorySourcedId", "academicSessionSourcedId", "resultValueMin",
                                         "resultValueMax"],
              [["li1", "Final", "2024-08-26", "2025-01-17", "k1", "cat1", "t1", "0", "100"]])
    write_csv(folder / "results.csv", ["sourcedId", "lineItemSourcedId", "studentSourcedId", "scoreStatus",
                                       "score", "scoreDate", "textScore"],
              [[f"r{i + 1}", "li1", f"u{i + 1}", "fully graded", "88", "2025-01-17", "B+"]
               for i in range(len(identifiers))])
    return folder


def canvas_source(url: str, name: str = "lms") -> CanvasSource:
    return CanvasSource(CanvasSettings.model_validate({
        "name": name, "kind": "canvas", "base_url": url, "token": {"env": "CANVAS_TOKEN"},
        "retries": {"attempts": 3, "backoff": 0.01, "max_wait": 0.05}, "timeout": {"connect": 2, "read": 5}}))


def canvas_account(server, students: int = 4) -> dict:
    """One Canvas course; students n = 0.. are users 1000+n with sis_user_id S000n."""
    data = fake_canvas.district(courses=1, students=students)
    for user in data["per_course"][100]["users"]:
        user["email"] = f"given{user['id']}@example.org"
    fake_canvas.CanvasFake(server, data)
    return data


def identity(primary: str = "sis", **sources: list) -> IdentitySettings:
    """``identity(lms=[{"field": "identifier"}])``: settings as the configuration would give them."""
    return IdentitySettings.model_validate({"primary": primary, "sources": {
        name: {"keys": keys} for name, keys in (sources or {"lms": [{"field": "identifier"}]}).items()}})


def add_people(store, source: str, rows: list[dict]) -> None:
    """Users rows (role student unless given); absent fields are None (every row names every
    column: an executemany binds the first row's keys only)."""
    users = CANONICAL["users"]
    with store.engine.begin() as conn:
        conn.execute(users.insert(), [{
            "source": source, "enabled": True, "username": r.get("username", r["source_id"]), "given_name": "Ann",
            "family_name": "Lee", "role": "student", "identifier": None, "email": None, "master_id": None,
            "user_ids": None, **r}
            for r in rows])


@pytest.fixture
def policy_files(tmp_path) -> Path:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "continuum.yaml").write_text(CONTINUUM)
    (folder / "mapping.yaml").write_text(MAPPING.format(reference=(REPO / "mappings" / "reference-district.yaml").as_posix()))
    return folder / "mapping.yaml"


def links(store) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(source, person) -> (status, linked student)."""
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT source, person_id, status, student_id FROM identity_links")).all()
    return {(s, p): (st, sid) for s, p, st, sid in rows}
