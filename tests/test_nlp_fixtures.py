"""Fixtures for the mapper tests: a small real ESCO subset with a real encoder.

The full ESCO index takes minutes to embed, so tests use ~400 skills drawn from the
official bundle: every skill the tests name plus a fixed sample of others as distractors.
The subset is saved as a taxonomy snapshot in a per-session data dir, and its skill index
is cached there, so the CLI tests and the API tests share one build.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

NAMED_SKILLS = (
    "Python (computer programming)",
    "Java (computer programming)",
    "JavaScript",
    "SQL",
    "provide first aid",
    "manage budgets",
    "work in teams",
    "communication",
    "negotiate salaries",
    "C++",
    "R",
    "use spreadsheets software",
    "customer service",
    "cloud technologies",
)


def _subset(esco_official):
    from skillgap.taxonomies.model import Taxonomy

    skills = esco_official.skills
    named = skills[skills["preferred_label"].isin(NAMED_SKILLS)]
    others = skills[~skills["uri"].isin(named["uri"])].sample(n=400, random_state=7)
    sub = pd.concat([named, others]).reset_index(drop=True)
    rel = esco_official.tables["occupation_skills"]
    occ_skills = rel[rel["skill_uri"].isin(sub["uri"])].reset_index(drop=True)
    manifest = {
        "esco_version": esco_official.version,
        "language": "en",
        "snapshot_id": "test-esco-subset-v1",
    }
    return Taxonomy(
        tables={"skills": sub, "occupation_skills": occ_skills},
        manifest=manifest,
    )


@pytest.fixture(scope="session")
def nlp_data_dir(esco_official, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the subset snapshot (active) and, once built, its skill index."""
    from skillgap.config import Settings
    from skillgap.taxonomies.store import save_snapshot

    d = tmp_path_factory.getbasetemp() / "nlp-small" / "skillgap-data"
    if not (d / "taxonomies").is_dir():
        save_snapshot(_subset(esco_official), Settings(data_dir=d, taxonomy=None))
    return d


@pytest.fixture(scope="session")
def small_taxonomy(nlp_data_dir: Path):
    from skillgap.config import Settings
    from skillgap.taxonomies.store import load_taxonomy

    return load_taxonomy(settings=Settings(data_dir=nlp_data_dir, taxonomy=None))


@pytest.fixture(scope="session")
def small_mapper(small_taxonomy, nlp_data_dir: Path):
    from skillgap.config import Settings
    from skillgap.nlp.embed import bundled_model_dir
    from skillgap.nlp.mapper import SkillMapper

    # Pinned to the bundled encoder so these tests do not change meaning when a
    # fine-tuned encoder is packaged (that one is tested by the training tests).
    return SkillMapper.load(
        small_taxonomy,
        Settings(data_dir=nlp_data_dir, taxonomy=None),
        model_path=bundled_model_dir(),
    )
