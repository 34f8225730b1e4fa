"""Configuration shared by every live (API) source; adapters add their own fields.

Secrets are never values here, only :class:`~.secrets.SecretRef` references (environment
variable or secrets file). Defaults suit a nightly sync against a district-sized API.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from cbe_bridge.sources.http.retry import RetrySettings
from cbe_bridge.sources.http.secrets import SecretRef


class TimeoutSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    connect: float = Field(10.0, gt=0, description="Seconds to wait for a connection")
    read: float = Field(120.0, gt=0, description="Seconds to wait for an answer to start and between its bytes")


class LiveSettings(BaseModel):
    """Fields every API source has."""

    model_config = ConfigDict(extra="forbid")

    name: str
    base_url: str = Field(description="The API's base URL (see docs/sources.md for each kind)")
    timeout: TimeoutSettings = Field(default_factory=TimeoutSettings)
    retries: RetrySettings = Field(default_factory=RetrySettings)
    concurrency: int = Field(4, ge=1, le=32, description="Requests in flight at once (across collections)")
    page_size: int = Field(100, ge=1, le=10000, description="Records asked for per page")
    rate_limit: float | None = Field(None, gt=0, description="At most this many requests per second")
    verify_tls: bool = Field(True, description="Check the server's TLS certificate (leave on)")
    ca_bundle: Path | None = Field(None, description="A CA bundle for a district's own certificate authority")
    streams: list[str] | None = Field(None, description="Pull only these streams (default: the kind's default set)")

    def secret_refs(self) -> dict[str, SecretRef]:
        """Every secret reference of these settings, by field name."""
        found: dict[str, SecretRef] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretRef):
                found[name] = value
            elif isinstance(value, BaseModel):
                for sub in type(value).model_fields:
                    inner = getattr(value, sub)
                    if isinstance(inner, SecretRef):
                        found[f"{name}.{sub}"] = inner
        return found

    def resolve_paths(self, fix: Callable[[Path | None], Path | None]) -> None:
        """Make relative file paths (secrets files, CA bundle) relative to the configuration file."""
        self.ca_bundle = fix(self.ca_bundle)
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretRef):
                setattr(self, name, value.with_base(fix))
            elif isinstance(value, BaseModel):
                for sub in type(value).model_fields:
                    inner = getattr(value, sub)
                    if isinstance(inner, SecretRef):
                        setattr(value, sub, inner.with_base(fix))

    @property
    def verify(self) -> bool | str:
        if self.ca_bundle is not None:
            return str(self.ca_bundle)
        return self.verify_tls


class OAuth2Settings(BaseModel):
    """OAuth 2.0 client credentials."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["oauth2"] = "oauth2"
    token_url: str | None = Field(None, description="Token endpoint (default: the kind's usual one)")
    client_id: SecretRef
    client_secret: SecretRef
    scopes: list[str] = Field(default_factory=list, description="Scopes to ask for (OneRoster 1.2)")
    client_auth: Literal["basic", "body"] = Field(
        "basic", description="Send the client credentials as HTTP Basic (default) or in the form body")


class OAuth1Settings(BaseModel):
    """OAuth 1.0a request signing (OneRoster 1.1)."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["oauth1"] = "oauth1"
    consumer_key: SecretRef
    consumer_secret: SecretRef
    signature_method: Literal["HMAC-SHA256", "HMAC-SHA1"] = "HMAC-SHA256"
