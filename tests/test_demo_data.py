"""The committed demo data: contract columns, spread, ESCO labels in the text, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from skillgap import demo
from skillgap.demo import catalog
from skillgap.demo.generate import DEFAULT_SEED, DEFAULT_VACANCIES, generate
from skillgap.schemas import columns


@pytest.fixture(scope="module")
def vacancies() -> pd.DataFrame:
    return demo.load_vacancies()


@pytest.fixture(scope="module")
def truth() -> pd.DataFrame:
    return demo.load_truth_mentions()


def test_files_are_small_and_present() -> None:
    for name in ("vacancies.csv", "credentials.jsonl", "truth_mentions.parquet",
                 "planted.json", "esco_subset.json", "demo.toml", "PLANTED.md"):  # fmt: skip
        path = demo.DATA_DIR / name
        assert path.is_file(), name
        assert path.stat().st_size < 3_000_000, name


def test_vacancies_follow_the_contract(vacancies: pd.DataFrame) -> None:
    expected = ["vacancy_id", "title", "text", "posted_date", "location_raw", "region",
                "sector", "occupation", "language"]  # fmt: skip
    assert list(vacancies.columns) == expected
    assert set(expected) <= set(columns("vacancies"))
    assert 2500 <= len(vacancies) <= 3500
    assert vacancies["vacancy_id"].is_unique
    assert vacancies["sector"].nunique() >= 3 and vacancies["region"].nunique() >= 4
    quarters = pd.to_datetime(vacancies["posted_date"]).dt.to_period("Q").astype(str)
    assert sorted(quarters.unique()) == list(catalog.QUARTERS)
    assert vacancies["region"].str.fullmatch(r"[A-Z]{2}[0-9A-Z]{2}").all()  # NUTS-2
    assert vacancies["occupation"].str.startswith("http://data.europa.eu/esco/occupation/").all()
    assert (vacancies["text"].str.len() > 200).all()


def test_credentials_follow_the_contract() -> None:
    creds = demo.load_credentials()
    assert 40 <= len(creds) <= 60 and creds["credential_id"].is_unique
    assert set(creds.columns) <= set(columns("credentials"))
    assert all(isinstance(lo, list) and lo for lo in creds["learning_outcomes"])
    # most records complete, some incomplete on purpose
    assert creds["quality_assurance"].notna().mean() > 0.8
    assert creds["quality_assurance"].isna().any() and creds["eqf_level"].isna().any()
    assert (creds["eqf_level"].dropna() > 8).sum() == 1
    assert sum(len(s) > 0 for s in creds["esco_skills"]) >= 10


def test_truth_mentions_point_at_real_text(vacancies: pd.DataFrame, truth: pd.DataFrame) -> None:
    assert list(truth.columns) == columns("skill_mentions")
    assert set(truth["method"]) == {"gold"} and set(truth["doc_type"]) == {"vacancy", "credential"}
    texts = dict(zip(vacancies["vacancy_id"], vacancies["text"], strict=True))
    vt = truth[truth["doc_type"] == "vacancy"]
    assert set(vt["doc_id"]) <= set(texts)
    for doc, sentence, span in zip(vt["doc_id"], vt["sentence"], vt["span"], strict=True):
        assert sentence in texts[doc] and span in sentence
    assert not vt.duplicated(["doc_id", "skill_uri"]).any()


def test_spans_are_esco_labels_of_their_skill(truth: pd.DataFrame) -> None:
    tax = demo.demo_taxonomy()
    for uri, span in truth[["skill_uri", "span"]].drop_duplicates().itertuples(index=False):
        assert uri in tax.skills_by_label(span), (uri, span)


def test_esco_subset_matches_the_official_bundle(esco_official) -> None:
    subset = json.loads((demo.DATA_DIR / "esco_subset.json").read_text(encoding="utf-8"))
    official = esco_official.skills.set_index("uri")
    for s in subset["skills"]:
        assert official.loc[s["uri"], "preferred_label"] == s["preferred_label"]
        alts = set(official.loc[s["uri"], "alt_labels"])
        assert set(s["alt_labels"]) <= alts
    occ = esco_official.occupations.set_index("uri")
    for o in subset["occupations"]:
        assert occ.loc[o["uri"], "preferred_label"] == o["preferred_label"]


def test_generator_is_reproducible_and_matches_committed_files(tmp_path: Path) -> None:
    paths = generate(tmp_path, seed=DEFAULT_SEED, n_vacancies=DEFAULT_VACANCIES)
    for name in ("vacancies", "credentials", "planted"):
        committed = demo.DATA_DIR / paths[name].name
        assert paths[name].read_bytes() == committed.read_bytes(), (
            f"{committed.name} is out of date: run scripts/make_demo_data.py"
        )
    other = generate(tmp_path / "other", seed=DEFAULT_SEED + 1, n_vacancies=200)
    assert other["vacancies"].read_bytes() != paths["vacancies"].read_bytes()
