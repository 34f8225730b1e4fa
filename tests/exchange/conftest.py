"""Fixtures for the exchange-format tests: one demo district, its records, signing keys.

The demo runs once per test session for this folder (about ten seconds); every test reads
from it and writes only under its own temporary folder.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import jsonschema
import pytest

from cbe_bridge.engine.compute import PolicySource
from cbe_bridge.config import load_settings
from cbe_bridge.translate.student_records import latest_compute_run, load_records, select_students
from cbe_bridge.exchange.signing import generate_key
from cbe_bridge.store import open_store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)  # after the demo as-of date, before today


@pytest.fixture(scope="session")
def demo(demo_run):
    return demo_run


@pytest.fixture(scope="session")
def settings(demo):
    return load_settings(demo.config)


@pytest.fixture(scope="session")
def policy(settings):
    return PolicySource(tuple(settings.mapping.files)).load()


@pytest.fixture(scope="session")
def exported(settings):
    """(compute run, every computed student's record), read once."""
    store = open_store(settings.store.url)
    try:
        with store.engine.connect() as conn:
            run = latest_compute_run(conn)
            records = list(load_records(conn, select_students(conn, [], None)).values())
    finally:
        store.dispose()
    return run, records


@pytest.fixture(scope="session")
def rsa_key():
    return generate_key("RSA", bits=2048)


@pytest.fixture(scope="session")
def ed_key():
    return generate_key("Ed25519")


def memo_validator(schema: dict, *, formats: bool = True) -> jsonschema.protocols.Validator:
    """A validator for ``schema`` that validates each distinct (reference, instance) once.

    Valid because the 1EdTech schemas use no context-dependent keywords (no dynamic
    references, no unevaluated*): a referenced subschema's verdict depends only on the
    instance. Identical achievements and results repeat thousands of times in the demo.
    """
    cls = jsonschema.validators.validator_for(schema)
    plain_ref = cls.VALIDATORS["$ref"]
    cache: dict[tuple[str, str], list] = {}

    def ref(validator, reference, instance, subschema):  # noqa: ANN001, ANN202
        if not isinstance(instance, (dict, list)):
            yield from plain_ref(validator, reference, instance, subschema)
            return
        key = (reference, json.dumps(instance, sort_keys=True))
        if key not in cache:
            cache[key] = list(plain_ref(validator, reference, instance, subschema))
        yield from cache[key]

    memo = jsonschema.validators.extend(cls, {"$ref": ref})
    return memo(schema, format_checker=cls.FORMAT_CHECKER if formats else None)


def load_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
