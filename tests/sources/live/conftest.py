"""Fixtures for the live-source tests: a fake server on 127.0.0.1 and the secrets in the environment."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _secrets(fake_secrets):  # noqa: ANN001 - the fake server itself is ``server`` (tests/conftest.py)
    """Every test here runs with the fakes' credentials in the environment."""
