"""Proposals for new credentials: bundles of uncovered demanded skills.

Bundling rule (greedy, deterministic): take the 'develop' skill with the highest gap score
as the seed of a bundle; add the other unassigned 'develop' skills whose similarity to the
bundle (the highest similarity to any member) is at least ``proposal_min_similarity``,
best first, up to ``proposal_max_skills``; repeat with the next seed. Similarity of two
skills = overlap of the ads mentioning them (shared ads / ads of the rarer skill: "of the
ads asking for heat pumps, how many also ask for the other") + 0.2 when ESCO files them in
the same group
(capped at 1), counted only for pairs associated in ads (at least ``min_cooccurrence``
shared ads and lift >= ``min_lift``). A bundle smaller than ``proposal_min_skills`` is
padded with the most similar demanded skills of any classification but transversal and
language skills (a credential teaching heat pumps also teaches the safety rules around
them), and left small if nothing is similar enough.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from skillgap.gaps.params import AnalysisParams
from skillgap.gaps.prepare import SkillInfo
from skillgap.gaps.relate import CoOccurrence, shared_group_pairs
from skillgap.gaps.tables import FLAG_COLUMNS, PROPOSALS_COLUMNS
from skillgap.taxonomies.model import Taxonomy

GROUP_BONUS = 0.2

# ISCO-08 major group -> suggested EQF level of an upskilling credential. ISCO ranks its
# major groups by skill level (1-2: levels 3-4, 3: level 3, 4-8: level 2, 9: level 1);
# this maps those onto the EQF bands where such work is usually trained.
ISCO_TO_EQF = {"1": 6, "2": 6, "3": 5, "4": 4, "5": 4, "6": 4, "7": 4, "8": 3, "9": 3, "0": 5}
ISCO_MAJOR = {
    "1": "managers",
    "2": "professionals",
    "3": "technicians and associate professionals",
    "4": "clerical support workers",
    "5": "service and sales workers",
    "6": "skilled agricultural workers",
    "7": "craft and related trades workers",
    "8": "plant and machine operators",
    "9": "elementary occupations",
    "0": "armed forces",
}

PROPOSAL_RULE_TEXT = __doc__.split("\n\n", 1)[1].replace("\n", " ").strip()


def _similarity(pairs: pd.DataFrame, info: SkillInfo, params: AnalysisParams) -> pd.DataFrame:
    """Similarity of co-occurring skill pairs; pairs not associated in ads are dropped."""
    if pairs.empty:
        return pairs.assign(sim=pd.Series(dtype=float))
    pairs = pairs[(pairs["n_ab"] >= params.min_cooccurrence) & (pairs["lift"] >= params.min_lift)]
    shared = shared_group_pairs(pairs, info.skill_groups)
    overlap = pairs["overlap"].to_numpy(float)
    sim = np.minimum(1.0, overlap + GROUP_BONUS * shared.to_numpy())
    return pairs.assign(sim=sim)


def _bundle(
    seeds: list[str], sims: dict[tuple[str, str], float], params: AnalysisParams
) -> list[list[str]]:
    unassigned = list(seeds)
    bundles: list[list[str]] = []
    while unassigned and len(bundles) < params.max_proposals:
        seed = unassigned.pop(0)
        bundle = [seed]
        while len(bundle) < params.proposal_max_skills:
            best, best_sim = None, params.proposal_min_similarity
            for cand in unassigned:
                s = max(sims.get((m, cand), 0.0) for m in bundle)
                if s >= best_sim and (best is None or s > best_sim):
                    best, best_sim = cand, s
            if best is None:
                break
            bundle.append(best)
            unassigned.remove(best)
        bundles.append(bundle)
    return bundles


def _outcome(label: str, skill_type: str, description: str) -> str:
    first = description.split(". ")[0].strip().rstrip(".") if description else ""
    if skill_type == "knowledge":
        text = f"Explain and apply knowledge of {label} in a work setting"
    else:
        text = f"Is able to {label} to the standard expected at work"
    if first:
        text += f" ({first[0].lower() + first[1:]})"
    return text + "."


def _title(labels: list[str]) -> str:
    head = labels[0][0].upper() + labels[0][1:]
    if len(labels) == 1:
        return head
    if len(labels) == 2:
        return f"{head} and {labels[1]}"
    return f"{head}, {labels[1]} and related skills"


def _isco_major(values: list[str], taxonomy: Taxonomy) -> list[str]:
    occ = taxonomy.occupations
    isco = {}
    if not occ.empty and "isco_group" in occ.columns:
        isco = dict(zip(occ["uri"], occ["isco_group"].astype(str), strict=False))
    out = []
    for v in values:
        code = isco.get(v, v)
        code = str(code).strip()
        # ISCO codes are digits, sometimes prefixed ("C7127" in ESCO's ISCO URIs)
        digits = "".join(ch for ch in code.split("/")[-1] if ch.isdigit())
        if digits:
            out.append(digits[0])
    return out


def compute_proposals(
    gaps: pd.DataFrame,
    demand_mentions: pd.DataFrame,
    vac: pd.DataFrame,
    supply: pd.DataFrame,
    credentials: pd.DataFrame,
    cooc: CoOccurrence,
    info: SkillInfo,
    taxonomy: Taxonomy,
    params: AnalysisParams,
) -> pd.DataFrame:
    """Bundle 'develop' skills (from any scope) into proposed credentials."""
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in PROPOSALS_COLUMNS})
    dev = gaps[gaps["classification"] == "develop"]
    if dev.empty or params.max_proposals == 0:
        return empty
    dev = dev.sort_values(["gap_score", "skill_uri"], ascending=[False, True])
    dev = dev.drop_duplicates("skill_uri")
    seeds = list(dev["skill_uri"])
    pairs = _similarity(cooc.pairs(seeds, seeds), info, params)
    sims = {(a, b): s for a, b, s in zip(pairs["a"], pairs["b"], pairs["sim"], strict=True)}
    bundles = _bundle(seeds, sims, params)

    # padding candidates: demanded with evidence in 'all', not already a develop skill
    all_rows = gaps[
        (gaps["scope"] == "all")
        & ~gaps["classification"].isin(["insufficient_evidence", "reported_apart"])
    ]
    pad_pool = [u for u in all_rows["skill_uri"] if u not in set(seeds)]
    pad_pairs = _similarity(cooc.pairs(seeds, pad_pool), info, params)
    used: set[str] = set()
    for bundle in bundles:
        if len(bundle) >= params.proposal_min_skills:
            continue
        cand = pad_pairs[pad_pairs["a"].isin(bundle) & ~pad_pairs["b"].isin(list(used))]
        cand = cand[cand["sim"] >= params.proposal_min_similarity]
        cand = cand.groupby("b")["sim"].max().sort_values(ascending=False, kind="stable")
        for uri in cand.index[: params.proposal_min_skills - len(bundle)]:
            bundle.append(uri)
            used.add(uri)

    n_total = max(len(vac), 1)
    occ_rel = taxonomy.tables["occupation_skills"] if taxonomy.has("occupation_skills") else None
    taught = supply[supply["score"] >= params.coverage_threshold]
    eqf_by_cred = pd.to_numeric(
        credentials.set_index("credential_id")["eqf_level"]
        if "eqf_level" in credentials
        else pd.Series(dtype=float),
        errors="coerce",
    )
    rows = []
    for i, bundle in enumerate(bundles, start=1):
        t = info.table.reindex(bundle)
        labels = [str(x) for x in t["label"]]
        ads = demand_mentions[demand_mentions["skill_uri"].isin(bundle)]
        ad_ids = ads.drop_duplicates("vacancy_id")
        n_ads = len(ad_ids)

        def top(col: str, ad_ids: pd.DataFrame = ad_ids) -> list[str]:
            c = ad_ids[col].dropna().value_counts()
            c = c[c >= params.min_evidence]
            return [str(x) for x in c.index[:5]]

        if occ_rel is not None:
            # ESCO profiles (essential 2, optional 1 per bundle skill) plus up to 2 for the
            # occupations employers actually advertise with these skills, so that a
            # supervisor role that merely lists one of them does not outrank the trade
            rel = occ_rel[occ_rel["skill_uri"].isin(bundle)]
            weight = np.where(rel["relation_type"] == "essential", 2.0, 1.0)
            score = pd.Series(weight, index=rel.index).groupby(rel["occupation_uri"]).sum()
            seen = ad_ids["occupation"].dropna().value_counts()
            if len(seen):
                score = score.add(2.0 * seen / seen.max(), fill_value=0.0)
            score = score.sort_index().sort_values(ascending=False, kind="stable")
            occ_values = [str(o) for o in score.index[:5]]
            occ_source = "ESCO occupation-skill relations and the vacancies' occupations"
        else:
            occ_values = top("occupation")
            occ_source = "occupations of the vacancies mentioning the skills"
        occ_labels = [taxonomy.label(o) or o for o in occ_values]

        majors = _isco_major(occ_values, taxonomy)
        if majors:
            major, count = Counter(majors).most_common(1)[0]
            eqf = ISCO_TO_EQF[major]
            reason = (
                f"EQF {eqf}: {count} of {len(majors)} target occupations ({occ_source}) are in "
                f"ISCO major group {major} ({ISCO_MAJOR[major]}), usually trained at EQF {eqf}."
            )
        else:
            groups = set(
                info.skill_groups.loc[info.skill_groups["skill_uri"].isin(bundle), "group_uri"]
            )
            near = info.skill_groups.loc[info.skill_groups["group_uri"].isin(groups), "skill_uri"]
            near_creds = taught.loc[taught["skill_uri"].isin(near), "credential_id"].unique()
            levels = eqf_by_cred.reindex(near_creds).dropna()
            if len(levels):
                eqf = int(np.median(levels))
                reason = (
                    f"EQF {eqf}: median level of {len(levels)} catalogue credential(s) "
                    "teaching skills of the same ESCO groups (no occupation data)."
                )
            else:
                eqf = 5
                reason = "EQF 5: default; neither occupations nor related credentials known."
        units = sum(0.5 if st == "knowledge" else 1.0 for st in t["skill_type"])
        ects_min = max(1, math.floor(units * 0.75))
        ects_max = max(ects_min + 1, math.ceil(units * 1.5))
        reason += (
            f" ECTS {ects_min}-{ects_max}: {len(bundle)} skills at about 0.75-1.5 ECTS "
            "(20-40 hours) per skill and half that per knowledge item."
        )
        flags = {f: bool(t[f].fillna(False).astype(bool).any()) for f in FLAG_COLUMNS}
        rows.append(
            {
                "proposal_id": f"P{i:02d}",
                "working_title": _title(labels),
                "skill_uris": list(bundle),
                "skill_labels": labels,
                "learning_outcomes": [
                    _outcome(lab, str(st), str(desc))
                    for lab, st, desc in zip(
                        labels, t["skill_type"], t["description"].fillna(""), strict=True
                    )
                ],
                "target_occupations": occ_labels,
                "sectors": top("sector"),
                "regions": top("region"),
                "eqf_level": int(eqf),
                "ects_min": int(ects_min),
                "ects_max": int(ects_max),
                "level_reasoning": reason,
                "n_vacancies": int(n_ads),
                "evidence_share": n_ads / n_total,
                **flags,
            }
        )
    return pd.DataFrame(rows, columns=list(PROPOSALS_COLUMNS)) if rows else empty
