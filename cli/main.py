"""The ``skillgap`` command line: one Typer app, sub-commands registered from sibling modules.

Sub-command modules keep their top-level imports light (typer, rich) and import heavy
libraries (torch, prefect, duckdb) inside the command, so ``skillgap --help`` stays fast.
"""

from __future__ import annotations

import os
import sys

import typer
from rich.console import Console

from skillgap import __version__
from skillgap.cli import audit, ingest, map, run, taxonomy
from skillgap.errors import SkillgapError

# Offline first: never let a library reach for a model hub at run time.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

err_console = Console(stderr=True)

app = typer.Typer(
    name="skillgap",
    help="Labour-market skills intelligence: map vacancies and micro-credentials to ESCO "
    "and report where credentials should be developed or updated.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(taxonomy.app, name="taxonomy")
ingest.register(app)
map.register(app)
run.register(app)
audit.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"skillgap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """skillgap: ESCO-based skills-gap analysis for micro-credentials."""


def main() -> None:
    """Console-script entry point: user errors print one clear line, not a traceback."""
    try:
        app(standalone_mode=False)
    except SkillgapError as exc:
        err_console.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)
    except (typer.Exit, SystemExit) as exc:
        code = getattr(exc, "exit_code", getattr(exc, "code", 0))
        sys.exit(code or 0)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(1)
    except Exception as exc:  # click usage errors surface here in non-standalone mode
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
