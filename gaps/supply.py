"""Supply: which credentials teach which skills, and how complete each credential record is."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from skillgap.gaps.params import AnalysisParams
from skillgap.gaps.tables import COVERAGE_COLUMNS, completeness_columns
from skillgap.schemas import EU_STANDARD_ELEMENTS


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return df[name] if name in df.columns else pd.Series(None, index=df.index, dtype=object)


def coverage_table(
    supply: pd.DataFrame,
    credentials: pd.DataFrame,
    label_of: Callable[[pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    """One row per (skill, credential) link, best score first within each skill."""
    meta = pd.DataFrame(
        {
            "credential_id": credentials["credential_id"],
            "credential_title": _col(credentials, "title"),
            "provider": _col(credentials, "provider"),
            "eqf_level": pd.to_numeric(_col(credentials, "eqf_level"), errors="coerce").astype(
                "float64"
            ),
            "workload_ects": pd.to_numeric(
                _col(credentials, "workload_ects"), errors="coerce"
            ).astype("float64"),
        }
    ).drop_duplicates("credential_id")
    cov = supply.merge(meta, on="credential_id", how="left")
    cov = label_of(cov)
    cov = cov.sort_values(["skill_uri", "score", "credential_id"], ascending=[True, False, True])
    return cov[list(COVERAGE_COLUMNS)].reset_index(drop=True)


def coverage_summary(supply: pd.DataFrame, params: AnalysisParams) -> pd.DataFrame:
    """Per skill: n_credentials covering it, best score and the credential holding it."""
    cols = ["n_credentials", "best_coverage_score", "best_credential_id"]
    if supply.empty:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="skill_uri"))
    s = supply.sort_values(["skill_uri", "score", "credential_id"], ascending=[True, False, True])
    best = s.drop_duplicates("skill_uri").set_index("skill_uri")
    covering = s[s["score"] >= params.coverage_threshold].groupby("skill_uri").size()
    out = pd.DataFrame(
        {
            "n_credentials": covering.reindex(best.index).fillna(0).astype(int),
            "best_coverage_score": best["score"].astype(float),
            "best_credential_id": best["credential_id"],
        }
    )
    return out


def _present(values: pd.Series) -> np.ndarray:
    """True where a field holds something: not missing, not blank, not an empty list."""

    def one(v: object) -> bool:
        if v is None:
            return False
        if isinstance(v, (list, tuple, np.ndarray)):
            return len(v) > 0
        if isinstance(v, float) and np.isnan(v):
            return False
        return bool(str(v).strip()) and v is not pd.NA and v is not pd.NaT

    return np.fromiter((one(v) for v in values), dtype=bool, count=len(values))


def credential_completeness(credentials: pd.DataFrame) -> pd.DataFrame:
    """Completeness of each credential against the 11 EU elements (Council Rec. 2022, 6b).

    Uses the ``elem_<name>`` columns set at ingestion when present and filled; otherwise
    judges the record's own fields. The learner's identity belongs to an issued credential,
    not to a catalogue entry, so it is 'not_applicable' when no ingestion flag says more.
    """
    c = credentials.reset_index(drop=True)
    n = len(c)
    derived: dict[str, np.ndarray] = {}

    def state(present: np.ndarray, invalid: np.ndarray | None = None) -> np.ndarray:
        out = np.where(present, "present", "missing").astype(object)
        if invalid is not None:
            out[present & invalid] = "invalid"
        return out

    # plain float64 (NaN for missing): store frames arrive with nullable Int16/Float64
    eqf = pd.to_numeric(_col(c, "eqf_level"), errors="coerce").astype("float64")
    ects = pd.to_numeric(_col(c, "workload_ects"), errors="coerce").astype("float64")
    hours = pd.to_numeric(_col(c, "workload_hours"), errors="coerce").astype("float64")
    workload_given = ects.notna() | hours.notna()
    workload_bad = (ects.fillna(1) <= 0) | (hours.fillna(1) <= 0)
    derived["learner_identification"] = np.full(n, "not_applicable", dtype=object)
    derived["title"] = state(_present(_col(c, "title")))
    derived["country"] = state(_present(_col(c, "country")))
    derived["awarding_body"] = state(_present(_col(c, "provider")))
    derived["date_of_issuing"] = state(_present(_col(c, "issue_date")))
    derived["learning_outcomes"] = state(_present(_col(c, "learning_outcomes")))
    derived["notional_workload"] = state(workload_given.to_numpy(), workload_bad.to_numpy())
    derived["eqf_level"] = state(eqf.notna().to_numpy(), (~eqf.between(1, 8)).to_numpy())
    for name in ("assessment_type", "participation_form", "quality_assurance"):
        derived[name] = state(_present(_col(c, name)))

    out = pd.DataFrame(
        {
            "credential_id": _col(c, "credential_id"),
            "title": _col(c, "title"),
            "provider": _col(c, "provider"),
        }
    )
    for name in EU_STANDARD_ELEMENTS:
        col = f"elem_{name}"
        values = derived[name]
        if col in c.columns:
            given = c[col].astype(object)
            ok = given.isin(["present", "missing", "invalid", "not_applicable"]).to_numpy()
            values = np.where(ok, given.to_numpy(), values)
        out[col] = values
    elem = out[[f"elem_{name}" for name in EU_STANDARD_ELEMENTS]]
    out["n_present"] = (elem == "present").sum(axis=1).astype(int)
    out["n_missing"] = (elem == "missing").sum(axis=1).astype(int)
    out["n_invalid"] = (elem == "invalid").sum(axis=1).astype(int)
    return out[list(completeness_columns())]
