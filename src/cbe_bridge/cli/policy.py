"""Commands about district policy: ``mapping validate``, ``mapping coverage``, ``continuum show``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from cbe_bridge.app import App
from cbe_bridge.cli.output import emit, format_option
from cbe_bridge.continuum import continuum_to_dict, load_continuum, render_tree
from cbe_bridge.errors import MappingError, UsageError
from cbe_bridge.mapping import check_references, load_mapping
from cbe_bridge.engine.coverage import coverage as find_gaps


@click.group()
def mapping() -> None:
    """Check mapping files and what they leave uncovered."""


@mapping.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--continuum", "continuum_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Check node references against this continuum (default: the one the files name).")
def validate(files: tuple[Path, ...], continuum_path: Path | None) -> None:
    """Check mapping FILES (layered in the order given): syntax, schema, policy, references.

    \b
    Example:
      cbe-bridge mapping validate mappings/reference-district.yaml samples/district/mapping.yaml
    Every problem is reported with file:line:column; exit code 2 when there is any.
    """
    loaded = load_mapping(list(files))
    path = continuum_path or loaded.continuum_path
    if path is None:
        click.echo(f"ok: {len(files)} file(s) valid (no continuum named, node references not checked)")
        return
    continuum = load_continuum(path)
    problems = check_references(loaded, continuum.resolve)
    if problems:
        raise MappingError(f"{len(problems)} node reference(s) point at nothing in {path.name}", problems=problems)
    click.echo(f"ok: {len(files)} file(s) valid; every node reference resolves in {path.name} "
               f"({len(continuum.nodes)} nodes); fingerprint {loaded.fingerprint[:12]}")


@mapping.command("coverage")
@format_option
@click.pass_obj
def coverage_cmd(app: App, fmt: str) -> None:
    """List courses, score scales and learning objectives in the store that no mapping covers.

    \b
    Example:
      cbe-bridge --config demo/cbe-bridge.toml mapping coverage
    Exit code 1 when something is uncovered (so a scheduled check can alert).
    """
    gaps = find_gaps(app.store(create=False), app.policy)
    emit([vars(g) for g in gaps], ["kind", "source", "id", "code", "title", "records"], fmt)
    if fmt == "table":
        click.echo(f"{len(gaps)} uncovered item(s)")
    raise SystemExit(1 if gaps else 0)


@click.group()
def continuum() -> None:
    """Look at a continuum (CASE package or cbe-bridge YAML)."""


@continuum.command("show")
@click.argument("file_or_id", required=False)
@click.option("--depth", type=int, help="Show this many levels.")
@click.option("--root", help="Start at this node (GUID or human code).")
@click.option("--format", "fmt", type=click.Choice(["tree", "json"]), default="tree", show_default=True)
@click.pass_obj
def show(app: App, file_or_id: str | None, depth: int | None, root: str | None, fmt: str) -> None:
    """Print a continuum as a tree.

    \b
    FILE_OR_ID is a CASE CFPackage JSON file or a continuum YAML file, or the id (CFDocument
    identifier) or title of the continuum the configuration's mapping names; without it, the
    configured continuum.
    Examples:
      cbe-bridge continuum show ../shared/standards/case/samples/opensalt-framework-*.json
      cbe-bridge --config demo/cbe-bridge.toml continuum show --depth 2
    """
    if file_or_id and Path(file_or_id).exists():
        tree = load_continuum(Path(file_or_id))
    else:
        tree = app.policy.continuum
        if file_or_id and file_or_id not in (tree.id, tree.title):
            raise UsageError(f"{file_or_id!r} is neither a file nor the configured continuum ({tree.id})")
    if fmt == "json":
        click.echo(json.dumps(continuum_to_dict(tree, max_depth=depth, root=root), indent=2))
    else:
        click.echo(render_tree(tree, max_depth=depth, root=root))


COMMANDS = [mapping, continuum]
