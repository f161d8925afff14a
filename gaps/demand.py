"""Demand per breakdown cell and trends per scope.

Demand of a skill in a cell = share of the cell's vacancies that mention it, with a Wilson
interval. A share counts as evidence ("sufficient") only when at least ``min_evidence``
vacancies mention the skill and the cell holds at least ``min_cell_size`` vacancies.

Trend: for each scope (the whole data set, or one cell of a breakdown without period),
the Cochran-Armitage test for a linear trend in the share across the ordered periods;
p-values are Benjamini-Hochberg adjusted over the skills of the scope. A trend also has
to be large enough to matter (``min_growth`` between the first and the last half).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skillgap.gaps.params import AnalysisParams
from skillgap.gaps.stats import benjamini_hochberg_grouped, cochran_armitage, wilson_interval
from skillgap.gaps.tables import DIMENSIONS

TREND_TEST_TEXT = (
    "Cochran-Armitage test for a linear trend in the share of vacancies mentioning the "
    "skill across the ordered periods (two-sided), Benjamini-Hochberg adjusted over the "
    "skills of each scope. emerging: adjusted p < {alpha} and share_last/share_first >= "
    "{g}; declining: adjusted p < {alpha} and the ratio <= 1/{g}; new: no mention in the "
    "first half of the periods and >= {ev} mentioning vacancies in the last half; "
    "insufficient_evidence: fewer than {ev} mentioning vacancies, fewer than {mp} periods "
    "with vacancies, or a scope under {cell} vacancies. share_first / share_last pool the "
    "first and the last half of the periods (the middle period is left out when their "
    "number is odd); slope is the weighted least-squares slope of the share per period."
)


def scope_labels(df: pd.DataFrame, dims: tuple[str, ...]) -> pd.Series:
    """'all' or 'sector=F;region=DE21' for each row, built column-wise."""
    if not dims:
        return pd.Series("all", index=df.index, dtype=object)
    out = dims[0] + "=" + df[dims[0]].astype(str)
    for d in dims[1:]:
        out = out + ";" + d + "=" + df[d].astype(str)
    return out.astype(object)


def compute_demand(
    vac: pd.DataFrame, dem: pd.DataFrame, params: AnalysisParams
) -> tuple[pd.DataFrame, list[dict]]:
    """Demand rows for every breakdown, with an internal ``scope`` column, and thin cells.

    Only (cell, skill) pairs with at least one mention appear: a missing row means zero.
    """
    frames: list[pd.DataFrame] = []
    thin: list[dict] = []
    for dims in params.demand_breakdowns():
        name = "+".join(dims) if dims else "all"
        if dims:
            cells = vac.dropna(subset=list(dims)).groupby(list(dims)).size()
            cells = cells.rename("n_vacancies").reset_index()
            counts = dem.dropna(subset=list(dims)).groupby([*dims, "skill_uri"]).size()
            counts = counts.rename("n_mentioning").reset_index()
            rows = counts.merge(cells, on=list(dims), how="left")
        else:
            cells = pd.DataFrame({"n_vacancies": [len(vac)]})
            rows = dem.groupby("skill_uri").size().rename("n_mentioning").reset_index()
            rows["n_vacancies"] = len(vac)
        small = cells[cells["n_vacancies"] < params.min_cell_size]
        for cell, n in zip(scope_labels(small, dims), small["n_vacancies"], strict=True):
            thin.append(
                {
                    "breakdown": name,
                    "cell": cell,
                    "n_vacancies": int(n),
                    "reason": f"fewer than min_cell_size={params.min_cell_size} vacancies",
                }
            )
        rows["breakdown"] = name
        rows["scope"] = scope_labels(rows, dims)
        for d in DIMENSIONS:
            if d not in dims:
                rows[d] = None
        frames.append(rows)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if out.empty:
        return _empty_demand(), thin
    k = out["n_mentioning"].to_numpy(dtype=float)
    n = out["n_vacancies"].to_numpy(dtype=float)
    out["n_mentioning"] = out["n_mentioning"].astype(int)
    out["n_vacancies"] = out["n_vacancies"].astype(int)
    out["share"] = k / n
    out["ci_low"], out["ci_high"] = wilson_interval(k, n, params.confidence)
    out["sufficient"] = (out["n_mentioning"] >= params.min_evidence) & (
        out["n_vacancies"] >= params.min_cell_size
    )
    return out, thin


def _empty_demand() -> pd.DataFrame:
    cols = ["breakdown", "scope", *DIMENSIONS, "skill_uri", "n_vacancies", "n_mentioning"]
    cols += ["share", "ci_low", "ci_high", "sufficient"]
    return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})


def compute_trends(
    vac: pd.DataFrame, dem: pd.DataFrame, periods: list[str], params: AnalysisParams
) -> pd.DataFrame:
    """One row per (scope, skill) seen in the scope: shares, growth, slope, p, status."""
    cols = [
        "scope",
        "skill_uri",
        "first_period",
        "last_period",
        "share_first",
        "share_last",
        "growth",
        "slope",
        "p_value",
        "q_value",
        "status",
    ]
    if len(periods) < 2:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    vac_p = vac[vac["period"].notna()]
    dem_p = dem[dem["period"].notna()]
    n_per = len(periods)
    half = n_per // 2
    first_idx = np.arange(0, half)
    last_idx = np.arange(n_per - half, n_per)
    frames = []
    for dims in params.scope_breakdowns():
        keys = list(dims)
        vsub = vac_p.dropna(subset=keys) if keys else vac_p
        dsub = dem_p.dropna(subset=keys) if keys else dem_p
        k = dsub.groupby([*keys, "skill_uri", "period"]).size().unstack("period")
        if k.empty:
            continue
        k = k.reindex(columns=periods, fill_value=0).fillna(0)
        n = vsub.groupby([*keys, "period"]).size()
        n = n.unstack("period") if keys else n.to_frame().T
        n = n.reindex(columns=periods, fill_value=0).fillna(0)
        if keys:
            row_keys = k.index.droplevel("skill_uri")
            n_rows = n.reindex(row_keys).fillna(0).to_numpy(dtype=float)
            idx = k.index.to_frame(index=False)
        else:
            n_rows = np.repeat(n.to_numpy(dtype=float).reshape(1, -1), len(k), axis=0)
            idx = pd.DataFrame({"skill_uri": k.index.to_numpy()})
        k_arr = k.to_numpy(dtype=float)
        _, p, slope = cochran_armitage(k_arr, n_rows)
        kf, nf = k_arr[:, first_idx].sum(1), n_rows[:, first_idx].sum(1)
        kl, nl = k_arr[:, last_idx].sum(1), n_rows[:, last_idx].sum(1)
        with np.errstate(divide="ignore", invalid="ignore"):
            share_first = np.where(nf > 0, kf / nf, np.nan)
            share_last = np.where(nl > 0, kl / nl, np.nan)
            # undefined (NaN, not inf) when the first half has no mention: JSON and Excel
            # cannot hold inf, and status "new" already says what happened
            growth = np.where(share_first > 0, share_last / share_first, np.nan)
        frame = pd.DataFrame(
            {
                "scope": scope_labels(idx, dims).to_numpy(),
                "skill_uri": idx["skill_uri"].to_numpy(),
                "share_first": share_first,
                "share_last": share_last,
                "growth": growth,
                "slope": slope,
                "p_value": p,
                "_k": k_arr.sum(1),
                "_kl": kl,
                "_nf": nf,
                "_n": n_rows.sum(1),
                "_periods": (n_rows > 0).sum(1),
            }
        )
        frames.append(frame)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    tr = pd.concat(frames, ignore_index=True)
    tr["q_value"] = benjamini_hochberg_grouped(tr["p_value"].to_numpy(), tr["scope"].to_numpy())
    tr["first_period"] = periods[0]
    tr["last_period"] = periods[-1]

    sig = tr["q_value"] < params.trend_alpha
    insufficient = (
        (tr["_k"] < params.min_evidence)
        | (tr["_periods"] < params.min_periods)
        | (tr["_n"] < params.min_cell_size)
    )
    new = (
        (tr["_nf"] >= params.min_cell_size)
        & (tr["share_first"] == 0)
        & (tr["_kl"] >= params.min_evidence)
    )
    emerging = sig & (tr["slope"] > 0) & (tr["growth"] >= params.min_growth)
    declining = sig & (tr["slope"] < 0) & (tr["growth"] <= 1.0 / params.min_growth)
    tr["status"] = np.select(
        [insufficient, new, emerging, declining],
        ["insufficient_evidence", "new", "emerging", "declining"],
        default="stable",
    )
    return tr[cols]
