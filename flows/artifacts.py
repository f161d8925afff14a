"""Prefect artifacts of a run: what a Prefect UI user sees without opening the files.

Each run publishes its Markdown summary, the top gaps as a table, what changed since the
previous run (when there was one) and a link to the HTML report, keyed by the analysis
name so the UI shows their history run after run. Artifacts are a view: failing to
publish one is logged and never fails the run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

TOP_GAPS = 20
MARKDOWN_LIMIT = 60_000  # characters; the summary of a large run is cut, with a note


def artifact_key(name: str, what: str) -> str:
    """Prefect artifact keys: lowercase letters, digits and dashes only."""
    base = re.sub(r"[^a-z0-9-]+", "-", f"skillgap-{name}-{what}".lower()).strip("-")
    return re.sub(r"-{2,}", "-", base)


def top_gaps_rows(gaps: pd.DataFrame, n: int = TOP_GAPS) -> list[dict[str, Any]]:
    """The run's strongest develop/update findings over the whole data set."""
    if gaps.empty:
        return []
    acted = gaps[(gaps["scope"] == "all") & gaps["classification"].isin(["develop", "update"])]
    acted = acted.sort_values(["gap_score", "label"], ascending=[False, True]).head(n)
    return [
        {
            "skill": str(r.label),
            "classification": str(r.classification),
            "share of ads": round(float(r.share), 4) if pd.notna(r.share) else None,
            "ads mentioning": int(r.n_mentioning) if pd.notna(r.n_mentioning) else None,
            "credentials covering": int(r.n_credentials) if pd.notna(r.n_credentials) else 0,
            "gap score": round(float(r.gap_score), 3) if pd.notna(r.gap_score) else None,
        }
        for r in acted.itertuples()
    ]


def changes_rows(changes: pd.DataFrame, n: int = TOP_GAPS) -> list[dict[str, Any]]:
    if changes is None or changes.empty:
        return []
    rows = changes[changes["scope"] == "all"].head(n)
    return [
        {
            "change": str(r.change),
            "skill": str(r.label),
            "before": None if pd.isna(r.classification_before) else str(r.classification_before),
            "now": None if pd.isna(r.classification_now) else str(r.classification_now),
            "share before": None if pd.isna(r.share_before) else round(float(r.share_before), 4),
            "share now": None if pd.isna(r.share_now) else round(float(r.share_now), 4),
        }
        for r in rows.itertuples()
    ]


def publish(
    name: str, paths: dict[str, str], gaps: pd.DataFrame, changes: pd.DataFrame | None
) -> list[str]:
    """Create the run's artifacts; returns problems (empty when all were published)."""
    from prefect.artifacts import (
        create_link_artifact,
        create_markdown_artifact,
        create_table_artifact,
    )

    problems: list[str] = []

    def attempt(what: str, make: Any) -> None:
        try:
            make()
        except Exception as exc:  # a view must never fail the run
            problems.append(f"artifact {what}: {exc}")

    md_path = paths.get("md")
    if md_path:
        text = Path(md_path).read_text(encoding="utf-8")
        if len(text) > MARKDOWN_LIMIT:
            text = text[:MARKDOWN_LIMIT] + f"\n\n… (cut; the whole summary is {md_path})\n"
        attempt(
            "summary",
            lambda: create_markdown_artifact(
                text, key=artifact_key(name, "summary"), description="The run's summary"
            ),
        )
    rows = top_gaps_rows(gaps)
    if rows:
        attempt(
            "top gaps",
            lambda: create_table_artifact(
                rows,
                key=artifact_key(name, "top-gaps"),
                description="Skills to develop or update credentials for (all ads)",
            ),
        )
    change_rows = changes_rows(changes) if changes is not None else []
    if change_rows:
        attempt(
            "changes",
            lambda: create_table_artifact(
                change_rows,
                key=artifact_key(name, "changes"),
                description="What changed since the previous completed run (all ads)",
            ),
        )
    html = paths.get("html")
    if html:
        attempt(
            "report link",
            lambda: create_link_artifact(
                Path(html).resolve().as_uri(),
                link_text="HTML report",
                key=artifact_key(name, "report"),
                description=str(Path(html).resolve()),
            ),
        )
    return problems
