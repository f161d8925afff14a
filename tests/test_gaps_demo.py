"""End to end on the demo data with its truth mentions: every planted signal, nothing absurd.

Runs without the NLP model (truth mentions stand in for the mapper) and without ../shared
(the demo's ESCO subset stands in for the full taxonomy); a second run on the official
taxonomy checks the result does not hinge on the subset.
"""

from __future__ import annotations

import pytest

from skillgap import demo
from skillgap.demo.checks import absurdities, planted_problems
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


def check_planted(res: GapAnalysis, planted: dict) -> None:
    problems = planted_problems(res, planted, strict=True)
    assert not problems, "\n".join(problems)


def check_nothing_absurd(res: GapAnalysis, planted: dict) -> None:
    problems = absurdities(res, planted, strict=True)
    assert not problems, "\n".join(problems)


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
