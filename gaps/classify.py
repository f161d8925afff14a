"""Gap scores, the develop / update / covered decision, the hierarchy roll-up and advice.

Gap score of a skill in a scope (0..1): ``gap = D * T * (1 - C)`` where
``D = 1 - exp(-ci_low / demand_scale)`` uses the lower Wilson bound of the share, so a
share built on few ads counts for less; ``T`` is 1.0 for new/emerging, 0.75 for stable or
unknown and 0.5 for declining demand; ``C`` is the best credential match score (gold 1.0,
none 0). Multiplying keeps each factor a veto: no demand, or full coverage, means no gap.

Classification, first rule that applies: insufficient_evidence (minimum-evidence rule not
met) -> reported_apart (ESCO classes the skill as transversal or a language skill, see
``taxonomies.kinds``: its demand is shown, but no credential is advised) -> covered (a
credential matches with score >= coverage_threshold) -> monitor (gap < action_threshold)
-> update (a credential is close: weak direct match, or it teaches a same-group skill that
co-occurs with this one in ads) -> develop.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from skillgap.gaps.params import AnalysisParams
from skillgap.gaps.prepare import SkillInfo
from skillgap.gaps.relate import CoOccurrence, shared_group_pairs
from skillgap.gaps.tables import (
    FLAG_COLUMNS,
    GAPS_COLUMNS,
    GROUP_ROLLUP_COLUMNS,
    KIND_COLUMN,
    UPDATE_ADVICE_COLUMNS,
)
from skillgap.taxonomies.kinds import CREDENTIAL_KINDS
from skillgap.taxonomies.model import Taxonomy

TREND_WEIGHT = {
    "new": 1.0,
    "emerging": 1.0,
    "stable": 0.75,
    "insufficient_evidence": 0.75,
    "declining": 0.5,
}

GAP_FORMULA_TEXT = (
    "gap_score = D x T x (1 - C). D (demand) = 1 - exp(-ci_low / {scale}), from the lower "
    "Wilson bound of the skill's share in the scope, so thin evidence scores less; a share "
    "of {scale} gives D = 0.63. T (trend) = 1.0 for new or emerging, 0.75 for stable or "
    "unknown, 0.5 for declining. C (coverage) = the best match score of any credential "
    "for the skill (gold ESCO link = 1.0, none = 0)."
)

CLASSIFICATION_TEXT = (
    "insufficient_evidence: fewer than {ev} vacancies mention the skill in the scope, or "
    "the scope has fewer than {cell} vacancies. reported_apart: ESCO classes the skill as "
    "transversal or as a language skill; its demand is reported, no credential advised. "
    "covered: a credential matches the skill "
    "with score >= {cov}. monitor: uncovered but gap_score < {act}. update: uncovered, "
    "gap_score >= {act}, and a credential is close to it (it matches the skill weakly, "
    "score >= {part}, or it teaches a skill of the same ESCO group that co-occurs with it "
    "in >= {cooc} ads with lift >= {lift}); update_credential_id is the closest one. "
    "develop: uncovered, gap_score >= {act}, and no credential is close."
)


def update_candidates(
    uncovered: list[str],
    supply: pd.DataFrame,
    cooc: CoOccurrence,
    info: SkillInfo,
    params: AnalysisParams,
) -> pd.DataFrame:
    """The closest credential for each uncovered skill, with the taught skill that links them.

    Returns skill_uri, credential_id, affinity, via_skill (None for a weak direct match).
    Affinity is the weak match score, or the ad Jaccard of the linking taught skill.
    """
    cols = ["skill_uri", "credential_id", "affinity", "via_skill"]
    weak = supply[
        supply["skill_uri"].isin(uncovered)
        & (supply["score"] >= params.partial_coverage_threshold)
        & (supply["score"] < params.coverage_threshold)
    ]
    weak = pd.DataFrame(
        {
            "skill_uri": weak["skill_uri"],
            "credential_id": weak["credential_id"],
            "affinity": weak["score"].astype(float),
            "via_skill": None,
        }
    )
    taught = supply[supply["score"] >= params.coverage_threshold]
    pairs = cooc.pairs(uncovered, taught["skill_uri"].unique())
    if not pairs.empty:
        pairs = pairs[
            (pairs["n_ab"] >= params.min_cooccurrence) & (pairs["lift"] >= params.min_lift)
        ]
        if info.skill_groups.empty:
            # without a hierarchy, only a strong ad association counts
            pairs = pairs[pairs["lift"] >= 2 * params.min_lift]
        else:
            pairs = pairs[shared_group_pairs(pairs, info.skill_groups)]
        linked = pairs.merge(
            taught[["skill_uri", "credential_id"]], left_on="b", right_on="skill_uri"
        )
        linked = pd.DataFrame(
            {
                "skill_uri": linked["a"],
                "credential_id": linked["credential_id"],
                "affinity": linked["jaccard"].astype(float),
                "via_skill": linked["b"],
            }
        )
    else:
        linked = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    parts = [x for x in (weak, linked) if not x.empty]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    both = pd.concat(parts, ignore_index=True)
    both = both.sort_values(
        ["skill_uri", "affinity", "credential_id"], ascending=[True, False, True]
    )
    return both.drop_duplicates("skill_uri")[cols].reset_index(drop=True)


def _scope_text(scope: str) -> str:
    return "all vacancies" if scope == "all" else scope.replace(";", ", ")


def compute_gaps(
    demand: pd.DataFrame,
    trends: pd.DataFrame,
    coverage: pd.DataFrame,
    candidates: pd.DataFrame,
    info: SkillInfo,
    params: AnalysisParams,
    titles: dict[str, str] | None = None,
) -> pd.DataFrame:
    """One row per (scope, skill): scores and the classification with a one-line rationale.

    Scope 'all' keeps every skill seen; narrower scopes keep only skills with at least
    ``min_evidence`` mentioning vacancies there, so the table stays readable (the demand
    table has every cell).
    """
    scope_breakdowns = {"+".join(d) if d else "all" for d in params.scope_breakdowns()}
    g = demand[demand["breakdown"].isin(scope_breakdowns)]
    g = g[(g["scope"] == "all") | (g["n_mentioning"] >= params.min_evidence)]
    g = g[["scope", "skill_uri", "n_vacancies", "n_mentioning", "share", "ci_low", "sufficient"]]
    tr = trends[["scope", "skill_uri", "status", "growth"]].rename(
        columns={"status": "trend_status"}
    )
    g = g.merge(tr, on=["scope", "skill_uri"], how="left")
    g["trend_status"] = g["trend_status"].fillna("insufficient_evidence")
    g = g.merge(coverage, left_on="skill_uri", right_index=True, how="left")
    g["n_credentials"] = g["n_credentials"].fillna(0).astype(int)
    g["best_coverage_score"] = g["best_coverage_score"].fillna(0.0).astype(float)
    g["best_credential_id"] = (
        g["best_credential_id"].astype(object).where(g["best_credential_id"].notna(), None)
    )
    cand = candidates.rename(columns={"credential_id": "_cand"})
    g = g.merge(cand[["skill_uri", "_cand", "via_skill"]], on="skill_uri", how="left")

    d = 1.0 - np.exp(-g["ci_low"].fillna(0).to_numpy(float) / params.demand_scale)
    t = g["trend_status"].map(TREND_WEIGHT).fillna(0.75).to_numpy(float)
    c = g["best_coverage_score"].to_numpy(float)
    g["gap_score"] = np.clip(d * t * (1.0 - c), 0.0, 1.0)

    g = info.attach(g, (KIND_COLUMN,))
    insufficient = ~g["sufficient"].astype(bool)
    apart = ~g[KIND_COLUMN].isin(list(CREDENTIAL_KINDS))
    covered = g["n_credentials"] > 0
    low = g["gap_score"] < params.action_threshold
    has_cand = g["_cand"].notna()
    g["classification"] = np.select(
        [insufficient, apart, covered, low, has_cand],
        ["insufficient_evidence", "reported_apart", "covered", "monitor", "update"],
        default="develop",
    )
    g["update_credential_id"] = g["_cand"].where(g["classification"] == "update", None)
    g["update_credential_id"] = (
        g["update_credential_id"].astype(object).where(g["update_credential_id"].notna(), None)
    )
    g = info.attach(g, ("label", "group_uri", "group_label", *FLAG_COLUMNS))
    via_label = info.table["label"].reindex(g["via_skill"].to_numpy()).to_numpy()
    titles = titles or {}

    def named(cid: object) -> object:
        # a reader knows a credential by its title; the id stays in its own column
        title = titles.get(cid) if isinstance(cid, str) else None
        return f"'{title}' ({cid})" if title else cid

    g["rationale"] = [
        _rationale(*row)
        for row in zip(
            g["classification"],
            g["scope"],
            g["n_mentioning"],
            g["n_vacancies"],
            g["share"],
            g["trend_status"],
            g["best_credential_id"].map(named),
            g["best_coverage_score"],
            g["update_credential_id"].map(named),
            via_label,
            g[KIND_COLUMN],
            strict=True,
        )
    ]
    g = g.sort_values(["scope", "gap_score", "skill_uri"], ascending=[True, False, True])
    return g[list(GAPS_COLUMNS)].reset_index(drop=True)


def _rationale(
    cls: str,
    scope: str,
    k: int,
    n: int,
    share: float,
    trend: str,
    best_cred: object,
    best_score: float,
    upd: object,
    via: object,
    kind: str = "skill",
) -> str:
    where = _scope_text(scope)
    demand = f"{k} of {n} ads ({share:.1%}) in {where}, trend {trend.replace('_', ' ')}"
    if cls == "insufficient_evidence":
        return f"Only {demand}: too little evidence to judge."
    if cls == "reported_apart":
        what = "a language skill" if kind == "language" else "a transversal competence"
        return (
            f"{demand}; ESCO classes it as {what}, so it is reported with its demand rather "
            "than as a credential to develop or update."
        )
    if cls == "covered":
        return f"{demand}; taught by {best_cred} (match {best_score:.2f})."
    if cls == "monitor":
        return f"{demand}; no credential teaches it, but demand is too weak to act on yet."
    if cls == "update":
        how = (
            f"it teaches the related skill '{via}'"
            if isinstance(via, str) and via
            else ("it matches this skill weakly")
        )
        return f"{demand}; no credential teaches it; {upd} is closest ({how})."
    return f"{demand}; no credential teaches it or anything close to it."


def group_rollup(gaps: pd.DataFrame, taxonomy: Taxonomy) -> pd.DataFrame:
    """Aggregate gap rows over every ancestor of each skill's primary ESCO group.

    Each skill counts once per group level (its primary group and that group's ancestors),
    so a level-1 group sums the skills of all its sub-groups without double counting.
    """
    g = gaps[gaps["group_uri"].notna()]
    if g.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in GROUP_ROLLUP_COLUMNS})
    ancestors = {u: taxonomy.group_ancestors(u) or [u] for u in g["group_uri"].unique()}
    g = g[["scope", "skill_uri", "group_uri", "classification", "gap_score", "n_mentioning"]]
    g = g.assign(
        group_uri=g["group_uri"].map(ancestors),
        is_develop=(g["classification"] == "develop").astype(int),
        is_update=(g["classification"] == "update").astype(int),
    ).explode("group_uri")
    out = g.groupby(["scope", "group_uri"], sort=True).agg(
        n_skills=("skill_uri", "nunique"),
        n_develop=("is_develop", "sum"),
        n_update=("is_update", "sum"),
        mean_gap_score=("gap_score", "mean"),
        total_mentions=("n_mentioning", "sum"),
    )
    out = out.reset_index()
    labels = taxonomy.groups.drop_duplicates("uri").set_index("uri")["label"]
    out["group_label"] = labels.reindex(out["group_uri"].to_numpy()).fillna("").to_numpy()
    out = out.sort_values(["scope", "mean_gap_score"], ascending=[True, False])
    return out[list(GROUP_ROLLUP_COLUMNS)].reset_index(drop=True)


def update_advice(
    gaps: pd.DataFrame,
    trends: pd.DataFrame,
    supply: pd.DataFrame,
    credentials: pd.DataFrame,
    candidates: pd.DataFrame,
    info: SkillInfo,
    params: AnalysisParams,
) -> pd.DataFrame:
    """Per credential: skills to add (from 'update' gaps) and taught skills losing demand.

    Only skills no credential covers are suggested as additions: a skill taught elsewhere
    in the catalogue is not a gap. Each addition is reported once, with the scope where
    its share is highest.
    """
    creds = (
        credentials[["credential_id"]]
        .assign(
            credential_title=credentials.get("title", None),
            provider=credentials.get("provider", None),
        )
        .drop_duplicates("credential_id")
    )
    frames = []
    upd = gaps[gaps["classification"] == "update"]
    if not upd.empty:
        upd = upd.sort_values(["share", "scope"], ascending=[False, True])
        upd = upd.drop_duplicates(["update_credential_id", "skill_uri"])
        via = candidates.set_index("skill_uri")["via_skill"].reindex(upd["skill_uri"].to_numpy())
        via_label = info.table["label"].reindex(via.to_numpy()).to_numpy()
        reasons = [
            f"In demand in {_scope_text(s)} ({k} ads, {sh:.1%}, trend {t.replace('_', ' ')}) "
            f"and taught by no credential; "
            + (
                f"close to '{v}', which this credential teaches."
                if isinstance(v, str) and v
                else "this credential already matches it weakly."
            )
            for s, k, sh, t, v in zip(
                upd["scope"],
                upd["n_mentioning"],
                upd["share"],
                upd["trend_status"],
                via_label,
                strict=True,
            )
        ]
        frames.append(
            pd.DataFrame(
                {
                    "credential_id": upd["update_credential_id"].to_numpy(),
                    "kind": "add_skill",
                    "skill_uri": upd["skill_uri"].to_numpy(),
                    "reason": reasons,
                    "evidence_share": upd["share"].to_numpy(float),
                    "growth": upd["growth"].to_numpy(float),
                }
            )
        )
    taught = supply[supply["score"] >= params.coverage_threshold][["credential_id", "skill_uri"]]
    dec = trends[(trends["scope"] == "all") & (trends["status"] == "declining")]
    kinds = info.table[KIND_COLUMN].reindex(dec["skill_uri"].to_numpy()).fillna("skill")
    dec = dec[kinds.isin(list(CREDENTIAL_KINDS)).to_numpy()]
    dec = taught.merge(dec, on="skill_uri")
    if not dec.empty:
        reasons = [
            f"Share of ads mentioning it fell from {a:.1%} to {b:.1%} between {f} and {t} "
            f"(Cochran-Armitage, adjusted p = {q:.2g})."
            for a, b, f, t, q in zip(
                dec["share_first"],
                dec["share_last"],
                dec["first_period"],
                dec["last_period"],
                dec["q_value"],
                strict=True,
            )
        ]
        frames.append(
            pd.DataFrame(
                {
                    "credential_id": dec["credential_id"].to_numpy(),
                    "kind": "declining_skill",
                    "skill_uri": dec["skill_uri"].to_numpy(),
                    "reason": reasons,
                    "evidence_share": dec["share_last"].to_numpy(float),
                    "growth": dec["growth"].to_numpy(float),
                }
            )
        )
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in UPDATE_ADVICE_COLUMNS})
    adv = pd.concat(frames, ignore_index=True).merge(creds, on="credential_id", how="left")
    adv = adv.sort_values(
        ["credential_id", "kind", "evidence_share"], ascending=[True, True, False]
    )
    adv = adv.groupby(["credential_id", "kind"], sort=False).head(params.top_n)
    adv = info.attach(adv)
    return adv[list(UPDATE_ADVICE_COLUMNS)].reset_index(drop=True)
