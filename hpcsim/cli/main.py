"""The ``hpcsim`` command: thin click commands over the library.

Subcommands are imported only when they run (``hpcsim --help`` and shell completion stay fast
and never import torch or redis). Exit codes: 0 ok, 1 a job or check failed, 2 a usage or
configuration error, printed as one line (``--debug`` shows the traceback).
"""

from __future__ import annotations

import importlib
import sys

import click

from hpcsim import config
from hpcsim._version import __version__
from hpcsim.errors import HpcsimError
from hpcsim.log import log_to_console

__all__ = ["cli", "main"]

#: command name -> "module:attribute" of its click command
_COMMANDS = {
    "cancel": "hpcsim.cli.jobs:cancel",
    "clients": "hpcsim.cli.clients:clients",
    "db": "hpcsim.cli.db:db",
    "dashboard": "hpcsim.cli.dashboard:dashboard",
    "demo": "hpcsim.cli.demo:demo",
    "doctor": "hpcsim.cli.doctor:doctor",
    "info": "hpcsim.cli.info:info",
    "list": "hpcsim.cli.jobs:list_experiments",
    "logs": "hpcsim.cli.jobs:logs",
    "module": "hpcsim.cli.module:module",
    "preview": "hpcsim.cli.preview:preview",
    "site": "hpcsim.cli.site:site",
    "status": "hpcsim.cli.jobs:status",
    "submit": "hpcsim.cli.submit:submit",
}


class _LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, attribute = _COMMANDS[cmd_name].split(":")
        command = getattr(importlib.import_module(module), attribute)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hpcsim")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """hpcsim: launch simulations, ensembles and databases on HPC systems and laptops.

    \b
    Exit status: 0 ok, 1 a job or check failed, 2 a usage or configuration error.
    Shell completion (bash; zsh and fish alike):
      eval "$(_HPCSIM_COMPLETE=bash_source hpcsim)"
    """
    ctx.obj = {"debug": debug}
    config.check_knobs()  # a bad HPCSIM_* value is one line here, not a traceback later
    log_to_console()  # progress on stderr, at HPCSIM_LOG_LEVEL


def main() -> None:
    """Entry point: user errors print one line and exit 2; --debug shows the traceback."""
    debug = "--debug" in sys.argv[1:]
    try:
        code = cli.main(prog_name="hpcsim", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except HpcsimError as exc:
        if debug:
            raise
        click.echo(f"hpcsim: error: {exc}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)  # ctx.exit(n) returns n without standalone mode
