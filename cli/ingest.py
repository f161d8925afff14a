"""CLI of the ingest layer: ``ingest``, ``store`` and ``credentials`` command groups.

Only typer and rich are imported at module level so ``skillgap --help`` stays fast; the
readers, DuckDB and the language detector load inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from skillgap.cli.output import plain

console = Console()

ingest_app = typer.Typer(help="Read vacancies or credential catalogues into the store.")
store_app = typer.Typer(help="Inspect the DuckDB store.")
credentials_app = typer.Typer(help="Check micro-credentials against the EU standard elements.")

_STORE_OPT = typer.Option(None, "--store", help="Store file (default: <data_dir>/skillgap.duckdb).")
_READ_STORE_OPT = typer.Option(
    None,
    "--store",
    help="Store file to read (default: the only store in the data directory, whether "
    "<data_dir>/skillgap.duckdb or a run's <data_dir>/stores/NAME.duckdb).",
)


def register(app: typer.Typer) -> None:
    """Add this module's commands and groups to the root app."""
    app.add_typer(ingest_app, name="ingest")
    app.add_typer(store_app, name="store")
    app.add_typer(credentials_app, name="credentials")


def _existing_store(store: Path | None) -> Path:
    """The store a reading command means: ``--store``, else the only one there is.

    Ingest writes to ``<data_dir>/skillgap.duckdb`` by default and each analysis run to
    ``<data_dir>/stores/NAME.duckdb``; reading commands must not guess one of them (and
    create it empty) when the data is in the other.
    """
    from skillgap.config import get_settings
    from skillgap.errors import MissingDataError, UsageError

    if store is not None:
        return store
    settings = get_settings()
    candidates = [settings.store_path, *sorted(settings.stores_dir.glob("*.duckdb"))]
    found = [p for p in candidates if p.is_file()]
    if len(found) == 1:
        return found[0]
    if not found:
        raise MissingDataError(
            f"no store in {settings.data_dir} yet: `skillgap ingest ...` or `skillgap run "
            "CONFIG` creates one (or pass --store PATH)"
        )
    raise UsageError(
        f"{len(found)} stores in {settings.data_dir}; say which with --store: "
        + ", ".join(str(p) for p in found)
    )


def _print_report(report: Any) -> None:
    if report.skipped:
        console.print(
            plain("skipped", "yellow"),
            plain(
                f": {report.file} (sha256 {report.checksum[:12]}) was already ingested as "
                f"batch {report.batch_id}; nothing changed"
            ),
            sep="",
        )
        return
    table = Table(
        title=plain(f"batch {report.batch_id}: {Path(report.file).name} ({report.profile})")
    )
    table.add_column("count")
    table.add_column("records", justify="right")
    for key, value in report.counts.items():
        table.add_row(key.replace("_", " "), f"{value:,}")
    console.print(table)
    if report.quarantine_reasons:
        q = Table(title="quarantined, by reason")
        q.add_column("reason")
        q.add_column("records", justify="right")
        for reason, n in report.quarantine_reasons.items():
            q.add_row(plain(reason), f"{n:,}")
        console.print(q)
    for what, n in getattr(report, "unmapped", {}).items():
        console.print(f"[yellow]note[/]: {n:,} record(s) had a {what} value the mapping lacks")
    rate = report.read / report.elapsed_s if report.elapsed_s else 0.0
    console.print(f"{report.elapsed_s:.1f} s, {rate:,.0f} records/s")


@ingest_app.command("vacancies")
def ingest_vacancies_cmd(
    file: Path = typer.Argument(..., help="CSV, JSONL, JSON, Parquet or Excel file."),
    profile: str = typer.Option(
        "generic", "--profile", "-p", help="Shipped profile name or path to a .toml profile."
    ),
    region_map: Path | None = typer.Option(
        None, "--region-map", help="CSV raw_value,code mapping locations to NUTS codes."
    ),
    sector_map: Path | None = typer.Option(
        None, "--sector-map", help="CSV raw_value,code mapping categories to NACE codes."
    ),
    encoding: str | None = typer.Option(None, "--encoding", help="Override the file encoding."),
    no_near_duplicates: bool = typer.Option(
        False, "--no-near-duplicates", help="Skip MinHash near-duplicate detection (faster)."
    ),
    near_threshold: float = typer.Option(
        0.8, "--near-threshold", min=0.1, max=1.0, help="Estimated Jaccard for a repost."
    ),
    store: Path | None = _STORE_OPT,
) -> None:
    """Ingest a vacancy file as one batch (re-ingesting the same file is a no-op)."""
    from skillgap.ingest.api import ingest_vacancies
    from skillgap.store import Store

    with Store.open(store) as st:
        report = ingest_vacancies(
            file,
            profile,
            st,
            near_duplicates=not no_near_duplicates,
            progress=True,
            region_map=region_map,
            sector_map=sector_map,
            encoding=encoding,
            near_threshold=near_threshold,
        )
    _print_report(report)


@ingest_app.command("credentials")
def ingest_credentials_cmd(
    file: Path = typer.Argument(..., help="Catalogue (CSV/JSONL/Excel) or ELM/OB3 JSON-LD."),
    profile: str | None = typer.Option(
        None, "--profile", "-p", help="Profile for tabular catalogues (default: generic)."
    ),
    fmt: str | None = typer.Option(
        None, "--format", "-f", help="'elm' for European Learning Model / Open Badges JSON-LD."
    ),
    encoding: str | None = typer.Option(None, "--encoding", help="Override the file encoding."),
    store: Path | None = _STORE_OPT,
) -> None:
    """Ingest a credential catalogue or ELM credential file as one batch."""
    from skillgap.ingest.api import ingest_credentials
    from skillgap.store import Store

    with Store.open(store) as st:
        report = ingest_credentials(
            file, st, profile=profile, fmt=fmt, progress=True, encoding=encoding
        )
    _print_report(report)


@ingest_app.command("profiles")
def list_profiles() -> None:
    """List the shipped source profiles."""
    from skillgap.ingest.profiles import load_profile, shipped_profiles

    table = Table(title="shipped profiles")
    for col in ("kind", "name", "description", "file"):
        table.add_column(col)
    for kind in ("vacancies", "credentials"):
        for name, path in shipped_profiles(kind).items():
            prof = load_profile(path, kind)
            table.add_row(kind, plain(name), plain(prof.description), plain(path.name))
    console.print(table)


@store_app.command("info")
def store_info(store: Path | None = _READ_STORE_OPT) -> None:
    """Counts by source, language, period, region and sector; quarantine by reason."""
    from skillgap.store import Store

    with Store.open(_existing_store(store), read_only=True) as st:
        info = st.info()
    console.print(
        plain(
            f"store {info['path']} ({info['size_bytes'] / 1e6:.1f} MB, "
            f"schema version {info['schema_version']})"
        ),
        soft_wrap=True,
    )
    t = Table(title="tables")
    t.add_column("table")
    t.add_column("rows", justify="right")
    for name, n in info["tables"].items():
        t.add_row(plain(name), f"{n:,}")
    console.print(t)

    def show(title: str, rows: list[tuple[Any, int]]) -> None:
        if not rows:
            return
        tb = Table(title=title)
        tb.add_column("value")
        tb.add_column("records", justify="right")
        for k, n in rows:
            tb.add_row(plain("(none)" if k is None else k), f"{n:,}")
        console.print(tb)

    for key, rows in info["vacancies"].items():
        show(f"vacancies {key.replace('_', ' ')}", rows)
    for key, rows in info["credentials"].items():
        show(f"credentials {key.replace('_', ' ')}", rows)
    show("duplicates (type:kind)", info["duplicates"])
    show("quarantine by reason", info["quarantine_by_reason"])


@store_app.command("quarantine")
def store_quarantine(
    reason: str | None = typer.Option(None, "--reason", help="Only reasons starting with this."),
    limit: int = typer.Option(20, "--limit", help="Rows to show."),
    store: Path | None = _READ_STORE_OPT,
) -> None:
    """List quarantined records: file, line/record and reason (newest batch first)."""
    from skillgap.store import Store

    where, params = None, None
    if reason:
        where, params = "starts_with(reason, ?)", [reason]
    with Store.open(_existing_store(store), read_only=True) as st:
        df = st.read("quarantine", where, params)
        total = len(df)
        batches = st.read("ingest_batches", columns=["batch_id", "started_at"])
    order = dict(zip(batches["batch_id"], batches["started_at"], strict=True))
    df = df.assign(_t=df["batch_id"].map(order)).sort_values("_t", ascending=False).head(limit)
    t = Table(
        title=plain(
            f"quarantine: {total:,} record(s)" + (f" with reason '{reason}'" if reason else "")
        )
    )
    for col in ("file", "record", "reason"):
        t.add_column(col, overflow="fold")
    for row in df.itertuples():
        t.add_row(plain(Path(row.source_file).name), plain(row.record), plain(row.reason))
    console.print(t)


@credentials_app.command("check")
def credentials_check(
    file: Path = typer.Argument(..., help="Catalogue or ELM/OB3 credential file."),
    profile: str | None = typer.Option(None, "--profile", "-p", help="Catalogue profile."),
    fmt: str | None = typer.Option(None, "--format", "-f", help="'elm' for ELM/OB3 JSON-LD."),
    limit: int = typer.Option(50, "--limit", help="Credentials to list (0: summary only)."),
    encoding: str | None = typer.Option(None, "--encoding", help="Override the file encoding."),
) -> None:
    """Completeness of the 11 EU standard elements per credential, and a summary.

    Reads the file without touching the store. Learner identification is 'n/a' for
    catalogue entries: it belongs to an issued credential.
    """
    from collections import Counter

    from skillgap.ingest.api import ParsedCredential, read_credentials
    from skillgap.schemas import EU_STANDARD_ELEMENTS

    _, items = read_credentials(file, profile=profile, fmt=fmt, encoding=encoding)
    mark = {"present": "[green]yes[/]", "missing": "[red]--[/]", "invalid": "[red]bad[/]"}
    mark["not_applicable"] = "[dim]n/a[/]"
    short = {
        "learner_identification": "learner",
        "title": "title",
        "country": "country",
        "awarding_body": "body",
        "date_of_issuing": "date",
        "learning_outcomes": "LOs",
        "notional_workload": "workload",
        "eqf_level": "EQF",
        "assessment_type": "assess",
        "participation_form": "form",
        "quality_assurance": "QA",
    }
    table = Table(title=plain(f"EU standard elements: {file.name}"))
    table.add_column("record", no_wrap=True)
    table.add_column("title", max_width=28, no_wrap=True, overflow="ellipsis")
    for e in EU_STANDARD_ELEMENTS:
        table.add_column(short[e], justify="center", no_wrap=True)
    summary: dict[str, Counter[str]] = {e: Counter() for e in EU_STANDARD_ELEMENTS}
    complete = total = unreadable = 0
    invalid_notes: list[str] = []
    for item in items:
        if not isinstance(item, ParsedCredential):
            unreadable += 1
            if unreadable <= 5:
                console.print(plain("unreadable", "yellow"), plain(f"{item.record}: {item.reason}"))
            continue
        total += 1
        statuses = [item.row[f"elem_{e}"] for e in EU_STANDARD_ELEMENTS]
        for e, s in zip(EU_STANDARD_ELEMENTS, statuses, strict=True):
            summary[e][s] += 1
            if s == "invalid" and len(invalid_notes) < 10:
                invalid_notes.append(f"{item.record} {e}: {item.notes.get(e, '')}")
        if all(s in ("present", "not_applicable") for s in statuses):
            complete += 1
        if total <= limit:
            table.add_row(
                plain(item.record), plain(item.row["title"]), *[mark[s] for s in statuses]
            )
    if limit > 0 and total:
        console.print(table)
    sm = Table(title=f"summary: {total:,} credential(s), {complete:,} complete")
    sm.add_column("element")
    for s in ("present", "missing", "invalid", "not_applicable"):
        sm.add_column(s.replace("_", " "), justify="right")
    for e in EU_STANDARD_ELEMENTS:
        sm.add_row(e.replace("_", " "), *[f"{summary[e][s]:,}" for s in mark])
    console.print(sm)
    for note in invalid_notes:
        console.print(plain("invalid", "red"), plain(note))
    if unreadable:
        console.print(
            f"{unreadable:,} record(s) could not be read (see above; ingest quarantines them)"
        )
    if "learner_identification" in summary and summary["learner_identification"]["not_applicable"]:
        console.print(
            "learner identification is n/a for catalogue entries: it belongs to an issued "
            "credential, not to a course offer"
        )
