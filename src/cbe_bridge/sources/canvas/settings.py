"""Configuration of a Canvas LMS source (``kind = "canvas"``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from cbe_bridge.sources.http.secrets import SecretRef
from cbe_bridge.sources.http.settings import LiveSettings


class CanvasSettings(LiveSettings):
    """A Canvas LMS instance (``base_url`` like https://district.instructure.com)."""

    kind: Literal["canvas"]
    token: SecretRef = Field(description="Where the API access token comes from (an environment variable is usual)")
    account_id: str | None = Field(None, description="List this account's courses (an admin token); "
                                                     "default: the courses of the token's user")
    course_ids: list[str] | None = Field(None, description="Only these courses")
    enrollment_term_id: str | None = Field(None, description="Only courses of this term (with account_id)")
    page_size: int = Field(100, ge=1, le=100, description="Records per page (Canvas allows at most 100)")
    low_water: float = Field(300.0, ge=0, description="Slow down when X-Rate-Limit-Remaining falls below this")
    max_delay: float = Field(2.0, ge=0, description="Longest pause between requests when the bucket is nearly empty")
    overflow_pause: float = Field(5.0, ge=0, description="Pause for every request after a 403 Rate Limit Exceeded")
