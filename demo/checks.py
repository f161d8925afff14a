"""Does an analysis of the demo find the planted signals, and nothing absurd?

Shared by the gaps tests (truth mentions, ``strict=True``) and the end-to-end flow test
(real mapper, ``strict=False``): each function returns a list of problems, empty when all
is well, so a test can print every failure at once.

``strict=False`` allows what a real mapper legitimately adds: near-synonym skills next to
the planted ones may be classified "update" (e.g. "personal protective equipment" next to
"use safety equipment in construction"), and the rare skill may be found in fewer than its
five ads. "develop" stays reserved for the planted skills in both modes.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from skillgap.gaps.tables import GapAnalysis


def _gap(res: GapAnalysis, scope: str, uri: str) -> pd.Series | None:
    g = res.gaps
    hit = g[(g["scope"] == scope) & (g["skill_uri"] == uri)]
    return hit.iloc[0] if len(hit) == 1 else None


def _rows_classified(
    res: GapAnalysis, item: dict[str, Any], kind: str, out: list[str]
) -> list[pd.Series]:
    """The gap rows of ``item``'s scopes classified ``kind``; a problem for each other one."""
    rows = []
    for scope in item["scopes"]:
        row = _gap(res, scope, item["skill_uri"])
        if row is None or row["classification"] != kind:
            got = None if row is None else row["classification"]
            out.append(f"{item['label']} in {scope}: expected {kind}, got {got}")
        else:
            rows.append(row)
    return rows


def planted_problems(res: GapAnalysis, planted: dict[str, Any], *, strict: bool) -> list[str]:
    """Every planted signal of ``planted.json`` that ``res`` misses, as a sentence each."""
    out: list[str] = []
    for item in planted["develop"]:
        for row in _rows_classified(res, item, "develop", out):
            if not row["green"] and "flags_missing" not in res.meta:
                out.append(f"{item['label']}: not flagged green")
        tr = res.trends
        st = tr[(tr["scope"] == item["trend_scope"]) & (tr["skill_uri"] == item["skill_uri"])]
        if st.empty or st["status"].iloc[0] not in item["trend"]:
            got = None if st.empty else st["status"].iloc[0]
            out.append(f"{item['label']} trend in {item['trend_scope']}: {got}")

    want = set(planted["proposal"]["skill_uris"])
    props = list(res.proposals.itertuples())
    best = max(props, key=lambda p: len(want & set(p.skill_uris)), default=None)
    if best is None or len(want & set(best.skill_uris)) < 2:
        out.append("no proposal bundles two of the planted develop skills")
    else:
        if not set(planted["proposal"]["regions"]) <= set(best.regions):
            out.append(f"proposal regions {best.regions} lack {planted['proposal']['regions']}")
        if not set(planted["proposal"]["sectors"]) <= set(best.sectors):
            out.append(f"proposal sectors {best.sectors} lack {planted['proposal']['sectors']}")

    adv = res.update_advice
    items = set(zip(adv["credential_id"], adv["kind"], adv["skill_uri"], strict=True))
    for item in planted["declining_skill"]:
        if (item["credential_id"], "declining_skill", item["skill_uri"]) not in items:
            out.append(f"no declining_skill advice for {item['credential_id']} on {item['label']}")

    for item in planted["update"]:
        for row in _rows_classified(res, item, "update", out):
            if row["update_credential_id"] not in item["credential_ids"]:
                out.append(f"{item['label']}: update names {row['update_credential_id']}")
        if not any(
            c in item["credential_ids"] and k == "add_skill" and s == item["skill_uri"]
            for c, k, s in items
        ):
            out.append(f"no add_skill advice for {item['label']}")

    for item in planted["covered"]:
        row = _gap(res, item["scope"], item["skill_uri"])
        if row is None or row["classification"] != "covered":
            out.append(f"{item['label']}: expected covered")

    for item in planted["insufficient_evidence"]:
        row = _gap(res, item["scope"], item["skill_uri"])
        if row is None:
            if strict:
                out.append(f"{item['label']}: no gaps row")
            continue
        if row["classification"] != "insufficient_evidence":
            out.append(f"{item['label']}: expected insufficient_evidence")
        n = int(row["n_mentioning"])
        if (strict and n != item["n_vacancies"]) or n > item["n_vacancies"]:
            out.append(f"{item['label']}: {n} ads, planted {item['n_vacancies']}")
    return out


def absurdities(res: GapAnalysis, planted: dict[str, Any], *, strict: bool) -> list[str]:
    """Results no analyst should ever see, whatever the mapper."""
    out: list[str] = []
    params = res.meta.get("params", {})
    min_ev, min_cell = params.get("min_evidence", 10), params.get("min_cell_size", 30)
    g = res.gaps
    acted = g[g["classification"].isin(["develop", "update"])]
    if (acted["n_mentioning"] < min_ev).any() or (acted["n_vacancies"] < min_cell).any():
        out.append("a develop/update claim rests on fewer ads than the minimum-evidence rule")
    develop_ok = {i["skill_uri"] for i in planted["develop"]}
    extra = set(g.loc[g["classification"] == "develop", "label"]) - {
        i["label"] for i in planted["develop"]
    }
    if set(g.loc[g["classification"] == "develop", "skill_uri"]) - develop_ok:
        out.append(f"develop for unplanted skills {sorted(extra)}")
    if strict:
        update_ok = {i["skill_uri"] for i in planted["update"]}
        if set(g.loc[g["classification"] == "update", "skill_uri"]) - update_ok:
            out.append("update for unplanted skills")
        declining = res.update_advice[res.update_advice["kind"] == "declining_skill"]
        if set(declining["credential_id"]) != {
            i["credential_id"] for i in planted["declining_skill"]
        }:
            out.append("declining advice for credentials that teach nothing declining")
    d = res.demand
    if not ((d["share"] >= 0) & (d["share"] <= 1)).all():
        out.append("a share outside [0, 1]")
    eps = 1e-12
    if not ((d["ci_low"] <= d["share"] + eps) & (d["share"] <= d["ci_high"] + eps)).all():
        out.append("a share outside its own confidence interval")
    if not ((g["gap_score"] >= 0) & (g["gap_score"] <= 1)).all():
        out.append("a gap score outside [0, 1]")
    covered = g[g["classification"] == "covered"]
    if len(covered) and len(acted) and covered["gap_score"].max() >= acted["gap_score"].min():
        out.append("a covered skill scores a larger gap than a develop/update skill")
    for p in res.proposals.itertuples():
        if not 1 <= len(p.skill_uris) <= params.get("proposal_max_skills", 8):
            out.append(f"proposal {p.proposal_id} has {len(p.skill_uris)} skills")
        if not (1 <= p.eqf_level <= 8 and 0 < p.ects_min < p.ects_max <= 60):
            out.append(
                f"proposal {p.proposal_id}: EQF {p.eqf_level}, ECTS {p.ects_min}-{p.ects_max}"
            )
    return out
