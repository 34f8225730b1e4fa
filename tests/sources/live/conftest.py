"""Fixtures for the live-source tests: a fake server on 127.0.0.1 and the secrets in the environment."""

from __future__ import annotations

import pytest

from fakes.server import FakeServer


@pytest.fixture
def server():
    with FakeServer() as s:
        yield s


@pytest.fixture(autouse=True)
def _secrets(monkeypatch):
    monkeypatch.setenv("OR_CLIENT_ID", "or-id")
    monkeypatch.setenv("OR_CLIENT_SECRET", "or-secret")
    monkeypatch.setenv("EDFI_KEY", "edfi-key")
    monkeypatch.setenv("EDFI_SECRET", "edfi-secret")
    monkeypatch.setenv("CANVAS_TOKEN", "canvas-token-123456")
