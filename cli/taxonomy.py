"""`skillgap taxonomy ...` commands: import, download, list, info, search.

Only typer and rich are imported at module level; pandas, pyarrow and httpx load inside
the commands so `skillgap --help` stays fast. Errors the user can fix are raised as
``SkillgapError`` and printed by the CLI root as one line.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from skillgap.taxonomies.model import Taxonomy

app = typer.Typer(help="Import, download, list and search ESCO taxonomies.", no_args_is_help=True)
console = Console()


@contextmanager
def _steps(title: str) -> Iterator[Callable[[str], None]]:
    """A rich progress bar fed with step messages (transient: gone when work ends).

    Without a terminal (``make setup`` in CI, a log file) each step is printed as a line
    instead, so the log shows what ran and where it stopped.
    """
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    if not console.is_terminal:
        yield lambda message: console.print(f"{title}: {message}", highlight=False)
        return

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.fields[title]}[/] {task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None, title=title)

        def step(message: str) -> None:
            bar.update(task, description=message)

        yield step


def _summary(tax: Taxonomy, title: str) -> None:
    m = tax.manifest
    console.print(f"[bold]{title}[/]")
    table = Table(show_header=True, header_style="bold")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, n in tax.counts().items():
        table.add_row(name, f"{n:,}" if n else "[dim]- (missing)[/]")
    console.print(table)
    console.print(
        f"snapshot [bold]{tax.snapshot_id}[/]  ESCO {m.get('esco_version')}  "
        f"language {m.get('language')}  kind {m.get('kind')}"
    )
    if tax.missing:
        console.print(
            f"[yellow]lacks[/] {', '.join(tax.missing)}: features that need them say so; "
            "`skillgap taxonomy download` or `skillgap taxonomy import PATH` brings them"
        )


@app.command("import")
def import_(
    paths: list[Path] = typer.Argument(
        ...,
        help="The two official ESCO CSV zips, a folder holding them, or an extracted folder.",
    ),
    language: str | None = typer.Option(
        None, "--language", "-l", help="Expected language suffix (default: that of skills)."
    ),
    version: str | None = typer.Option(
        None, "--version", help="ESCO version, when the file names do not say it."
    ),
) -> None:
    """Import an official ESCO CSV download as a snapshot and make it the active taxonomy."""
    from skillgap.taxonomies.store import import_bundle

    t0 = time.perf_counter()
    with _steps("import") as step:
        tax, written = import_bundle(paths, language=language, version=version, progress=step)
    if written:
        verb = f"imported in {time.perf_counter() - t0:.1f} s"
    else:
        verb = "already stored (same checksums), now active"
    _summary(tax, f"ESCO {tax.version} ({tax.language}): {verb}")


@app.command()
def download(
    version: str = typer.Option("1.1.1", "--version", help="ESCO version, e.g. 1.1.1 or 1.2.0."),
    language: str = typer.Option("en", "--language", "-l", help="Language code, e.g. en, fr."),
    base_url: str | None = typer.Option(
        None,
        "--base-url",
        help="Folder URL holding the official zips (default: the European Commission's).",
    ),
) -> None:
    """Download the official ESCO CSV zips, verify them and import them."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    from skillgap.taxonomies.download import EC_BASE_URL, download_bundle
    from skillgap.taxonomies.store import import_taxonomy

    tasks: dict[str, Any] = {}
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
        transient=True,
    ) as bar:

        def on_bytes(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
                if not console.is_terminal:
                    console.print(f"downloading {name} ({total or '?'} bytes)", highlight=False)
            bar.update(tasks[name], completed=done)

        paths = download_bundle(
            version, language, base_url=base_url or EC_BASE_URL, progress=on_bytes
        )
    with _steps("import") as step:
        tax = import_taxonomy(paths, language=language, version=version.lstrip("v"), progress=step)
    _summary(tax, f"ESCO {tax.version} ({tax.language}) from {paths[0].parent}")


@app.command("build-default", hidden=True)
def build_default(
    force: bool = typer.Option(False, "--force", hidden=True, help="Ignored."),
) -> None:
    """Kept for scripts written for earlier versions: there is nothing to build any more."""
    from skillgap.taxonomies.store import load_taxonomy

    tax = load_taxonomy("default")
    console.print(
        f"nothing to build: the default taxonomy (official ESCO {tax.version}, "
        f"{tax.language}, snapshot {tax.snapshot_id}) ships inside the package and is used "
        "whenever no other is imported or configured"
    )


@app.command("list")
def list_() -> None:
    """List stored taxonomy snapshots; the active one is marked with *."""
    from skillgap.config import get_settings
    from skillgap.taxonomies.store import list_snapshots

    snaps = list_snapshots()
    if not snaps:
        console.print(
            f"no taxonomy in {get_settings().taxonomies_dir} and none embedded in this "
            "installation: run `skillgap taxonomy import PATH`"
        )
        return
    table = Table(show_header=True, header_style="bold")
    for col in ("", "snapshot", "kind", "ESCO", "lang", "skills", "occupations", "imported"):
        table.add_column(
            col, justify="right" if col in ("skills", "occupations") else "left", overflow="fold"
        )
    for m in snaps:
        counts = m.get("counts", {})
        table.add_row(
            "*" if m.get("active") else "",
            str(m.get("snapshot_id")),
            str(m.get("kind")),
            str(m.get("esco_version")),
            str(m.get("language")),
            f"{counts.get('skills', 0):,}",
            f"{counts.get('occupations', 0):,}",
            str(m.get("imported_at", "")),
        )
    console.print(table)


@app.command()
def info(
    snapshot: str | None = typer.Argument(None, help="Snapshot id or prefix (default: active)."),
) -> None:
    """Show a snapshot: version, counts, sources, what it lacks, and its load time."""
    from skillgap.taxonomies.model import ESCO_ATTRIBUTION
    from skillgap.taxonomies.store import load_taxonomy

    t0 = time.perf_counter()
    tax = load_taxonomy(snapshot)
    took = time.perf_counter() - t0
    m = tax.manifest
    _summary(tax, f"taxonomy {tax.snapshot_id}")
    console.print(f"stored at {m.get('path')} (loaded in {took:.2f} s)")
    origin = (
        f"imported {m['imported_at']}"
        if m.get("imported_at")
        else "the embedded default, shipped with skillgap"
    )
    console.print(f"{origin}  file naming {m.get('file_naming')}")
    for src in m.get("sources", []):
        where = src.get("path") or src.get("file") or src.get("package")
        console.print(f"  source: {where}  sha256 {str(src.get('sha256') or '-')[:16]}...")
    if m.get("missing_files"):
        console.print(f"  files absent from the bundle: {', '.join(m['missing_files'])}")
    for k, v in (m.get("dangling") or {}).items():
        console.print(f"  [dim]{k}: {v} rows point at URIs the bundle does not define[/]")
    for line in m.get("limitations", []):
        console.print(f"  [yellow]limitation[/]: {line}")
    console.print(ESCO_ATTRIBUTION, highlight=False)
    console.print("[dim]ESCO is reused under Commission Decision 2011/833/EU.[/]", highlight=False)


@app.command()
def search(
    text: str = typer.Argument(..., help="Words to look for in skill labels."),
    limit: int = typer.Option(20, "--limit", "-n", min=1, help="Rows to show."),
    snapshot: str | None = typer.Option(None, "--snapshot", help="Snapshot id (default: active)."),
) -> None:
    """Find skills by preferred or alternative label; shows URIs and hierarchy groups."""
    from skillgap.taxonomies.search import search_skills
    from skillgap.taxonomies.store import load_taxonomy

    tax = load_taxonomy(snapshot)
    hits = search_skills(tax, text, limit=limit)
    if not hits:
        console.print(f"no skill label contains '{text}' in {tax.snapshot_id}")
        raise typer.Exit(1)
    table = Table(title=f"skills matching '{text}' ({tax.snapshot_id})", header_style="bold")
    table.add_column("preferred label")
    table.add_column("matched label")
    table.add_column("URI", overflow="fold")
    table.add_column("groups")
    for hit in hits:
        table.add_row(
            hit.preferred_label,
            "" if hit.matched_label == hit.preferred_label else hit.matched_label,
            hit.uri,
            "; ".join(f"{code} {label}".strip() for code, label in hit.groups),
        )
    console.print(table)
