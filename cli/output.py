"""Printing values that come from data: never read as Rich markup.

Rich reads ``[...]`` in a string as a style tag, so a stored value such as ``[/x]`` would
crash a table and ``[analysis]`` would vanish from a message. Everything that comes from a
file, a store or an exception goes through ``plain`` (a ``rich.text.Text`` is printed as
it is); only our own literal strings carry markup.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text


def plain(value: Any, style: str = "") -> Text:
    """``value`` as text that Rich prints verbatim ("" for None)."""
    return Text("" if value is None else str(value), style=style)


def print_error(console: Console, message: object, label: str = "error") -> None:
    """``error: MESSAGE`` on one unwrapped line, so logs keep file names and paths whole."""
    console.print(
        Text.assemble((f"{label}: ", "bold red"), str(message)), soft_wrap=True, highlight=False
    )
