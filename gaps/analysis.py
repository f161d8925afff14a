"""``analyse``: the whole gap analysis, from three input tables to a ``GapAnalysis``.

Order of work: normalise inputs -> demand per breakdown -> trends per scope -> supply
(coverage) -> gap scores and classes -> hierarchy roll-up -> update advice -> proposals ->
evidence -> completeness. Everything is pandas/numpy over whole tables; the only Python
loops run over skills chosen for proposals or evidence (hundreds at most).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from skillgap.gaps.classify import (
    CLASSIFICATION_TEXT,
    GAP_FORMULA_TEXT,
    compute_gaps,
    group_rollup,
    update_advice,
    update_candidates,
)
from skillgap.gaps.demand import TREND_TEST_TEXT, compute_demand, compute_trends
from skillgap.gaps.evidence import evidence_table
from skillgap.gaps.params import AnalysisParams
from skillgap.gaps.prepare import prepare, skill_info
from skillgap.gaps.proposals import PROPOSAL_RULE_TEXT, compute_proposals
from skillgap.gaps.relate import CoOccurrence
from skillgap.gaps.supply import coverage_summary, coverage_table, credential_completeness
from skillgap.gaps.tables import DEMAND_COLUMNS, KIND_COLUMN, TRENDS_COLUMNS, GapAnalysis
from skillgap.taxonomies.kinds import CREDENTIAL_KINDS, KIND_RULE_TEXT, kind_basis
from skillgap.taxonomies.model import Taxonomy


def _without_skills(prep: Any) -> dict[str, Any]:
    """Documents that gave no skill: counted and named, never treated as saying nothing.

    A credential that teaches nothing the mapper recognised cannot cover anything, and a
    vacancy without a demanded skill adds to every share's denominator; both numbers belong
    on the report, with examples a reader can look up.
    """
    creds = prep.credentials
    taught = set(prep.supply["credential_id"])
    silent = creds[~creds["credential_id"].isin(taught)]
    titles = (
        silent["title"].fillna("").astype(str)
        if "title" in silent.columns
        else silent["credential_id"].astype(str)
    )
    asked = set(prep.demand["vacancy_id"])
    return {
        "credentials_without_skills": len(silent),
        "credentials_without_skills_examples": [
            {"credential_id": str(c), "title": str(t)}
            for c, t in zip(silent["credential_id"][:20], titles[:20], strict=True)
        ],
        "vacancies_without_skills": int((~prep.vac["vacancy_id"].isin(asked)).sum()),
    }


def analyse(
    vacancies: pd.DataFrame,
    credentials: pd.DataFrame,
    mentions: pd.DataFrame,
    taxonomy: Taxonomy,
    params: AnalysisParams | None = None,
) -> GapAnalysis:
    """Measure demand, trends and coverage; classify gaps; draft advice and proposals.

    ``vacancies`` and ``credentials`` follow the contracts in ``skillgap.schemas`` (only
    vacancy_id / credential_id are required; missing dimensions just yield no cells).
    ``mentions`` follows ``skill_mentions``: doc_type "vacancy" rows are demand,
    "credential" rows are supply; a credential's own ``esco_skills`` list counts as gold
    supply. Returns every table of ``docs/analysis-tables.md`` plus ``meta``.
    """
    params = params or AnalysisParams()
    prep = prepare(vacancies, credentials, mentions, params)
    all_uris = pd.concat([prep.demand["skill_uri"], prep.supply["skill_uri"]])
    info = skill_info(all_uris, taxonomy)

    demand, thin_cells = compute_demand(prep.vac, prep.demand, params)
    trends = compute_trends(prep.vac, prep.demand, prep.periods, params)
    coverage = coverage_table(prep.supply, prep.credentials, info.attach)
    cov_summary = coverage_summary(prep.supply, params)
    cooc = CoOccurrence(prep.demand)

    covered = set(cov_summary.index[cov_summary["n_credentials"] > 0])
    worthy = set(info.table.index[info.table[KIND_COLUMN].isin(list(CREDENTIAL_KINDS))])
    uncovered = sorted((set(prep.demand["skill_uri"]) - covered) & worthy)
    candidates = update_candidates(uncovered, prep.supply, cooc, info, params)
    titles = {}
    if "title" in prep.credentials.columns:
        titles = {
            str(k): str(v)
            for k, v in zip(
                prep.credentials["credential_id"], prep.credentials["title"], strict=True
            )
            if isinstance(v, str) and v
        }
    gaps = compute_gaps(demand, trends, cov_summary, candidates, info, params, titles)
    rollup = group_rollup(gaps, taxonomy)
    advice = update_advice(gaps, trends, prep.supply, prep.credentials, candidates, info, params)
    proposals = compute_proposals(
        gaps, prep.demand, prep.vac, prep.supply, prep.credentials, cooc, info, taxonomy, params
    )

    # evidence: skills behind recommendations first, then the most demanded
    acted = gaps[gaps["classification"].isin(["develop", "update"])]
    acted = acted.sort_values("gap_score", ascending=False)["skill_uri"]
    declining = advice.loc[advice["kind"] == "declining_skill", "skill_uri"]
    top = gaps[gaps["scope"] == "all"].sort_values("n_mentioning", ascending=False)["skill_uri"]
    order = list(dict.fromkeys([*acted, *declining, *top]))
    evidence = evidence_table(order, prep.demand, vacancies, params)
    completeness = credential_completeness(prep.credentials)
    unread = _without_skills(prep)

    demand_out = info.attach(demand)[list(DEMAND_COLUMNS)]
    trends_out = info.attach(trends)[list(TRENDS_COLUMNS)]

    insufficient = list(thin_cells)
    if prep.counts["vacancies"] < params.min_cell_size:
        insufficient.insert(
            0,
            {
                "breakdown": "all",
                "cell": "all",
                "n_vacancies": prep.counts["vacancies"],
                "reason": f"fewer than min_cell_size={params.min_cell_size} vacancies in total",
            },
        )
    if len(prep.periods) < params.min_periods:
        insufficient.append(
            {
                "breakdown": "period",
                "cell": "all",
                "n_vacancies": prep.counts["vacancies"],
                "reason": f"{len(prep.periods)} period(s) with vacancies; trends need "
                f"at least {params.min_periods}",
            }
        )
    model_ids = sorted(
        str(x) for x in mentions.get("model_id", pd.Series(dtype=object)).dropna().unique()
    )
    fmt = {
        "ev": params.min_evidence,
        "cell": params.min_cell_size,
        "cov": params.coverage_threshold,
        "part": params.partial_coverage_threshold,
        "act": params.action_threshold,
        "cooc": params.min_cooccurrence,
        "lift": params.min_lift,
    }
    meta = {
        "params": params.model_dump(),
        "gap_formula": GAP_FORMULA_TEXT.format(scale=params.demand_scale),
        "classification_rule": CLASSIFICATION_TEXT.format(**fmt),
        "trend_test": TREND_TEST_TEXT.format(
            alpha=params.trend_alpha,
            g=params.min_growth,
            ev=params.min_evidence,
            mp=params.min_periods,
            cell=params.min_cell_size,
        ),
        "demand_rule": (
            f"share = vacancies mentioning the skill / vacancies in the cell, Wilson "
            f"{params.confidence:.0%} interval; sufficient when >= {params.min_evidence} "
            f"vacancies mention it and the cell has >= {params.min_cell_size} vacancies"
        ),
        "proposal_rule": PROPOSAL_RULE_TEXT,
        "kind_rule": KIND_RULE_TEXT,
        "kind_basis": kind_basis(taxonomy),
        "coverage_rule": (
            "a credential covers a skill when its match score is >= "
            f"{params.coverage_threshold}; gold ESCO links given by the catalogue score 1.0"
        ),
        "counts": {**prep.counts, "skills_in_demand": int(prep.demand["skill_uri"].nunique())},
        "periods": {
            "granularity": params.period,
            "first": prep.periods[0] if prep.periods else None,
            "last": prep.periods[-1] if prep.periods else None,
            "list": prep.periods,
        },
        "taxonomy": {"version": taxonomy.version, "snapshot_id": taxonomy.snapshot_id},
        "model_id": model_ids[0] if len(model_ids) == 1 else model_ids,
        "insufficient": insufficient,
        # per breakdown: how many cells are too small, for a one-line summary in reports
        "insufficient_summary": {
            b: sum(1 for c in insufficient if c["breakdown"] == b)
            for b in dict.fromkeys(c["breakdown"] for c in insufficient)
        },
        **unread,
        "unknown_skill_uris": info.unknown[:50],
        "n_unknown_skill_uris": len(info.unknown),
        "classification_counts": gaps[gaps["scope"] == "all"]["classification"]
        .value_counts()
        .to_dict(),
    }
    if info.flags_missing:
        meta["flags_missing"] = info.flags_missing
    if info.skill_groups.empty:
        meta["hierarchy_missing"] = (
            "the taxonomy has no skill-group hierarchy: no roll-up, and update candidates "
            "rely on ad co-occurrence alone"
        )

    result = GapAnalysis(
        demand=demand_out.reset_index(drop=True),
        trends=trends_out.reset_index(drop=True),
        coverage=coverage,
        gaps=gaps,
        group_rollup=rollup,
        update_advice=advice,
        proposals=proposals,
        evidence=evidence,
        credential_completeness=completeness,
        meta=meta,
    )
    result.check()
    return result
