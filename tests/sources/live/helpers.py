"""Building live sources against the fake server (settings as a user would write them)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from cbe_bridge.sources.canvas.settings import CanvasSettings
from cbe_bridge.sources.canvas.source import CanvasSource
from cbe_bridge.sources.edfi.settings import EdFiSettings
from cbe_bridge.sources.edfi.source import EdFiSource
from cbe_bridge.sources.oneroster_rest.settings import OneRosterRestSettings
from cbe_bridge.sources.oneroster_rest.source import OneRosterRestSource
from cbe_bridge.store.schema import CANONICAL
from cbe_bridge.sync import sync_sources
from fakes import SECRETS
from fakes import canvas as fake_canvas
from fakes import edfi as fake_edfi
from fakes import oneroster as fake_or
from fakes.server import FakeServer

FAST_RETRIES = {"attempts": 6, "backoff": 0.01, "max_wait": 0.05, "max_retry_after": 0.2}
FAST_TIMEOUT = {"connect": 2.0, "read": 2.0}


def oneroster(url: str, **kw) -> OneRosterRestSource:
    settings = {"name": "sis", "kind": "oneroster-rest", "base_url": url, "version": "1.2", "page_size": 7,
                "overlap_seconds": 0, "retries": FAST_RETRIES, "timeout": FAST_TIMEOUT,
                "auth": {"method": "oauth2", "token_url": f"{url}/oauth/token",
                         "client_id": {"env": "OR_CLIENT_ID"}, "client_secret": {"env": "OR_CLIENT_SECRET"}}}
    settings.update(kw)
    return OneRosterRestSource(OneRosterRestSettings.model_validate(settings))


def edfi(url: str, **kw) -> EdFiSource:
    settings = {"name": "ods", "kind": "edfi", "base_url": url, "page_size": 4, "retries": FAST_RETRIES,
                "timeout": FAST_TIMEOUT, "client_id": {"env": "EDFI_KEY"}, "client_secret": {"env": "EDFI_SECRET"}}
    settings.update(kw)
    return EdFiSource(EdFiSettings.model_validate(settings))


def canvas(url: str, **kw) -> CanvasSource:
    settings = {"name": "lms", "kind": "canvas", "base_url": url, "page_size": 5, "retries": FAST_RETRIES,
                "timeout": FAST_TIMEOUT, "token": {"env": "CANVAS_TOKEN"}}
    settings.update(kw)
    return CanvasSource(CanvasSettings.model_validate(settings))


def sync(store, *sources, **kw):
    outcomes = sync_sources(store, list(sources), **kw)
    return outcomes[0] if len(outcomes) == 1 else outcomes


def snapshot(store, source=None):
    """Every canonical row (without run_id, which names the run that wrote it), per table."""
    out = {}
    with store.engine.connect() as conn:
        for name, table in CANONICAL.items():
            cols = [c for c in table.c if c.name != "run_id"]
            query = sa.select(*cols).order_by(table.c.source, table.c.source_id)
            if source:
                query = query.where(table.c.source == source)
            rows = [tuple(r) for r in conn.execute(query)]
            if rows:
                out[name] = rows
    return out


def ids(store, entity, source=None):
    t = CANONICAL[entity]
    with store.engine.connect() as conn:
        q = sa.select(t.c.source_id)
        if source:
            q = q.where(t.c.source == source)
        return sorted(r[0] for r in conn.execute(q))


ENV = SECRETS  # the fakes' credentials, for subprocesses' environments
RETRIES = 'retries = { attempts = 4, backoff = 0.01, max_wait = 0.05 }'


def write_config(folder: Path, url: str) -> Path:
    config = folder / "cbe-bridge.toml"
    config.write_text(f'''
[store]
url = "store.db"

[[sources]]
name = "sis"
kind = "oneroster-rest"
base_url = "{url}"
page_size = 6
concurrency = 3
overlap_seconds = 0
{RETRIES}
auth = {{ method = "oauth2", token_url = "{url}/oauth/token", client_id = {{ env = "OR_CLIENT_ID" }}, client_secret = {{ env = "OR_CLIENT_SECRET" }} }}

[[sources]]
name = "ods"
kind = "edfi"
base_url = "{url}"
page_size = 5
concurrency = 2
{RETRIES}
client_id = {{ env = "EDFI_KEY" }}
client_secret = {{ file = "secrets.env", key = "EDFI_SECRET" }}

[[sources]]
name = "lms"
kind = "canvas"
base_url = "{url}"
page_size = 4
concurrency = 3
{RETRIES}
token = {{ env = "CANVAS_TOKEN" }}
''', encoding="utf-8")
    secrets = folder / "secrets.env"
    secrets.write_text("EDFI_SECRET=edfi-secret\n", encoding="utf-8")
    secrets.chmod(0o600)
    return config


def district_server(latency: float = 0.0) -> FakeServer:
    server = FakeServer()
    server.latency = latency
    fake_or.OneRosterFake(server, fake_or.district(students=16, classes=3))
    fake_edfi.EdFiFake(server, fake_edfi.district(students=14))
    fake_canvas.CanvasFake(server, fake_canvas.district(courses=2, students=8))
    return server
