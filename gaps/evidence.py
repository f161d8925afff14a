"""Example ad snippets behind the claims, so a reader can check a gap against real ads."""

from __future__ import annotations

import pandas as pd

from skillgap.gaps.params import AnalysisParams
from skillgap.gaps.tables import EVIDENCE_COLUMNS


def _window(text: str, phrase: str | None, width: int) -> str:
    """A piece of ``text`` at most ``width`` long, centred on ``phrase`` when it occurs."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    pos = text.lower().find(phrase.lower()) if phrase else -1
    if pos < 0:
        return text[: width - 1].rstrip() + "…"
    start = max(0, pos - (width - len(phrase)) // 2)
    end = min(len(text), start + width)
    start = max(0, end - width)
    piece = text[start:end].strip()
    return ("…" if start > 0 else "") + piece + ("…" if end < len(text) else "")


def evidence_table(
    skills: list[str],
    demand_mentions: pd.DataFrame,
    vacancies: pd.DataFrame,
    params: AnalysisParams,
) -> pd.DataFrame:
    """Up to ``evidence_per_skill`` snippets for each skill in ``skills`` (in that order).

    Best-scoring mentions first, and among equals the most recent, so the examples show
    what employers ask for now. The snippet is the mention's sentence when the mapper kept
    it, else a window of the ad text around the matched phrase.
    """
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in EVIDENCE_COLUMNS})
    skills = skills[: params.evidence_max_skills]
    if not skills or params.evidence_per_skill == 0:
        return empty
    m = demand_mentions[demand_mentions["skill_uri"].isin(skills)]
    if m.empty:
        return empty
    order = {u: i for i, u in enumerate(skills)}
    m = m.assign(_o=m["skill_uri"].map(order), _p=m["period"].fillna(""))
    m = m.sort_values(["_o", "score", "_p", "vacancy_id"], ascending=[True, False, False, True])
    m = m.groupby("skill_uri", sort=False).head(params.evidence_per_skill)
    texts: dict[str, str] = {}
    need = m.loc[m["sentence"].isna(), "vacancy_id"].unique()
    if len(need) and "text" in vacancies.columns:
        v = vacancies[vacancies["vacancy_id"].astype(str).isin(need)]
        texts = dict(zip(v["vacancy_id"].astype(str), v["text"].fillna(""), strict=True))
    snippets = []
    for sent, span, vid in zip(m["sentence"], m["span"], m["vacancy_id"], strict=True):
        source = sent if isinstance(sent, str) else texts.get(str(vid), "")
        snippets.append(
            _window(source, span if isinstance(span, str) else None, params.snippet_chars)
        )
    out = pd.DataFrame(
        {
            "skill_uri": m["skill_uri"].to_numpy(),
            "vacancy_id": m["vacancy_id"].to_numpy(),
            "sector": m["sector"].to_numpy(),
            "region": m["region"].to_numpy(),
            "period": m["period"].to_numpy(),
            "snippet": snippets,
            "matched": m["span"].to_numpy(),
            "score": m["score"].to_numpy(float),
        }
    )
    return out[out["snippet"] != ""][list(EVIDENCE_COLUMNS)].reset_index(drop=True)
