"""The HTTP layer on its own, with ``responses``: retries, Retry-After, auth, secrets, rate limits."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
import requests
import responses
from pydantic import SecretStr

from cbe_bridge.errors import ConfigError
from cbe_bridge.logs import setup_logging
from cbe_bridge.sources.http.auth import BearerAuth, OAuth1Signature, OAuth2ClientCredentials
from cbe_bridge.sources.http.client import HttpClient, Response
from cbe_bridge.sources.http.errors import SCRUB, AuthError, HttpError, PageLoopError, safe_url
from cbe_bridge.sources.http.paging import CursorPaginator, LinkHeaderPaginator, OffsetPaginator, PageRequest
from cbe_bridge.sources.http.ratelimit import LeakyBucketGovernor, TokenBucket
from cbe_bridge.sources.http.retry import RetryPolicy, parse_retry_after
from cbe_bridge.sources.http.secrets import SecretRef

API = "https://api.example.test/data"


class Sleeps(list):
    """Records the waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(**kw) -> tuple[HttpClient, Sleeps]:
    sleeps = Sleeps()
    kw.setdefault("retry", RetryPolicy(attempts=4, backoff=0.5, max_wait=4.0))
    return HttpClient("test", sleep=sleeps, **kw), sleeps


@responses.activate
def test_429_with_retry_after_waits_what_the_server_asks():
    responses.get(API, status=429, headers={"Retry-After": "3"})
    responses.get(API, json={"ok": 1})
    c, sleeps = client()
    assert c.get(API).data == {"ok": 1}
    assert len(sleeps) == 1 and 3.0 <= sleeps[0] <= 3.3
    assert c.stats.retries == 1 and c.stats.requests == 2


@responses.activate
def test_retry_after_as_an_http_date_and_capped():
    later = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=90), usegmt=True)
    assert 80 < parse_retry_after(later) <= 90
    assert parse_retry_after("garbage") is None
    responses.get(API, status=503, headers={"Retry-After": "86400"})
    responses.get(API, json=[])
    c, sleeps = client(retry=RetryPolicy(attempts=3, backoff=0.1, max_retry_after=5.0))
    c.get(API)
    assert sleeps[0] <= 5.2  # a server cannot park a nightly sync for a day


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
@responses.activate
def test_retriable_statuses_back_off_exponentially_with_jitter(status):
    for _ in range(3):
        responses.get(API, status=status)
    responses.get(API, json=[1])
    c, sleeps = client()
    assert c.get(API).data == [1]
    assert len(sleeps) == 3
    for attempt, wait in enumerate(sleeps, 1):
        ceiling = min(4.0, 0.5 * 2 ** (attempt - 1))
        assert ceiling / 2 <= wait <= ceiling


@responses.activate
def test_connection_errors_timeouts_and_truncated_json_are_retried():
    responses.get(API, body=requests.ConnectionError("refused"))
    responses.get(API, body=requests.ReadTimeout("slow"))
    responses.get(API, body='{"users": [{"sourcedId": "u1"')  # cut short
    responses.get(API, json={"users": []})
    c, sleeps = client(retry=RetryPolicy(attempts=5, backoff=0.01))
    assert c.get(API).data == {"users": []}
    assert c.stats.retries == 3


@responses.activate
def test_gives_up_after_the_attempts_with_an_actionable_error():
    responses.get(API, status=502)
    c, _ = client(retry=RetryPolicy(attempts=3, backoff=0.01))
    with pytest.raises(HttpError) as err:
        c.get(API)
    assert err.value.status == 502
    assert "gave up after 3 attempts" in str(err.value)
    assert "resume" in (err.value.hint or "")


@responses.activate
def test_a_client_error_is_not_retried_and_names_the_servers_reason():
    responses.get(API, status=400, json={"imsx_description": "bad filter"})
    c, sleeps = client(error_detail=lambda raw: raw.json()["imsx_description"])
    with pytest.raises(HttpError, match="HTTP 400.*bad filter"):
        c.get(API)
    assert not sleeps


def _token_endpoint(tokens: list[str], *, lifetime: int = 3600):
    def reply(request):
        tokens.append(request.headers.get("Authorization"))
        body = dict(p.split("=") for p in request.body.split("&"))
        return 200, {}, json.dumps({"access_token": f"tok{len(tokens)}", "expires_in": lifetime,
                                    "scope": body.get("scope")})
    return reply


@responses.activate
def test_oauth2_token_is_refreshed_once_on_401_then_gives_up():
    seen: list[str] = []
    responses.add_callback(responses.POST, "https://api.example.test/token", callback=_token_endpoint(seen))
    responses.get(API, status=401)
    responses.get(API, json={"ok": True})
    c, _ = client()
    c.auth = OAuth2ClientCredentials("https://api.example.test/token", SecretStr("id1"), SecretStr("s3cret-value"),
                                     scopes=["roster.readonly", "gradebook.readonly"], post=c.post_form)
    assert c.get(API).data == {"ok": True}
    assert len(seen) == 2 and c.stats.refreshes == 1
    assert seen[0].startswith("Basic ")  # client_secret_basic
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer tok2"
    assert "scope=roster.readonly+gradebook.readonly" in responses.calls[0].request.body
    responses.get(API, status=401)
    responses.get(API, status=401)
    with pytest.raises(AuthError):
        c.get(API)


@responses.activate
def test_oauth2_token_is_renewed_before_it_expires():
    seen: list[str] = []
    responses.add_callback(responses.POST, "https://api.example.test/token", callback=_token_endpoint(seen, lifetime=60))
    now = [1000.0]
    auth = OAuth2ClientCredentials("https://api.example.test/token", SecretStr("id1"), SecretStr("s3cret-value"),
                                   clock=lambda: now[0])
    assert auth.token() == "tok1"
    now[0] += 20
    assert auth.token() == "tok1"
    now[0] += 20  # within EARLY seconds of the expiry: renewed
    assert auth.token() == "tok2"


@responses.activate
def test_refused_client_credentials_are_an_auth_error_without_the_secret():
    responses.post("https://api.example.test/token", status=401, json={"error": "invalid_client"})
    auth = OAuth2ClientCredentials("https://api.example.test/token", SecretStr("id1"), SecretStr("very-secret-1"))
    with pytest.raises(AuthError) as err:
        auth.token()
    assert "very-secret-1" not in str(err.value)


def test_oauth1_signatures_match_the_rfc_5849_vectors():
    auth = OAuth1Signature(SecretStr("dpf43f3p2l4k3l03"), SecretStr("kd94hf93k423kf44"), method="HMAC-SHA1",
                           token=SecretStr("nnch734d00sl2jdk"), token_secret=SecretStr("pfkkdhi9sl3r4s00"),
                           include_version=False)
    oauth = {"oauth_consumer_key": "dpf43f3p2l4k3l03", "oauth_token": "nnch734d00sl2jdk",
             "oauth_signature_method": "HMAC-SHA1", "oauth_timestamp": "137131202", "oauth_nonce": "chapoH"}
    url = "http://photos.example.net/photos?file=vacation.jpg&size=original"
    assert auth.signature("GET", url, oauth) == "MdpQcU8iPSUjWoN/UDMsK2sui9I="


@responses.activate
def test_oauth1_hmac_sha256_header_is_complete_and_fresh_per_request():
    responses.get(API, json=[])
    responses.get(API, json=[])
    c, _ = client(auth=OAuth1Signature(SecretStr("key-1"), SecretStr("consumer-secret")))
    c.get(API, {"limit": 5, "filter": "dateLastModified>'2024-01-01'"})
    c.get(API)
    first, second = (call.request.headers["Authorization"] for call in responses.calls)
    for field in ("oauth_consumer_key", "oauth_nonce", "oauth_timestamp", "oauth_signature", "oauth_version"):
        assert field in first
    assert 'oauth_signature_method="HMAC-SHA256"' in first
    assert first != second  # a new nonce each time


@responses.activate
def test_secrets_never_reach_messages_or_logs(caplog):
    secret = "tok-should-never-leak"
    c, _ = client(auth=BearerAuth(SecretStr(secret)), retry=RetryPolicy(attempts=2, backoff=0.01))
    url = f"{API}?access_token={secret}&page=2"
    responses.get(API, status=500, body=f"error for {secret}")
    responses.get(API, status=500)
    setup_logging("json", debug=True)
    with caplog.at_level(logging.DEBUG), pytest.raises(HttpError) as err:
        c.get(url)
    assert secret not in str(err.value)
    assert secret not in caplog.text
    assert "access_token=***" in safe_url(url)
    assert "Bearer ***" in SCRUB(f"Authorization: Bearer {secret}")


def test_token_bucket_spaces_requests_out():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    bucket = TokenBucket(10.0, burst=1.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(21):
        bucket.acquire()
    assert now[0] == pytest.approx(2.0, abs=0.01)  # 20 requests after the first: 2 s at 10/s


def test_leaky_bucket_governor_slows_down_as_the_bucket_empties():
    now = [0.0]
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        now[0] += seconds

    gov = LeakyBucketGovernor(low_water=300, max_delay=2.0, overflow_pause=5.0, clock=lambda: now[0], sleep=sleep)
    gov.observe({"X-Rate-Limit-Remaining": "650"})
    gov.before_request()
    gov.before_request()
    assert waits == []  # plenty left: full speed
    gov.observe({"X-Rate-Limit-Remaining": "150"})
    gov.before_request()
    gov.before_request()
    assert waits and waits[-1] == pytest.approx(1.0)  # half-way under the mark: one second apart
    assert gov.overflowed() == 5.0


@responses.activate
def test_canvas_rate_limit_403_is_waited_out_not_failed():
    responses.get(API, status=403, body="403 Forbidden (Rate Limit Exceeded)",
                  headers={"X-Rate-Limit-Remaining": "0.0"})
    responses.get(API, json=[{"id": 1}], headers={"X-Rate-Limit-Remaining": "600.0"})
    gov = LeakyBucketGovernor(overflow_pause=1.5, sleep=lambda s: None)
    c, sleeps = client(governor=gov)
    assert c.get(API).data == [{"id": 1}]
    assert gov.overflows == 1 and sleeps[0] >= 1.5


@responses.activate
def test_a_real_403_is_an_auth_error():
    responses.get(API, status=403, json={"errors": [{"message": "user not authorized"}]})
    c, _ = client()
    with pytest.raises(AuthError):
        c.get(API)


def test_secret_refs_read_env_files_and_keys(tmp_path, monkeypatch):
    monkeypatch.setenv("MY_SECRET", "from-env-123")
    assert SecretRef(env="MY_SECRET").resolve().get_secret_value() == "from-env-123"
    whole = tmp_path / "token.txt"
    whole.write_text("whole-file-secret\n")
    assert SecretRef(file=whole).resolve().get_secret_value() == "whole-file-secret"
    envfile = tmp_path / "secrets.env"
    envfile.write_text("# comment\nexport OTHER=x\nEDFI_SECRET='quoted-value'\n")
    assert SecretRef(file=envfile, key="EDFI_SECRET").resolve().get_secret_value() == "quoted-value"
    toml = tmp_path / "secrets.toml"
    toml.write_text('[canvas]\ntoken = "toml-token-9"\n')
    assert SecretRef(file=toml, key="canvas.token").resolve().get_secret_value() == "toml-token-9"
    assert "toml-token-9" not in repr(SecretRef(file=toml, key="canvas.token").resolve())
    monkeypatch.delenv("MY_SECRET")
    with pytest.raises(ConfigError, match="environment variable MY_SECRET"):
        SecretRef(env="MY_SECRET").resolve()
    with pytest.raises(ValueError):
        SecretRef(env="A", file=whole)


def _response(headers=None, data=None) -> Response:
    return Response(200, headers or {}, data, API, 0.0)


def test_offset_paging_plans_every_page_from_the_total_and_follows_a_capped_limit():
    pager = OffsetPaginator(limit=100)
    first = pager.first(PageRequest.make(API, {"filter": "x"}))
    assert dict(first.params) == {"filter": "x", "offset": "0", "limit": "100"}
    rest = pager.after(first, _response({"X-Total-Count": "95"}, None), [{}] * 40)  # the server sent 40
    assert [r.offset for r in rest] == [40, 80]
    assert all(dict(r.params)["limit"] == "40" for r in rest)
    assert pager.after(rest[0], _response({"X-Total-Count": "95"}), [{}] * 40) == []  # all planned already


def test_link_and_cursor_paging_refuse_a_page_they_have_already_issued():
    links = LinkHeaderPaginator()
    first = links.first(PageRequest.make(API))
    page2 = links.after(first, _response({"Link": f'<{API}?page=2>; rel="next", <{API}?page=1>; rel="first"'}), [1])
    assert page2[0].url == f"{API}?page=2"
    with pytest.raises(PageLoopError):
        links.after(page2[0], _response({"Link": f'<{API}?page=2>; rel="next"'}), [1])
    cursor = CursorPaginator(cursor_param="cursor", cursor_path="meta.next")
    start = cursor.first(PageRequest.make(API))
    nxt = cursor.after(start, _response(data={"meta": {"next": "abc"}}), [1])
    assert dict(nxt[0].params) == {"cursor": "abc"}
    assert cursor.after(nxt[0], _response(data={"meta": {"next": None}}), [1]) == []
    with pytest.raises(PageLoopError):
        cursor.after(start, _response(data={"meta": {"next": "abc"}}), [1])


def test_page_requests_keep_repeated_parameters_and_round_trip_as_positions():
    request = PageRequest.make(API, [("include[]", "a"), ("include[]", "b"), ("per_page", 10)])
    moved = request.with_params(page=3)
    assert [k for k, _ in moved.params] == ["include[]", "include[]", "per_page", "page"]
    assert PageRequest.from_state(moved.to_state()) == moved
