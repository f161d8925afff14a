"""The embedded demo: a seeded, realistic sample of vacancies and micro-credentials.

``DATA_DIR`` holds the committed files (``vacancies.csv``, ``credentials.jsonl``,
``truth_mentions.parquet``, ``planted.json``, ``esco_subset.json``, ``demo.toml``,
``PLANTED.md``); ``scripts/make_demo_data.py`` regenerates them with
``skillgap.demo.generate.generate``. The loaders below read them for tests and the flow.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from skillgap.taxonomies.model import Taxonomy

DATA_DIR = Path(__file__).resolve().parent / "data"


def load_vacancies() -> pd.DataFrame:
    """The demo vacancies with ``posted_date`` parsed to dates."""
    df = pd.read_csv(DATA_DIR / "vacancies.csv", dtype=str, keep_default_na=False)
    df["posted_date"] = pd.to_datetime(df["posted_date"]).dt.date
    return df


def load_credentials() -> pd.DataFrame:
    """The demo credentials, one row per JSONL record (missing fields are None/NaN)."""
    records = [
        json.loads(line)
        for line in (DATA_DIR / "credentials.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    df = pd.DataFrame(records)
    if "esco_skills" in df.columns:
        df["esco_skills"] = [v if isinstance(v, list) else [] for v in df["esco_skills"]]
    return df


def load_truth_mentions() -> pd.DataFrame:
    """What each generated document was built to mention (skill_mentions contract, gold)."""
    return pd.read_parquet(DATA_DIR / "truth_mentions.parquet")


def load_planted() -> dict[str, Any]:
    return json.loads((DATA_DIR / "planted.json").read_text(encoding="utf-8"))


def demo_taxonomy() -> Taxonomy:
    """A small ``Taxonomy`` holding only the ESCO concepts the demo uses.

    Enough for the analysis tests (labels, hierarchy groups, collections, occupations with
    ISCO codes) without ../shared; the real flow uses the full active taxonomy instead.
    """
    from skillgap.taxonomies.model import Taxonomy

    raw = json.loads((DATA_DIR / "esco_subset.json").read_text(encoding="utf-8"))
    skills = pd.DataFrame(raw["skills"])
    for col in ("hidden_labels",):
        skills[col] = [[] for _ in range(len(skills))]
    for col in ("description", "reuse_level"):
        skills[col] = ""
    skills["status"] = "released"
    occupations = pd.DataFrame(raw["occupations"])
    for col in ("alt_labels", "hidden_labels"):
        occupations[col] = [[] for _ in range(len(occupations))]
    occupations["description"] = ""
    occupations["code"] = occupations["isco_group"]
    tables = {
        "skills": skills,
        "groups": pd.DataFrame(raw["groups"]).assign(description=""),
        "skill_groups": pd.DataFrame(raw["skill_groups"]),
        "collections": pd.DataFrame(raw["collections"]),
        "occupations": occupations,
    }
    manifest = {
        "esco_version": raw["esco_version"],
        "language": "en",
        "snapshot_id": "demo-esco-subset",
        "kind": "demo subset",
        "missing": ["skill_broader", "occupation_skills", "skill_relations"],
    }
    return Taxonomy(tables, manifest)
