"""What every command needs from the configuration: the store, the sources, the policy.

Built lazily so ``--help`` and ``mapping validate`` work without a store or a continuum.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from cbe_bridge.config import Settings, find_config, load_settings
from cbe_bridge.engine.compute import PolicySource
from cbe_bridge.engine.policy import Policy
from cbe_bridge.errors import ConfigError
from cbe_bridge.sources.base import Source
from cbe_bridge.sources.oneroster_csv import OneRosterCsvSource
from cbe_bridge.store import Store, open_store


@dataclass
class App:
    config_path: Path | None = None
    db_override: str | None = None
    debug: bool = False
    log_format: str = "text"  # "json": no progress bars, summaries as JSON log lines
    _store: Store | None = field(default=None, repr=False)

    @classmethod
    def from_options(cls, config: str | None, db: str | None, debug: bool) -> App:
        return cls(find_config(config), db, debug)

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_path, db_override=self.db_override)

    def store(self, *, create: bool = True) -> Store:
        if self._store is None:
            self._store = open_store(self.settings.store.url, create=create)
        return self._store

    def sources(self) -> list[Source]:
        built: list[Source] = []
        for s in self.settings.sources:
            if s.kind == "oneroster-csv":
                built.append(OneRosterCsvSource(s.name, s.path, s.encoding))
            # API adapters (and the HTTP stack behind them) load only when configured.
            elif s.kind == "oneroster-rest":
                from cbe_bridge.sources.oneroster_rest.source import OneRosterRestSource

                built.append(OneRosterRestSource(s))
            elif s.kind == "edfi":
                from cbe_bridge.sources.edfi.source import EdFiSource

                built.append(EdFiSource(s))
            elif s.kind == "canvas":
                from cbe_bridge.sources.canvas.source import CanvasSource

                built.append(CanvasSource(s))
        return built

    @cached_property
    def policy_source(self) -> PolicySource:
        files = tuple(self.settings.mapping.files)
        if not files:
            raise ConfigError("no mapping files are configured",
                              hint="list them under [mapping] files = [...] in the configuration")
        return PolicySource(files)

    @cached_property
    def policy(self) -> Policy:
        return self.policy_source.load()

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
