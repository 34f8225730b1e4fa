"""Canvas LMS source.

Only the settings model is imported here (the configuration needs it); the source, with the
HTTP stack behind it, is in :mod:`.source`, imported when a sync uses it.
"""

from cbe_bridge.sources.canvas.settings import CanvasSettings

__all__ = ["CanvasSettings"]
