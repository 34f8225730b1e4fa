"""The Ed-Fi ODS/API source: discovery, OAuth 2.0, change queries, deletes.

* The base URL is the API root whose discovery document (``GET /``) names the data
  management API, the token endpoint and (7.x) the change queries API; 5.x/6.x documents
  without ``changeQueries`` get it derived from the data management URL.
* Year-specific routes (``/data/v3/2025/ed-fi/students``) when ``school_year`` is set.
* Paging: ``offset``/``limit`` (at most 500) with ``totalCount=true``, so every page is
  known after the first and fetched in parallel; a shrinking total triggers a re-read.
* Incremental: a cycle starts by reading ``availableChangeVersions``; its newest version is the
  cycle's upper bound, so records that change while the pull runs are left for the next one.
  A resource with a watermark pulls ``minChangeVersion = watermark + 1`` to the bound, its
  ``/deletes`` listing first (a record deleted and re-created in the window ends up present),
  then its records; the watermark becomes the bound when both are committed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from cbe_bridge.errors import ConfigError
from cbe_bridge.sources.base import RunContext
from cbe_bridge.sources.edfi.resources import DELETERS, STREAMS
from cbe_bridge.sources.edfi.settings import EdFiSettings
from cbe_bridge.sources.http.auth import OAuth2ClientCredentials
from cbe_bridge.sources.http.client import HttpClient
from cbe_bridge.sources.http.errors import HttpError, ProtocolError
from cbe_bridge.sources.http.live import LiveSource
from cbe_bridge.sources.http.paging import OffsetPaginator
from cbe_bridge.sources.http.streams import ParseContext, Rows, SourceInfo, Stream


def _error_detail(raw: Any) -> str | None:
    try:
        body = raw.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        return str(body.get("message") or body.get("detail") or body.get("title") or "") or None
    return None


class EdFiSource(LiveSource):
    """A configured Ed-Fi ODS/API."""

    kind: ClassVar[str] = "edfi"
    info: ClassVar[SourceInfo] = SourceInfo(
        "edfi", "Ed-Fi ODS/API 5.x-7.x, Data Standard 4-6 (change queries 1.0, discovery 1.0)",
        frozenset({"incremental", "deletes", "resume", "parallel", "oauth2", "discovery"}))
    streams: ClassVar[tuple[Stream, ...]] = STREAMS
    settings: EdFiSettings

    def __init__(self, settings: EdFiSettings) -> None:
        super().__init__(settings)
        self.urls: dict[str, str] = {}
        self.data_model: str | None = None

    def open_client(self) -> HttpClient:
        """The source's client, after reading the discovery document (it names the token endpoint)."""
        s = self.settings
        client = self.new_client(_error_detail)
        try:
            self._discover(client)
            token_url = s.token_url or self.urls.get("oauth")
            if not token_url:
                raise ConfigError(f"source {self.name}: the discovery document names no token endpoint",
                                  hint="set token_url for this source")
            client.auth = OAuth2ClientCredentials(token_url, s.client_id.resolve(), s.client_secret.resolve(),
                                                  client_auth=s.client_auth, post=client.post_form,
                                                  timeout=client.timeout)
        except BaseException:
            client.close()
            raise
        return client

    def _discover(self, client: HttpClient) -> None:
        root = self.settings.base_url.rstrip("/")
        body = client.get(root + "/", auth=False).data
        urls = body.get("urls") if isinstance(body, dict) else None
        if not isinstance(urls, dict) or "dataManagementApi" not in urls:
            raise ProtocolError(f"{self.name}: {root}/ is not an Ed-Fi discovery document (no urls.dataManagementApi)",
                                hint="base_url is the API root, e.g. https://host/v7.1/api")
        data = str(urls["dataManagementApi"]).rstrip("/")
        changes = str(urls.get("changeQueries") or data.replace("/data/v3", "/changeQueries/v1")).rstrip("/")
        year = self.settings.school_year
        if year is not None:
            data, changes = f"{data}/{year}", f"{changes}/{year}"
        self.urls = {"data": data, "changes": changes, "oauth": str(urls.get("oauth") or "")}
        models = body.get("dataModels") or []
        edfi = next((m for m in models if isinstance(m, dict) and m.get("name") == "Ed-Fi"), None)
        self.data_model = str(edfi.get("version")) if edfi else None

    def start_cycle(self, run: RunContext, client: HttpClient, mode: str) -> dict[str, Any]:
        """The cycle's upper bound: the newest change version when it starts."""
        if not self.settings.change_queries:
            return {"until": None, "data_model": self.data_model}
        try:
            body = client.get(self.urls["changes"] + "/availableChangeVersions").data
        except HttpError as exc:
            raise HttpError(f"{self.name}: cannot read availableChangeVersions ({exc.message})",
                            hint="set change_queries = false if this API has change queries disabled") from None
        newest = body.get("newestChangeVersion", body.get("NewestChangeVersion")) if isinstance(body, dict) else None
        if newest is None:
            raise ProtocolError(f"{self.name}: availableChangeVersions has no newestChangeVersion")
        return {"until": int(newest), "data_model": self.data_model}

    def plan(self, run: RunContext, client: HttpClient, cycle: dict[str, Any]) -> Iterator[Any]:
        s = self.settings
        until = cycle.get("until")
        for stream in self.selected():
            url = f"{self.urls['data']}/{stream.path}"
            since = self.watermark(run, stream.name, cycle) if until is not None else None
            window: dict[str, Any] = {}
            if until is not None:
                window["maxChangeVersion"] = until
                if since is not None:
                    window["minChangeVersion"] = int(since) + 1
            if since is not None:
                if int(since) >= int(until):
                    continue  # nothing changed since the last pull: no request at all
                yield self.collection(stream, url + "/deletes", OffsetPaginator(limit=s.page_size), cycle,
                                      key=f"{stream.name}#deletes", label=f"{stream.name} (deletes)",
                                      params=window, deletes=True, watermark_key=None, full=False)
            yield self.collection(stream, url, OffsetPaginator(limit=s.page_size), cycle,
                                  params={**window, "totalCount": "true"}, since=since, until=until,
                                  full=since is None)

    def parse_delete(self, record: dict, rows: Rows, context: ParseContext) -> None:
        keys = record.get("keyValues")
        if not isinstance(keys, dict):
            raise ValueError("the deletion names no keyValues (ODS/API before 5.3?); it cannot be applied")
        DELETERS[context.meta["stream"].name](keys, rows, context.line)
