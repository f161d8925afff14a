"""The output contract of the analysis layer: what ``analyse`` returns.

``reports/`` renders only these tables and ``flows/`` persists them, so the column lists
live here once and both sides import them instead of repeating strings. The prose version
of the contract is ``docs/analysis-tables.md``; a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import pandas as pd

# The three skill flags every skill-level table carries (ESCO collections). When the
# taxonomy has no collections they are all False and meta["flags_missing"] says so.
FLAG_COLUMNS: tuple[str, ...] = ("green", "digital", "transversal")

# Breakdown dimensions a demand cell can be split by; "all" is the whole data set.
DIMENSIONS: tuple[str, ...] = ("sector", "region", "occupation", "period")

TREND_STATUSES: tuple[str, ...] = (
    "emerging",
    "new",
    "declining",
    "stable",
    "insufficient_evidence",
)

CLASSIFICATIONS: tuple[str, ...] = (
    "develop",
    "update",
    "covered",
    "monitor",
    "insufficient_evidence",
    "reported_apart",  # transversal or language skills: demand shown, no credential advice
)

# ESCO-derived kind of each skill (``skillgap.taxonomies.kinds``): knowledge | skill are
# what a micro-credential teaches; transversal | language are reported apart.
KIND_COLUMN = "skill_kind"

ADVICE_KINDS: tuple[str, ...] = ("add_skill", "declining_skill")

# Values of the per-element columns of ``credential_completeness``.
ELEMENT_STATES: tuple[str, ...] = ("present", "missing", "invalid", "not_applicable")

DEMAND_COLUMNS: tuple[str, ...] = (
    "breakdown",
    "sector",
    "region",
    "occupation",
    "period",
    "skill_uri",
    "label",
    "n_vacancies",
    "n_mentioning",
    "share",
    "ci_low",
    "ci_high",
    "sufficient",
    *FLAG_COLUMNS,
    KIND_COLUMN,
)

TRENDS_COLUMNS: tuple[str, ...] = (
    "scope",
    "skill_uri",
    "label",
    "first_period",
    "last_period",
    "share_first",
    "share_last",
    "growth",
    "slope",
    "p_value",
    "status",
    *FLAG_COLUMNS,
    KIND_COLUMN,
)

COVERAGE_COLUMNS: tuple[str, ...] = (
    "skill_uri",
    "label",
    "credential_id",
    "credential_title",
    "provider",
    "score",
    "method",
    "eqf_level",
    "workload_ects",
)

GAPS_COLUMNS: tuple[str, ...] = (
    "scope",
    "skill_uri",
    "label",
    "group_uri",
    "group_label",
    "n_vacancies",
    "n_mentioning",
    "share",
    "trend_status",
    "growth",
    "n_credentials",
    "best_coverage_score",
    "best_credential_id",
    "gap_score",
    "classification",
    "update_credential_id",
    "rationale",
    *FLAG_COLUMNS,
    KIND_COLUMN,
)

GROUP_ROLLUP_COLUMNS: tuple[str, ...] = (
    "scope",
    "group_uri",
    "group_label",
    "n_skills",
    "n_develop",
    "n_update",
    "mean_gap_score",
    "total_mentions",
)

UPDATE_ADVICE_COLUMNS: tuple[str, ...] = (
    "credential_id",
    "credential_title",
    "provider",
    "kind",
    "skill_uri",
    "label",
    "reason",
    "evidence_share",
    "growth",
    *FLAG_COLUMNS,
)

PROPOSALS_COLUMNS: tuple[str, ...] = (
    "proposal_id",
    "working_title",
    "skill_uris",
    "skill_labels",
    "learning_outcomes",
    "target_occupations",
    "sectors",
    "regions",
    "eqf_level",
    "ects_min",
    "ects_max",
    "level_reasoning",
    "n_vacancies",
    "evidence_share",
    *FLAG_COLUMNS,
)

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "skill_uri",
    "vacancy_id",
    "sector",
    "region",
    "period",
    "snippet",
    "matched",
    "score",
)


def completeness_columns() -> tuple[str, ...]:
    """Columns of ``credential_completeness``: counts, then one column per EU element.

    Built from ``schemas.EU_STANDARD_ELEMENTS`` so a change to the element list changes
    the table in one place.
    """
    from skillgap.schemas import EU_STANDARD_ELEMENTS

    return (
        "credential_id",
        "title",
        "provider",
        "n_present",
        "n_missing",
        "n_invalid",
        *(f"elem_{name}" for name in EU_STANDARD_ELEMENTS),
    )


CREDENTIAL_COMPLETENESS_COLUMNS: tuple[str, ...] = completeness_columns()

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "demand": DEMAND_COLUMNS,
    "trends": TRENDS_COLUMNS,
    "coverage": COVERAGE_COLUMNS,
    "gaps": GAPS_COLUMNS,
    "group_rollup": GROUP_ROLLUP_COLUMNS,
    "update_advice": UPDATE_ADVICE_COLUMNS,
    "proposals": PROPOSALS_COLUMNS,
    "evidence": EVIDENCE_COLUMNS,
    "credential_completeness": CREDENTIAL_COMPLETENESS_COLUMNS,
}

# Columns holding Python lists (Parquet list<string>; flatten or join for CSV/Excel).
LIST_COLUMNS: dict[str, tuple[str, ...]] = {
    "proposals": (
        "skill_uris",
        "skill_labels",
        "learning_outcomes",
        "target_occupations",
        "sectors",
        "regions",
    ),
}


def empty_table(name: str) -> pd.DataFrame:
    """A zero-row frame with the contract's columns (object dtype), for empty results."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLE_COLUMNS[name]})


@dataclass
class GapAnalysis:
    """Everything one analysis produced: nine tables plus ``meta``.

    The tables follow ``TABLE_COLUMNS`` exactly (same columns, same order); ``meta`` holds
    the parameters, formulas and counts a report's methods section needs, and
    ``meta["insufficient"]`` lists the breakdown cells and scopes that lacked data so a
    report can say so rather than show a number built on three ads.
    """

    demand: pd.DataFrame = field(default_factory=lambda: empty_table("demand"))
    trends: pd.DataFrame = field(default_factory=lambda: empty_table("trends"))
    coverage: pd.DataFrame = field(default_factory=lambda: empty_table("coverage"))
    gaps: pd.DataFrame = field(default_factory=lambda: empty_table("gaps"))
    group_rollup: pd.DataFrame = field(default_factory=lambda: empty_table("group_rollup"))
    update_advice: pd.DataFrame = field(default_factory=lambda: empty_table("update_advice"))
    proposals: pd.DataFrame = field(default_factory=lambda: empty_table("proposals"))
    evidence: pd.DataFrame = field(default_factory=lambda: empty_table("evidence"))
    credential_completeness: pd.DataFrame = field(
        default_factory=lambda: empty_table("credential_completeness")
    )
    meta: dict[str, Any] = field(default_factory=dict)

    TABLE_NAMES: ClassVar[tuple[str, ...]] = tuple(TABLE_COLUMNS)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The nine tables by name, in contract order (``meta`` excluded)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "meta"}

    def check(self) -> None:
        """Raise ``ValueError`` if a table's columns differ from the contract.

        ``analyse`` calls this before returning, so a drift between code and contract fails
        in the gaps tests rather than in a report template.
        """
        for name, df in self.tables().items():
            expected = list(TABLE_COLUMNS[name])
            if list(df.columns) != expected:
                raise ValueError(
                    f"GapAnalysis.{name} columns {list(df.columns)} differ from the "
                    f"contract {expected}"
                )
