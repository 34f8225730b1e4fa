"""VC-JWT signing and verification, checked against PyJWT (a second, independent JOSE library)."""

from __future__ import annotations

import base64
import json
import stat
from datetime import datetime, timedelta, timezone

import jwt
import pytest
from click.testing import CliRunner

from cbe_bridge.cli import main
from cbe_bridge.errors import ConfigError
from cbe_bridge.exchange.clr import jwt_claims
from cbe_bridge.exchange.signing import (SignatureProblem, b64url, generate_key, load_key, public_jwk, sign_jwt,
                                         verify_jwt, write_private_key)
from cbe_bridge.exchange.verify import verify_bytes, verify_file

ISSUER = "https://school.example/riverbend"


def tiny_credential(valid_until: str | None = None) -> dict:
    """A small but complete AchievementCredential (the byte-flipping tests go over every byte)."""
    cred = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:00000000-0000-5000-8000-000000000001",
        "type": ["VerifiableCredential", "AchievementCredential"],
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Riverbend High School"},
        "validFrom": "2026-01-01T00:00:00Z", "name": "Writing: Proficient",
        "credentialSubject": {"id": "urn:uuid:00000000-0000-5000-8000-000000000002", "type": ["AchievementSubject"],
                              "achievement": {"id": "urn:uuid:00000000-0000-5000-8000-000000000003",
                                              "type": ["Achievement"], "name": "Writing",
                                              "description": "Write arguments.", "criteria": {"narrative": "P"}}},
    }
    if valid_until:
        cred["validUntil"] = valid_until
    return cred


def pyjwt_key(token: str):  # noqa: ANN201
    """PyJWT's own reading of the public key the token's header carries."""
    return jwt.PyJWK(jwt.get_unverified_header(token)["jwk"]).key


@pytest.mark.parametrize("which,alg", [("rsa_key", "RS256"), ("ed_key", "EdDSA")])
def test_signed_credential_verifies_with_pyjwt_and_with_us(request, which, alg):
    key = request.getfixturevalue(which)
    cred = tiny_credential()
    token = sign_jwt(jwt_claims(cred), key, kid=f"{ISSUER}/keys#1")
    header = jwt.get_unverified_header(token)
    assert header["alg"] == alg and header["typ"] == "JWT" and header["kid"] == f"{ISSUER}/keys#1"
    assert "d" not in header["jwk"] and set(header) <= {"alg", "typ", "kid", "jwk"}
    claims = jwt.decode(token, pyjwt_key(token), algorithms=[alg], options={"require": ["iss", "sub", "nbf", "jti"]})
    assert claims["iss"] == ISSUER and claims["jti"] == cred["id"]
    assert claims["sub"] == cred["credentialSubject"]["id"]
    assert claims["nbf"] == int(datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp())
    assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "sub", "nbf")} == cred
    assert json.loads(verify_jwt(token, key).payload) == claims


@pytest.mark.parametrize("which", ["rsa_key", "ed_key"])
def test_every_changed_byte_fails_verification(request, tmp_path, which):
    key = request.getfixturevalue(which)
    token = sign_jwt(jwt_claims(tiny_credential()), key)
    path = tmp_path / "c.jwt"
    raw = (token + "\n").encode()
    path.write_bytes(raw)
    assert verify_file(path, trusted=key).ok and verify_file(path).ok
    # With the issuer's key (RSA) and with the token's own embedded key (Ed25519).
    trusted = key if which == "rsa_key" else None
    for i in range(len(raw)):
        changed = bytearray(raw)
        changed[i] = ord("A") if raw[i] != ord("A") else ord("B")  # stays inside the base64 alphabet
        report = verify_bytes(bytes(changed), path, trusted=trusted)
        assert not report.ok, f"changing byte {i} ({chr(raw[i])!r}) was not noticed"
    for extra in (raw + b" ", raw + b"\n", b" " + raw, raw[:-1] + b"\r\n"):
        assert not verify_bytes(extra, path, trusted=key).ok
    assert verify_bytes(raw[:-1], path, trusted=key).ok  # no trailing newline is fine


def test_non_canonical_base64_is_refused_though_bytes_are_the_same(rsa_key):
    token = sign_jwt({"a": 1}, rsa_key)
    head, payload, sig = token.split(".")
    # The last character of a segment whose length is 2 mod 4 carries 4 unused bits.
    segment = next(s for s in (payload, head, sig) if len(s) % 4 in (2, 3))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for c in alphabet:
        other = segment[:-1] + c
        if other != segment and base64.urlsafe_b64decode(other + "==") == base64.urlsafe_b64decode(segment + "=="):
            break
    else:
        pytest.skip("no alias spelling for this segment")
    forged = token.replace(segment, other, 1)
    with pytest.raises(SignatureProblem, match="canonical"):
        verify_jwt(forged, rsa_key)


def test_verify_names_the_problem(tmp_path, rsa_key, ed_key):
    now = datetime(2026, 6, 1, tzinfo=timezone.utc)
    path = tmp_path / "c.jwt"

    def report_for(token: str, **kw):  # noqa: ANN202
        path.write_text(token + "\n")
        return verify_file(path, now=now, **kw)

    good = sign_jwt(jwt_claims(tiny_credential()), rsa_key)
    assert report_for(good).ok and "not who issued it" in report_for(good).notes[0]
    assert "not the key given" in report_for(good, trusted=ed_key).problems[0]
    expired = sign_jwt(jwt_claims(tiny_credential("2026-03-01T00:00:00Z")), rsa_key)
    assert any("expired on 2026-03-01" in p for p in report_for(expired).problems)
    future = tiny_credential()
    future["validFrom"] = (now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert any("not valid before" in p for p in report_for(sign_jwt(jwt_claims(future), rsa_key)).problems)
    lying = jwt_claims(tiny_credential())
    lying["sub"] = "urn:uuid:someone-else"
    assert any("'sub'" in p for p in report_for(sign_jwt(lying, rsa_key)).problems)
    shapeless = tiny_credential()
    del shapeless["credentialSubject"]["achievement"]["criteria"]
    assert any("criteria" in p for p in report_for(sign_jwt(jwt_claims(shapeless), rsa_key)).problems)
    unsigned = b64url(json.dumps({"alg": "none"}).encode()) + "." + b64url(b"{}") + "."
    assert "not accepted" in report_for(unsigned).problems[0]
    path.write_text(json.dumps(tiny_credential()))
    assert "unsigned" in verify_file(path).problems[0]


def test_header_with_a_private_key_or_extra_parameters_is_refused(rsa_key):
    claims = b64url(b'{"a":1}')
    priv = dict(rsa_key.as_dict(private=True))
    for header, reason in [({"alg": "RS256", "jwk": priv}, "private key"),
                           ({"alg": "RS256", "jwk": public_jwk(rsa_key), "x5u": "https://evil"}, "not allowed"),
                           ({"alg": "HS256"}, "not accepted"),
                           ({"alg": "RS256", "typ": "vc+jwt", "jwk": public_jwk(rsa_key)}, "typ")]:
        token = b64url(json.dumps(header).encode()) + "." + claims + "." + b64url(b"sig")
        with pytest.raises(SignatureProblem, match=reason):
            verify_jwt(token)


def test_keys_load_from_pem_and_jwk_and_files_are_owner_only(tmp_path, ed_key):
    for fmt in ("pem", "jwk"):
        path = tmp_path / f"key.{fmt}"
        write_private_key(ed_key, path, fmt=fmt)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert load_key(path, private=True).thumbprint() == ed_key.thumbprint()
        with pytest.raises(ConfigError, match="not overwriting"):
            write_private_key(ed_key, path, fmt=fmt)
    public = tmp_path / "public.jwk"
    public.write_text(json.dumps(public_jwk(ed_key)))
    assert load_key(public, private=False).thumbprint() == ed_key.thumbprint()
    with pytest.raises(ConfigError, match="public key"):
        load_key(public, private=True)
    (tmp_path / "junk.pem").write_text("hello")
    with pytest.raises(ConfigError, match="neither"):
        load_key(tmp_path / "junk.pem", private=True)
    with pytest.raises(ConfigError, match="2048"):
        generate_key("RSA", bits=1024)


def test_keys_generate_prints_only_the_public_jwk(tmp_path):
    out = tmp_path / "issuer.pem"
    result = CliRunner().invoke(main, ["keys", "generate", "--out", str(out), "--type", "ed25519",
                                       "--kid", "https://school.example/keys#1"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["kty"] == "OKP" and printed["kid"] == "https://school.example/keys#1" and "d" not in printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    key = load_key(out, private=True)
    token = sign_jwt(jwt_claims(tiny_credential()), key)
    jwt.decode(token, jwt.PyJWK(printed).key, algorithms=["EdDSA"])  # the printed key checks the signature
