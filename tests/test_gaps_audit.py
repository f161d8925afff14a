"""Audit sheets: seeded samples of mentions and the precision of a judged sheet."""

from __future__ import annotations

import pandas as pd
import pytest

from skillgap.errors import InputError
from skillgap.gaps.audit import SHEET_COLUMNS, sample_sheet, score_sheet
from tests.test_gaps_analysis import make_taxonomy


def _mentions(n: int = 40) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_type": "vacancy",
            "doc_id": [f"v{i % 13}" for i in range(n)],
            "sentence": [f"sentence {i}" for i in range(n)],
            "span": [f"phrase {i}" for i in range(n)],
            "skill_uri": [["a", "b", "c", "d"][i % 4] for i in range(n)],
            "score": [i / n for i in range(n)],
            "method": "semantic",
            "field": "text",
        }
    )


def test_sample_is_seeded_bounded_and_readable() -> None:
    vac = pd.DataFrame({"vacancy_id": [f"v{i}" for i in range(13)], "title": "Analyst"})
    tax = make_taxonomy()
    a = sample_sheet(_mentions(), vac, tax, n=10, seed=3, min_score=0.25)
    b = sample_sheet(
        _mentions().sample(frac=1, random_state=1), vac, tax, n=10, seed=3, min_score=0.25
    )
    assert list(a.columns) == list(SHEET_COLUMNS)
    assert len(a) == 10 and (a["score"] >= 0.25).all()
    # the seed, not the row order of the store, decides the sample
    assert a[["doc_id", "skill_uri", "sentence"]].equals(b[["doc_id", "skill_uri", "sentence"]])
    assert set(a["title"]) == {"Analyst"} and (a["judgement"] == "").all()
    assert len(sample_sheet(_mentions(), vac, tax, n=500, seed=3)) == 40  # no repeats
    with pytest.raises(InputError, match="at least 1"):
        sample_sheet(_mentions(), vac, tax, n=0, seed=3)


def test_score_counts_strict_and_lenient_precision() -> None:
    sheet = pd.DataFrame(
        {
            "n": range(1, 9),
            "score": [0.1, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99],
            "judgement": [
                "wrong",
                "partly",
                "correct",
                "correct",
                "Correct ",
                "wrong",
                "",
                "partly",
            ],
        }
    )
    res = score_sheet(sheet)
    assert res["judged"] == 7 and res["unjudged"] == 1
    assert (res["correct"], res["partly"], res["wrong"]) == (3, 2, 2)
    assert res["strict_precision"] == pytest.approx(3 / 7)
    assert res["lenient_precision"] == pytest.approx(5 / 7)
    lo, hi = res["strict_interval"]
    assert lo < 3 / 7 < hi
    bands = {b["band"]: b for b in res["by_score"]}
    assert bands["0.0-0.3"]["judged"] == 2 and bands["0.7-1.0"]["judged"] == 3
    above = {a["threshold"]: a for a in res["at_or_above"]}
    # score >= 0.4 keeps 0.4, 0.6, 0.8, 0.9, 0.99 (0.95 is unjudged): 3 correct of 5
    assert above[0.4]["judged"] == 5 and above[0.4]["strict_precision"] == pytest.approx(0.6)
    assert above[0.0]["judged"] == 7


def test_calibrated_threshold_is_the_lowest_that_reaches_the_target() -> None:
    from skillgap.gaps.audit import calibrate_threshold

    scores = [i / 100 for i in range(100)]
    # wrong below 0.3, correct from there: precision of score >= t rises with t
    sheet = pd.DataFrame(
        {
            "n": range(1, 101),
            "score": scores,
            "judgement": ["wrong" if x < 0.3 else "correct" for x in scores],
        }
    )
    res = score_sheet(sheet)
    best = calibrate_threshold(res, 0.9)
    assert best is not None and best["strict_precision"] >= 0.9
    assert best["threshold"] == pytest.approx(0.23)  # 70 correct of 77 kept = 0.909
    assert calibrate_threshold(res, 0.9, min_judged=500) is None


def test_score_refuses_unknown_judgements() -> None:
    sheet = pd.DataFrame({"n": [1, 2], "score": [0.5, 0.5], "judgement": ["correct", "maybe"]})
    with pytest.raises(InputError, match="row 2: judgement 'maybe'"):
        score_sheet(sheet, "sheet.csv")


def test_report_states_the_precision_the_demand_threshold_stands_on() -> None:
    from skillgap.reports.context import _demand_paragraph

    audit = {
        "threshold": 0.3,
        "judged_at_threshold": 104,
        "strict_precision": 0.72,
        "lenient_precision": 0.88,
        "sample": "UK job ads",
    }
    method = {"audit": audit}
    same = _demand_paragraph(method, {"params": {"min_mention_score": 0.3}})
    assert same is not None and "at least 0.3" in same and "104 mentions" in same
    assert "72%" in same and "88%" in same and "not the audited" not in same
    other = _demand_paragraph(method, {"params": {"min_mention_score": 0.1}})
    assert other is not None and "not the audited threshold (0.3)" in other
    bare = _demand_paragraph({}, {"params": {"min_mention_score": 0.3}})
    assert bare is not None and "No judged audit" in bare
    assert _demand_paragraph(method, {"params": {}}) is None
