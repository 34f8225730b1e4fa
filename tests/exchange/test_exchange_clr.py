"""CLR 2.0 credentials for every demo student: official schemas, independent signature checks, content."""

from __future__ import annotations

import base64
import dataclasses
import json
import stat
from collections import Counter

import jsonschema_rs
import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cbe_bridge.cli import main
from cbe_bridge.exchange import clr_parts as parts
from cbe_bridge.exchange.clr import ClrIssuer, ClrOptions, issue
from cbe_bridge.exchange.signing import public_jwk, write_private_key
from tests.conftest import standards_path
from tests.exchange.conftest import NOW, load_json, memo_validator

OB_SCHEMA = ("clr-ob", "ob_v3p0", "json-schema", "ob_v3p0_achievementcredential.json")
CLR_DERIVED = ("clr-ob", "clr_v2p0", "json-schema-draft4-derived", "clr_v2p0_clrcredential_schema_draft4.json")


@pytest.fixture(scope="module")
def issuer(policy, settings, exported):
    run, _records = exported
    return ClrIssuer(policy, settings.school, run, NOW, ClrOptions(kid="https://example.org/riverbend/keys#1"))


@pytest.fixture(scope="module")
def issued(issuer, exported, rsa_key):
    """Every demo student's ClrCredential: (record, credential, compact JWS).

    Students with nothing to certify as of the run's date (a transfer arriving later in the
    year) get no token and are left out here."""
    return [item for item in issue(issuer, exported[1], rsa_key) if item[2] is not None]


def _b64(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


@pytest.fixture(scope="module")
def payloads(issued, rsa_key):
    """Every signed payload, its RS256 signature checked with ``cryptography`` directly against
    the issuer's public key (no JOSE library involved), then parsed."""
    public = rsa_key.get_op_key("verify")
    out = []
    for _rec, _cred, token in issued:
        head, body, sig = token.split(".")
        public.verify(_b64(sig), f"{head}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
        out.append(json.loads(_b64(body)))
    return out


def test_every_signature_checks_out_independently(issued, payloads, rsa_key):
    assert len(issued) >= 300
    for (_rec, cred, _token), claims in zip(issued, payloads):
        assert {k: v for k, v in claims.items() if k not in ("iss", "jti", "sub", "nbf")} == cred
        assert claims["iss"] == cred["issuer"]["id"] and claims["jti"] == cred["id"]
        assert claims["sub"] == cred["credentialSubject"]["id"]
    # PyJWT, a second JOSE implementation, with the issuer's key (not the token's own); it is
    # slow on half-megabyte tokens (a per-character alphabet check), so every 8th student.
    key = jwt.PyJWK(public_jwk(rsa_key)).key
    for (_rec, _cred, token), claims in list(zip(issued, payloads))[::8]:
        assert jwt.decode(token, key, algorithms=["RS256"],
                          options={"require": ["iss", "sub", "nbf", "jti"]}) == claims


def test_every_embedded_credential_is_valid_against_the_ob_3_0_schema(payloads):
    schema = load_json(standards_path(*OB_SCHEMA))
    # Every credential with jsonschema-rs (fast), every 20th student's again with jsonschema,
    # the reference implementation, so a quirk of one validator cannot hide an error.
    fast = jsonschema_rs.validator_for(schema, validate_formats=True)
    reference = memo_validator(schema)
    checked = 0
    for n, claims in enumerate(payloads):
        for i, cred in enumerate(claims["credentialSubject"]["verifiableCredential"]):
            errors = [f"{list(e.instance_path)}: {e.message[:160]}" for e in fast.iter_errors(cred)]
            if n % 20 == 0:
                errors += [f"{e.json_path}: {e.message[:160]}" for e in reference.iter_errors(cred)]
            assert not errors, f"{claims['jti']} credential {i}: {errors[:3]}"
            checked += 1
    assert checked > 10_000  # competencies, courses and GPA of 320 students


def test_the_derived_clr_schema_only_disagrees_where_it_lags_vc_2_0(payloads):
    """The draft-04 copy of the CLR schema still has the VC 1.1 shape (issuanceDate) and an
    older identity-type list; everything else in our ClrCredentials must satisfy it."""
    validator = jsonschema_rs.validator_for(load_json(standards_path(*CLR_DERIVED)))
    lags = Counter()
    for claims in payloads[::2]:  # every other student: the envelope has the same shape for all
        for error in validator.iter_errors(claims):
            path = [p for p in error.instance_path if not isinstance(p, int)]
            if "issuanceDate" in error.message and "required" in error.message:
                lags["issuanceDate (VC 1.1) required; VC 2.0 has validFrom"] += 1
            elif path[-1:] == ["identityType"] and error.instance == "name":
                lags["identityType 'name' missing from the old enumeration"] += 1
            else:
                pytest.fail(f"{claims['jti']} {list(error.instance_path)}: {error.message[:200]}")
    assert lags["issuanceDate (VC 1.1) required; VC 2.0 has validFrom"] > 0


def test_a_students_credential_says_what_the_store_says(issued, policy, settings):
    rec, cred, _ = next(x for x in issued if x[0].person.student_id == "stu-000001")
    continuum, scale = policy.continuum, policy.scale
    assert cred["@context"] == [parts.VC_V2, parts.CLR_CONTEXT, parts.OB_CONTEXT]
    assert cred["type"] == ["VerifiableCredential", "ClrCredential"]
    assert cred["credentialSchema"] == [{"id": parts.CLR_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}]
    profile = cred["issuer"]
    assert profile["name"] == settings.school.name and profile["id"] == settings.school.website
    assert profile["address"]["addressRegion"] == "ME" and profile["otherIdentifier"][0]["identifier"] == "000000"
    subject = cred["credentialSubject"]
    assert {"name", "sisSourcedId", "ext:LocalStudentId"} <= {i["identityType"] for i in subject["identifier"]}
    embedded = subject["verifiableCredential"]
    by_type = Counter(c["credentialSubject"]["achievement"]["achievementType"] for c in embedded)
    expected_nodes = [n for n in continuum.nodes.values() if n.id in rec.figures
                      and rec.figures[n.id].value is not None and not continuum.is_leaf(n.id)]
    assert by_type["Competency"] == len(expected_nodes) and by_type["Course"] == len(rec.courses)
    for c in embedded:
        assert c["@context"] == [parts.VC_V2, parts.OB_CONTEXT]
        assert c["credentialSchema"][0]["id"] == parts.OB_SCHEMA
        assert c["credentialSubject"]["id"] == subject["id"] and c["validFrom"] == "2026-11-24T12:00:00Z"
    for node in expected_nodes:
        fig = rec.figures[node.id]
        c = next(c for c in embedded if c["credentialSubject"]["achievement"].get("humanCode") == node.human_code)
        ach = c["credentialSubject"]["achievement"]
        assert ach["alignment"][0]["targetUrl"] == node.uri and ach["alignment"][0]["targetType"] == "CFItem"
        levels_rd = ach["resultDescription"][0]
        assert levels_rd["resultType"] == "RubricCriterionLevel"
        assert [lv["level"] for lv in levels_rd["rubricCriterionLevel"]] == [lv.code for lv in scale.levels]
        assert levels_rd["requiredLevel"].endswith(":level:P")
        level_result, value_result = c["credentialSubject"]["result"]
        assert level_result["achievedLevel"] == parts.level_id(levels_rd["id"], fig.level_code)
        assert level_result["achievedLevel"] in {lv["id"] for lv in levels_rd["rubricCriterionLevel"]}
        assert level_result["status"] == ("Completed" if fig.proficient else "InProgress")
        assert float(value_result["value"]) == pytest.approx(fig.value, abs=5e-4)
        assert c["evidence"][0]["genre"] == fig.basis
    achievement_ids = {a["id"] for a in subject["achievement"]}
    assert all(a["sourceId"] in achievement_ids and a["targetId"] in achievement_ids for a in subject["association"])
    courses = [c for c in embedded if c["credentialSubject"]["achievement"]["achievementType"] == "Course"]
    for mark, c in zip(rec.courses, courses):
        assert c["credentialSubject"]["creditsEarned"] == mark.credits_earned
        assert c["credentialSubject"]["result"][0]["value"] == mark.letter
    gpa = next(c for c in embedded if c["name"].startswith("Grade point average"))
    assert float(gpa["credentialSubject"]["result"][0]["value"]) == pytest.approx(rec.gpa["cumulative"].unweighted,
                                                                                   abs=0.005)


def test_options_add_leaves_hash_identity_and_expiry(policy, settings, exported):
    run, records = exported
    rec = records[0]
    plain = ClrIssuer(policy, settings.school, run, NOW).build(rec)
    issuer = ClrIssuer(policy, settings.school, run, NOW,
                       ClrOptions(all_nodes=True, courses=False, hash_identity=True, valid_days=30))
    full = issuer.build(rec)
    kinds = Counter(c["credentialSubject"]["achievement"]["achievementType"]
                    for c in full["credentialSubject"]["verifiableCredential"])
    assert kinds["Competency"] > len(plain["credentialSubject"]["achievement"]) and kinds["Course"] == 0
    assert full["validUntil"] == "2026-12-24T12:00:00Z"
    text = json.dumps(full["credentialSubject"]["identifier"])
    assert rec.person.family_name not in text and all(i["hashed"] for i in full["credentialSubject"]["identifier"])
    validator = jsonschema_rs.validator_for(load_json(standards_path(*OB_SCHEMA)), validate_formats=True)
    for cred in full["credentialSubject"]["verifiableCredential"]:  # the leaves' credentials too
        assert validator.is_valid(cred), next(validator.iter_errors(cred)).message


def test_clr_and_verify_commands(demo, tmp_path, ed_key):
    key_file = tmp_path / "issuer.pem"
    write_private_key(ed_key, key_file)
    public = tmp_path / "issuer.jwk"
    public.write_text(json.dumps(public_jwk(ed_key)))
    out = tmp_path / "clr"
    runner = CliRunner()
    result = runner.invoke(main, ["--config", str(demo.config), "clr", "stu-000001", "700002", "--key",
                                  str(key_file), "--out", str(out), "--json", "--valid-days", "365"])
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("*.clr.jwt"))
    assert [f.name for f in files] == ["stu-000001.clr.jwt", "stu-000002.clr.jwt"]
    for f in [*files, out / "stu-000001.clr.json"]:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    schema_dir = standards_path("clr-ob", "ob_v3p0", "json-schema")
    result = runner.invoke(main, ["verify", *map(str, files), "--key", str(public), "--schema-dir", str(schema_dir)])
    assert result.exit_code == 0, result.output
    assert result.output.count(": OK") == 2 and "EdDSA" in result.output
    raw = bytearray(files[0].read_bytes())
    raw[len(raw) // 2] = ord("A") if raw[len(raw) // 2] != ord("A") else ord("B")
    files[0].write_bytes(bytes(raw))
    result = runner.invoke(main, ["verify", str(files[0]), "--key", str(public), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output)[0]
    assert not report["ok"] and report["problems"][0].startswith("signature:")
    result = runner.invoke(main, ["--config", str(demo.config), "clr", "--class-of", "2027"])
    assert result.exit_code == 2 and "--key" in result.output



def test_issuer_and_key_come_from_the_configuration(demo, tmp_path, ed_key):
    """[exchange] names the key file (relative to the configuration), the kid and the issuer."""
    write_private_key(ed_key, tmp_path / "issuer.pem")
    config = tmp_path / "cbe-bridge.toml"
    store = (demo.config.parent / "cbe-bridge.db").as_posix()  # the demo's store, by absolute path
    config.write_text(demo.config.read_text().replace('url = "cbe-bridge.db"', f'url = "{store}"') + """
[exchange]
issuer_id = "https://issuer.example.org"
signing_key = "issuer.pem"
key_id = "https://issuer.example.org/keys#1"
valid_days = 30
""")
    result = CliRunner().invoke(main, ["--config", str(config), "clr", "stu-000001", "--out", str(tmp_path / "clr")])
    assert result.exit_code == 0, result.output
    token = (tmp_path / "clr" / "stu-000001.clr.jwt").read_text().strip()
    header, claims = (json.loads(_b64(part)) for part in token.split(".")[:2])
    assert header["alg"] == "EdDSA" and header["kid"] == "https://issuer.example.org/keys#1"
    assert claims["iss"] == "https://issuer.example.org" and "validUntil" in claims


def test_a_student_with_nothing_to_certify_gets_no_token(issuer, exported, rsa_key):
    empty = dataclasses.replace(exported[1][0], figures={}, courses=[], gpa={})
    [(_rec, credential, token)] = list(issue(issuer, [empty], rsa_key))
    assert token is None and credential["credentialSubject"]["verifiableCredential"] == []


def test_building_blocks():
    assert parts.urn("a", 1) == parts.urn("a", 1) != parts.urn("a", 2)
    assert parts.address("100 Sample Road, Riverbend, ME 04000") == {
        "type": ["Address"], "streetAddress": "100 Sample Road", "addressLocality": "Riverbend",
        "addressRegion": "ME", "postalCode": "04000", "addressCountryCode": "US"}
    assert parts.address("Somewhere odd") == {"type": ["Address"], "streetAddress": "Somewhere odd"}
    assert parts.day_start("2027-05-13") == "2027-05-13T00:00:00Z" and parts.day_start("soon") is None
    assert parts.number_text(2.99533, 3) == "2.995" and parts.number_text(3.0) == "3"
