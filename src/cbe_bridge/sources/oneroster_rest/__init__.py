"""OneRoster 1.1 / 1.2 REST source.

Only the settings model is imported here (the configuration needs it); the source, with the
HTTP stack behind it, is in :mod:`.source`, imported when a sync uses it.
"""

from cbe_bridge.sources.oneroster_rest.settings import OneRosterRestSettings

__all__ = ["OneRosterRestSettings"]
