"""`skillgap taxonomy ...` commands."""

from __future__ import annotations

import typer

app = typer.Typer(help="Import, download, list and search ESCO taxonomies.", no_args_is_help=True)
