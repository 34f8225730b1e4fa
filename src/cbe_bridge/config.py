"""Settings: where the store is, which sources to sync, which mapping files, the school profile.

Read from a TOML file (``--config``, ``CBE_BRIDGE_CONFIG``, or ``./cbe-bridge.toml``). Relative
paths are relative to the file. Secrets never live in it: a source names the environment
variable or the secrets file that holds them. The store URL can be overridden by ``--db`` or
``CBE_BRIDGE_DB``.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cbe_bridge.errors import ConfigError, Problem
from cbe_bridge.identity.settings import IdentitySettings
from cbe_bridge.sources.canvas.settings import CanvasSettings
from cbe_bridge.sources.edfi.settings import EdFiSettings
from cbe_bridge.sources.oneroster_rest.settings import OneRosterRestSettings

ENV_CONFIG = "CBE_BRIDGE_CONFIG"
ENV_DB = "CBE_BRIDGE_DB"
DEFAULT_CONFIG = "cbe-bridge.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreSettings(_Strict):
    url: str = Field("cbe-bridge.db", description="SQLite file path, or postgresql://user@host/db")


class MappingSettings(_Strict):
    files: list[Path] = Field(default_factory=list, description="Mapping files, layered in order")


class OneRosterCsvSettings(_Strict):
    name: str
    kind: Literal["oneroster-csv"]
    path: Path = Field(description="A folder or a .zip holding the OneRoster CSV bundle")
    encoding: str = Field("utf-8", description="Text encoding of the CSV files (utf-8, cp1252 ...)")


SourceSettings = Annotated[
    OneRosterCsvSettings | OneRosterRestSettings | EdFiSettings | CanvasSettings, Field(discriminator="kind")]


class Contact(_Strict):
    role: str
    name: str
    email: str | None = None
    phone: str | None = None


class SchoolProfile(_Strict):
    name: str = "Your High School"
    district: str | None = None
    ceeb_code: str | None = None
    address: str | None = None
    phone: str | None = None
    website: str | None = None
    logo: Path | None = None
    contacts: list[Contact] = Field(default_factory=list)
    programme: str | None = Field(None, description="A paragraph describing the school's programme")


class OutputSettings(_Strict):
    dir: Path = Path("out")


class ExchangeSettings(_Strict):
    """``[exchange]``: who issues the signed credentials, with which key, and what PESC
    transcripts reference. Command-line options win over these."""

    issuer_id: str | None = Field(None, description="Issuer URI of CLR credentials (default: the [school] website)")
    signing_key: Path | None = Field(
        None, description="Private signing key file, PEM or JWK (CBE_BRIDGE_SIGNING_KEY and --key win); "
                          "keep it owner-readable only, outside any shared folder")
    key_id: str | None = Field(None, description="URL where the public key is published (JOSE 'kid')")
    valid_days: int | None = Field(None, ge=1, description="Credentials expire this many days after issue "
                                                           "(default: never)")
    attachment: str = Field("school-profile.pdf", description="File name or URL of the college attachment "
                                                              "that PESC transcripts reference")


class Settings(_Strict):
    store: StoreSettings = Field(default_factory=StoreSettings)
    mapping: MappingSettings = Field(default_factory=MappingSettings)
    sources: list[SourceSettings] = Field(default_factory=list)
    school: SchoolProfile = Field(default_factory=SchoolProfile)
    output: OutputSettings = Field(default_factory=OutputSettings)
    exchange: ExchangeSettings = Field(default_factory=ExchangeSettings)
    identity: IdentitySettings | None = Field(
        None, description="The same student in several sources: the primary source and the keys others match on")
    path: Path | None = Field(None, exclude=True, description="The file these settings came from",
                              json_schema_extra={"readOnly": True})

    def resolve(self, base: Path) -> Settings:
        """Make relative paths relative to ``base`` (the configuration file's folder)."""

        def fix(p: Path | None) -> Path | None:
            return None if p is None or p.is_absolute() else (base / p).resolve()

        data = self.model_copy(deep=True)
        if "://" not in data.store.url and not Path(data.store.url).is_absolute():
            data.store.url = str((base / data.store.url).resolve())
        data.mapping.files = [fix(p) or p for p in data.mapping.files]
        for source in data.sources:
            if isinstance(source, OneRosterCsvSettings):
                source.path = fix(source.path) or source.path
            else:  # API sources: secrets files and CA bundles
                source.resolve_paths(fix)
        data.school.logo = fix(data.school.logo)
        data.output.dir = fix(data.output.dir) or data.output.dir
        data.exchange.signing_key = fix(data.exchange.signing_key) or data.exchange.signing_key
        return data


def find_config(explicit: str | os.PathLike[str] | None) -> Path | None:
    """The configuration file to use, or None when there is none."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_CONFIG):
        return Path(os.environ[ENV_CONFIG])
    default = Path(DEFAULT_CONFIG)
    return default if default.exists() else None


def load_settings(path: Path | None, *, db_override: str | None = None) -> Settings:
    """Read and validate settings; every problem in the file is reported at once."""
    if path is None:
        settings = Settings()
    else:
        if not path.exists():
            raise ConfigError(f"no configuration file at {path}",
                              hint="run 'cbe-bridge init' to write a starter configuration")
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        try:
            settings = Settings.model_validate(data)
        except ValidationError as exc:
            problems = [Problem(err["msg"], f"{path}: {'.'.join(str(p) for p in err['loc'])}")
                        for err in exc.errors()]
            raise ConfigError(f"{path}: the configuration is not valid", problems=problems) from None
        if settings.identity is not None:
            problems = [Problem(message, f"{path}: {where}")
                        for where, message in settings.identity.problems(s.name for s in settings.sources)]
            if problems:
                raise ConfigError(f"{path}: the configuration is not valid", problems=problems)
        settings = settings.resolve(path.parent.resolve())
        settings.path = path
    override = db_override or os.environ.get(ENV_DB)
    if override:
        settings.store.url = override
    return settings


def config_json_schema() -> dict:
    """The published JSON Schema of the configuration file (``schemas/config.schema.json``)."""
    schema = Settings.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cbe-bridge configuration (cbe-bridge.toml)"
    return schema
