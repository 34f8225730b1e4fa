"""OneRoster 1.1 / 1.2 REST source.

The settings model is imported eagerly (the configuration needs it); the source itself, with
the HTTP stack behind it, only when it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cbe_bridge.sources.oneroster_rest.settings import OneRosterRestSettings

if TYPE_CHECKING:
    from cbe_bridge.sources.oneroster_rest.source import OneRosterRestSource

__all__ = ["OneRosterRestSettings", "OneRosterRestSource"]


def __getattr__(name: str) -> Any:
    if name == "OneRosterRestSource":
        from cbe_bridge.sources.oneroster_rest.source import OneRosterRestSource

        return OneRosterRestSource
    raise AttributeError(name)
