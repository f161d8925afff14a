"""Helpers shared by the mapping benchmarks: the official ESCO taxonomy and the dev queries.

The official taxonomy comes from the taxonomy layer's importer when it exists
(``skillgap.taxonomies.esco_csv.read_esco_bundle``). Until then (and as a fallback when it
fails) the skills and occupation tables are read straight out of the official zip, which is
all the mapper needs; the fallback is tagged in the manifest so figures say which was used.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pandas as pd

from skillgap.taxonomies.model import Taxonomy
from tests.shared_data import find_shared

EN_ZIP = "esco/v1.1.1/ESCO dataset - v1.1.1 - classification - en - csv.zip"
REL_ZIP = "esco/v1.1.1/ESCO dataset - v1.1.1 - classification -  - csv.zip"
DEV_DIR = "eval/skillmap-dev"
SPLITS = ("tech", "house")


def shared_root() -> Path:
    root = find_shared()
    if root is None:
        raise SystemExit("../shared not found (set SKILLGAP_SHARED)")
    return root


def _split_labels(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [v.strip() for v in value.split("\n") if v.strip()]


def _read_zip_csv(zf: zipfile.ZipFile, name: str) -> pd.DataFrame:
    with zf.open(name) as fh:
        return pd.read_csv(io.BytesIO(fh.read()), dtype=str, keep_default_na=False)


def read_official_fallback(root: Path) -> Taxonomy:
    """Skills, occupations and occupation-skill relations from the official zips."""
    with zipfile.ZipFile(root / EN_ZIP) as zf:
        raw = _read_zip_csv(zf, "skills_en.csv")
        occ = _read_zip_csv(zf, "occupations_en.csv")
    skills = pd.DataFrame(
        {
            "uri": raw["conceptUri"],
            "preferred_label": raw["preferredLabel"],
            "alt_labels": raw["altLabels"].map(_split_labels),
            "hidden_labels": raw["hiddenLabels"].map(_split_labels),
            "description": raw["description"],
            "skill_type": raw["skillType"],
            "reuse_level": raw["reuseLevel"],
            "status": raw["status"],
        }
    )
    occupations = pd.DataFrame(
        {
            "uri": occ["conceptUri"],
            "preferred_label": occ["preferredLabel"],
            "alt_labels": occ["altLabels"].map(_split_labels),
            "hidden_labels": occ["hiddenLabels"].map(_split_labels),
            "description": occ["description"],
            "isco_group": occ["iscoGroup"],
            "code": occ["code"],
        }
    )
    with zipfile.ZipFile(root / REL_ZIP) as zf:
        rel = _read_zip_csv(zf, "occupationSkillRelations.csv")
    occ_skills = pd.DataFrame(
        {
            "occupation_uri": rel["occupationUri"],
            "skill_uri": rel["skillUri"],
            "relation_type": rel["relationType"],
            "skill_type": rel["skillType"],
        }
    )
    digest = hashlib.sha256(
        "\n".join(skills["uri"] + "\t" + skills["preferred_label"]).encode()
    ).hexdigest()[:12]
    manifest = {
        "esco_version": "1.1.1",
        "language": "en",
        "snapshot_id": f"esco-1.1.1-en-zipfallback-{digest}",
        "source": "benchmarks.mapping_common fallback reader",
    }
    return Taxonomy(
        tables={"skills": skills, "occupations": occupations, "occupation_skills": occ_skills},
        manifest=manifest,
    )


def load_official_taxonomy() -> Taxonomy:
    """The full official ESCO v1.1.1 English taxonomy (importer first, fallback second)."""
    root = shared_root()
    try:
        from skillgap.taxonomies.esco_csv import read_esco_bundle  # type: ignore[import-not-found]

        return read_esco_bundle([root / EN_ZIP, root / REL_ZIP])
    except ImportError:
        return read_official_fallback(root)


def load_dev_queries(split: str) -> list[tuple[str, set[str]]]:
    """(sentence, gold normalised preferred labels) per the dev README protocol.

    Identical sentences are merged, LABEL NOT PRESENT / UNDERSPECIFIED dropped, and
    sentences left with no label are not scored.
    """
    path = shared_root() / DEV_DIR / f"{split}_validation_annotations.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    gold: dict[str, set[str]] = {}
    for sentence, label in zip(df["sentence"], df["label"], strict=True):
        if label in ("LABEL NOT PRESENT", "UNDERSPECIFIED") or not label.strip():
            continue
        gold.setdefault(sentence, set()).add(" ".join(label.lower().split()))
    return [(s, g) for s, g in gold.items() if g]
