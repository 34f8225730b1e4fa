"""Configuration of an Ed-Fi ODS/API source (``kind = "edfi"``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cbe_bridge.sources.http.secrets import SecretRef
from cbe_bridge.sources.http.settings import LiveSettings


class EdFiSettings(LiveSettings):
    """An Ed-Fi ODS/API (API 5.x-7.x, Data Standard 4-6)."""

    kind: Literal["edfi"]
    client_id: SecretRef = Field(description="Where the API key (client id) comes from")
    client_secret: SecretRef = Field(description="Where the API secret comes from")
    school_year: int | None = Field(None, description="Year-specific routes: /data/v3/<year>/ed-fi/...")
    token_url: str | None = Field(None, description="Token endpoint (default: from the discovery document)")
    page_size: int = Field(500, ge=1, le=500, description="Records per page (the ODS/API allows at most 500)")
    change_queries: bool = Field(True, description="Pull incrementally with change versions; "
                                                   "off: every sync is a full pull")
    client_auth: Literal["basic", "body"] = "basic"
