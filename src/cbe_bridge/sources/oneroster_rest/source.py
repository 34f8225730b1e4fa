"""The OneRoster 1.1 / 1.2 REST source: rostering and gradebook services, pulled incrementally.

* Auth: OAuth 2.0 client credentials (with the 1.2 scopes), or OAuth 1.0a HMAC-SHA256
  request signing for 1.1 servers that still use it.
* Paging: ``limit``/``offset`` with ``X-Total-Count`` (pages fetched in parallel once the
  total is known), sorted by ``sourcedId`` for stable pages.
* Incremental: ``filter=dateLastModified>='<watermark>'``. The watermark a collection records
  is the time its cycle started, less ``overlap_seconds``: every record modified while the pull
  ran (or on a server whose clock runs behind) is read again next time, and de-duplicated by
  the store's upsert. Deletions arrive as ``status = tobedeleted``.
* Errors: the ``imsx_StatusInfo`` a server sends (``imsx_codeMajor``, ``imsx_description``,
  ``imsx_CodeMinor``) is put in the error message; a 200 answer carrying a failure status is
  an error too, never an empty page (an empty full pull would delete records).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar

import requests

from cbe_bridge.errors import ConfigError
from cbe_bridge.sources.base import RunContext
from cbe_bridge.sources.http.auth import OAuth1Signature, OAuth2ClientCredentials, RefreshableAuth
from cbe_bridge.sources.http.client import HttpClient
from cbe_bridge.sources.http.errors import ProtocolError
from cbe_bridge.sources.http.live import LiveSource
from cbe_bridge.sources.http.paging import OffsetPaginator
from cbe_bridge.sources.http.settings import OAuth2Settings
from cbe_bridge.sources.http.streams import SourceInfo, Stream
from cbe_bridge.sources.oneroster_rest.settings import DEFAULT_SCOPES_V1P2, OneRosterRestSettings
from cbe_bridge.sources.oneroster_rest.streams import STREAMS

ONLY_V1P2 = frozenset({"scoreScales"})


def imsx_status(body: Any) -> dict | None:
    """The imsx_StatusInfo of an answer, in any of the shapes servers send it."""
    if not isinstance(body, dict):
        return None
    for key in ("imsx_StatusInfo", "imsx_statusInfo", "statusInfo"):
        if isinstance(body.get(key), dict):
            return body[key]
    if isinstance(body.get("statusInfoSet"), list) and body["statusInfoSet"]:
        first = body["statusInfoSet"][0]
        return first if isinstance(first, dict) else None
    return body if "imsx_codeMajor" in body else None


def describe_status(status: dict) -> str:
    """An imsx_StatusInfo as one line: code major, description, code minor fields."""
    parts = [str(status.get("imsx_codeMajor", "")), str(status.get("imsx_description") or "")]
    minor = status.get("imsx_CodeMinor") or status.get("imsx_codeMinor")
    fields = minor.get("imsx_codeMinorField") if isinstance(minor, dict) else None
    if isinstance(fields, list):
        parts += [f"{f.get('imsx_codeMinorFieldName')}={f.get('imsx_codeMinorFieldValue')}"
                  for f in fields if isinstance(f, dict)]
    return "; ".join(p for p in parts if p)


def error_detail(raw: requests.Response) -> str | None:
    try:
        status = imsx_status(json.loads(raw.content))
    except ValueError:
        return None
    return describe_status(status) if status else None


class OneRosterRestSource(LiveSource):
    """A configured OneRoster REST provider."""

    kind: ClassVar[str] = "oneroster-rest"
    info: ClassVar[SourceInfo] = SourceInfo(
        "oneroster-rest", "1EdTech OneRoster 1.1 and 1.2 REST (rostering, gradebook)",
        frozenset({"incremental", "deletes", "resume", "parallel", "oauth2", "oauth1"}))
    streams: ClassVar[tuple[Stream, ...]] = STREAMS
    settings: OneRosterRestSettings

    def open_client(self) -> HttpClient:
        """The source's client: OAuth 2 or OAuth 1 auth, timeouts, retries, the quota."""
        client = self.new_client(error_detail)
        client.auth = self._auth(client)
        return client

    def _auth(self, client: HttpClient) -> RefreshableAuth:
        a = self.settings.auth
        if isinstance(a, OAuth2Settings):
            if not a.token_url:
                raise ConfigError(f"source {self.name}: auth.token_url is required for OAuth 2.0",
                                  hint="your OneRoster provider documents its token endpoint")
            scopes = a.scopes or (DEFAULT_SCOPES_V1P2 if self.settings.version == "1.2" else [])
            return OAuth2ClientCredentials(a.token_url, a.client_id.resolve(), a.client_secret.resolve(),
                                           scopes=scopes, client_auth=a.client_auth, post=client.post_form,
                                           timeout=client.timeout)
        return OAuth1Signature(a.consumer_key.resolve(), a.consumer_secret.resolve(), method=a.signature_method)

    def start_cycle(self, run: RunContext, client: HttpClient, mode: str) -> dict[str, Any]:
        until = datetime.now(timezone.utc) - timedelta(seconds=self.settings.overlap_seconds)
        return {"until": until.strftime("%Y-%m-%dT%H:%M:%S.000Z")}

    def selected(self) -> list[Stream]:
        chosen = super().selected()
        if self.settings.version == "1.1":
            chosen = [s for s in chosen if s.name not in ONLY_V1P2]
        return chosen

    def plan(self, run: RunContext, client: HttpClient, cycle: dict[str, Any]) -> Iterator[Any]:
        s = self.settings
        base = s.base_url.rstrip("/")
        for stream in self.selected():
            service, _, path = stream.path.partition(":")
            since = self.watermark(run, stream.name, cycle) if s.incremental else None
            params: dict[str, Any] = {}
            if s.sort:
                params.update(sort=s.sort, orderBy="asc")
            if since:
                params["filter"] = f"dateLastModified>='{since}'"
            item = self.collection(stream, f"{base}{s.service_path(service)}/{path}",
                                   OffsetPaginator(limit=s.page_size), cycle, params=params,
                                   since=since, until=cycle["until"] if s.incremental else None,
                                   full=since is None)
            item.extract = _checked(stream)
            yield item


def _checked(stream: Stream):  # noqa: ANN202 - a closure over the stream
    def extract(body: Any) -> list:
        status = imsx_status(body)
        if status is not None and str(status.get("imsx_codeMajor", "")).lower() == "failure":
            raise ProtocolError(f"{stream.name}: the server reported a failure: {describe_status(status)}")
        return stream.records(body)
    return extract
