"""Where a source's secrets come from: an environment variable or a file the user points to.

The configuration never holds a secret, only a reference to one::

    client_secret = { env = "EDFI_CLIENT_SECRET" }
    client_secret = { file = "/etc/cbe-bridge/edfi.secret" }              # the whole file
    client_secret = { file = "/etc/cbe-bridge/secrets.env", key = "EDFI_SECRET" }   # KEY=VALUE lines
    client_secret = { file = "/etc/cbe-bridge/secrets.toml", key = "edfi.secret" }  # a TOML table

Resolved values are pydantic ``SecretStr`` (their ``repr`` is ``**********``) and are registered
with the scrubber, so they never reach a log line or an error message. cbe-bridge never writes
them anywhere. A secrets file readable by other users is accepted with a warning (it is the
user's file), because refusing it would stop an unattended sync over a permissions detail.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from cbe_bridge.errors import ConfigError
from cbe_bridge.sources.http.errors import SCRUB

log = logging.getLogger(__name__)


class SecretRef(BaseModel):
    """A reference to a secret: ``{env = "NAME"}`` or ``{file = "path", key = "NAME"}``."""

    model_config = ConfigDict(extra="forbid")

    env: str | None = Field(None, description="Environment variable holding the secret")
    file: Path | None = Field(None, description="A file holding the secret (relative to the configuration file)")
    key: str | None = Field(None, description="With 'file': the KEY in a KEY=VALUE file, or a dotted key in a .toml file")

    @model_validator(mode="after")
    def _one_place(self) -> SecretRef:
        if (self.env is None) == (self.file is None):
            raise ValueError("give exactly one of 'env' or 'file'")
        if self.key is not None and self.file is None:
            raise ValueError("'key' goes with 'file'")
        return self

    def describe(self) -> str:
        """Where the secret comes from, for messages (never the value)."""
        if self.env:
            return f"environment variable {self.env}"
        return f"{self.file}" + (f" key {self.key}" if self.key else "")

    def with_base(self, fix: Callable[[Path | None], Path | None]) -> SecretRef:
        """This reference with a relative file made relative to the configuration file."""
        return self if self.file is None else self.model_copy(update={"file": fix(self.file)})

    def resolve(self) -> SecretStr:
        """Read the secret now (at sync time, not when the configuration loads)."""
        value = self._read()
        if not value:
            raise ConfigError(f"the secret from {self.describe()} is empty or missing",
                              hint="set it before running cbe-bridge (see docs/sources.md)")
        SCRUB.register(value)
        return SecretStr(value)

    def _read(self) -> str | None:
        if self.env:
            return os.environ.get(self.env, "").strip() or None
        path = self.file
        assert path is not None
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read the secrets file {path}: {exc.strerror}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning("secrets file %s is readable by other users; chmod 600 it", path)
        if self.key is None:
            return text.strip()
        if path.suffix.lower() == ".toml":
            return _toml_key(path, text, self.key)
        return _env_key(text, self.key)


def _env_key(text: str, key: str) -> str | None:
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        if name.strip() == key:
            return value.strip().strip("'\"")
    return None


def _toml_key(path: Path, text: str, key: str) -> str | None:
    try:
        node: object = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the secrets file {path} is not valid TOML: {exc}") from None
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return str(node) if node is not None else None
