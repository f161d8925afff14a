"""Bad ESCO input: one clear InputError naming the file and the problem, and any existing
snapshot left exactly as it was. Uses small bundles written here with ESCO's real headers,
so these tests run without ../shared; the zip cases also use the official zips when
../shared is there."""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import pytest

from skillgap.config import Settings
from skillgap.errors import InputError
from skillgap.taxonomies.esco_csv import read_esco_bundle
from skillgap.taxonomies.store import import_taxonomy, list_snapshots, load_taxonomy

SKILLS_HEADER = [
    "conceptType",
    "conceptUri",
    "skillType",
    "reuseLevel",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "status",
    "modifiedDate",
    "scopeNote",
    "definition",
    "inScheme",
    "description",
]
OCC_HEADER = [
    "conceptType",
    "conceptUri",
    "iscoGroup",
    "preferredLabel",
    "altLabels",
    "hiddenLabels",
    "status",
    "modifiedDate",
    "regulatedProfessionNote",
    "scopeNote",
    "definition",
    "inScheme",
    "description",
    "code",
]
U = "http://data.europa.eu/esco/skill/"


def _skill(i: int, label: str, alts: str = "") -> dict[str, str]:
    return {
        "conceptType": "KnowledgeSkillCompetence",
        "conceptUri": f"{U}{i:08d}-0000-0000-0000-000000000000",
        "skillType": "skill/competence",
        "reuseLevel": "cross-sector",
        "preferredLabel": label,
        "altLabels": alts,
        "status": "released",
        "description": f"Be able to {label}.",
    }


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in header})
    return path


def mini_bundle(folder: Path, *, lang: str = "en") -> Path:
    rows = [
        _skill(1, "manage musical staff", "manage music staff\ndirect musical staff"),
        _skill(2, "plan"),
        _skill(3, "use spreadsheets software", "use spreadsheets"),
    ]
    write_csv(folder / f"skills_{lang}.csv", SKILLS_HEADER, rows)
    write_csv(
        folder / f"occupations_{lang}.csv",
        OCC_HEADER,
        [
            {
                "conceptType": "Occupation",
                "conceptUri": "http://data.europa.eu/esco/occupation/x1",
                "iscoGroup": "2654",
                "preferredLabel": "technical director",
                "description": "Directs.",
                "code": "2654.1.7",
            }
        ],
    )
    return folder


@pytest.fixture
def stored(tmp_path: Path) -> tuple[Settings, dict[str, tuple[int, int]]]:
    """A data dir holding one good snapshot, and a fingerprint of every file in it."""
    settings = Settings(data_dir=tmp_path / "data", taxonomy=None)
    import_taxonomy([mini_bundle(tmp_path / "good")], settings, version="1.1.1")
    return settings, _fingerprint(settings)


def _fingerprint(settings: Settings) -> dict[str, tuple[int, int]]:
    root = settings.taxonomies_dir
    return {
        str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _assert_untouched(settings: Settings, before: dict[str, tuple[int, int]]) -> None:
    assert _fingerprint(settings) == before
    assert not [p for p in settings.taxonomies_dir.iterdir() if p.name.startswith(".")]
    assert [m["kind"] for m in list_snapshots(settings)] == ["embedded", "official"]
    assert load_taxonomy(settings=settings).counts()["skills"] == 3


def test_mini_bundle_imports(stored) -> None:
    settings, _ = stored
    tax = load_taxonomy(settings=settings)
    assert tax.skills_by_label("direct musical staff") == [
        f"{U}00000001-0000-0000-0000-000000000000"
    ]
    assert tax.missing == [
        "collections",
        "groups",
        "occupation_skills",
        "skill_broader",
        "skill_groups",
        "skill_relations",
    ]


def test_missing_file(stored, tmp_path: Path) -> None:
    settings, before = stored
    missing = tmp_path / "nowhere" / "ESCO dataset - v1.1.1 - classification - en - csv.zip"
    with pytest.raises(InputError, match=r"nowhere.*no such file or folder"):
        import_taxonomy([missing], settings)
    _assert_untouched(settings, before)


def _zip_of(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)
    return target


def test_truncated_zip(stored, tmp_path: Path) -> None:
    settings, before = stored
    whole = _zip_of(mini_bundle(tmp_path / "b"), tmp_path / "whole.zip")
    cut = tmp_path / "ESCO dataset - v1.1.1 - classification - en - csv.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(
        InputError, match=r"classification - en - csv\.zip: not a readable zip.*truncated"
    ):
        import_taxonomy([cut], settings)
    _assert_untouched(settings, before)


def test_corrupt_zip_member(stored, tmp_path: Path) -> None:
    settings, before = stored
    folder = mini_bundle(tmp_path / "b")
    # Stored (uncompressed) so that flipping bytes keeps the archive readable but breaks
    # the member's CRC: the case of a download corrupted in transit.
    z = tmp_path / "esco.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_STORED) as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, p.name)
    data = bytearray(z.read_bytes())
    at = data.index(b"manage musical staff")
    data[at : at + 6] = b"XXXXXX"
    z.write_bytes(bytes(data))
    with pytest.raises(InputError, match=r"esco\.zip: member skills_en\.csv fails its CRC check"):
        import_taxonomy([z], settings)
    _assert_untouched(settings, before)


def test_official_zip_truncated(stored, tmp_path: Path) -> None:
    from tests.shared_data import shared_path

    settings, before = stored
    src = next(shared_path("esco", "v1.1.1").glob("*- en - csv.zip"))
    cut = tmp_path / src.name
    with src.open("rb") as fh:
        cut.write_bytes(fh.read(src.stat().st_size - 5000))  # lose the central directory
    with pytest.raises(InputError, match=r"not a readable zip"):
        import_taxonomy([cut], settings)
    _assert_untouched(settings, before)


def test_csv_missing_columns(stored, tmp_path: Path) -> None:
    settings, before = stored
    folder = mini_bundle(tmp_path / "b")
    header = [c for c in SKILLS_HEADER if c != "preferredLabel"]
    write_csv(folder / "skills_en.csv", header, [_skill(1, "x")])
    with pytest.raises(InputError, match=r"skills_en\.csv: missing column\(s\) preferredLabel"):
        import_taxonomy([folder], settings)
    _assert_untouched(settings, before)


def test_relation_csv_missing_columns(stored, tmp_path: Path) -> None:
    settings, before = stored
    folder = mini_bundle(tmp_path / "b")
    (folder / "occupationSkillRelations.csv").write_text("occupationUri,skillUri\na,b\n")
    with pytest.raises(
        InputError, match=r"occupationSkillRelations\.csv: missing column\(s\) relationType"
    ):
        import_taxonomy([folder], settings)
    _assert_untouched(settings, before)


def test_wrong_language_suffix(stored, tmp_path: Path) -> None:
    settings, before = stored
    folder = mini_bundle(tmp_path / "b")
    os.replace(folder / "occupations_en.csv", folder / "occupations_fr.csv")
    with pytest.raises(
        InputError, match=r"occupations_fr\.csv: wrong language suffix '_fr'.*'_en'"
    ):
        import_taxonomy([folder], settings)
    _assert_untouched(settings, before)


def test_language_option_disagrees(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"(skills|occupations)_en\.csv: wrong language suffix '_en'.*'_de'"
    ):
        read_esco_bundle([mini_bundle(tmp_path / "b")], language="de")


def test_duplicate_uris(stored, tmp_path: Path) -> None:
    settings, before = stored
    folder = mini_bundle(tmp_path / "b")
    rows = [_skill(1, "a"), _skill(2, "b"), _skill(1, "a again")]
    write_csv(folder / "skills_en.csv", SKILLS_HEADER, rows)
    with pytest.raises(
        InputError,
        match=r"skills_en\.csv: duplicate conceptUri .*00000001-0000.* \(records 1, 3;",
    ):
        import_taxonomy([folder], settings)
    _assert_untouched(settings, before)


def test_same_file_twice(tmp_path: Path) -> None:
    a = mini_bundle(tmp_path / "a")
    b = mini_bundle(tmp_path / "b")
    with pytest.raises(
        InputError, match=r"b/(skills|occupations)_en\.csv: \w+ is given twice \(also .*a/"
    ):
        read_esco_bundle([a, b])


def test_bundle_without_skills(tmp_path: Path) -> None:
    folder = mini_bundle(tmp_path / "b")
    (folder / "skills_en.csv").unlink()
    with pytest.raises(
        InputError, match=r"no skills_xx\.csv in this bundle \(found: occupations_en\.csv\)"
    ):
        read_esco_bundle([folder])


def test_empty_and_non_utf8_csv(tmp_path: Path) -> None:
    folder = mini_bundle(tmp_path / "b")
    (folder / "occupations_en.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"occupations_en\.csv: file is empty"):
        read_esco_bundle([folder])
    (folder / "occupations_en.csv").write_bytes(
        "conceptUri,preferredLabel\nx,caf\xe9\n".encode("latin-1")
    )
    with pytest.raises(InputError, match=r"occupations_en\.csv: not UTF-8"):
        read_esco_bundle([folder])


def test_not_an_esco_file(tmp_path: Path) -> None:
    p = tmp_path / "notes.txt"
    p.write_text("hello")
    with pytest.raises(InputError, match=r"notes\.txt: not an ESCO \.zip or \.csv file"):
        read_esco_bundle([p])


def test_interrupted_write_leaves_no_snapshot(stored, tmp_path: Path, monkeypatch) -> None:
    """A crash while writing Parquet must not leave a half snapshot or touch the old one."""
    import skillgap.taxonomies.store as store

    settings, before = stored
    folder = mini_bundle(tmp_path / "b")
    write_csv(folder / "skills_en.csv", SKILLS_HEADER, [_skill(9, "other skill")])

    def boom(*_a, **_k):
        raise OSError("disk full")

    monkeypatch.setattr("pyarrow.parquet.write_table", boom)
    with pytest.raises(OSError, match="disk full"):
        store.import_taxonomy([folder], settings, version="1.1.1")
    _assert_untouched(settings, before)


def test_version_from_folder_name_and_language(tmp_path: Path) -> None:
    from skillgap.taxonomies.esco_csv import discover

    bundle = discover([mini_bundle(tmp_path / "esco" / "v1.2.0-mine", lang="fr")])
    assert (bundle.version, bundle.language) == ("1.2.0", "fr")
    assert discover([tmp_path / "esco"]).version == "unknown"
