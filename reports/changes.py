"""The "what changed since the previous run" section: context for HTML and Markdown.

Self-contained on purpose: the table comes from ``skillgap.gaps.changes.compare_runs``
(flows pass it in with the previous run's id), and this module turns it into what the
templates show: counts per kind and the top rows of each, for the report's scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from skillgap.reports.views import records, scope_key

KIND_TITLES = {
    "new_gap": "New gaps",
    "closed_gap": "Closed gaps",
    "reclassified": "Reclassified",
    "demand_up": "Demand rising most",
    "demand_down": "Demand falling most",
}
ROWS_PER_KIND = 10


def changes_context(
    changes: pd.DataFrame | None,
    previous: Mapping[str, Any] | None,
    scope: Mapping[str, str],
) -> dict[str, Any] | None:
    """What the section shows for ``scope``; None when there is no previous run."""
    if changes is None or not previous:
        return None
    key = scope_key(dict(scope))
    rows = changes[changes["scope"] == key] if len(changes) else changes
    kinds = []
    for kind, title in KIND_TITLES.items():
        part = rows[rows["change"] == kind] if len(rows) else rows
        kinds.append(
            {
                "kind": kind,
                "title": title,
                "n": len(part),
                "rows": records(part.head(ROWS_PER_KIND)),
            }
        )
    return {
        "previous_run_id": previous.get("run_id"),
        "previous_finished": previous.get("finished"),
        "n": len(rows),
        "kinds": kinds,
    }


def changes_markdown(section: dict[str, Any] | None, md: Any) -> list[str]:
    """The section as Markdown lines (``md`` escapes a value for Markdown)."""
    if not section:
        return []
    lines = ["", "## What changed since the previous run", ""]
    lines.append(
        f"Compared with run `{md(section['previous_run_id'])}`"
        + (
            f" (finished {md(section['previous_finished'])})"
            if section["previous_finished"]
            else ""
        )
        + "."
    )
    if not section["n"]:
        return [*lines, "", "No gap opened or closed and no skill changed class."]
    lines += [""]
    for k in section["kinds"]:
        if not k["n"]:
            continue
        names = "; ".join(md(r.get("label") or r.get("skill_uri")) for r in k["rows"][:5])
        more = f" and {k['n'] - 5} more" if k["n"] > 5 else ""
        lines.append(f"- {k['title']} ({k['n']}): {names}{more}.")
    return lines
