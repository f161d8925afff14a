"""End to end on the demo data with its truth mentions: every planted signal, nothing absurd.

Runs without the NLP model (truth mentions stand in for the mapper) and without ../shared
(the demo's ESCO subset stands in for the full taxonomy); a second run on the official
taxonomy checks the result does not hinge on the subset.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skillgap import demo
from skillgap.gaps import AnalysisParams, GapAnalysis, analyse

PARAMS = AnalysisParams()


def _run(taxonomy) -> GapAnalysis:
    return analyse(
        demo.load_vacancies(),
        demo.load_credentials(),
        demo.load_truth_mentions(),
        taxonomy,
        PARAMS,
    )


@pytest.fixture(scope="module")
def result() -> GapAnalysis:
    return _run(demo.demo_taxonomy())


@pytest.fixture(scope="module")
def planted() -> dict:
    return demo.load_planted()


def _gap(res: GapAnalysis, scope: str, uri: str) -> pd.Series:
    g = res.gaps
    hit = g[(g["scope"] == scope) & (g["skill_uri"] == uri)]
    assert len(hit) == 1, f"no gaps row for {uri} in {scope}"
    return hit.iloc[0]


def check_planted(res: GapAnalysis, planted: dict) -> None:
    for item in planted["develop"]:
        for scope in item["scopes"]:
            row = _gap(res, scope, item["skill_uri"])
            assert row["classification"] == "develop", (item["label"], scope, row["rationale"])
            assert row["green"], item["label"]
        tr = res.trends
        status = tr[(tr["scope"] == item["trend_scope"]) & (tr["skill_uri"] == item["skill_uri"])]
        assert status["status"].iloc[0] in item["trend"], item["label"]

    want = set(planted["proposal"]["skill_uris"])
    best = max(res.proposals.itertuples(), key=lambda p: len(want & set(p.skill_uris)))
    assert len(want & set(best.skill_uris)) >= 2
    assert set(planted["proposal"]["regions"]) <= set(best.regions)
    assert set(planted["proposal"]["sectors"]) <= set(best.sectors)
    assert best.green

    adv = res.update_advice
    items = set(zip(adv["credential_id"], adv["kind"], adv["skill_uri"], strict=True))
    for item in planted["declining_skill"]:
        assert (item["credential_id"], "declining_skill", item["skill_uri"]) in items, item

    for item in planted["update"]:
        for scope in item["scopes"]:
            row = _gap(res, scope, item["skill_uri"])
            assert row["classification"] == "update", (scope, row["rationale"])
            assert row["update_credential_id"] in item["credential_ids"]
            assert bool(row["digital"]) is item["digital"]
        assert any(
            c in item["credential_ids"] and k == "add_skill" and s == item["skill_uri"]
            for c, k, s in items
        )

    for item in planted["covered"]:
        assert _gap(res, item["scope"], item["skill_uri"])["classification"] == "covered"

    for item in planted["insufficient_evidence"]:
        row = _gap(res, item["scope"], item["skill_uri"])
        assert row["classification"] == "insufficient_evidence"
        assert row["n_mentioning"] == item["n_vacancies"]


def check_nothing_absurd(res: GapAnalysis, planted: dict) -> None:
    g = res.gaps
    acted = g[g["classification"].isin(["develop", "update"])]
    assert (acted["n_mentioning"] >= PARAMS.min_evidence).all()
    assert (acted["n_vacancies"] >= PARAMS.min_cell_size).all()
    develop_ok = {i["skill_uri"] for i in planted["develop"]}
    update_ok = {i["skill_uri"] for i in planted["update"]}
    assert set(g.loc[g["classification"] == "develop", "skill_uri"]) <= develop_ok
    assert set(g.loc[g["classification"] == "update", "skill_uri"]) <= update_ok
    declining = res.update_advice[res.update_advice["kind"] == "declining_skill"]
    expected = {i["credential_id"] for i in planted["declining_skill"]}
    assert set(declining["credential_id"]) == expected

    d = res.demand
    assert ((d["share"] >= 0) & (d["share"] <= 1)).all()
    assert (d["ci_low"] <= d["share"] + 1e-12).all() and (d["share"] <= d["ci_high"] + 1e-12).all()
    assert ((g["gap_score"] >= 0) & (g["gap_score"] <= 1)).all()
    covered = g[g["classification"] == "covered"]
    assert covered["gap_score"].max() < acted["gap_score"].min()
    for p in res.proposals.itertuples():
        assert 1 <= len(p.skill_uris) <= PARAMS.proposal_max_skills
        assert 1 <= p.eqf_level <= 8 and 0 < p.ects_min < p.ects_max <= 60
    assert not np.isinf(res.trends["share_last"]).any()


def test_demo_planted_signals_found(result: GapAnalysis, planted: dict) -> None:
    check_planted(result, planted)


def test_demo_nothing_absurd(result: GapAnalysis, planted: dict) -> None:
    check_nothing_absurd(result, planted)


def test_demo_evidence_and_completeness(result: GapAnalysis, planted: dict) -> None:
    heat_pump = planted["develop"][0]["skill_uri"]
    ev = result.evidence[result.evidence["skill_uri"] == heat_pump]
    assert len(ev) == PARAMS.evidence_per_skill
    assert all(m in s for m, s in zip(ev["matched"], ev["snippet"], strict=True))
    cc = result.credential_completeness
    assert len(cc) == len(demo.load_credentials())
    assert (cc["n_missing"] > 0).any() and (cc["n_invalid"] == 1).sum() == 1
    assert result.meta["periods"]["list"][0] == "2023Q1"
    assert result.meta["periods"]["list"][-1] == "2024Q4"
    assert "flags_missing" not in result.meta


def test_demo_on_the_official_taxonomy(esco_official, planted: dict) -> None:
    res = _run(esco_official)
    check_planted(res, planted)
    check_nothing_absurd(res, planted)
    heat = res.gaps[(res.gaps["scope"] == "all") & (res.gaps["label"] == "install heat pump")]
    assert heat["group_label"].iloc[0]
