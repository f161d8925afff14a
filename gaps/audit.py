"""Audit sheets: a seeded sample of stored mentions for a person to judge, and its score.

Why: a report is only as credible as the mentions it counts, and no benchmark measures the
ads of a given analysis. ``sample_sheet`` draws mentions from a run's ``skill_mentions``
(seeded, so two people can judge the same sample), with what a reader needs to judge each
one (the sentence, the phrase, the skill with its description); a person fills the
``judgement`` column with ``correct``, ``partly`` or ``wrong``; ``score_sheet`` turns the
judged sheet into strict precision (correct only) and lenient precision (correct or
partly), with Wilson intervals, overall and per score band.

Pure functions over tables, like the rest of the analysis layer; the ``skillgap audit``
commands read the store and write the sheet.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd

from skillgap.errors import InputError
from skillgap.gaps.stats import wilson_interval
from skillgap.taxonomies.model import Taxonomy

JUDGEMENTS = ("correct", "partly", "wrong")
SHEET_COLUMNS = (
    "n",
    "doc_type",
    "doc_id",
    "title",
    "sentence",
    "phrase",
    "skill_label",
    "skill_uri",
    "skill_description",
    "score",
    "method",
    "field",
    "judgement",
    "note",
)
SCORE_BANDS = (0.0, 0.3, 0.5, 0.7, 1.0001)
CUTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5)  # thresholds always tabulated


def sample_sheet(
    mentions: pd.DataFrame,
    documents: pd.DataFrame,
    taxonomy: Taxonomy,
    n: int,
    seed: int,
    *,
    min_score: float = 0.0,
    id_column: str = "vacancy_id",
) -> pd.DataFrame:
    """``n`` mentions drawn uniformly (seeded) among those scoring >= ``min_score``.

    ``documents`` gives each mention its document title (``id_column``, ``title``).
    Fewer rows come back when fewer mentions qualify; none is drawn twice.
    """
    if n < 1:
        raise InputError(f"audit sample size must be at least 1, not {n}")
    m = mentions[pd.to_numeric(mentions["score"], errors="coerce") >= min_score]
    # a stable order first, so the seed alone decides the sample
    m = m.sort_values(["doc_type", "doc_id", "skill_uri"], kind="stable").reset_index(drop=True)
    rng = np.random.default_rng(seed)
    pick = np.sort(rng.choice(len(m), size=min(n, len(m)), replace=False)) if len(m) else []
    s = m.iloc[list(pick)].reset_index(drop=True)
    titles = (
        dict(zip(documents[id_column].astype(str), documents["title"], strict=True))
        if len(documents) and "title" in documents.columns
        else {}
    )
    skills = taxonomy.skills.drop_duplicates("uri").set_index("uri")
    out = pd.DataFrame(
        {
            "n": np.arange(1, len(s) + 1),
            "doc_type": s["doc_type"].astype(str),
            "doc_id": s["doc_id"].astype(str),
            "title": [str(titles.get(str(d), "") or "") for d in s["doc_id"]],
            "sentence": s["sentence"].fillna("").astype(str),
            "phrase": s["span"].fillna("").astype(str),
            "skill_label": skills["preferred_label"].reindex(s["skill_uri"]).fillna("").values,
            "skill_uri": s["skill_uri"].astype(str),
            "skill_description": skills["description"]
            .reindex(s["skill_uri"])
            .fillna("")
            .astype(str)
            .str.slice(0, 300)
            .values,
            "score": pd.to_numeric(s["score"], errors="coerce").round(4),
            "method": s["method"].fillna("").astype(str),
            "field": s["field"].fillna("").astype(str) if "field" in s.columns else "",
            "judgement": "",
            "note": "",
        }
    )
    return out[list(SHEET_COLUMNS)]


def _interval(k: int, n: int) -> tuple[float | None, float | None]:
    if n == 0:
        return None, None
    lo, hi = wilson_interval(np.array([k]), np.array([n]))
    return round(float(lo[0]), 4), round(float(hi[0]), 4)


def score_sheet(sheet: pd.DataFrame, where: str = "sheet") -> dict[str, Any]:
    """Precision of a judged sheet: strict (correct) and lenient (correct or partly).

    Rows with an empty judgement are counted as unjudged; any other value than those in
    ``JUDGEMENTS`` is an error naming the row, so a typo never passes as "wrong".
    """
    missing = [c for c in ("judgement", "score") if c not in sheet.columns]
    if missing:
        raise InputError(f"{where}: audit sheet lacks column(s) {missing}")
    judged = sheet["judgement"].fillna("").astype(str).str.strip().str.lower()
    numbers = sheet["n"] if "n" in sheet.columns else pd.Series(sheet.index + 1)
    bad = [(i, v) for i, v in zip(numbers, judged, strict=True) if v and v not in JUDGEMENTS]
    if bad:
        row, value = bad[0]
        raise InputError(
            f"{where}: row {row}: judgement {value!r} is not one of {', '.join(JUDGEMENTS)} "
            f"({len(bad)} such row(s))"
        )
    scores = pd.to_numeric(sheet["score"], errors="coerce")
    done = judged != ""

    def summary(mask: pd.Series) -> dict[str, Any]:
        j = judged[mask & done]
        k = len(j)
        correct = int((j == "correct").sum())
        partly = int((j == "partly").sum())
        strict_lo, strict_hi = _interval(correct, k)
        lenient_lo, lenient_hi = _interval(correct + partly, k)
        return {
            "judged": k,
            "correct": correct,
            "partly": partly,
            "wrong": k - correct - partly,
            "strict_precision": correct / k if k else None,
            "strict_interval": [strict_lo, strict_hi],
            "lenient_precision": (correct + partly) / k if k else None,
            "lenient_interval": [lenient_lo, lenient_hi],
        }

    bands = []
    for lo, hi in itertools.pairwise(SCORE_BANDS):
        row = summary((scores >= lo) & (scores < hi))
        bands.append({"band": f"{lo:.1f}-{min(hi, 1.0):.1f}", **row})
    # what a demand threshold at each judged score would keep, for calibrating it
    cuts = sorted({round(float(x), 2) for x in scores[done].dropna()} | set(CUTS))
    above = [{"threshold": t, **summary(scores >= t)} for t in cuts]
    return {
        "rows": len(sheet),
        "unjudged": int((~done).sum()),
        **summary(pd.Series(True, index=sheet.index)),
        "by_score": bands,
        "at_or_above": [a for a in above if a["judged"]],
    }


def calibrate_threshold(
    scored: dict[str, Any], target: float, min_judged: int = 30
) -> dict[str, Any] | None:
    """The lowest demand threshold whose judged strict precision reaches ``target`` with
    at least ``min_judged`` judged mentions at or above it (``score_sheet``'s
    ``at_or_above``), or None when no threshold does."""
    for row in scored.get("at_or_above", []):
        p = row["strict_precision"]
        if row["judged"] >= min_judged and p is not None and p >= target:
            return row
    return None
