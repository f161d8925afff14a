"""A small but realistic ``GapAnalysis`` for the reports tests (builders only, no tests).

Three sectors (F construction, C manufacturing, J ICT), four NUTS-2 regions, eight
quarters, a dozen ESCO-like skills, two proposals, update advice, one sector x region cell
with too little data, and evidence snippets that contain HTML, a script tag and non-ASCII
text. Numbers are generated from a seeded RNG so every run builds the same frames.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from skillgap.gaps.tables import TABLE_COLUMNS, GapAnalysis
from skillgap.schemas import EU_STANDARD_ELEMENTS

ESCO = "http://data.europa.eu/esco/skill/"
SECTORS = ("C", "F", "J")
REGIONS = ("DE21", "ES51", "FR10", "NL32")
PERIODS = tuple(f"{y}-Q{q}" for y in (2023, 2024) for q in (1, 2, 3, 4))

# uri suffix, label, group, base share, yearly drift, flags (green, digital, transversal)
SKILLS: list[tuple[str, str, str, float, float, tuple[bool, bool, bool]]] = [
    ("hp01", "install heat pumps", "building services", 0.05, 0.09, (True, False, False)),
    (
        "in02",
        "insulate buildings for energy efficiency",
        "building services",
        0.06,
        0.05,
        (True, False, False),
    ),
    (
        "bim3",
        "apply building information modelling",
        "construction design",
        0.08,
        0.03,
        (False, True, False),
    ),
    ("cl04", "use cloud computing services", "ICT operations", 0.10, 0.02, (False, True, False)),
    ("da05", "analyse big data", "data analysis", 0.07, 0.015, (False, True, False)),
    ("tm06", "work in teams", "social skills", 0.30, 0.0, (False, False, True)),
    ("cn07", "operate CNC machines", "machining", 0.09, -0.02, (False, False, False)),
    ("wd08", "weld metal parts", "metal work", 0.11, -0.03, (False, False, False)),
    ("hs09", "apply health and safety standards", "safety", 0.20, 0.0, (False, False, True)),
    (
        "pm10",
        "manage construction projects",
        "construction design",
        0.06,
        0.0,
        (False, False, False),
    ),
    ("pl11", "program PLCs", "automation", 0.05, 0.01, (False, True, False)),
    ("fx12", "use fax machines", "office equipment", 0.04, -0.03, (False, False, False)),
]
FLAGS = ("green", "digital", "transversal")


def _flags(f: tuple[bool, bool, bool]) -> dict[str, bool]:
    return dict(zip(FLAGS, f, strict=True))


def _wilson(k: int, n: int) -> tuple[float, float]:
    if n == 0:
        return (math.nan, math.nan)
    z, p = 1.96, k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def build_analysis(min_evidence: int = 30) -> GapAnalysis:
    rng = np.random.default_rng(7)
    # vacancies per sector x region x period; ES51 ICT is nearly empty (the insufficient cell)
    n_cell = {
        (s, r, p): (2 if (s, r) == ("J", "ES51") else int(rng.integers(25, 60)))
        for s in SECTORS
        for r in REGIONS
        for p in PERIODS
    }
    hits: dict[tuple[str, str, str, str], int] = {}
    for s, r, p in n_cell:
        t = PERIODS.index(p) / 4
        for uri, _label, _g, base, drift, _f in SKILLS:
            boost = 2.5 if (uri in ("hp01", "in02") and s == "F") else 1.0
            boost *= 2.0 if (uri in ("cl04", "da05") and s == "J") else 1.0
            prob = min(0.95, max(0.0, (base + drift * t) * boost))
            hits[(s, r, p, uri)] = int(rng.binomial(n_cell[(s, r, p)], prob))

    demand_rows: list[dict[str, Any]] = []

    def add_cells(breakdown: str, keys: tuple[str, ...]) -> None:
        groups: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}
        for cell in n_cell:
            cell_dims = dict(zip(("sector", "region", "period"), cell, strict=True))
            groups.setdefault(tuple(cell_dims[k] for k in keys), []).append(cell)
        for gkey, cells in sorted(groups.items()):
            n = sum(n_cell[c] for c in cells)
            for uri, label, _g, _b, _d, f in SKILLS:
                k = sum(hits[(*c, uri)] for c in cells)
                lo, hi = _wilson(k, n)
                row = {
                    "breakdown": breakdown,
                    "sector": None,
                    "region": None,
                    "occupation": None,
                    "period": None,
                }
                row.update(dict(zip(keys, gkey, strict=True)))
                row.update(
                    skill_uri=ESCO + uri,
                    label=label,
                    n_vacancies=n,
                    n_mentioning=k,
                    share=k / n,
                    ci_low=lo,
                    ci_high=hi,
                    sufficient=n >= min_evidence and k >= 3,
                    **_flags(f),
                )
                demand_rows.append(row)

    add_cells("all", ())
    add_cells("sector", ("sector",))
    add_cells("region", ("region",))
    add_cells("sector+region", ("sector", "region"))
    add_cells("period", ("period",))
    add_cells("sector+period", ("sector", "period"))
    demand = pd.DataFrame(demand_rows, columns=list(TABLE_COLUMNS["demand"]))

    credentials = [
        ("MC-001", "Heat pump basics for plumbers", "Handwerkskammer Stuttgart", ("hs09",), 5.0, 4),
        (
            "MC-002",
            "Welding certificate (MIG/MAG)",
            "Metal Skills Academy",
            ("wd08", "hs09"),
            6.0,
            3,
        ),
        (
            "MC-003",
            "CNC programming and operation",
            "Politécnico Barcelona",
            ("cn07", "pl11"),
            4.0,
            4,
        ),
        ("MC-004", "Cloud foundations", "École du Numérique", ("cl04",), 3.0, 5),
        ("MC-005", "Office skills refresher", "Fryslân Learning", ("fx12", "tm06"), 2.0, 3),
    ]
    coverage_rows = []
    for cid, title, provider, uris, ects, eqf in credentials:
        for uri in uris:
            label = next(s[1] for s in SKILLS if s[0] == uri)
            coverage_rows.append(
                dict(
                    skill_uri=ESCO + uri,
                    label=label,
                    credential_id=cid,
                    credential_title=title,
                    provider=provider,
                    score=0.9 if uri != "hs09" else 0.55,
                    method="semantic",
                    eqf_level=eqf,
                    workload_ects=ects,
                )
            )
    coverage = pd.DataFrame(coverage_rows, columns=list(TABLE_COLUMNS["coverage"]))

    trend_rows, gap_rows = [], []
    status_of = {}
    for uri, label, _g, _b, drift, f in SKILLS:
        per = demand[(demand["breakdown"] == "period") & (demand["skill_uri"] == ESCO + uri)]
        first, last = per["share"].iloc[0], per["share"].iloc[-1]
        g = last / first if first else math.inf
        status = "emerging" if drift >= 0.05 else "declining" if drift <= -0.02 else "stable"
        status_of[uri] = status
        trend_rows.append(
            dict(
                scope="all",
                skill_uri=ESCO + uri,
                label=label,
                first_period=PERIODS[0],
                last_period=PERIODS[-1],
                share_first=first,
                share_last=last,
                growth=g,
                slope=drift / 4,
                p_value=0.001 if status != "stable" else 0.4,
                status=status,
                **_flags(f),
            )
        )
    trends = pd.DataFrame(trend_rows, columns=list(TABLE_COLUMNS["trends"]))

    def gap_row(
        scope: str, uri: str, share: float, n: int, k: int, sufficient: bool
    ) -> dict[str, Any]:
        label, group, f = next((s[1], s[2], s[5]) for s in SKILLS if s[0] == uri)
        cov = [c for c in coverage_rows if c["skill_uri"] == ESCO + uri]
        best = max((c["score"] for c in cov), default=None)
        best_id = max(cov, key=lambda c: c["score"])["credential_id"] if cov else None
        trend_bonus = (
            0.2 if status_of[uri] == "emerging" else -0.1 if status_of[uri] == "declining" else 0.0
        )
        gs = max(0.0, min(1.0, 0.5 * min(1.0, share * 6) + 0.5 * (1 - (best or 0)) + trend_bonus))
        if not sufficient:
            cls, rationale = (
                "insufficient_evidence",
                "Fewer vacancies than the minimum-evidence rule allows.",
            )
        elif best is None and gs >= 0.4:
            cls, rationale = "develop", "In demand and taught by no credential in the catalogue."
        elif best is not None and best < 0.7 and gs >= 0.4:
            cls, rationale = "update", f"Only weakly covered by {best_id}."
        else:
            cls, rationale = "covered", "A credential covers it well."
        return dict(
            scope=scope,
            skill_uri=ESCO + uri,
            label=label,
            group_uri=ESCO + "group/" + group.replace(" ", "-"),
            group_label=group,
            n_vacancies=n,
            n_mentioning=k,
            share=share,
            trend_status=status_of[uri],
            growth=float(trends.loc[trends["skill_uri"] == ESCO + uri, "growth"].iloc[0]),
            n_credentials=len(cov),
            best_coverage_score=best,
            best_credential_id=best_id,
            gap_score=gs,
            classification=cls,
            update_credential_id=best_id if cls == "update" else None,
            rationale=rationale,
            **_flags(f),
        )

    for bd in ("all", "sector", "region", "sector+region"):
        for r in demand[demand["breakdown"] == bd].itertuples():
            scope = (
                "all" if bd == "all" else ",".join(f"{k}={getattr(r, k)}" for k in bd.split("+"))
            )
            gap_rows.append(
                gap_row(
                    scope,
                    r.skill_uri.removeprefix(ESCO),
                    r.share,
                    r.n_vacancies,
                    r.n_mentioning,
                    bool(r.sufficient),
                )
            )
    gaps = pd.DataFrame(gap_rows, columns=list(TABLE_COLUMNS["gaps"]))

    rollup_rows = []
    for (scope, guri, glabel), grp in gaps.groupby(
        ["scope", "group_uri", "group_label"], sort=True
    ):
        rollup_rows.append(
            dict(
                scope=scope,
                group_uri=guri,
                group_label=glabel,
                n_skills=len(grp),
                n_develop=int((grp["classification"] == "develop").sum()),
                n_update=int((grp["classification"] == "update").sum()),
                mean_gap_score=float(grp["gap_score"].mean()),
                total_mentions=int(grp["n_mentioning"].sum()),
            )
        )
    group_rollup = pd.DataFrame(rollup_rows, columns=list(TABLE_COLUMNS["group_rollup"]))

    update_advice = pd.DataFrame(
        [
            dict(
                credential_id="MC-001",
                credential_title="Heat pump basics for plumbers",
                provider="Handwerkskammer Stuttgart",
                kind="add_skill",
                skill_uri=ESCO + "hp01",
                label="install heat pumps",
                reason="same ESCO group as what it teaches and co-occurs in 41 % of its ads",
                evidence_share=0.12,
                growth=2.9,
                green=True,
                digital=False,
                transversal=False,
            ),
            dict(
                credential_id="MC-005",
                credential_title="Office skills refresher",
                provider="Fryslân Learning",
                kind="declining_skill",
                skill_uri=ESCO + "fx12",
                label="use fax machines",
                reason="share of vacancies fell in six of the last eight quarters",
                evidence_share=0.01,
                growth=0.3,
                green=False,
                digital=False,
                transversal=False,
            ),
            dict(
                credential_id="MC-005",
                credential_title="Office skills refresher",
                provider="Fryslân Learning",
                kind="add_skill",
                skill_uri=ESCO + "cl04",
                label="use cloud computing services",
                reason="co-occurs with what it teaches in 18 % of ads",
                evidence_share=0.11,
                growth=1.2,
                green=False,
                digital=True,
                transversal=False,
            ),
        ],
        columns=list(TABLE_COLUMNS["update_advice"]),
    )

    proposals = pd.DataFrame(
        [
            dict(
                proposal_id="P1",
                working_title="Low-carbon building retrofit technician",
                skill_uris=[ESCO + "hp01", ESCO + "in02"],
                skill_labels=["install heat pumps", "insulate buildings for energy efficiency"],
                learning_outcomes=[
                    "Install and commission air-to-water heat pumps in existing homes.",
                    "Select and fit insulation to reduce a building's heat loss.",
                ],
                target_occupations=["heating technician", "insulation worker"],
                sectors=["F"],
                regions=["DE21", "NL32"],
                eqf_level=4,
                ects_min=4.0,
                ects_max=6.0,
                level_reasoning="Ads ask for independent work on site under supervision: EQF 4.",
                n_vacancies=412,
                evidence_share=0.19,
                green=True,
                digital=False,
                transversal=False,
            ),
            dict(
                proposal_id="P2",
                working_title="Data analysis for ICT teams",
                skill_uris=np.array([ESCO + "da05"]),
                skill_labels=np.array(["analyse big data"]),
                learning_outcomes=["Analyse large data sets with appropriate tools."],
                target_occupations=[],
                sectors=["J"],
                regions=["FR10"],
                eqf_level=5,
                ects_min=3.0,
                ects_max=5.0,
                level_reasoning="Specialist tasks: EQF 5.",
                n_vacancies=180,
                evidence_share=0.08,
                green=False,
                digital=True,
                transversal=False,
            ),
        ],
        columns=list(TABLE_COLUMNS["proposals"]),
    )

    evidence = pd.DataFrame(
        [
            dict(
                skill_uri=ESCO + "hp01",
                vacancy_id="V-1001",
                sector="F",
                region="DE21",
                period="2024-Q3",
                snippet="Sie installieren Wärmepumpen und Heat Pumps in Bestandsgebäuden (m/w/d).",
                matched="heat pumps",
                score=0.93,
            ),
            dict(
                skill_uri=ESCO + "hp01",
                vacancy_id="V-1002",
                sector="F",
                region="NL32",
                period="2024-Q4",
                snippet=(
                    'Experience: <b>install heat pumps</b> & "hybrid" systems '
                    '<script>alert("x")</script>'
                ),
                matched="install heat pumps",
                score=0.88,
            ),
            dict(
                skill_uri=ESCO + "in02",
                vacancy_id="V-1003",
                sector="F",
                region="DE21",
                period="2024-Q2",
                snippet="You will insulate buildings (façades, lofts) to cut energy use by 30 %.",
                matched="insulate buildings",
                score=0.81,
            ),
            dict(
                skill_uri=ESCO + "da05",
                vacancy_id="V-2001",
                sector="J",
                region="FR10",
                period="2024-Q1",
                snippet="Analyser de gros volumes de données — big data — avec Spark.",
                matched="BIG DATA",
                score=0.77,
            ),
            dict(
                skill_uri=ESCO + "cn07",
                vacancy_id="V-3001",
                sector="C",
                region="ES51",
                period="2023-Q2",
                snippet="Operar máquinas CNC en turno de mañana.",
                matched="not in the text",
                score=0.61,
            ),
        ],
        columns=list(TABLE_COLUMNS["evidence"]),
    )

    cc_rows = []
    for i, (cid, title, provider, _u, _e, _q) in enumerate(credentials):
        elems = {f"elem_{n}": "present" for n in EU_STANDARD_ELEMENTS}
        elems["elem_learner_identification"] = "not_applicable"
        if i == 1:
            elems["elem_quality_assurance"] = "missing"
        if i == 2:
            elems["elem_notional_workload"] = "invalid"
            elems["elem_assessment_type"] = "missing"
        states = list(elems.values())
        cc_rows.append(
            dict(
                credential_id=cid,
                title=title,
                provider=provider,
                n_present=states.count("present"),
                n_missing=states.count("missing"),
                n_invalid=states.count("invalid"),
                **elems,
            )
        )
    completeness = pd.DataFrame(cc_rows, columns=list(TABLE_COLUMNS["credential_completeness"]))

    meta = {
        "params": {
            "breakdowns": ["sector", "region", "sector+region", "period"],
            "min_evidence": min_evidence,
            "thresholds": {"develop": 0.4, "covered": 0.7, "match": 0.55},
            "gap_formula": "gap = 0.5 * demand + 0.5 * (1 - best_coverage) + trend_bonus",
            "trend_test": "Cochran-Armitage test for trend in proportions, p < 0.05",
        },
        "counts": {
            "vacancies": int(sum(n_cell.values())),
            "credentials": len(credentials),
            "mentions": 9876,
        },
        "periods": {"first": PERIODS[0], "last": PERIODS[-1], "list": list(PERIODS)},
        "taxonomy": {"version": "v1.2.0", "snapshot_id": "esco-v1.2.0-en"},
        "model_id": "all-MiniLM-L6-v2@local",
        "insufficient": [
            {
                "breakdown": "sector+region",
                "cell": "sector=J;region=ES51",
                "n_vacancies": sum(n_cell[("J", "ES51", p)] for p in PERIODS),
                "reason": f"fewer than min_cell_size={min_evidence} vacancies",
            }
        ],
    }
    return GapAnalysis(
        demand=demand,
        trends=trends,
        coverage=coverage,
        gaps=gaps,
        group_rollup=group_rollup,
        update_advice=update_advice,
        proposals=proposals,
        evidence=evidence,
        credential_completeness=completeness,
        meta=meta,
    )


def run_meta() -> dict[str, Any]:
    return {
        "run_id": "20261129T090000Z-test",
        "started": "2026-11-29T09:00:00",
        "finished": "2026-11-29T09:02:13",
        "inputs": [
            {
                "kind": "vacancies",
                "path": "data/vacancies.csv",
                "sha256": "ab" * 32,
                "profile": "generic",
            },
            {
                "kind": "credentials",
                "path": "data/catalogue.jsonl",
                "sha256": "cd" * 32,
                "profile": "elm",
            },
        ],
        "taxonomy": {
            "version": "v1.2.0",
            "snapshot_id": "esco-v1.2.0-en",
            "sources": ["ESCO CSV bundle v1.2.0"],
            "missing": [],
        },
        "model_id": "all-MiniLM-L6-v2@local",
        "thresholds": {"min_evidence": 30, "match_threshold": 0.55},
        "quarantine": {"missing posted_date": 12, "unparseable region": 3},
        "code_version": "0.1.0+g1234abc",
    }
