"""Canvas LMS source.

The settings model is imported eagerly (the configuration needs it); the source itself, with
the HTTP stack behind it, only when it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cbe_bridge.sources.canvas.settings import CanvasSettings

if TYPE_CHECKING:
    from cbe_bridge.sources.canvas.source import CanvasSource

__all__ = ["CanvasSettings", "CanvasSource"]


def __getattr__(name: str) -> Any:
    if name == "CanvasSource":
        from cbe_bridge.sources.canvas.source import CanvasSource

        return CanvasSource
    raise AttributeError(name)
