"""Authentication as ``requests.auth.AuthBase`` subclasses, one per scheme the sources use.

* :class:`BearerAuth`: a fixed token (Canvas access tokens).
* :class:`OAuth2ClientCredentials`: OAuth 2.0 client credentials with scopes (OneRoster 1.2,
  Ed-Fi); the token is cached until shortly before it expires and fetched again, at most
  once per refusal, when the API answers 401 (see :meth:`refresh`).
* :class:`OAuth1Signature`: OAuth 1.0a request signing, HMAC-SHA256 by default (OneRoster 1.1
  servers that still use it); every request gets a fresh nonce and timestamp.

Secrets arrive as ``SecretStr`` and are read only at the moment a header is built.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets as _random
import threading
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl, quote, urlsplit

import requests
from pydantic import SecretStr
from requests.auth import AuthBase

from cbe_bridge.sources.http.errors import SCRUB, AuthError, RetriableError, safe_url


class RefreshableAuth(AuthBase):
    """An auth whose credential can be renewed after a 401.

    ``generation`` counts renewals: a thread that saw a 401 with generation ``g`` asks for
    ``refresh(g)``, and only the first such thread fetches a new token; the others find it
    already renewed (no refresh storm when several requests fail at once).
    """

    generation = 0

    def refresh(self, stale: int | None = None) -> bool:
        """Renew the credential; return False when there is nothing to renew."""
        return False


class BearerAuth(RefreshableAuth):
    """``Authorization: Bearer <token>`` with a fixed token."""

    def __init__(self, token: SecretStr) -> None:
        self._token = token
        SCRUB.register(token.get_secret_value())

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self._token.get_secret_value()}"
        return r


class OAuth2ClientCredentials(RefreshableAuth):
    """OAuth 2.0 client credentials grant; the token is shared by every thread of a source.

    ``post`` sends the token request (the source's session, without this auth), so the token
    endpoint gets the same timeouts and TLS settings as the API.
    """

    EARLY = 30.0  # renew this many seconds before the announced expiry, to absorb clock skew

    def __init__(self, token_url: str, client_id: SecretStr, client_secret: SecretStr, *,
                 scopes: Sequence[str] = (), client_auth: str = "basic",
                 post: Callable[..., requests.Response] | None = None,
                 timeout: tuple[float, float] = (10.0, 60.0), clock: Callable[[], float] = time.monotonic) -> None:
        self.token_url = token_url
        self._id, self._secret = client_id, client_secret
        self.scopes = list(scopes)
        self.client_auth = client_auth
        self._post = post or requests.post
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires = 0.0
        self.fetched = 0  # how many tokens were obtained (for summaries and tests)
        for value in (client_id, client_secret):
            SCRUB.register(value.get_secret_value())

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token()}"
        r.auth_generation = self.generation  # type: ignore[attr-defined] - which token a 401 refused
        return r

    def token(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._expires:
                self._fetch()
            assert self._token is not None
            return self._token

    def refresh(self, stale: int | None = None) -> bool:
        with self._lock:
            if stale is None or stale == self.generation:
                self._fetch()
        return True

    def _fetch(self) -> None:
        data = {"grant_type": "client_credentials"}
        if self.scopes:
            data["scope"] = " ".join(self.scopes)
        auth = None
        if self.client_auth == "basic":
            auth = (self._id.get_secret_value(), self._secret.get_secret_value())
        else:  # some servers only read the credentials from the form body
            data.update(client_id=self._id.get_secret_value(), client_secret=self._secret.get_secret_value())
        url = safe_url(self.token_url)
        try:
            response = self._post(self.token_url, data=data, auth=auth, timeout=self._timeout,
                                  headers={"Accept": "application/json"})
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise RetriableError(f"token request to {url} failed: {type(exc).__name__}", url=url) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise RetriableError(f"token endpoint {url} answered {response.status_code}",
                                 status=response.status_code, url=url)
        if response.status_code != 200:
            raise AuthError(f"the token endpoint {url} refused the client credentials "
                            f"(HTTP {response.status_code})", status=response.status_code, url=url,
                            hint="check the client id and secret, and the scopes the source asks for")
        try:
            body = response.json()
            token = str(body["access_token"])
        except (ValueError, KeyError, TypeError):
            raise RetriableError(f"token endpoint {url} sent no readable access_token", url=url) from None
        SCRUB.register(token)
        try:
            lifetime = float(body.get("expires_in") or 3600)
        except (TypeError, ValueError):
            lifetime = 3600.0
        self._token = token
        self._expires = self._clock() + max(lifetime - self.EARLY, lifetime / 2)
        self.fetched += 1
        self.generation += 1


def _enc(value: str) -> str:
    """RFC 3986 percent-encoding, as RFC 5849 section 3.6 requires."""
    return quote(value, safe="~")


class OAuth1Signature(RefreshableAuth):
    """OAuth 1.0a signing (RFC 5849) without a token, as OneRoster 1.1 uses it."""

    def __init__(self, consumer_key: SecretStr, consumer_secret: SecretStr, *, method: str = "HMAC-SHA256",
                 token: SecretStr | None = None, token_secret: SecretStr | None = None,
                 include_version: bool = True, realm: str | None = None,
                 clock: Callable[[], float] = time.time, nonce: Callable[[], str] | None = None) -> None:
        if method not in ("HMAC-SHA256", "HMAC-SHA1"):
            raise ValueError(f"unsupported OAuth 1.0a signature method {method}")
        self._key, self._secret = consumer_key, consumer_secret
        self._token, self._token_secret = token, token_secret
        self.method = method
        self.include_version = include_version
        self.realm = realm
        self._clock = clock
        self._nonce = nonce or (lambda: _random.token_hex(16))
        for value in (consumer_key, consumer_secret, token, token_secret):
            if value is not None:
                SCRUB.register(value.get_secret_value())

    def oauth_params(self) -> dict[str, str]:
        """The ``oauth_*`` protocol parameters of one request (a fresh nonce and timestamp)."""
        params = {"oauth_consumer_key": self._key.get_secret_value(), "oauth_nonce": self._nonce(),
                  "oauth_signature_method": self.method, "oauth_timestamp": str(int(self._clock()))}
        if self._token is not None:
            params["oauth_token"] = self._token.get_secret_value()
        if self.include_version:
            params["oauth_version"] = "1.0"
        return params

    def signature(self, method: str, url: str, oauth: dict[str, str], body: dict[str, str] | None = None) -> str:
        """The ``oauth_signature`` of a request (RFC 5849 section 3.4)."""
        parts = urlsplit(url)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        default = {"http": 80, "https": 443}.get(scheme)
        netloc = host if parts.port in (None, default) else f"{host}:{parts.port}"
        base_uri = f"{scheme}://{netloc}{parts.path or '/'}"
        pairs = parse_qsl(parts.query, keep_blank_values=True) + list(oauth.items()) + list((body or {}).items())
        normalized = "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in pairs))
        base = "&".join([method.upper(), _enc(base_uri), _enc(normalized)])
        key = _enc(self._secret.get_secret_value()) + "&" + (
            _enc(self._token_secret.get_secret_value()) if self._token_secret else "")
        digest = hashlib.sha256 if self.method == "HMAC-SHA256" else hashlib.sha1
        return base64.b64encode(hmac.new(key.encode(), base.encode(), digest).digest()).decode()

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        oauth = self.oauth_params()
        body = None
        if r.body and "application/x-www-form-urlencoded" in r.headers.get("Content-Type", ""):
            text = r.body.decode() if isinstance(r.body, bytes) else str(r.body)
            body = dict(parse_qsl(text, keep_blank_values=True))
        oauth["oauth_signature"] = self.signature(r.method or "GET", r.url or "", oauth, body)
        fields = ([f'realm="{self.realm}"'] if self.realm else []) + [
            f'{_enc(k)}="{_enc(v)}"' for k, v in oauth.items()]
        r.headers["Authorization"] = "OAuth " + ", ".join(fields)
        return r
