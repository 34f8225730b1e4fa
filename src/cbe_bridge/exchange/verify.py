"""``cbe-bridge verify``: is this signed credential intact, in date, and well formed?

Checks, in order, stopping at the first that makes the rest meaningless:

1. the file is one compact JWS (an optional single trailing newline, nothing else);
2. the signature, with the key given (``--key``) or else the key embedded in the header;
3. the JWT claims agree with the credential (OB 3.0 s. 8.2: ``iss`` = issuer id, ``jti`` =
   id, ``sub`` = subject id, ``nbf`` = ``validFrom``, ``exp`` = ``validUntil``);
4. the dates: not before ``validFrom``, not after ``validUntil``, for the credential and for
   every embedded one;
5. the shape: the built-in schema (:mod:`cbe_bridge.exchange.clr_schema`), and, with
   ``schema_dir``, the official Open Badges 3.0 AchievementCredential schema on every embedded
   credential (or on the credential itself when it is an AchievementCredential).

Every problem names where it is (a JSON pointer) and what is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import jsonschema

from cbe_bridge.errors import UsageError
from cbe_bridge.exchange.clr_schema import CLR_CREDENTIAL_SCHEMA
from cbe_bridge.exchange.signing import Key, SignatureProblem, verify_jwt

OB_SCHEMA_FILE = "ob_v3p0_achievementcredential.json"
_NOT_TOKEN = re.compile(rb"[^A-Za-z0-9_.-]")


@dataclass
class VerifyReport:
    """What ``verify`` found: ``problems`` empty means the credential verifies."""

    path: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(p) for p in path)


def _instant(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def _read_token(raw: bytes, report: VerifyReport) -> str | None:
    body = raw[:-1] if raw.endswith(b"\n") else raw
    if body.lstrip().startswith(b"{"):
        report.problems.append("the file holds JSON, not a compact JWS: an unsigned credential cannot be verified")
        return None
    bad = _NOT_TOKEN.search(body)
    if bad is not None:
        report.problems.append(f"byte {bad.start() + 1} ({body[bad.start()]:#04x}) is not part of a compact JWS "
                               "(only base64url characters and dots; one trailing newline)")
        return None
    return body.decode("ascii")


def _check_claims(claims: dict[str, Any], report: VerifyReport) -> None:
    issuer = claims.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = claims.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    pairs = [("iss", issuer_id, "issuer.id"), ("jti", claims.get("id"), "id"),
             ("sub", subject_id, "credentialSubject.id")]
    for claim, expected, what in pairs:
        if claim not in claims:
            report.problems.append(f"JWT claim '{claim}' is missing (it must equal the credential's {what})")
        elif claims[claim] != expected:
            report.problems.append(f"JWT claim '{claim}' is {claims[claim]!r} "
                                   f"but the credential's {what} is {expected!r}")
    for claim, prop in (("nbf", "validFrom"), ("exp", "validUntil")):
        moment = _instant(claims.get(prop))
        if claim not in claims:
            if claim == "nbf" or moment is not None:
                report.problems.append(f"JWT claim '{claim}' is missing (it must equal {prop})")
            continue
        if not isinstance(claims[claim], int) or moment is None or int(moment.timestamp()) != claims[claim]:
            report.problems.append(f"JWT claim '{claim}' ({claims[claim]!r}) does not equal {prop} "
                                   f"({claims.get(prop)!r})")


def _check_dates(cred: dict[str, Any], where: str, now: datetime, report: VerifyReport) -> None:
    start, end = _instant(cred.get("validFrom")), _instant(cred.get("validUntil"))
    if start is not None and now < start:
        report.problems.append(f"{where}: not valid before {cred['validFrom']} (checked at {now:%Y-%m-%dT%H:%M:%SZ})")
    if end is not None and now >= end:
        report.problems.append(f"{where}: expired on {cred['validUntil']}")


def _schema_problems(validator: jsonschema.protocols.Validator, instance: Any, prefix: str,
                     label: str, limit: int = 20) -> list[str]:
    out = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        out.append(f"{prefix}{_pointer(error.absolute_path)}: {error.message[:200]} ({label})")
        if len(out) >= limit:
            out.append(f"... more {label} errors left out")
            break
    return out


def official_validator(schema_dir: Path) -> jsonschema.protocols.Validator:
    """A validator for the 1EdTech OB 3.0 AchievementCredential schema found under ``schema_dir``."""
    found = sorted(schema_dir.rglob(OB_SCHEMA_FILE))
    if not found:
        raise UsageError(f"no {OB_SCHEMA_FILE} under {schema_dir}",
                         hint="give the folder holding the 1EdTech Open Badges 3.0 JSON Schemas")
    schema = json.loads(found[0].read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def verify_file(path: Path, *, trusted: Key | None = None, now: datetime | None = None,
                schema_dir: Path | None = None) -> VerifyReport:
    """Verify a file holding one VC-JWT (a ClrCredential or an AchievementCredential)."""
    return verify_bytes(path.read_bytes(), path, trusted=trusted, now=now, schema_dir=schema_dir)


def verify_bytes(raw: bytes, path: Path, *, trusted: Key | None = None, now: datetime | None = None,
                 schema_dir: Path | None = None) -> VerifyReport:
    """Verify the bytes of a credential file (``path`` only names it in the report)."""
    report = VerifyReport(path)
    now = now or datetime.now(timezone.utc)
    token = _read_token(raw, report)
    if token is None:
        return report
    try:
        verified = verify_jwt(token, trusted)
    except SignatureProblem as exc:
        report.problems.append(f"signature: {exc}")
        return report
    report.summary.update(alg=verified.header.get("alg"), key=verified.key_thumbprint, kid=verified.header.get("kid"))
    if not verified.key_pinned:
        report.notes.append("checked with the key embedded in the token: this proves the credential is intact, "
                            "not who issued it; give the issuer's published key with --key to check that")
    try:
        claims = json.loads(verified.payload)
    except (UnicodeDecodeError, ValueError):
        report.problems.append("payload: not JSON")
        return report
    if not isinstance(claims, dict):
        report.problems.append("payload: not a JSON object")
        return report
    _check_claims(claims, report)
    types = claims.get("type") if isinstance(claims.get("type"), list) else [claims.get("type")]
    is_clr = "ClrCredential" in types
    subject = claims.get("credentialSubject") if isinstance(claims.get("credentialSubject"), dict) else {}
    embedded = subject.get("verifiableCredential", []) if is_clr else []
    embedded = embedded if isinstance(embedded, list) else []
    report.summary.update(type="ClrCredential" if is_clr else "/".join(map(str, types)), id=claims.get("id"),
                          issuer=claims.get("iss"), valid_from=claims.get("validFrom"),
                          valid_until=claims.get("validUntil"), credentials=len(embedded))
    _check_dates(claims, "credential", now, report)
    for i, cred in enumerate(embedded):
        if isinstance(cred, dict):
            _check_dates(cred, f"/credentialSubject/verifiableCredential/{i}", now, report)
    builtin = jsonschema.Draft202012Validator(CLR_CREDENTIAL_SCHEMA)
    if is_clr:
        report.problems += _schema_problems(builtin, claims, "", "ClrCredential shape")
    else:
        sub = jsonschema.Draft202012Validator({**CLR_CREDENTIAL_SCHEMA["$defs"]["AchievementCredential"],
                                               "$defs": CLR_CREDENTIAL_SCHEMA["$defs"]})
        report.problems += _schema_problems(sub, claims, "", "AchievementCredential shape")
    if schema_dir is not None:
        official = official_validator(schema_dir)
        targets = [(f"/credentialSubject/verifiableCredential/{i}", c) for i, c in enumerate(embedded)] \
            if is_clr else [("", claims)]
        for prefix, cred in targets:
            report.problems += _schema_problems(official, cred, prefix, "OB 3.0 schema", limit=5)
        report.notes.append(f"checked {len(targets)} credential(s) against the 1EdTech OB 3.0 schema")
    return report


__all__ = ["OB_SCHEMA_FILE", "VerifyReport", "official_validator", "verify_bytes", "verify_file"]
