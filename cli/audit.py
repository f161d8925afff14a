"""`skillgap audit`: judge what a run counted, by reading it.

    skillgap audit sample --config analysis.toml -n 100 --seed 1 --output sheet.csv
    skillgap audit score sheet.csv

``sample`` draws mentions (seeded) from the store of an analysis - by default those of its
last completed run that counted as demand (score at or above the run's
``min_mention_score``) - into a CSV sheet with the sentence, the matched phrase and the
skill with its description. Fill the ``judgement`` column with ``correct``, ``partly`` or
``wrong``; ``score`` prints strict and lenient precision with 95 % Wilson intervals,
overall and by score band, and writes them as JSON with ``--json``.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

console = Console()
audit_app = typer.Typer(
    help="Sample stored mentions for a person to judge; score the judged sheet."
)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")


def _store_path(config: Path | None, store: Path | None) -> Path:
    from skillgap.errors import ConfigError

    if (config is None) == (store is None):
        raise ConfigError("give exactly one of --config (an analysis TOML) or --store (a file)")
    if store is not None:
        return store
    from skillgap.config import get_settings
    from skillgap.flows.analysis_config import load_config
    from skillgap.flows.gap_flow import store_path_for

    return store_path_for(load_config(config), get_settings())


@audit_app.command("sample")
def sample_cmd(
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the sheet (CSV)."),
    config: Path | None = typer.Option(
        None, "--config", help="Analysis config whose store to read."
    ),
    store: Path | None = typer.Option(None, "--store", help="Store file to read instead."),
    n: int = typer.Option(100, "-n", min=1, help="Mentions to draw."),
    seed: int = typer.Option(1, "--seed", help="Random seed (same seed, same sample)."),
    doc_type: str = typer.Option("vacancy", "--doc-type", help="vacancy or credential."),
    min_score: float | None = typer.Option(
        None, "--min-score", help="Only mentions scoring at least this (default: the run's)."
    ),
) -> None:
    """Draw a seeded sample of a run's mentions into a sheet to judge."""
    import json

    from skillgap.cli.output import plain
    from skillgap.errors import InputError, MissingDataError
    from skillgap.fileutil import atomic_write
    from skillgap.gaps.audit import sample_sheet
    from skillgap.reports.writer import csv_cell
    from skillgap.store import Store
    from skillgap.taxonomies.store import load_taxonomy

    if doc_type not in ("vacancy", "credential"):
        raise InputError(f"--doc-type must be 'vacancy' or 'credential', not {doc_type!r}")
    path = _store_path(config, store)
    if not path.is_file():
        raise MissingDataError(f"{path}: no store there; run the analysis first")
    with Store.open(path) as st:
        runs = st.read("runs", where="status = 'completed'")
        if runs.empty:
            raise MissingDataError(f"{path}: no completed run to audit")
        run = runs.sort_values("started_at").iloc[-1]
        thresholds = json.loads(run["thresholds"] or "{}")
        floor = thresholds.get("min_mention_score", 0.0) if min_score is None else min_score
        mentions = st.read(
            "skill_mentions",
            where="doc_type = ? AND taxonomy_version = ? AND model_id = ?",
            params=[doc_type, run["taxonomy_version"], run["model_id"]],
        )
        docs = st.read("vacancies" if doc_type == "vacancy" else "credentials")
    taxonomy = load_taxonomy(str(run["taxonomy_version"]) or None)
    id_col = "vacancy_id" if doc_type == "vacancy" else "credential_id"
    sheet = sample_sheet(mentions, docs, taxonomy, n, seed, min_score=floor, id_column=id_col)
    safe = sheet.map(csv_cell)  # ad text must never run as a spreadsheet formula
    atomic_write(output, lambda p: safe.to_csv(p, index=False, encoding="utf-8"))
    console.print(
        plain(
            f"{len(sheet)} of {len(mentions):,} {doc_type} mentions of run {run['run_id']} "
            f"(score >= {floor}) -> {output}; fill 'judgement' with correct / partly / wrong"
        )
    )


@audit_app.command("score")
def score_cmd(
    sheet: Path = typer.Argument(..., help="A judged sheet written by `audit sample`."),
    json_out: Path | None = typer.Option(None, "--json", help="Also write the figures as JSON."),
    target: float | None = typer.Option(
        None,
        "--target",
        min=0.0,
        max=1.0,
        help="Also name the lowest demand threshold whose strict precision reaches this.",
    ),
) -> None:
    """Strict and lenient precision of a judged sheet, overall and by score band."""
    import json

    import pandas as pd

    from skillgap.errors import InputError
    from skillgap.fileutil import atomic_write
    from skillgap.gaps.audit import CUTS, calibrate_threshold, score_sheet

    if not sheet.is_file():
        raise InputError(f"{sheet}: no such sheet")
    try:
        df = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{sheet}: not a readable CSV sheet ({exc})") from None
    res = score_sheet(df, str(sheet))

    def pct(x: float | None) -> str:
        return "-" if x is None else f"{x:.0%}"

    from skillgap.cli.output import plain

    table = Table(title=plain(f"{sheet.name}: {res['judged']} judged of {res['rows']}"))
    for col in ("score band", "judged", "correct", "partly", "wrong", "strict", "lenient"):
        table.add_column(col, justify="right")
    for row in [{"band": "all", **res}, *res["by_score"]]:
        table.add_row(
            row["band"],
            str(row["judged"]),
            str(row["correct"]),
            str(row["partly"]),
            str(row["wrong"]),
            pct(row["strict_precision"]),
            pct(row["lenient_precision"]),
        )
    console.print(table)
    lo, hi = res["strict_interval"]
    if res["judged"]:
        console.print(
            f"strict precision {pct(res['strict_precision'])} (95 % CI {pct(lo)}-{pct(hi)})"
        )
    cut_table = Table(title=plain("kept by a demand threshold (score >= t)"))
    for col in ("t", "judged", "strict", "lenient"):
        cut_table.add_column(col, justify="right")
    for row in res["at_or_above"]:
        if row["threshold"] in CUTS:
            cut_table.add_row(
                f"{row['threshold']:.2f}",
                str(row["judged"]),
                pct(row["strict_precision"]),
                pct(row["lenient_precision"]),
            )
    console.print(cut_table)
    if target is not None:
        best = calibrate_threshold(res, target)
        res["calibrated"] = {"target": target, **(best or {})}
        console.print(
            plain(
                f"lowest threshold with strict precision >= {target:.0%} (>= 30 judged): "
                + (
                    f"{best['threshold']:.2f} ({best['judged']} judged, "
                    f"{pct(best['strict_precision'])} strict)"
                    if best
                    else "none"
                )
            )
        )
    if json_out is not None:
        text = json.dumps(res, indent=2)
        atomic_write(json_out, lambda p: p.write_text(text + "\n", encoding="utf-8"))
