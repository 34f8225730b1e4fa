"""Ed-Fi ODS/API source.

The settings model is imported eagerly (the configuration needs it); the source itself, with
the HTTP stack behind it, only when it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cbe_bridge.sources.edfi.settings import EdFiSettings

if TYPE_CHECKING:
    from cbe_bridge.sources.edfi.source import EdFiSource

__all__ = ["EdFiSettings", "EdFiSource"]


def __getattr__(name: str) -> Any:
    if name == "EdFiSource":
        from cbe_bridge.sources.edfi.source import EdFiSource

        return EdFiSource
    raise AttributeError(name)
