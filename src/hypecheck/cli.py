"""The ``hypecheck`` command line: the root group, its global options, and exit statuses.

The commands live in :mod:`hypecheck.commands`, one module per group (``check``,
``batch``, ``rules``, the labelled-corpus commands ``evaluate``/``crossval``/
``train``, ``serve``); :func:`main` turns every error into an :class:`ExitStatus`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .checking import ExitStatus
from .commands.batch import batch
from .commands.check import check
from .commands.labelled import crossval, evaluate, train
from .commands.rulepack import rules
from .commands.serve import serve
from .errors import HypecheckError

__all__ = ["ExitStatus", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="hypecheck")
@click.option(
    "--config",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Settings file (default: the nearest .hypecheck.yml).",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(exists=True, file_okay=False),
    help="A learned layer trained with 'hypecheck train' (default: the shipped one).",
)
@click.option("--rules-only", is_flag=True, help="Leave the learned layer out: rule findings only.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, model_dir: str | None, rules_only: bool) -> None:
    """Flag overreaching claims in exosome and regenerative skincare marketing."""
    from .config import command_defaults, find_config

    ctx.obj = {"model": False if rules_only else (model_dir or True)}  # read by commands.shared.model_choice

    path = config or find_config()
    if path is not None:
        ctx.default_map = command_defaults(path)


for _command in (check, batch, rules, evaluate, crossval, train, serve):
    cli.add_command(_command)


def main() -> None:
    """Console entry point: 0 clean, 1 findings, 2 usage or input error, 4 internal error."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitStatus.USAGE)
    except click.exceptions.Abort:
        sys.exit(ExitStatus.USAGE)
    except HypecheckError as exc:
        click.echo(f"hypecheck: {exc}", err=True)
        sys.exit(ExitStatus.USAGE)
    except (BrokenPipeError, KeyboardInterrupt):
        sys.exit(ExitStatus.USAGE)
    except Exception:  # a bug: never let it look like exit 1 ("findings")
        import traceback

        traceback.print_exc()
        click.echo("hypecheck: internal error; please report it with the traceback above", err=True)
        sys.exit(ExitStatus.INTERNAL)
