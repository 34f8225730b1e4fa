"""Every live adapter declares what the shared machinery relies on, and a second run with saved
state fetches nothing new (Canvas, which has no change feed, reads again and changes nothing)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from live.helpers import canvas, edfi, oneroster, snapshot, sync

from cbe_bridge.config import Settings
from cbe_bridge.sources.canvas.source import CanvasSource
from cbe_bridge.sources.edfi.source import EdFiSource
from cbe_bridge.sources.oneroster_rest.source import OneRosterRestSource
from cbe_bridge.store.schema import CANONICAL, ENTITIES
from fakes import canvas as fake_canvas
from fakes import edfi as fake_edfi
from fakes import oneroster as fake_or

ADAPTERS = [OneRosterRestSource, EdFiSource, CanvasSource]
CAPABILITIES = {"incremental", "deletes", "resume", "parallel", "oauth2", "oauth1", "bearer", "discovery",
                "rate-limit"}


@pytest.mark.parametrize("adapter", ADAPTERS, ids=lambda a: a.kind)
def test_adapter_declares_name_spec_capabilities_and_streams(adapter, sqlite_store):
    assert adapter.info.kind == adapter.kind and adapter.info.spec
    assert adapter.info.capabilities <= CAPABILITIES and "resume" in adapter.info.capabilities
    names = [s.name for s in adapter.streams]
    assert len(names) == len(set(names))
    for stream in adapter.streams:
        assert stream.primary_key, stream.name
        assert stream.entity in ENTITIES
        assert callable(stream.parse)
        for child, column in stream.children:
            assert column in CANONICAL[child].c, (stream.name, child, column)
        if stream.sweep is not None:  # the scope a full pull replaces is valid SQL on its table
            with sqlite_store.engine.connect() as conn:
                conn.execute(sa.text(f"SELECT 1 FROM {stream.entity} WHERE source = 'x' AND ({stream.sweep})"),
                             {"course": "1"})
    if "incremental" in adapter.info.capabilities:
        assert any(s.replication_key for s in adapter.streams)
    else:
        assert not any(s.replication_key for s in adapter.streams)


@pytest.mark.parametrize("kind", ["oneroster-rest", "edfi", "canvas"])
def test_every_kind_is_in_the_configuration_schema(kind):
    auth = {"oneroster-rest": {"auth": {"method": "oauth1", "consumer_key": {"env": "K"}, "consumer_secret": {"env": "S"}}},
            "edfi": {"client_id": {"env": "K"}, "client_secret": {"env": "S"}},
            "canvas": {"token": {"env": "T"}}}[kind]
    settings = Settings.model_validate({"sources": [{"name": "x", "kind": kind, "base_url": "https://h", **auth}]})
    assert settings.sources[0].kind == kind
    with pytest.raises(ValueError):  # secrets are references, never values
        Settings.model_validate({"sources": [{"name": "x", "kind": kind, "base_url": "https://h",
                                              **{k: "inline-secret" for k in auth}}]})


def test_second_run_with_saved_state_fetches_nothing_new(sqlite_store, server):
    fake_or.OneRosterFake(server, fake_or.district(students=6))
    fake_edfi.EdFiFake(server, fake_edfi.district(students=6))
    fake_canvas.CanvasFake(server, fake_canvas.district(courses=2, students=4))
    sources = [oneroster(server.url), edfi(server.url), canvas(server.url)]
    first = sync(sqlite_store, *sources)
    assert [o.status for o in first] == ["ok", "ok", "ok"]
    stored = snapshot(sqlite_store)
    before = len(server.log)
    second = sync(sqlite_store, *sources)
    sis, ods, lms = second
    assert sum(c.fetched for c in sis.collections.values()) == 0
    assert not [p for p in server.paths()[before:] if "/data/v3/" in p]  # Ed-Fi: not one resource request
    assert sum(c.changed for o in second for c in o.counts.values()) == 0
    assert snapshot(sqlite_store) == stored
