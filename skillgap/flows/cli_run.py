"""CLI commands of this area; `register` adds them to the root app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root app."""
