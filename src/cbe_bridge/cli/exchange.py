"""Commands for the exchange formats: ``clr``, ``keys generate``, ``verify``, ``pesc``.

Thin: parse options, read the store once, call the builders in :mod:`cbe_bridge.exchange`,
write owner-only files. Issuer details come from the ``[school]`` configuration; the signing
key is a file given with ``--key`` (or ``CBE_BRIDGE_SIGNING_KEY``), never stored in the store.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import click

from cbe_bridge.app import App
from cbe_bridge.errors import EXIT_OK, EXIT_PARTIAL, UsageError
from cbe_bridge.outputs import private_dir, write_json, write_private
from cbe_bridge.translate.student_records import (ComputeRun, StudentRecord, latest_compute_run, load_records,
                                                  require_current, select_students)

_path = click.Path(path_type=Path)


def _records(app: App, students: tuple[str, ...], class_of: int | None) -> tuple[list[StudentRecord], ComputeRun]:
    if not students and class_of is None:
        raise UsageError("name students or a graduating class", hint="e.g. --class-of 2027")
    with app.store(create=False).engine.connect() as conn:
        run = latest_compute_run(conn)
        require_current(run, app.policy,
                        "the exported records would describe rules that did not make them", "export them")
        records = list(load_records(conn, select_students(conn, students, class_of)).values())
    return records, run


def _out_dir(app: App, out: Path | None, leaf: str) -> Path:
    return private_dir(out if out is not None else app.settings.output.dir / leaf)


@click.command()
@click.argument("students", nargs=-1, metavar="[STUDENT]...")
@click.option("--class-of", type=int, help="Every student graduating in this year.")
@click.option("--out", type=_path, help="Output folder (default: <output dir>/clr).")
@click.option("--key", "key_file", type=_path, envvar="CBE_BRIDGE_SIGNING_KEY",
              help="Private signing key, PEM or JWK (env CBE_BRIDGE_SIGNING_KEY; default: [exchange] "
                   "signing_key); RSA signs RS256, Ed25519 EdDSA.")
@click.option("--kid", help="URL where the public key is published (JOSE 'kid'), e.g. https://school.example/keys#1 "
                            "(default: [exchange] key_id).")
@click.option("--issuer-id", help="Issuer URI (default: [exchange] issuer_id, else the [school] website).")
@click.option("--all-nodes", is_flag=True,
              help="Also the continuum's leaves (learning targets), not only competencies.")
@click.option("--no-courses", is_flag=True, help="Leave out the course credentials.")
@click.option("--valid-days", type=click.IntRange(min=1),
              help="Credentials expire this many days after issue (default: [exchange] valid_days, else never).")
@click.option("--hash-identity", is_flag=True, help="Salted SHA-256 hashes instead of the student's name and ids.")
@click.option("--json", "also_json", is_flag=True, help="Also write each unsigned credential as JSON.")
@click.pass_obj
def clr(app: App, students: tuple[str, ...], class_of: int | None, out: Path | None, key_file: Path | None,
        kid: str | None, issuer_id: str | None, all_nodes: bool, no_courses: bool, valid_days: int | None,
        hash_identity: bool, also_json: bool) -> None:
    """Write a signed CLR 2.0 credential (VC-JWT) per student.

    \b
    One ClrCredential per student holds an Open Badges 3.0 AchievementCredential per
    competency (aligned to its continuum node), per course and for the GPA. Files:
    <out>/<student id>.clr.jwt, readable by their owner only.
    Example:
      cbe-bridge keys generate --out issuer-key.pem > issuer-key.public.jwk
      cbe-bridge --config demo/cbe-bridge.toml clr --class-of 2027 --key issuer-key.pem --out clr
      cbe-bridge verify clr/stu-000001.clr.jwt --key issuer-key.public.jwk
    """
    from cbe_bridge.exchange.clr import ClrIssuer, ClrOptions, issue
    from cbe_bridge.exchange.signing import load_key

    conf = app.settings.exchange
    key_file = key_file or conf.signing_key
    if key_file is None:
        raise UsageError("no signing key", hint="give --key FILE, set CBE_BRIDGE_SIGNING_KEY, or name the file in "
                                                "[exchange] signing_key (make one with 'cbe-bridge keys generate')")
    key = load_key(key_file, private=True)
    records, run = _records(app, students, class_of)
    options = ClrOptions(issuer_id=issuer_id or conf.issuer_id, all_nodes=all_nodes, courses=not no_courses,
                         valid_days=valid_days or conf.valid_days, hash_identity=hash_identity,
                         kid=kid or conf.key_id)
    issuer = ClrIssuer(app.policy, app.settings.school, run, datetime.now(timezone.utc), options)
    folder = _out_dir(app, out, "clr")
    count, empty = 0, []
    for rec, credential, token in issue(issuer, records, key):
        name = rec.person.student_id
        if token is None:
            empty.append(name)
            continue
        write_private(folder / f"{name}.clr.jwt", token + "\n")
        if also_json:
            write_json(folder / f"{name}.clr.json", credential)
        count += 1
    click.echo(f"wrote {count} signed ClrCredential(s) to {folder}/ (issuer {issuer.profile['id']})")
    if empty:
        click.echo(f"skipped {len(empty)} student(s) with no results to certify: {', '.join(empty[:10])}", err=True)


@click.group()
def keys() -> None:
    """Signing keys for the credentials cbe-bridge issues.

    \b
    Example:
      cbe-bridge keys generate --out issuer-key.pem > issuer-key.public.jwk
    """


@keys.command("generate")
@click.option("--out", type=_path, required=True, help="Where to write the private key (created with mode 0600).")
@click.option("--type", "kind", type=click.Choice(["rsa", "ed25519"], case_sensitive=False), default="rsa",
              show_default=True, help="RSA signs RS256 (every verifier supports it); Ed25519 signs EdDSA.")
@click.option("--bits", type=int, default=3072, show_default=True, help="RSA key size.")
@click.option("--format", "fmt", type=click.Choice(["pem", "jwk"]), default="pem", show_default=True,
              help="File format of the private key.")
@click.option("--kid", help="The key's published URL, recorded as 'kid' in the printed public JWK.")
def generate(out: Path, kind: str, bits: int, fmt: str, kid: str | None) -> None:
    """Make a key pair; write the private key owner-only and print the public JWK.

    \b
    Publish the printed JWK (e.g. in a JWK Set at the issuer's https or did:web location)
    so verifiers can check who signed. The private key is never printed.
    Example:
      cbe-bridge keys generate --out issuer-key.pem --kid https://school.example/keys#2026
    """
    from cbe_bridge.exchange.signing import generate_key, public_jwk, write_private_key

    key = generate_key(kind, bits=bits)
    write_private_key(key, out, fmt=fmt)
    click.echo(json.dumps(public_jwk(key, kid), indent=2))
    click.echo(f"private key written to {out} (mode 0600)", err=True)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "key_file", type=_path, help="The issuer's public key (PEM or JWK) to check the signer against.")
@click.option("--schema-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="A folder holding the 1EdTech OB 3.0 JSON Schemas, applied to every embedded credential.")
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
def verify(files: tuple[Path, ...], key_file: Path | None, schema_dir: Path | None, as_json: bool) -> None:
    """Check signed credentials: signature, claims, dates and schema.

    \b
    Says exactly what is wrong; any changed byte fails. Exit code 0 when every file
    verifies, 1 otherwise.
    Example:
      cbe-bridge verify out/clr/stu-000001.clr.jwt --key issuer-key.public.jwk
    """
    from cbe_bridge.exchange.signing import load_key
    from cbe_bridge.exchange.verify import verify_file

    trusted = load_key(key_file, private=False) if key_file else None
    reports = [verify_file(f, trusted=trusted, schema_dir=schema_dir) for f in files]
    if as_json:
        click.echo(json.dumps([{"file": str(r.path), "ok": r.ok, "problems": r.problems, "notes": r.notes,
                                "summary": r.summary} for r in reports], indent=2))
    else:
        for r in reports:
            click.echo(f"{r.path}: {'OK' if r.ok else 'FAILED'}")
            if r.summary:
                s = r.summary
                click.echo(f"  {s.get('type')} {s.get('id')} from {s.get('issuer')}, {s.get('credentials', 0)} "
                           f"embedded credential(s), {s.get('alg')} key {s.get('key')}")
            for p in r.problems:
                click.echo(f"  - {p}")
            for n in r.notes:
                click.echo(f"  note: {n}")
    raise SystemExit(EXIT_OK if all(r.ok for r in reports) else EXIT_PARTIAL)


@click.command()
@click.argument("students", nargs=-1, metavar="[STUDENT]...")
@click.option("--class-of", type=int, help="Every student graduating in this year.")
@click.option("--out", type=_path, help="Output folder (default: <output dir>/pesc).")
@click.option("--destination", help="Name of the receiving institution (TransmissionData/Destination).")
@click.option("--attachment", help="File name or URL of the attachment explaining the school's grading, referenced "
                                   "in the XML (default: [exchange] attachment, else school-profile.pdf).")
@click.option("--official", is_flag=True, help="Mark the documents Official (default: Unofficial).")
@click.option("--all-nodes", is_flag=True, help="Proficiency on the continuum's leaves too, not only competencies.")
@click.option("--xsd-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder with the PESC AcademicRecord 1.13 and CoreMain 1.19 XSDs: validate before writing.")
@click.pass_obj
def pesc(app: App, students: tuple[str, ...], class_of: int | None, out: Path | None, destination: str | None,
         attachment: str | None, official: bool, all_nodes: bool, xsd_dir: Path | None) -> None:
    """Write a PESC High School Transcript (XML, v1.5.0) per student.

    \b
    Courses by school year with back-translated grades and credits, GPA in AcademicSummary,
    proficiency per competency in UserDefinedExtensions, the attachment referenced. Files:
    <out>/<student id>.pesc.xml, readable by their owner only.
    Example:
      cbe-bridge --config demo/cbe-bridge.toml pesc --class-of 2027 --out pesc
      cbe-bridge --config demo/cbe-bridge.toml pesc 700123 --destination "State University"
    """
    from cbe_bridge.exchange.pesc import PescBuilder, PescOptions, to_bytes

    records, run = _records(app, students, class_of)
    validator = None
    if xsd_dir is not None:
        from cbe_bridge.exchange.pesc_check import core_validator
        validator = core_validator(xsd_dir)
    options = PescOptions(destination=destination, attachment=attachment or app.settings.exchange.attachment,
                          official=official, all_nodes=all_nodes)
    builder = PescBuilder(app.policy, app.settings.school, run, datetime.now(timezone.utc), options)
    folder = _out_dir(app, out, "pesc")
    failed = 0
    for rec in records:
        root = builder.build(rec)
        problems = validator.problems(root) if validator else []
        if problems:
            failed += 1
            click.echo(f"{rec.person.student_id}: not written, {len(problems)} schema problem(s):", err=True)
            for problem in problems[:10]:
                click.echo(f"  - {problem}", err=True)
            continue
        write_private(folder / f"{rec.person.student_id}.pesc.xml", to_bytes(root))
    click.echo(f"wrote {len(records) - failed} PESC transcript(s) to {folder}/"
               + (" (validated against the PESC XSDs)" if validator else ""))
    raise SystemExit(EXIT_PARTIAL if failed else EXIT_OK)


COMMANDS = [clr, keys, verify, pesc]
