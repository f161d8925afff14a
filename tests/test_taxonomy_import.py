"""The official ESCO bundles from ../shared, read through the real importer and store."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from skillgap.config import Settings
from skillgap.errors import InputError, MissingDataError
from skillgap.taxonomies.esco_csv import read_esco_bundle, split_labels
from skillgap.taxonomies.model import TABLE_COLUMNS
from skillgap.taxonomies.store import import_taxonomy, list_snapshots, load_taxonomy
from tests.shared_data import shared_path

SKILL = "http://data.europa.eu/esco/skill/"
MANAGE_MUSICAL_STAFF = SKILL + "0005c151-5b5a-4a66-8aac-60e734beb1ab"
HASKELL = SKILL + "000f1d3d-220f-4789-9c0a-cc742521fb02"
TECHNICAL_DIRECTOR = "http://data.europa.eu/esco/occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"


def test_official_v111_counts(esco_official) -> None:
    counts = esco_official.counts()
    assert counts["skills"] == 13_896
    assert counts["occupations"] == 3_007
    assert counts["occupation_skills"] == 123_855
    rel = esco_official.tables["occupation_skills"]
    assert (rel["relation_type"] == "essential").sum() == 64_946
    assert (rel["relation_type"] == "optional").sum() == 58_909
    assert len(esco_official.in_collection("green")) == 570
    assert len(esco_official.in_collection("digital")) == 1_201
    assert len(esco_official.in_collection("transversal")) == 96
    assert len(esco_official.in_collection("language")) == 346
    assert len(esco_official.in_collection("digcomp")) == 26
    assert len(esco_official.in_collection("research")) == 40
    assert counts["skill_relations"] == 5_899
    assert counts["skill_broader"] == 20_656
    assert counts["groups"] == 647
    assert esco_official.missing == []
    # 67 relations (one occupation) point at an occupation absent from occupations_en.csv.
    assert esco_official.manifest["dangling"] == {"occupation_skills_unknown_occupation": 67}


def test_official_v111_manifest(esco_official) -> None:
    m = esco_official.manifest
    assert m["esco_version"] == "1.1.1"
    assert m["language"] == "en"
    assert m["file_naming"] == "v1.1"
    assert m["kind"] == "official"
    assert m["snapshot_id"].startswith("esco-v1.1.1-en-")
    assert len(m["checksums"]) == 17
    assert m["checksums"]["skills_en.csv"] == (
        "d20071099e1a0146313ca0a071cc2a132ed9b091349c1ca538b67d6e5643779f"
    )
    assert m["counts"]["skills"] == 13_896
    assert m["given_paths"] == [str(shared_path("esco", "v1.1.1").resolve())]
    md5 = {Path(s["path"]).name: s["md5"] for s in m["sources"]}
    # The MD5s the EC publishes for its v1.1.1 downloads (see ../shared SOURCES.md).
    assert md5 == {
        "ESCO dataset - v1.1.1 - classification - en - csv.zip": "bb2f89a9efae25d2216748c86d1cb413",
        "ESCO dataset - v1.1.1 - classification -  - csv.zip": "7b580b5cbf9efde2f8a904cff14c71c0",
    }
    assert sum(len(s["files"]) for s in m["sources"]) == 17


def test_skill_record_and_labels(esco_official) -> None:
    s = esco_official.skill(MANAGE_MUSICAL_STAFF)
    assert s["preferred_label"] == "manage musical staff"
    # altLabels are newline-separated inside one quoted field.
    assert s["alt_labels"] == [
        "manage staff of music",
        "coordinate duties of musical staff",
        "manage music staff",
        "direct musical staff",
        "manage musical staff",
    ]
    assert s["skill_type"] == "skill/competence"
    assert s["reuse_level"] == "sector-specific"
    assert s["status"] == "released"
    assert s["description"].startswith("Assign and manage staff tasks")
    assert esco_official.skills_by_label("Direct  Musical staff") == [MANAGE_MUSICAL_STAFF]


def test_hierarchy_of_known_skill(esco_official) -> None:
    groups = esco_official.groups_of_skill(HASKELL)
    codes = sorted(esco_official.group(g)["code"] for g in groups)
    # Haskell sits under ISCED-F 0613 (knowledge) and S5.6.1 (skills); these are the
    # codes ESCO's skillsHierarchy_en.csv gives (and ISCED-F codes for knowledge groups).
    assert codes == ["0613", "S5.6.1"]
    s561 = next(g for g in groups if esco_official.group(g)["code"] == "S5.6.1")
    chain = [esco_official.group(g)["code"] for g in esco_official.group_ancestors(s561)]
    assert chain == ["S5.6.1", "S5.6", "S5", "S"]
    labels = [esco_official.group(g)["label"] for g in esco_official.group_ancestors(s561)]
    assert labels[-1] == "skills"
    assert esco_official.group(s561)["level"] == 3
    assert HASKELL in esco_official.skills_of_group(esco_official.group_ancestors(s561)[1])


def test_every_skill_has_a_group(esco_official) -> None:
    placed = set(esco_official.tables["skill_groups"]["skill_uri"])
    assert placed == set(esco_official.skills["uri"])


def test_occupation_accessors(esco_official) -> None:
    ess = esco_official.essential_skills(TECHNICAL_DIRECTOR)
    every = esco_official.occupation_skills(TECHNICAL_DIRECTOR, None)
    assert len(ess) == len(every) == 8  # as in occupationSkillRelations.csv (grep)
    assert SKILL + "fed5b267-73fa-461d-9f69-827c78beb39d" in ess
    occ = esco_official.occupations.set_index("uri").loc[TECHNICAL_DIRECTOR]
    assert occ["preferred_label"] == "technical director"
    assert occ["isco_group"] == "2654"
    assert occ["code"] == "2654.1.7"
    assert esco_official.label(TECHNICAL_DIRECTOR) == "technical director"


def test_collection_alt_labels_use_pipe_separator() -> None:
    assert split_labels("a b | c d |  | a b", sep=" | ") == ["a b", "c d"]
    assert split_labels("x\ny\n\nx") == ["x", "y"]


def test_loaded_tables_have_model_columns_and_python_lists(esco_official) -> None:
    for name, cols in TABLE_COLUMNS.items():
        assert tuple(esco_official.tables[name].columns) == cols, name
    assert isinstance(esco_official.skills["alt_labels"].iloc[0], list)
    assert isinstance(esco_official.groups["parents"].iloc[5], list)


def test_zips_and_extracted_folder_give_one_snapshot(tmp_path: Path, esco_official) -> None:
    import zipfile

    extracted = tmp_path / "extracted"
    for z in shared_path("esco", "v1.1.1").glob("*.zip"):
        with zipfile.ZipFile(z) as zf:
            zf.extractall(extracted / z.stem)
    from skillgap.taxonomies.esco_csv import bundle_snapshot_id, discover

    bundle = discover([extracted], version="1.1.1")
    assert sorted(bundle.files) == sorted(
        n.split("_")[0].removesuffix(".csv") for n in esco_official.manifest["checksums"]
    )
    assert bundle.file_naming == "v1.1"
    # Same CSV bytes whether zipped or not: one snapshot id, so a no-op re-import.
    assert bundle_snapshot_id(bundle) == esco_official.snapshot_id


def _v12_with_v111_skills(tmp_path: Path) -> Path:
    """v1.2.0 files (v1.2 naming) plus the v1.1.1 skills_en.csv, in one temp folder."""
    import zipfile

    folder = tmp_path / "v12mix"
    shutil.copytree(shared_path("esco", "v1.2.0-partial"), folder)
    for p in folder.iterdir():
        p.chmod(0o644)
    (folder / "SOURCES.md").unlink()
    en_zip = next(shared_path("esco", "v1.1.1").glob("*- en - csv.zip"))
    with zipfile.ZipFile(en_zip) as zf:
        (folder / "skills_en.csv").write_bytes(zf.read("skills_en.csv"))
    return folder


def test_v12_naming_relations_and_collections(tmp_path: Path) -> None:
    tax = read_esco_bundle([_v12_with_v111_skills(tmp_path)], version="1.2.0")
    m = tax.manifest
    assert m["file_naming"] == "v1.2"
    assert "broaderRelationsSkillPillar_en.csv" in m["checksums"]
    assert "skillSkillRelations_en.csv" in m["checksums"]
    assert m["counts"]["skill_broader"] == 20_822
    assert m["counts"]["occupations"] == 3_039
    # v1.2.0 collections, flagged on a v1.1.1 skills file: 558 of 591 green resolve.
    green = tax.in_collection("green")
    assert len(green) == 591
    assert len(green & set(tax.skills["uri"])) == 558
    assert m["dangling"]["collection_green_unknown_skill"] == 33
    assert len(tax.in_collection("digital")) == 1_284
    assert "occupation_skills" in m["missing"]
    assert "occupationSkillRelations" in m["missing_files"]
    with pytest.raises(MissingDataError, match="taxonomy download"):
        tax.essential_skills(TECHNICAL_DIRECTOR)


def test_v12_partial_without_skills_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no skills_xx\.csv"):
        read_esco_bundle([shared_path("esco", "v1.2.0-partial")])


def test_full_reimport_is_a_noop(esco_official_data_dir: Path, esco_official) -> None:
    from skillgap.taxonomies.store import import_bundle

    settings = Settings(data_dir=esco_official_data_dir, taxonomy=None)
    folder = Path(esco_official.manifest["path"])
    before = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    tax, written = import_bundle([shared_path("esco", "v1.1.1")], settings)
    assert written is False
    assert tax.snapshot_id == esco_official.snapshot_id
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_last_import_wins_and_config_pins(tmp_path: Path) -> None:
    from tests.test_taxonomy_bad_input import SKILLS_HEADER, _skill, mini_bundle, write_csv

    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    a = mini_bundle(tmp_path / "a")
    b = mini_bundle(tmp_path / "b")
    write_csv(b / "skills_en.csv", SKILLS_HEADER, [_skill(7, "other")])
    first = import_taxonomy([a], settings, version="1.1.1")
    second = import_taxonomy([b], settings, version="1.2.0")
    assert load_taxonomy(settings=settings).snapshot_id == second.snapshot_id
    again = import_taxonomy([a], settings, version="1.1.1")  # no-op, but now the latest
    assert again.snapshot_id == first.snapshot_id
    assert load_taxonomy(settings=settings).snapshot_id == first.snapshot_id
    assert [m["active"] for m in list_snapshots(settings)].count(True) == 1
    pinned = Settings(data_dir=tmp_path / "d", taxonomy=second.snapshot_id)
    assert load_taxonomy(settings=pinned).snapshot_id == second.snapshot_id


def test_collection_file_alt_labels_match_skills_file(esco_official) -> None:
    """The ' | ' quirk on real data: the green collection's alt labels, split on ' | ',
    are the skills file's newline-separated alt labels for the same skill."""
    import io
    import zipfile

    import pandas as pd

    en_zip = next(shared_path("esco", "v1.1.1").glob("*- en - csv.zip"))
    with zipfile.ZipFile(en_zip) as zf:
        green = pd.read_csv(
            io.BytesIO(zf.read("greenSkillsCollection_en.csv")), dtype=str, keep_default_na=False
        )
    same = sum(
        set(split_labels(alts, sep=" | ")) == set(esco_official.skill(uri)["alt_labels"])
        for uri, alts in zip(green["conceptUri"], green["altLabels"], strict=True)
    )
    assert same == len(green) == 570
