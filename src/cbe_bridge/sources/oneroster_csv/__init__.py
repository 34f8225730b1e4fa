"""OneRoster 1.1 / 1.2 CSV bundles (folder or zip) as a source."""

from cbe_bridge.sources.oneroster_csv.source import OneRosterCsvSource

__all__ = ["OneRosterCsvSource"]
