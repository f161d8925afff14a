"""The whole flow (real Prefect, real DuckDB, real model) on the embedded demo data.

The default run uses the demo's ESCO subset as the active taxonomy so that the skill
index builds in seconds; the slow-marked twin runs on a fresh data dir, so on the embedded
default (the full official ESCO v1.1.1), which is what `skillgap demo` uses.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from markupsafe import escape

from skillgap import demo
from skillgap.config import Settings, get_settings
from skillgap.demo.checks import absurdities, planted_problems


def _demo_config(tmp_path: Path) -> Path:
    """The shipped demo config, copied beside copies of its data (so the run owns a store)."""
    work = tmp_path / "demo"
    work.mkdir()
    for name in ("vacancies.csv", "credentials.jsonl", "demo.toml"):
        shutil.copy2(demo.DATA_DIR / name, work / name)
    return work / "demo.toml"


def _with_empty_variant(config: Path) -> Path:
    """The demo config plus a report variant for a region no ad is in."""
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('variants = ["', 'variants = ["region=ZZ9", "'), "utf-8")
    return config


def _run_flow(config: Path, out: Path) -> dict:
    from skillgap.flows.prefect_env import configure_prefect

    configure_prefect(get_settings())
    from skillgap.flows.gap_flow import skills_gap_analysis

    return skills_gap_analysis(str(config), outputs_dir=str(out))


@pytest.fixture
def subset_taxonomy(data_dir: Path) -> Path:
    from skillgap.taxonomies.store import save_snapshot

    tax = demo.demo_taxonomy()
    tax.manifest.update({"snapshot_id": "demo-subset", "esco_version": "1.1.1-demo-subset"})
    save_snapshot(tax, Settings(data_dir=data_dir))
    return data_dir


def test_demo_flow_finds_planted_signals_and_reruns_incrementally(
    subset_taxonomy: Path, tmp_path: Path
) -> None:
    config = _with_empty_variant(_demo_config(tmp_path))
    out = tmp_path / "outputs"
    first = _run_flow(config, out)
    assert first["previous_run"] is None and first["changes"] is None

    analysis = first["analysis"]
    planted = demo.load_planted()
    assert planted_problems(analysis, planted, strict=False) == []
    assert absurdities(analysis, planted, strict=False) == []

    run_dir = Path(first["out_dir"])
    assert run_dir.parent == out and run_dir.is_dir()
    for key in ("html", "xlsx", "json", "md"):
        assert Path(first["paths"][key]).is_file(), key
    html = Path(first["paths"]["html"]).read_text(encoding="utf-8")
    assert "install heat pump" in html
    doc = json.loads(Path(first["paths"]["json"]).read_text(encoding="utf-8"))
    stored = first["mapping"]["vacancies_to_map"]
    assert 2900 <= stored <= 3000  # a few templated ads are near-duplicates by design
    assert doc["meta"]["counts"]["vacancies"] == stored
    assert first["mapping"]["mentions_added"] > 3000
    assert first["mapping"]["partitions"] >= 3  # 1,000 documents per partition by default
    # A variant whose value is in no ad does not fail the run: its report says so.
    empty = Path(first["paths"]["html:region=ZZ9"]).read_text(encoding="utf-8")
    assert "No analysed vacancy has region" in empty
    log = (run_dir / "run.log").read_text(encoding="utf-8")
    assert "report variant region=ZZ9: no stored vacancy has region 'ZZ9'" in log
    assert "map 2,976 vacancies + 48 credentials: done" in log

    from skillgap.store import Store

    # A run killed outright (SIGKILL) leaves its row 'running'; the next run marks it.
    with Store.open(Path(first["store"])) as store:
        store.con.execute(
            "INSERT INTO runs (run_id, started_at, status) "
            "VALUES ('20000101T000000Z-killed', TIMESTAMP '2000-01-01', 'running')"
        )

    # Same inputs again: nothing is ingested or mapped a second time.
    second = _run_flow(config, out)
    assert second["mapping"]["vacancies_to_map"] == 0
    assert second["mapping"]["credentials_to_map"] == 0
    assert second["run_id"] != first["run_id"]
    assert all(b["batch"].get("skipped") for b in _inputs(second))
    # ... and it compares itself with the first: identical data, nothing changed.
    assert second["previous_run"]["run_id"] == first["run_id"]
    assert second["changes"].empty
    html = Path(second["paths"]["html"]).read_text(encoding="utf-8")
    assert 'id="changes"' in html and first["run_id"] in html

    with Store.open(Path(first["store"]), read_only=True) as store:
        runs = store.read("runs").sort_values("started_at")
        snapshots = store.read("run_gaps")
    assert list(runs["status"]) == ["interrupted", "completed", "completed"]
    assert runs["model_id"].iloc[1:].str.len().min() > 0
    assert set(snapshots["run_id"]) == {first["run_id"], second["run_id"]}
    assert len(snapshots) == 2 * len(analysis.gaps)


def _inputs(result: dict) -> list[dict]:
    return json.loads(Path(result["paths"]["json"]).read_text(encoding="utf-8"))["run"]["inputs"]


@pytest.mark.slow
def test_demo_flow_on_the_embedded_taxonomy(data_dir: Path, tmp_path: Path) -> None:
    """What `skillgap demo` does on a fresh machine: the full embedded ESCO, with flags."""
    result = _run_flow(_demo_config(tmp_path), tmp_path / "outputs")
    analysis = result["analysis"]
    planted = demo.load_planted()
    assert planted_problems(analysis, planted, strict=False) == []
    assert absurdities(analysis, planted, strict=False) == []
    assert "flags_missing" not in analysis.meta
    gaps = analysis.gaps
    assert gaps["green"].any() and gaps["digital"].any() and gaps["transversal"].any()
    html = Path(result["paths"]["html"]).read_text(encoding="utf-8")
    assert 'class="badge green"' in html and 'class="badge digital"' in html
    # Proposals target ESCO occupations found through the occupation-skill relations, by label.
    targets = [o for occs in analysis.proposals["target_occupations"] for o in occs]
    assert targets and not [o for o in targets if o.startswith("http")]
    assert "ESCO occupation-skill relations" in html
    assert str(escape(targets[0])) in html
