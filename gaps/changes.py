"""What changed since the previous run: new and closed gaps, reclassified skills, movers.

A pure function over two narrow gap tables (scope, skill, label, shares, gap score,
class): this run's ``gaps`` and the previous completed run's copy kept in the store.
Only scopes both runs analysed are compared, so adding a breakdown to the config does not
read as hundreds of "new" gaps.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ACTION_CLASSES = ("develop", "update")
CHANGE_KINDS = ("new_gap", "closed_gap", "reclassified", "demand_up", "demand_down")
CHANGES_COLUMNS: tuple[str, ...] = (
    "change",
    "scope",
    "skill_uri",
    "label",
    "classification_before",
    "classification_now",
    "share_before",
    "share_now",
    "share_change",
    "gap_score_before",
    "gap_score_now",
)
MOVERS_PER_SCOPE = 10
MIN_SHARE_CHANGE = 0.005  # half a percentage point: smaller moves are noise at any size


def compare_runs(
    previous: pd.DataFrame,
    current: pd.DataFrame,
    *,
    movers: int = MOVERS_PER_SCOPE,
    min_share_change: float = MIN_SHARE_CHANGE,
) -> pd.DataFrame:
    """Changes from ``previous`` to ``current`` (both with scope, skill_uri, label, share,
    gap_score, classification), one row per (change, scope, skill), ``CHANGES_COLUMNS``.

    new_gap: a develop/update finding that was not one before; closed_gap: the reverse;
    reclassified: any other change of class (develop to update, covered to monitor, ...);
    demand_up / demand_down: the skills whose share of ads moved most (at most ``movers``
    each way per scope, by at least ``min_share_change``), among skills in both runs.
    """
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in CHANGES_COLUMNS})
    if previous is None or current is None or previous.empty or current.empty:
        return empty
    scopes = set(previous["scope"].dropna()) & set(current["scope"].dropna())
    if not scopes:
        return empty
    cols = ["scope", "skill_uri", "label", "share", "gap_score", "classification"]
    before = previous[previous["scope"].isin(scopes)][cols].drop_duplicates(["scope", "skill_uri"])
    now = current[current["scope"].isin(scopes)][cols].drop_duplicates(["scope", "skill_uri"])
    both = before.merge(
        now, on=["scope", "skill_uri"], how="outer", suffixes=("_before", "_now"), indicator=True
    )
    both["label"] = both["label_now"].where(both["label_now"].notna(), both["label_before"])
    for col in ("share_before", "share_now", "gap_score_before", "gap_score_now"):
        both[col] = pd.to_numeric(both[col], errors="coerce").astype(float)
    both["share_change"] = both["share_now"] - both["share_before"]
    cls_before = both["classification_before"].astype(object)
    cls_now = both["classification_now"].astype(object)
    acted_before = cls_before.isin(ACTION_CLASSES)
    acted_now = cls_now.isin(ACTION_CLASSES)

    kind = pd.Series(None, index=both.index, dtype=object)
    kind[acted_now & ~acted_before] = "new_gap"
    kind[acted_before & ~acted_now] = "closed_gap"
    same_side = (acted_now == acted_before) & (both["_merge"] == "both")
    kind[same_side & (cls_before.fillna("") != cls_now.fillna(""))] = "reclassified"
    classed = both.assign(change=kind)[kind.notna()]

    in_both = both[(both["_merge"] == "both") & both["share_change"].notna()]
    in_both = in_both[in_both["share_change"].abs() >= min_share_change]
    moved = []
    for direction, sign in (("demand_up", 1.0), ("demand_down", -1.0)):
        side = in_both[np.sign(in_both["share_change"]) == sign]
        side = side.assign(_mag=side["share_change"].abs())
        side = side.sort_values(["scope", "_mag", "skill_uri"], ascending=[True, False, True])
        moved.append(side.groupby("scope", sort=False).head(movers).assign(change=direction))
    out = pd.concat([classed, *moved], ignore_index=True)
    if out.empty:
        return empty
    order = {k: i for i, k in enumerate(CHANGE_KINDS)}
    gap_size = out["gap_score_now"].fillna(out["gap_score_before"]).fillna(0.0)
    movement = out["share_change"].abs().fillna(0.0)
    is_mover = out["change"].isin(["demand_up", "demand_down"])
    out = out.assign(
        _k=out["change"].map(order),
        _s=(out["scope"] != "all").astype(int),
        _r=-np.where(is_mover, movement, gap_size),  # biggest first within each kind
    )
    out = out.sort_values(["_k", "_s", "scope", "_r", "skill_uri"], kind="stable")
    return out[list(CHANGES_COLUMNS)].reset_index(drop=True)
