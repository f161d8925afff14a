"""Bring the three input tables into the narrow shapes the analysis works on.

The analysis must accept frames straight from the store (Arrow-backed, dates as date32)
as well as hand-built ones in tests, so everything is normalised here once: dimension
values become plain strings or missing, posted_date becomes a period label, and mentions
are split into demand (vacancies) and supply (credentials, plus the catalogue's own gold
``esco_skills`` links).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from skillgap.errors import InputError
from skillgap.gaps.params import AnalysisParams
from skillgap.gaps.tables import FLAG_COLUMNS, KIND_COLUMN
from skillgap.taxonomies.kinds import skill_kinds
from skillgap.taxonomies.model import Taxonomy

_PERIOD_CODES = {"quarter": "Q", "month": "M", "year": "Y"}


def _require(df: pd.DataFrame, table: str, cols: list[str]) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise InputError(
            f"analysis input '{table}' lacks column(s) {missing}; has {list(df.columns)}"
        )


def _clean_str(s: pd.Series) -> pd.Series:
    """Strings stripped, empty -> missing, dtype object (None for missing)."""
    out = s.astype("string").str.strip()
    out = out.mask(out == "")
    return out.astype(object).where(out.notna(), None)


def period_labels(dates: pd.Series, period: str) -> pd.Series:
    """'2023Q1' / '2023-01' / '2023' labels from any date-like column (None if unparseable)."""
    parsed = pd.to_datetime(dates, errors="coerce")
    labels = parsed.dt.to_period(_PERIOD_CODES[period]).astype(str)
    return labels.astype(object).where(parsed.notna(), None)


def prepare_vacancies(vacancies: pd.DataFrame, params: AnalysisParams) -> pd.DataFrame:
    """One row per distinct vacancy: vacancy_id, sector, region, occupation, period."""
    _require(vacancies, "vacancies", ["vacancy_id"])
    out = pd.DataFrame({"vacancy_id": _clean_str(vacancies["vacancy_id"])})
    for dim in ("sector", "region", "occupation"):
        out[dim] = _clean_str(vacancies[dim]) if dim in vacancies.columns else None
    if "posted_date" in vacancies.columns:
        out["period"] = period_labels(vacancies["posted_date"], params.period)
    else:
        out["period"] = None
    out = out[out["vacancy_id"].notna()]
    return out.drop_duplicates("vacancy_id").reset_index(drop=True)


def _normalise_mentions(mentions: pd.DataFrame) -> pd.DataFrame:
    _require(mentions, "mentions", ["doc_type", "doc_id", "skill_uri"])
    m = pd.DataFrame(
        {
            "doc_type": _clean_str(mentions["doc_type"]),
            "doc_id": _clean_str(mentions["doc_id"]),
            "skill_uri": _clean_str(mentions["skill_uri"]),
        }
    )
    score = (
        pd.to_numeric(mentions["score"], errors="coerce")
        if "score" in mentions.columns
        else pd.Series(1.0, index=mentions.index)
    )
    m["score"] = score.fillna(1.0).astype(float).clip(0.0, 1.0)
    for col, default in (("method", "lexical"), ("sentence", None), ("span", None)):
        if col in mentions.columns:
            m[col] = _clean_str(mentions[col])
            if default is not None:
                m[col] = m[col].fillna(default)
        else:
            m[col] = default
    return m[m["doc_id"].notna() & m["skill_uri"].notna()]


def _best_per_pair(m: pd.DataFrame, doc_col: str) -> pd.DataFrame:
    """Keep the highest-scoring row per (document, skill): a skill counts once per ad."""
    m = m.sort_values(["score", "method"], ascending=[False, True], kind="stable")
    return m.drop_duplicates([doc_col, "skill_uri"], keep="first")


@dataclass
class Prepared:
    """Inputs in analysis shape, plus counts for ``meta``."""

    vac: pd.DataFrame  # vacancy_id, sector, region, occupation, period
    demand: pd.DataFrame  # vacancy mentions (one per vacancy x skill) joined with vac dims
    supply: pd.DataFrame  # credential_id, skill_uri, score, method (one per pair, best)
    credentials: pd.DataFrame  # the credentials table as given, ids cleaned
    periods: list[str]
    counts: dict[str, Any] = field(default_factory=dict)


def prepare(
    vacancies: pd.DataFrame,
    credentials: pd.DataFrame,
    mentions: pd.DataFrame,
    params: AnalysisParams,
) -> Prepared:
    """Normalise the inputs and split mentions into demand and supply."""
    vac = prepare_vacancies(vacancies, params)
    m = _normalise_mentions(mentions)
    doc_type = m["doc_type"].astype("string").str.lower()

    dem = m[(doc_type == "vacancy") & (m["score"] >= params.min_mention_score)]
    known = dem["doc_id"].isin(vac["vacancy_id"])
    orphans = int((~known).sum())
    dem = _best_per_pair(dem[known], "doc_id").rename(columns={"doc_id": "vacancy_id"})
    dem = dem.drop(columns=["doc_type"]).merge(vac, on="vacancy_id", how="left")

    creds = credentials.copy()
    if "credential_id" not in creds.columns:
        _require(creds, "credentials", ["credential_id"])
    creds["credential_id"] = _clean_str(creds["credential_id"])
    sup = m[doc_type == "credential"].rename(columns={"doc_id": "credential_id"})
    sup = sup[["credential_id", "skill_uri", "score", "method"]]
    if "esco_skills" in creds.columns:
        gold = creds[["credential_id", "esco_skills"]].explode("esco_skills")
        gold = gold[gold["esco_skills"].notna()]
        gold = pd.DataFrame(
            {
                "credential_id": gold["credential_id"].to_numpy(),
                "skill_uri": _clean_str(gold["esco_skills"]).to_numpy(),
                "score": 1.0,
                "method": "gold",
            }
        )
        sup = pd.concat([sup, gold[gold["skill_uri"].notna()]], ignore_index=True)
    # gold wins ties: a catalogue's own ESCO link is the strongest evidence there is
    sup = sup.assign(_gold=(sup["method"] != "gold").astype(int))
    sup = sup.sort_values(["score", "_gold"], ascending=[False, True], kind="stable")
    sup = sup.drop_duplicates(["credential_id", "skill_uri"]).drop(columns="_gold")
    sup = sup[sup["credential_id"].isin(creds["credential_id"])].reset_index(drop=True)

    periods = sorted(p for p in vac["period"].dropna().unique())
    counts = {
        "vacancies": len(vac),
        "vacancies_without_period": int(vac["period"].isna().sum()),
        "credentials": len(creds),
        "mentions": len(m),
        "vacancy_mentions_used": len(dem),
        "vacancy_mentions_unknown_vacancy": orphans,
        "credential_skill_links": len(sup),
    }
    return Prepared(vac, dem.reset_index(drop=True), sup, creds, periods, counts)


@dataclass
class SkillInfo:
    """Per-skill labels, flags and primary ESCO group, for every skill the analysis saw."""

    table: pd.DataFrame  # index skill_uri: label, skill_type, description, group_uri, ...
    skill_groups: pd.DataFrame  # skill_uri, group_uri (all direct groups)
    flags_missing: str | None
    unknown: list[str]

    def attach(
        self, df: pd.DataFrame, cols: tuple[str, ...] = ("label", *FLAG_COLUMNS, KIND_COLUMN)
    ) -> pd.DataFrame:
        """Return ``df`` with ``cols`` looked up by its ``skill_uri`` column."""
        looked = self.table.reindex(df["skill_uri"].to_numpy())
        out = df.copy()
        for c in cols:
            values = looked[c].to_numpy()
            if c in FLAG_COLUMNS:
                values = np.where(pd.isna(values), False, values).astype(bool)
            elif c == "label":
                values = np.where(pd.isna(values), "", values)
            elif c == KIND_COLUMN:
                values = np.where(pd.isna(values), "skill", values)
            out[c] = values
        return out


def skill_info(uris: pd.Series, taxonomy: Taxonomy) -> SkillInfo:
    """Labels, flags and primary group of the given skills, looked up once, vectorised."""
    wanted = pd.Index(pd.unique(uris.dropna()))
    sk = taxonomy.skills
    sk = sk[sk["uri"].isin(wanted)].drop_duplicates("uri").set_index("uri")
    table = pd.DataFrame(index=wanted)
    table.index.name = "skill_uri"
    table["label"] = sk["preferred_label"].reindex(wanted).fillna("")
    table["skill_type"] = sk["skill_type"].reindex(wanted).fillna("")
    table["description"] = sk["description"].reindex(wanted).fillna("")
    table[KIND_COLUMN] = skill_kinds(taxonomy).reindex(wanted).fillna("skill")
    unknown = [u for u in wanted if u not in sk.index]

    flags_missing: str | None = None
    coll = taxonomy.tables["collections"]
    if taxonomy.has("collections"):
        coll = coll[coll["skill_uri"].isin(wanted)]
        members = {
            "green": {"green"},
            "digital": {"digital", "digcomp"},
            "transversal": {"transversal"},
        }
        for flag, names in members.items():
            flagged = set(coll.loc[coll["collection"].isin(names), "skill_uri"])
            table[flag] = table.index.isin(list(flagged))
    else:
        for flag in FLAG_COLUMNS:
            table[flag] = False
        flags_missing = (
            f"taxonomy '{taxonomy.snapshot_id or taxonomy.version}' has no ESCO collections, "
            "so the green/digital/transversal flags are all False (not 'no green skills'); "
            "import the official ESCO bundle to get them"
        )

    sg = taxonomy.tables["skill_groups"]
    sg = sg[sg["skill_uri"].isin(wanted)][["skill_uri", "group_uri"]].drop_duplicates()
    groups = taxonomy.groups[["uri", "label", "level"]].rename(
        columns={"uri": "group_uri", "label": "group_label"}
    )
    primary = sg.merge(groups, on="group_uri", how="left")
    primary["level"] = pd.to_numeric(primary["level"], errors="coerce").fillna(-1)
    # the most specific direct group (deepest level) is the one a reader recognises
    primary = primary.sort_values(
        ["skill_uri", "level", "group_uri"], ascending=[True, False, True]
    )
    primary = primary.drop_duplicates("skill_uri").set_index("skill_uri")
    table["group_uri"] = primary["group_uri"].reindex(wanted)
    table["group_label"] = primary["group_label"].reindex(wanted)
    table["group_uri"] = table["group_uri"].astype(object).where(table["group_uri"].notna(), None)
    table["group_label"] = (
        table["group_label"].astype(object).where(table["group_label"].notna(), None)
    )
    return SkillInfo(table, sg.reset_index(drop=True), flags_missing, unknown)
