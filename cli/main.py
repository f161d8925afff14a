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
from skillgap.cli.output import print_error
from skillgap.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_USAGE, SkillgapError

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


def _is_click(exc: BaseException, name: str) -> bool:
    """Whether ``exc`` is click's ``name`` class; typer vendors its own copy of click, so
    the class is recognised by name rather than by ``import click``."""
    return any(cls.__name__ == name for cls in type(exc).__mro__)


def main() -> None:
    """Console-script entry point: one clear line per problem, and an exit status that says
    which kind of problem it was (see ``skillgap.errors`` and the README)."""
    try:
        code = app(standalone_mode=False)
    except SkillgapError as exc:
        print_error(err_console, exc)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code or 0)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print_error(err_console, "interrupted", label="stopped")
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        if _is_click(exc, "Abort"):  # Ctrl-C, as click reports it
            print_error(err_console, "interrupted", label="stopped")
            sys.exit(EXIT_INTERRUPTED)
        if _is_click(exc, "ClickException") and hasattr(exc, "show"):
            exc.show()  # usage line, hint and message, as click prints them
            sys.exit(EXIT_USAGE)
        import traceback

        traceback.print_exc()
        print_error(
            err_console,
            f"{type(exc).__name__}: {exc} (a failure inside skillgap, not a problem with your "
            "input; please report it with the traceback above)",
            label="internal error",
        )
        sys.exit(EXIT_INTERNAL)
    # In non-standalone mode click returns the code of a typer.Exit instead of raising it;
    # typer turns Ctrl-C into Exit(130).
    if code == EXIT_INTERRUPTED:
        print_error(err_console, "interrupted", label="stopped")
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
