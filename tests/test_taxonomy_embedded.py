"""The embedded default taxonomy (official ESCO v1.1.1 English, shipped as package data):
complete, identical to a fresh import of the official zips, loaded with no set-up and no
network, and ranked below any import."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pandas as pd
import pytest

from skillgap.config import Settings
from skillgap.errors import MissingDataError
from skillgap.taxonomies.model import COLLECTIONS, ESCO_ATTRIBUTION, TABLE_COLUMNS, Taxonomy
from skillgap.taxonomies.store import (
    EMBEDDED_DIR,
    list_snapshots,
    load_taxonomy,
    save_snapshot,
)

SKILL = "http://data.europa.eu/esco/skill/"
INSTALL_HEAT_PUMP = SKILL + "00735755-adc6-4ea0-b034-b8caff339c9f"
MANAGE_MUSICAL_STAFF = SKILL + "0005c151-5b5a-4a66-8aac-60e734beb1ab"
# ESCO "software developer" (ISCO 2512)
SOFTWARE_DEVELOPER = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("the embedded taxonomy must load without any network access")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_fresh_data_dir_gets_the_embedded_default(data_dir: Path, no_network) -> None:
    tax = load_taxonomy(fresh=True)
    assert tax.manifest["kind"] == "embedded"
    assert Path(tax.manifest["path"]) == EMBEDDED_DIR
    assert (tax.version, tax.language) == ("1.1.1", "en")
    assert not data_dir.exists()  # no set-up step, nothing installed into the data dir
    assert load_taxonomy("default").snapshot_id == tax.snapshot_id
    assert load_taxonomy("builtin").snapshot_id == tax.snapshot_id  # the old alias
    [listed] = list_snapshots()
    assert listed["snapshot_id"] == tax.snapshot_id and listed["active"] is True


def test_embedded_is_complete(data_dir: Path) -> None:
    tax = load_taxonomy("default")
    assert tax.missing == []
    for name in TABLE_COLUMNS:
        assert tax.has(name), name
        assert list(tax.tables[name].columns) == list(TABLE_COLUMNS[name]), name
    assert set(tax.tables["collections"]["collection"]) == set(COLLECTIONS)
    assert INSTALL_HEAT_PUMP in tax.in_collection("green")
    s = tax.skill(MANAGE_MUSICAL_STAFF)
    assert s["preferred_label"] == "manage musical staff"
    assert "direct musical staff" in s["alt_labels"]
    assert s["description"].startswith("Assign and manage staff tasks")
    codes = {tax.group(g)["code"] for g in tax.groups_of_skill(MANAGE_MUSICAL_STAFF)}
    assert "S4.8.1" in codes
    assert tax.label(SOFTWARE_DEVELOPER) == "software developer"
    assert len(tax.essential_skills(SOFTWARE_DEVELOPER)) >= 10
    assert (tax.skills["description"].str.len() > 0).all()
    assert tax.manifest["attribution"] == ESCO_ATTRIBUTION


def test_embedded_equals_a_fresh_import_of_the_official_zips(
    esco_official: Taxonomy, tmp_path: Path
) -> None:
    """What scripts/build_esco_snapshot.py committed is what the importer reads today."""
    embedded = load_taxonomy("default", Settings(data_dir=tmp_path / "d", taxonomy=None))
    assert embedded.snapshot_id == esco_official.snapshot_id  # same source checksums
    assert embedded.counts() == esco_official.counts()
    assert embedded.manifest["checksums"] == esco_official.manifest["checksums"]
    for name in TABLE_COLUMNS:
        pd.testing.assert_frame_equal(
            embedded.tables[name], esco_official.tables[name], check_dtype=False, obj=name
        )


def test_manifest_names_no_machine_paths() -> None:
    raw = json.loads((EMBEDDED_DIR / "manifest.json").read_text(encoding="utf-8"))
    assert "given_paths" not in raw and "imported_at" not in raw
    for src in raw["sources"]:
        assert set(src) >= {"file", "sha256", "md5"} and "path" not in src
    assert "/" not in json.dumps([src["file"] for src in raw["sources"]])


def _tiny(kind: str, sid: str) -> Taxonomy:
    skills = pd.DataFrame(
        {
            "uri": [SKILL + "1"],
            "preferred_label": [sid],
            "alt_labels": [[]],
            "hidden_labels": [[]],
            "description": [""],
            "skill_type": [""],
            "reuse_level": [""],
            "status": ["released"],
        }
    )
    return Taxonomy(
        tables={"skills": skills},
        manifest={"snapshot_id": sid, "kind": kind, "esco_version": "x", "missing": []},
    )


def test_imports_win_over_the_embedded_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    embedded_id = load_taxonomy(settings=settings).snapshot_id
    # A skills-only default built by earlier versions never displaces the embedded one.
    save_snapshot(_tiny("builtin", "builtin-esco-old"), settings, set_latest=False)
    assert load_taxonomy(settings=settings).snapshot_id == embedded_id
    assert load_taxonomy("builtin-esco-old", settings).skills["preferred_label"][0] == (
        "builtin-esco-old"
    )
    save_snapshot(_tiny("official", "esco-one"), settings)
    save_snapshot(_tiny("official", "esco-two"), settings)
    assert load_taxonomy(settings=settings).snapshot_id == "esco-two"
    assert [m["snapshot_id"] for m in list_snapshots(settings) if m["active"]] == ["esco-two"]
    assert load_taxonomy("default", settings).snapshot_id == embedded_id
    pinned = Settings(data_dir=tmp_path / "d", taxonomy="esco-o")  # a unique prefix
    assert load_taxonomy(settings=pinned).snapshot_id == "esco-one"
    assert [m["snapshot_id"] for m in list_snapshots(pinned) if m["active"]] == ["esco-one"]
    pinned_default = Settings(data_dir=tmp_path / "d", taxonomy="default")
    assert load_taxonomy(settings=pinned_default).snapshot_id == embedded_id
    assert [m["kind"] for m in list_snapshots(pinned_default) if m["active"]] == ["embedded"]
    assert load_taxonomy(embedded_id[:14], settings).snapshot_id == embedded_id
    with pytest.raises(MissingDataError, match=r"ambiguous"):
        load_taxonomy("esco-", settings)
    with pytest.raises(MissingDataError, match=r"no taxonomy snapshot 'nope'.*available"):
        load_taxonomy("nope", settings)
    with pytest.raises(MissingDataError, match=r"configured taxonomy .* 'gone'"):
        load_taxonomy(settings=Settings(data_dir=tmp_path / "d", taxonomy="gone"))


def test_forced_replace_and_per_process_cache(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    save_snapshot(_tiny("official", "esco-c"), settings)
    first = load_taxonomy(settings=settings)
    assert load_taxonomy("esco-c", settings) is first
    assert load_taxonomy(settings=settings, fresh=True) is not first
    changed = _tiny("official", "esco-c")
    changed.skills.loc[0, "preferred_label"] = "changed"
    _, written = save_snapshot(changed, settings)
    assert written is False  # same id: a no-op ...
    assert load_taxonomy(settings=settings).skills["preferred_label"].iloc[0] == "esco-c"
    _, written = save_snapshot(changed, settings, replace=True)
    assert written is True  # ... unless forced
    assert load_taxonomy(settings=settings).skills["preferred_label"].iloc[0] == "changed"
    assert not [p for p in settings.taxonomies_dir.iterdir() if p.name.startswith(".")]


def test_the_wheel_ships_the_embedded_snapshot(tmp_path: Path) -> None:
    """pyproject's package list and package-data patterns carry every file of it."""
    import subprocess
    import sys
    import zipfile

    repo = Path(__file__).resolve().parent.parent
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    proc = subprocess.run(
        [*pip, "-w", str(tmp_path), str(repo)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    [wheel] = tmp_path.glob("skillgap-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        shipped = {
            i.filename.rsplit("/", 1)[1]: i.file_size
            for i in zf.infolist()
            if i.filename.startswith("skillgap/taxonomies/embedded/")
        }
    assert shipped == {p.name: p.stat().st_size for p in EMBEDDED_DIR.iterdir() if p.is_file()}
