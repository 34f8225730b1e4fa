"""The ``cbe-bridge`` command: thin click commands over the library's services.

Exit codes (documented in the README for monitoring):

* 0: finished, nothing rejected;
* 1: finished with rejected records or failures (see ``cbe-bridge status``);
* 2: bad usage, configuration or mapping (nothing was done);
* 3: another sync is running against the same store (nothing was done).

``cbe-bridge status --check`` exits 1 when a source's latest sync failed or was interrupted.

Library errors become messages here and only here; ``--debug`` shows tracebacks.
"""

from __future__ import annotations

import sys

import click

from cbe_bridge import __version__
from cbe_bridge.app import App
from cbe_bridge.errors import EXIT_USAGE, CbeBridgeError
from cbe_bridge.logs import setup_logging


class Group(click.Group):
    """Turns cbe-bridge errors into messages and exit codes."""

    def invoke(self, ctx: click.Context):  # noqa: ANN201
        try:
            return super().invoke(ctx)
        except CbeBridgeError as exc:
            app = ctx.obj if isinstance(ctx.obj, App) else None
            if app is not None and app.debug:
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config", envvar="CBE_BRIDGE_CONFIG", metavar="FILE",
              help="Configuration file (default: ./cbe-bridge.toml; env CBE_BRIDGE_CONFIG).")
@click.option("--db", metavar="URL", help="Store: a SQLite path or postgresql://... (env CBE_BRIDGE_DB).")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logs.")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              envvar="CBE_BRIDGE_LOG_FORMAT",
              help="Log lines on stderr: human text, or JSON lines with run summaries (for cron/journald).")
@click.version_option(__version__, prog_name="cbe-bridge")
@click.pass_context
def main(ctx: click.Context, config: str | None, db: str | None, debug: bool, log_format: str) -> None:
    """Bridge course-and-letter-grade systems to competency-based education.

    \b
    Try it on the shipped sample district:
      cbe-bridge demo --out demo
      cbe-bridge --config demo/cbe-bridge.toml gpa --class-of 2027

    Exit codes: 0 ok; 1 finished with rejected records or failures; 2 bad usage,
    configuration or mapping; 3 another sync holds the lock.
    """
    setup_logging(log_format, debug=debug, stream=sys.stderr)
    ctx.obj = App.from_options(config, db, debug)
    ctx.obj.log_format = log_format
    ctx.call_on_close(ctx.obj.close)


def _register() -> None:
    from cbe_bridge.cli import data, documents, exchange, identity, policy, reports, setup, writeback

    for module in (data, policy, reports, setup, exchange, documents, writeback, identity):
        for command in module.COMMANDS:
            main.add_command(command)


_register()

__all__ = ["main", "EXIT_USAGE"]
