"""Keys and compact JWS (VC-JWT) signatures for the credentials cbe-bridge issues.

Open Badges 3.0 / CLR 2.0 "JSON Web Token Proof Format": the JWT payload is the credential
itself plus the registered claims ``iss``, ``jti``, ``nbf``, ``sub`` (and ``exp``); the JOSE
header holds only ``alg``, ``typ`` ("JWT"), ``jwk`` (the public key) and optionally ``kid``.
RS256 is what every verifier must support, so it is the default; EdDSA over Ed25519 is the
option for smaller, faster signatures.

Signing and verification go through joserfc. Before the signature is checked the token is
held to a strict form: three base64url segments, each the *canonical* encoding of its bytes.
Base64 has spare bits in a segment's last character, so a changed character can decode to the
same bytes and still verify; refusing non-canonical segments makes any changed byte fail.

Keys are read from a PEM file (PKCS#8, PKCS#1 or SubjectPublicKeyInfo) or a JWK JSON file.
Private keys are written owner-only and never printed; ``d`` never leaves this module.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import stat
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey, RSAKey, import_key

from cbe_bridge.errors import ConfigError
from cbe_bridge.outputs import write_private

# Fully-specified "Ed25519" (RFC 9864) is accepted on input; "EdDSA" is what we emit because
# most deployed verifiers (and the OB 3.0 conformance suite) know that name.
SIGNING_ALGS = ("RS256", "EdDSA")
VERIFY_ALGS = {"RS256": "RSA", "EdDSA": "OKP", "Ed25519": "OKP"}
ALLOWED_HEADERS = {"alg", "typ", "kid", "jwk"}  # OB 3.0 s. 8.2: no other JOSE headers
MAX_PAYLOAD = 64 * 1024 * 1024  # far above any transcript; bounds what a verifier will parse
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]*$")

Key = RSAKey | OKPKey


class SignatureProblem(Exception):
    """A token that does not verify, with the exact reason (shown to the user as is)."""


@dataclass(frozen=True)
class Verified:
    """A token whose signature checked out."""

    header: dict[str, Any]
    payload: bytes
    key_thumbprint: str
    key_pinned: bool  # True when checked against a key the caller trusts, not the token's own


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str, what: str) -> bytes:
    """Decode a base64url segment, refusing any non-canonical spelling of the bytes."""
    if not _SEGMENT.match(segment):
        raise SignatureProblem(f"the {what} holds characters outside base64url")
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise SignatureProblem(f"the {what} is not valid base64url") from None
    if b64url(data) != segment:
        raise SignatureProblem(f"the {what} is not canonical base64url (a character was changed)")
    return data


# -- keys ---------------------------------------------------------------------------------------

def _check_supported(key: Any, path: Path) -> Key:
    if isinstance(key, RSAKey):
        return key
    if isinstance(key, OKPKey) and key.curve_name == "Ed25519":
        return key
    raise ConfigError(f"{path}: unsupported key type", hint="use an RSA (RS256) or Ed25519 (EdDSA) key")


def _import_pem(raw: bytes) -> Any:
    # Naming the key type avoids joserfc guessing (it warns when it has to).
    try:
        return RSAKey.import_key(raw)
    except (ValueError, JoseError):
        return OKPKey.import_key(raw)


def load_key(path: Path, *, private: bool) -> Key:
    """An RSA or Ed25519 key from a PEM or JWK file; ``private`` insists on a private key."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the key file {path}: {exc.strerror}") from None
    text = raw.decode("utf-8", "replace").strip()
    try:
        if text.startswith("{"):
            data = json.loads(text)
            if "keys" in data:  # a JWK Set with one key is accepted; several would be a guess
                if len(data["keys"]) != 1:
                    raise ConfigError(f"{path}: a JWK Set with {len(data['keys'])} keys",
                                      hint="give a file holding the one key to use")
                data = data["keys"][0]
            key = import_key(data)
        elif "-----BEGIN" in text:
            key = _import_pem(raw)
        else:
            raise ConfigError(f"{path}: neither a PEM nor a JWK file")
    except (ValueError, KeyError, TypeError, JoseError) as exc:
        raise ConfigError(f"{path}: not a usable key ({exc.__class__.__name__})") from None
    key = _check_supported(key, path)
    if private and not key.is_private:
        raise ConfigError(f"{path} holds a public key; signing needs the private key")
    if private and os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        # Refusing would break existing setups; a loud warning says what to fix.
        warnings.warn(f"{path} is readable by others; run: chmod 600 {path}", stacklevel=2)
    return key


def alg_for(key: Key) -> str:
    return "RS256" if isinstance(key, RSAKey) else "EdDSA"


def public_jwk(key: Key, kid: str | None = None) -> dict[str, Any]:
    """The public JWK (never ``d``), with ``kid`` (default: the RFC 7638 thumbprint)."""
    data = dict(key.as_dict(private=False))
    data.pop("d", None)
    data["kid"] = kid or key.thumbprint()
    data["alg"] = alg_for(key)
    data["use"] = "sig"
    return data


def generate_key(kind: str = "RSA", *, bits: int = 3072) -> Key:
    """A new key pair: RSA (``bits``, at least 2048) or Ed25519."""
    if kind.upper() == "RSA":
        if bits < 2048:
            raise ConfigError("RSA keys shorter than 2048 bits are refused")
        return RSAKey.generate_key(bits)
    if kind.casefold() in ("ed25519", "eddsa", "okp"):
        return OKPKey.generate_key("Ed25519")
    raise ConfigError(f"unknown key type {kind!r}", hint="use RSA or Ed25519")


def write_private_key(key: Key, path: Path, *, fmt: str = "pem") -> Path:
    """Write the private key owner-only (mode 0600), as PKCS#8 PEM or as a JWK."""
    if path.exists():
        raise ConfigError(f"{path} exists; not overwriting a key",
                          hint="choose another file name or move the old key away first")
    if fmt == "jwk":
        data = dict(key.as_dict(private=True))
        data["kid"] = key.thumbprint()
        return write_private(path, json.dumps(data, indent=2) + "\n")
    return write_private(path, key.as_pem(private=True))


# -- signing and verifying ------------------------------------------------------------------------

def _registry(alg: str) -> jws.JWSRegistry:
    """A registry allowing exactly ``alg``, with room for real transcripts.

    joserfc's defaults (512-byte header, 128 kB payload) are for session tokens: a header
    carrying an RSA-3072 public JWK is longer, and a CLR with a few hundred credentials is
    hundreds of kilobytes.
    """
    registry = jws.JWSRegistry(algorithms=[alg])
    registry.max_header_length = 8 * 1024
    registry.max_payload_length = MAX_PAYLOAD
    registry.max_signature_length = 2048
    return registry


def _jws_call(fn, *args, **kwargs):  # noqa: ANN001, ANN202
    # joserfc flags "EdDSA" as deprecated by RFC 9864; we choose it knowingly (see above).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def sign_jwt(claims: dict[str, Any], key: Key, *, kid: str | None = None) -> str:
    """Sign a JSON object as a compact JWS with the OB 3.0 JOSE header."""
    header: dict[str, Any] = {"alg": alg_for(key), "typ": "JWT", "jwk": public_jwk(key)}
    if kid:
        header["kid"] = kid
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return _jws_call(jws.serialize_compact, header, payload, key, registry=_registry(header["alg"]))


def split_token(token: str) -> tuple[dict[str, Any], bytes, str]:
    """(header, payload bytes, alg) of a strictly formed compact JWS; the signature is not checked."""
    parts = token.split(".")
    if len(parts) != 3:
        raise SignatureProblem(f"not a compact JWS: {len(parts)} dot-separated parts, expected 3")
    header_bytes = b64url_decode(parts[0], "JOSE header")
    payload = b64url_decode(parts[1], "payload")
    b64url_decode(parts[2], "signature")
    try:
        header = json.loads(header_bytes)
    except (UnicodeDecodeError, ValueError):
        raise SignatureProblem("the JOSE header is not JSON") from None
    if not isinstance(header, dict):
        raise SignatureProblem("the JOSE header is not a JSON object")
    alg = header.get("alg")
    if alg not in VERIFY_ALGS:
        raise SignatureProblem(f"algorithm {alg!r} is not accepted (RS256, EdDSA or Ed25519 only)")
    extra = set(header) - ALLOWED_HEADERS
    if extra:
        raise SignatureProblem(f"JOSE header parameters not allowed by OB 3.0: {', '.join(sorted(extra))}")
    if "typ" in header and header["typ"] != "JWT":
        raise SignatureProblem(f"JOSE header typ is {header['typ']!r}; OB 3.0 requires 'JWT'")
    return header, payload, alg


def verify_jwt(token: str, trusted: Key | None = None) -> Verified:
    """Check a compact JWS; raise :class:`SignatureProblem` saying exactly what is wrong.

    With ``trusted`` the signature must be by that key (and a key embedded in the header must
    be the same one); without it the header's ``jwk`` is used, which proves integrity but not
    who signed: the caller reports that.
    """
    header, _payload, alg = split_token(token)
    embedded: Key | None = None
    if "jwk" in header:
        jwk_data = header["jwk"]
        if not isinstance(jwk_data, dict):
            raise SignatureProblem("the header's jwk is not a JSON object")
        if "d" in jwk_data:
            raise SignatureProblem("the header's jwk holds a private key ('d'): the key is compromised")
        try:
            embedded = import_key(jwk_data)
        except Exception:  # noqa: BLE001 - untrusted input: any failure means "not a usable key"
            raise SignatureProblem("the header's jwk is not a usable public key") from None
    key = trusted or embedded
    if key is None:
        raise SignatureProblem("the token names its key only by kid "
                               f"({header.get('kid')!r}); give the issuer's public key with --key")
    if trusted is not None and embedded is not None and embedded.thumbprint() != trusted.thumbprint():
        raise SignatureProblem("the token's embedded key is not the key given with --key")
    if VERIFY_ALGS[alg] != key.key_type:
        raise SignatureProblem(f"algorithm {alg} does not fit a {key.key_type} key")
    try:
        result = _jws_call(jws.deserialize_compact, token, key, registry=_registry(alg))
    except JoseError as exc:
        reason = "the signature does not match the header and payload" \
            if exc.__class__.__name__ == "BadSignatureError" else f"{exc.__class__.__name__}: {exc}"
        raise SignatureProblem(reason) from None
    return Verified(header, result.payload, key.thumbprint(), trusted is not None)


__all__ = ["ALLOWED_HEADERS", "Key", "SIGNING_ALGS", "SignatureProblem", "Verified", "alg_for", "b64url",
           "generate_key", "load_key", "public_jwk", "sign_jwt", "split_token", "verify_jwt",
           "write_private_key"]
