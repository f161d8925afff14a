"""Each piece of the gap analysis on a small hand-built world whose answers are known.

The world: 4 quarters x 200 vacancies; sector F (first 150 of each quarter) and J (rest);
region X2 holds only 10 vacancies (a thin cell). Skills, by the ads that name them:
  a  rising 4 -> 20 -> 40 -> 80 ads, nobody teaches it            -> emerging, develop
  b  20 ads a quarter, gold ESCO link of credential C1             -> covered
  c  15 a quarter, always together with d; C2 teaches d (same group) -> update C2
  d  the partner of c, matched in C2's outcomes (score 0.9)          -> covered
  e  40 -> 20 -> 10 -> 2 ads (J), taught by C1                        -> declining advice
  f  4 ads in all                                                     -> insufficient
  g  12 a quarter, C3 matches it weakly (0.45)                        -> update C3
  h  3 a quarter, nobody teaches it                                   -> monitor
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from skillgap.errors import InputError
from skillgap.gaps import AnalysisParams, GapAnalysis, analyse
from skillgap.gaps.evidence import _window
from skillgap.gaps.tables import CLASSIFICATIONS, TABLE_COLUMNS
from skillgap.taxonomies.model import Taxonomy

SKILL_GROUP = {"a": "G1", "b": "G1", "c": "G2", "d": "G2", "e": "G3", "f": "G3", "g": "G3"}
SKILL_GROUP["h"] = "G4"


def make_taxonomy(collections: bool = True) -> Taxonomy:
    uris = sorted(SKILL_GROUP)
    skills = pd.DataFrame(
        {
            "uri": uris,
            "preferred_label": [f"skill {u}" for u in uris],
            "alt_labels": [[] for _ in uris],
            "hidden_labels": [[] for _ in uris],
            "description": [f"Do {u} well. More text." for u in uris],
            "skill_type": ["knowledge" if u == "e" else "skill/competence" for u in uris],
            "reuse_level": "",
            "status": "released",
        }
    )
    groups = pd.DataFrame(
        {
            "uri": ["R", "G1", "G2", "G3", "G4"],
            "code": ["S", "S1", "S2", "S3", "S4"],
            "label": ["root", "group one", "group two", "group three", "group four"],
            "level": [0, 1, 1, 1, 1],
            "parents": [[], ["R"], ["R"], ["R"], ["R"]],
            "description": "",
        }
    )
    tables = {
        "skills": skills,
        "groups": groups,
        "skill_groups": pd.DataFrame(
            {"skill_uri": list(SKILL_GROUP), "group_uri": list(SKILL_GROUP.values())}
        ),
    }
    if collections:
        tables["collections"] = pd.DataFrame(
            {"skill_uri": ["a", "b"], "collection": ["green", "transversal"]}
        )
    missing = [] if collections else ["collections"]
    return Taxonomy(tables, {"esco_version": "test", "missing": missing})


QUARTER_START = ["2023-01-15", "2023-04-15", "2023-07-15", "2023-10-15"]


def make_world() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    vac_rows, men = [], []
    ranges = {
        "a": lambda q: range(0, [4, 20, 40, 80][q]),
        "b": lambda q: range(80, 100),
        "g": lambda q: range(100, 112),
        "h": lambda q: range(112, 115),
        "c": lambda q: range(120, 135),
        "d": lambda q: range(120, 135),
        "e": lambda q: range(150, 150 + [40, 20, 10, 2][q]),
        "f": lambda q: [199],
    }
    for q in range(4):
        for j in range(200):
            vid = f"v{q}-{j:03d}"
            vac_rows.append(
                {
                    "vacancy_id": vid,
                    "posted_date": QUARTER_START[q],
                    "sector": "F" if j < 150 else "J",
                    "region": "X2" if (q == 0 and j >= 190) else "X1",
                    "occupation": None,
                    "text": f"Intro text. We need someone for job {j}. Benefits follow.",
                }
            )
        for skill, rng in ranges.items():
            for j in rng(q):
                men.append(
                    {
                        "doc_type": "vacancy",
                        "doc_id": f"v{q}-{j:03d}",
                        "skill_uri": skill,
                        "score": 1.0,
                        "method": "lexical",
                        # every second mention keeps its sentence; the rest fall back to text
                        "sentence": f"You can do skill {skill} daily." if j % 2 else None,
                        "span": f"skill {skill}" if j % 2 else f"job {j}",
                    }
                )
    men += [
        {"doc_type": "credential", "doc_id": "C2", "skill_uri": "d", "score": 0.9,
         "method": "semantic", "sentence": "Learn d.", "span": "d"},
        {"doc_type": "credential", "doc_id": "C3", "skill_uri": "g", "score": 0.45,
         "method": "semantic", "sentence": "Touches g.", "span": "g"},
    ]  # fmt: skip
    creds = pd.DataFrame(
        [
            {"credential_id": "C1", "title": "Cred one", "provider": "P1", "country": "NL",
             "issue_date": "2023-01-01", "learning_outcomes": ["Do b", "Know e"],
             "esco_skills": ["b", "e"], "workload_ects": 3.0, "eqf_level": 4,
             "assessment_type": "exam", "participation_form": "online",
             "quality_assurance": "internal"},
            {"credential_id": "C2", "title": "Cred two", "provider": "P2", "country": "DE",
             "issue_date": "2023-01-01", "learning_outcomes": ["Learn d"], "esco_skills": [],
             "workload_ects": 2.0, "eqf_level": 5, "assessment_type": "exam",
             "participation_form": "online", "quality_assurance": "internal"},
            {"credential_id": "C3", "title": "Cred three", "provider": None, "country": "FR",
             "issue_date": None, "learning_outcomes": ["Touches g"], "esco_skills": None,
             "workload_ects": None, "eqf_level": None, "assessment_type": None,
             "participation_form": None, "quality_assurance": None},
            {"credential_id": "C4", "title": "Cred four", "provider": "P4", "country": "ES",
             "issue_date": "2023-01-01", "learning_outcomes": [], "esco_skills": [],
             "workload_ects": -1.0, "eqf_level": 12, "assessment_type": "exam",
             "participation_form": "online", "quality_assurance": "internal"},
        ]
    )  # fmt: skip
    return pd.DataFrame(vac_rows), creds, pd.DataFrame(men)


PARAMS = AnalysisParams(breakdowns=["sector", "region"], action_threshold=0.2)


@pytest.fixture(scope="module")
def result() -> GapAnalysis:
    vac, creds, men = make_world()
    return analyse(vac, creds, men, make_taxonomy(), PARAMS)


def row(df: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(df), dtype=bool)
    for k, v in where.items():
        mask &= (df[k] == v).to_numpy()
    hits = df[mask]
    assert len(hits) == 1, f"expected one row for {where}, found {len(hits)}"
    return hits.iloc[0]


def test_every_table_follows_the_contract(result: GapAnalysis) -> None:
    for name, df in result.tables().items():
        assert list(df.columns) == list(TABLE_COLUMNS[name]), name
    assert set(result.gaps["classification"]) <= set(CLASSIFICATIONS)


def test_demand_share_and_wilson_interval(result: GapAnalysis) -> None:
    d = row(result.demand, breakdown="all", skill_uri="a")
    assert d["n_vacancies"] == 800 and d["n_mentioning"] == 144
    assert d["share"] == pytest.approx(0.18)
    assert d["ci_low"] < 0.18 < d["ci_high"]
    assert d["sufficient"] and d["green"] and not d["digital"]
    f = row(result.demand, breakdown="all", skill_uri="f")
    assert f["n_mentioning"] == 4 and not f["sufficient"]
    shares = result.demand[["share", "ci_low", "ci_high"]].to_numpy()
    assert np.all((shares >= 0) & (shares <= 1))


def test_breakdown_cells_and_thin_cell_reported(result: GapAnalysis) -> None:
    e_j = row(result.demand, breakdown="sector", sector="J", skill_uri="e")
    assert e_j["n_vacancies"] == 200 and e_j["n_mentioning"] == 72
    assert e_j["region"] is None and e_j["period"] is None
    q1 = row(result.demand, breakdown="period", period="2023Q1", skill_uri="a")
    assert q1["n_vacancies"] == 200 and q1["n_mentioning"] == 4
    x2 = result.demand[(result.demand["breakdown"] == "region") & (result.demand["region"] == "X2")]
    assert len(x2) and not x2["sufficient"].any()
    thin = [c["cell"] for c in result.meta["insufficient"]]
    assert "region=X2" in thin
    assert result.meta["insufficient_summary"] == {"region": 1}


def test_trend_statuses(result: GapAnalysis) -> None:
    tr = result.trends[result.trends["scope"] == "all"].set_index("skill_uri")
    assert tr.loc["a", "status"] == "emerging"
    assert tr.loc["a", "growth"] == pytest.approx(5.0)
    assert tr.loc["a", "p_value"] < 1e-6 and tr.loc["a", "slope"] > 0
    assert tr.loc["e", "status"] == "declining"
    assert tr.loc["b", "status"] == "stable"
    assert tr.loc["f", "status"] == "insufficient_evidence"
    assert (tr["first_period"] == "2023Q1").all() and (tr["last_period"] == "2023Q4").all()
    assert "Cochran-Armitage" in result.meta["trend_test"]


def test_new_skill_detected() -> None:
    vac, creds, men = make_world()
    extra = [
        {"doc_type": "vacancy", "doc_id": f"v{q}-{j:03d}", "skill_uri": "h", "score": 1.0}
        for q in (2, 3)
        for j in range(0, 30)
    ]
    men = men[men["skill_uri"] != "h"]
    men = pd.concat([men, pd.DataFrame(extra)], ignore_index=True)
    res = analyse(vac, creds, men, make_taxonomy(), PARAMS)
    assert row(res.trends, scope="all", skill_uri="h")["status"] == "new"


def test_coverage_links_gold_and_mapped(result: GapAnalysis) -> None:
    cov = result.coverage
    b = row(cov, skill_uri="b", credential_id="C1")
    assert b["method"] == "gold" and b["score"] == 1.0 and b["eqf_level"] == 4
    d = row(cov, skill_uri="d", credential_id="C2")
    assert d["method"] == "semantic" and d["score"] == pytest.approx(0.9)
    assert set(cov["skill_uri"]) == {"b", "d", "e", "g"}


def test_transversal_and_language_skills_are_reported_apart() -> None:
    """A skill ESCO classes as transversal keeps its demand but never becomes advice."""
    vac, creds, men = make_world()
    tax = make_taxonomy()
    # make the develop skill "a" transversal by ESCO's reuse level
    tax.tables["skills"].loc[tax.tables["skills"]["uri"] == "a", "reuse_level"] = "transversal"
    res = analyse(vac, creds, men, tax, PARAMS)
    a = row(res.gaps, scope="all", skill_uri="a")
    assert a["classification"] == "reported_apart" and a["skill_kind"] == "transversal"
    assert "transversal competence" in a["rationale"]
    d = row(res.demand, breakdown="all", skill_uri="a")
    assert d["n_mentioning"] == 144 and d["skill_kind"] == "transversal"  # still counted
    assert "a" not in set(res.update_advice["skill_uri"])
    assert not any("a" in uris for uris in res.proposals["skill_uris"])
    assert "transversal" in res.meta["kind_rule"]


def test_classification_of_every_skill(result: GapAnalysis) -> None:
    g = result.gaps[result.gaps["scope"] == "all"].set_index("skill_uri")
    expected = {
        "a": "develop",
        # b is in ESCO's transversal collection: its demand is reported, not advised on
        "b": "reported_apart",
        "c": "update",
        "d": "covered",
        "e": "covered",
        "f": "insufficient_evidence",
        "g": "update",
        "h": "monitor",
    }
    assert g["classification"].to_dict() == expected
    assert g.loc["c", "update_credential_id"] == "C2"
    assert g.loc["g", "update_credential_id"] == "C3"
    assert g.loc["a", "update_credential_id"] is None
    assert g.loc["b", "gap_score"] == 0.0  # gold coverage removes the gap
    assert g.loc["a", "gap_score"] > g.loc["c", "gap_score"] > g.loc["h", "gap_score"]
    assert ((result.gaps["gap_score"] >= 0) & (result.gaps["gap_score"] <= 1)).all()
    assert g.loc["a", "group_uri"] == "G1" and g.loc["a", "group_label"] == "group one"
    assert "skill d" in g.loc["c", "rationale"]
    assert "gap_score" in result.meta["gap_formula"]


def test_narrow_scopes_only_keep_evidenced_skills(result: GapAnalysis) -> None:
    narrow = result.gaps[result.gaps["scope"] != "all"]
    assert (narrow["n_mentioning"] >= PARAMS.min_evidence).all()
    assert row(result.gaps, scope="sector=J", skill_uri="e")["classification"] == "covered"
    assert row(result.gaps, scope="sector=F", skill_uri="a")["classification"] == "develop"


def test_group_rollup_reaches_the_root(result: GapAnalysis) -> None:
    ru = result.group_rollup[result.group_rollup["scope"] == "all"].set_index("group_uri")
    assert ru.loc["G2", "n_update"] == 1 and ru.loc["G2", "n_skills"] == 2
    assert ru.loc["G1", "n_develop"] == 1
    assert ru.loc["R", "n_skills"] == 8 and ru.loc["R", "n_update"] == 2
    assert ru.loc["R", "group_label"] == "root"


def test_update_advice(result: GapAnalysis) -> None:
    adv = result.update_advice
    items = set(zip(adv["credential_id"], adv["kind"], adv["skill_uri"], strict=True))
    assert ("C2", "add_skill", "c") in items
    assert ("C3", "add_skill", "g") in items
    assert ("C1", "declining_skill", "e") in items
    assert not any(k == "add_skill" and s in {"b", "d", "e"} for _, k, s in items)
    assert row(adv, credential_id="C1", kind="declining_skill")["growth"] == pytest.approx(0.2)


def test_proposals_bundle_develop_skills(result: GapAnalysis) -> None:
    props = result.proposals
    assert len(props) >= 1
    first = props.iloc[0]
    assert "a" in first["skill_uris"]
    assert len(first["skill_uris"]) <= PARAMS.proposal_max_skills
    assert len(first["learning_outcomes"]) == len(first["skill_uris"])
    assert first["ects_min"] < first["ects_max"] and 1 <= first["eqf_level"] <= 8
    assert first["level_reasoning"].startswith(f"EQF {first['eqf_level']}")
    assert first["sectors"] == ["F"]
    assert bool(first["green"])


def test_evidence_snippets(result: GapAnalysis) -> None:
    ev = result.evidence
    a = ev[ev["skill_uri"] == "a"]
    assert 1 <= len(a) <= PARAMS.evidence_per_skill
    for snippet, matched in zip(a["snippet"], a["matched"], strict=True):
        assert matched in snippet
    assert (a["period"] == "2023Q4").all()  # most recent first


def test_window_keeps_the_phrase_visible() -> None:
    text = "x " * 300 + "install heat pump units" + " y" * 300
    snippet = _window(text, "install heat pump", 80)
    assert "install heat pump" in snippet and len(snippet) <= 82


def test_credential_completeness(result: GapAnalysis) -> None:
    cc = result.credential_completeness.set_index("credential_id")
    assert cc.loc["C1", "n_missing"] == 0 and cc.loc["C1", "n_invalid"] == 0
    assert cc.loc["C1", "elem_learner_identification"] == "not_applicable"
    assert cc.loc["C3", "elem_eqf_level"] == "missing"
    assert cc.loc["C3", "elem_awarding_body"] == "missing"
    assert cc.loc["C4", "elem_eqf_level"] == "invalid"
    assert cc.loc["C4", "elem_notional_workload"] == "invalid"
    assert cc.loc["C4", "elem_learning_outcomes"] == "missing"
    assert (cc["n_present"] + cc["n_missing"] + cc["n_invalid"] == 10).all()


def test_ingest_element_flags_win_over_derived_ones() -> None:
    vac, creds, men = make_world()
    creds["elem_quality_assurance"] = ["invalid", None, None, None]
    res = analyse(vac, creds, men, make_taxonomy(), PARAMS)
    cc = res.credential_completeness.set_index("credential_id")
    assert cc.loc["C1", "elem_quality_assurance"] == "invalid"
    assert cc.loc["C2", "elem_quality_assurance"] == "present"


def test_missing_collections_are_said_not_invented() -> None:
    vac, creds, men = make_world()
    res = analyse(vac, creds, men, make_taxonomy(collections=False), PARAMS)
    assert "flags_missing" in res.meta
    assert not res.gaps[["green", "digital", "transversal"]].to_numpy().any()


def test_meta_documents_the_run(result: GapAnalysis) -> None:
    m = result.meta
    assert m["periods"]["list"] == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert m["counts"]["vacancies"] == 800 and m["counts"]["credentials"] == 4
    assert m["params"]["min_evidence"] == 10
    for key in ("gap_formula", "trend_test", "classification_rule", "demand_rule"):
        assert isinstance(m[key], str) and len(m[key]) > 40


def test_too_little_data_is_marked_not_invented() -> None:
    vac, creds, men = make_world()
    vac = vac.iloc[:20]
    res = analyse(vac, creds, men, make_taxonomy(), PARAMS)
    assert set(res.gaps["classification"]) == {"insufficient_evidence"}
    reasons = [c["reason"] for c in res.meta["insufficient"]]
    assert any("in total" in r for r in reasons)
    assert any("trends need" in r for r in reasons)
    assert res.proposals.empty


def test_no_mentions_gives_empty_tables_with_columns() -> None:
    vac, creds, _ = make_world()
    empty = pd.DataFrame(columns=["doc_type", "doc_id", "skill_uri"])
    res = analyse(vac, creds, empty, make_taxonomy(), PARAMS)
    assert res.demand.empty and res.gaps.empty and res.proposals.empty
    assert len(res.credential_completeness) == 4


def test_bad_input_names_the_missing_column() -> None:
    vac, creds, men = make_world()
    with pytest.raises(InputError, match="skill_uri"):
        analyse(vac, creds, men.drop(columns="skill_uri"), make_taxonomy())


def test_params_validation() -> None:
    assert AnalysisParams(breakdowns=["region+sector", "all"]).breakdowns == ["sector+region"]
    with pytest.raises(ValueError, match="unknown dimension"):
        AnalysisParams(breakdowns=["city"])
    with pytest.raises(ValueError, match="extra"):
        AnalysisParams(min_evidnce=3)
    with pytest.raises(ValueError):
        AnalysisParams(partial_coverage_threshold=0.9, coverage_threshold=0.5)
    p = AnalysisParams(breakdowns=["sector+period", "region"])
    assert p.scope_breakdowns() == [(), ("region",)]


def test_month_periods_and_combined_period_breakdown() -> None:
    vac, creds, men = make_world()
    params = AnalysisParams(breakdowns=["sector+period"], period="month")
    res = analyse(vac, creds, men, make_taxonomy(), params)
    assert res.meta["periods"]["list"] == ["2023-01", "2023-04", "2023-07", "2023-10"]
    cell = row(res.demand, breakdown="sector+period", sector="F", period="2023-10", skill_uri="a")
    assert cell["n_vacancies"] == 150 and cell["n_mentioning"] == 80
    # a breakdown with period is a demand cell, never a gap scope
    assert set(res.gaps["scope"]) == {"all"}
