"""Configuration of a OneRoster 1.1 / 1.2 REST source (``kind = "oneroster-rest"``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from cbe_bridge.sources.http.settings import LiveSettings, OAuth1Settings, OAuth2Settings

# OneRoster 1.2 scopes (read-only) asked for when the configuration names none.
DEFAULT_SCOPES_V1P2 = [
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster.readonly",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/roster-demographics.readonly",
    "https://purl.imsglobal.org/spec/or/v1p2/scope/gradebook.readonly",
]


class OneRosterRestSettings(LiveSettings):
    """A OneRoster REST provider (a SIS or a rostering hub)."""

    kind: Literal["oneroster-rest"]
    version: Literal["1.1", "1.2"] = Field("1.2", description="OneRoster version the server speaks")
    auth: Annotated[OAuth2Settings | OAuth1Settings, Field(discriminator="method")] = Field(
        description="OAuth 2.0 client credentials (1.2, most 1.1 servers) or OAuth 1.0a signing (older 1.1)")
    rostering_path: str | None = Field(
        None, description="Path of the rostering service (default /ims/oneroster/v1p1 or /ims/oneroster/rostering/v1p2)")
    gradebook_path: str | None = Field(
        None, description="Path of the gradebook service (default /ims/oneroster/v1p1 or /ims/oneroster/gradebook/v1p2)")
    sort: str | None = Field("sourcedId", description="Field to sort pages by, for stable offset paging ('' to not ask)")
    overlap_seconds: int = Field(
        600, ge=0, description="An incremental pull re-reads records modified this long before the last one "
                               "started (absorbs clock differences; records read twice are de-duplicated)")
    incremental: bool = Field(True, description="Ask only for records modified since the last pull "
                                                "(filter=dateLastModified>=...)")

    def service_path(self, service: str) -> str:
        """The path of the ``rostering`` or ``gradebook`` service for this version."""
        if service == "gradebook" and self.gradebook_path is not None:
            return self.gradebook_path
        if service == "rostering" and self.rostering_path is not None:
            return self.rostering_path
        if self.version == "1.1":
            return "/ims/oneroster/v1p1"
        return f"/ims/oneroster/{service}/v1p2"
