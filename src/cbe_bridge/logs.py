"""Logging setup: human lines on a terminal, JSON lines for machines (``--log-format json``).

Log lines carry what happened (source, collection, counts, retries, seconds, URL paths),
never student data: adapters log collections and counts, not records, and every message
passes through the secret scrubber before it is written. JSON lines are one object per
line with ``ts`` (UTC), ``level``, ``logger``, ``msg`` and the event's fields, ready for
journald, a log shipper or ``jq``.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import IO, Any

from cbe_bridge.sources.http.errors import SCRUB

# Fields an event may carry into a JSON line (anything else in ``extra`` is dropped, so a
# careless ``extra={"record": ...}`` cannot leak a record into the logs).
FIELDS = ("source", "collection", "event", "mode", "status", "run_id", "seconds", "retries", "attempt",
          "received", "inserted", "updated", "unchanged", "deleted", "rejected", "fetched", "pages",
          "complete")


class ScrubFilter(logging.Filter):
    """Renders the message once, scrubbed; arguments are dropped so nothing re-renders them."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = SCRUB(record.getMessage())
        record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        """One JSON object: time, level, logger, message, and the event's allowed fields."""
        data: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage()}
        for key in FIELDS:
            if key in record.__dict__:
                data[key] = record.__dict__[key]
        if record.exc_info and record.exc_info[0] is not None:
            data["error"] = SCRUB(f"{record.exc_info[0].__name__}: {record.exc_info[1]}")
        return json.dumps(data, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")


def setup_logging(fmt: str = "text", *, debug: bool = False, stream: IO[str] | None = None) -> logging.Handler:
    """Install one handler on the root logger (replacing any earlier one of ours)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_cbe_bridge", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._cbe_bridge = True  # type: ignore[attr-defined]
    handler.addFilter(ScrubFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root.addHandler(handler)
    # JSON lines are for machines that keep them: the run summaries (INFO) go in as well.
    root.setLevel(logging.DEBUG if debug else (logging.INFO if fmt == "json" else logging.WARNING))
    for noisy in ("urllib3", "requests"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
