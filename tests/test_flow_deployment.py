"""prefect.yaml for real: a Prefect server on 127.0.0.1, a process work pool, `prefect
deploy`, a run triggered through the API, a worker that runs it, and the report it wrote.

Every wait is bounded and the server is stopped at the end, whatever happens.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from skillgap import demo
from skillgap.config import Settings
from tests.shared_data import REPO_ROOT

N_ADS = 150


def _config(tmp_path: Path) -> Path:
    work = tmp_path / "analysis"
    work.mkdir()
    with (demo.DATA_DIR / "vacancies.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:N_ADS]
    with (work / "ads.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    config = work / "weekly.toml"
    config.write_text(
        "[run]\nname = 'weekly'\npartition_size = 50\n\n"
        "[[inputs.vacancies]]\npath = 'ads.csv'\nprofile = 'generic'\n\n"
        f"[[inputs.credentials]]\npath = '{demo.DATA_DIR / 'credentials.jsonl'}'\n"
        "profile = 'generic'\n\n[analysis]\nmin_evidence = 3\nmin_cell_size = 10\n",
        encoding="utf-8",
    )
    return config


def _prefect(args: list[str], env: dict[str, str], timeout: float) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "prefect", *args],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, f"prefect {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_deploy_from_prefect_yaml_trigger_through_the_api_and_read_the_report(
    data_dir: Path, tmp_path: Path
) -> None:
    from skillgap.flows.server import temporary_server
    from skillgap.taxonomies.store import save_snapshot

    tax = demo.demo_taxonomy()
    tax.manifest.update({"snapshot_id": "demo-subset", "esco_version": "1.1.1-demo-subset"})
    save_snapshot(tax, Settings(data_dir=data_dir))
    config = _config(tmp_path)
    out = tmp_path / "outputs"
    home = tmp_path / "prefect-home"
    with temporary_server(home) as api:
        env = {
            **os.environ,
            "PREFECT_API_URL": api,
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "DO_NOT_TRACK": "1",
        }
        _prefect(["work-pool", "create", "skillgap", "--type", "process"], env, 120)
        _prefect(
            ["--no-prompt", "deploy", "--prefect-file", "prefect.yaml", "--name", "weekly"],
            env,
            180,
        )
        started = _prefect(
            [
                "deployment",
                "run",
                "skills_gap_analysis/weekly",
                "--param",
                f"config_path={config}",
                "--param",
                f"outputs_dir={out}",
            ],
            env,
            120,
        )
        assert "Created flow run" in started
        _prefect(["worker", "start", "--pool", "skillgap", "--run-once"], env, 420)

        runs = httpx.post(f"{api}/flow_runs/filter", json={"limit": 20}, timeout=30).json()
        top = [r for r in runs if r.get("parent_task_run_id") is None]
        assert [r["state_type"] for r in top] == ["COMPLETED"], runs
        deadline = time.monotonic() + 30  # artifacts are sent in the background
        while time.monotonic() < deadline:
            artifacts = httpx.post(f"{api}/artifacts/filter", json={}, timeout=30).json()
            keys = {a.get("key") for a in artifacts}
            if {"skillgap-weekly-summary", "skillgap-weekly-report"} <= keys:
                break
            time.sleep(1)
        assert {"skillgap-weekly-summary", "skillgap-weekly-report"} <= keys

    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "Skills gap report" in html
    assert "map 150 vacancies" in (run_dir / "run.log").read_text(encoding="utf-8")
    from skillgap.store import Store

    with Store.open(data_dir / "stores" / "weekly.duckdb", read_only=True) as store:
        assert list(store.read("runs")["status"]) == ["completed"]
        assert store.count("mapping_log", "doc_type = 'vacancy'") == N_ADS


@pytest.fixture(autouse=True)
def _no_leftover_prefect_files() -> None:
    """`prefect deploy` must not leave project files behind in the checkout."""
    before = {p.name for p in REPO_ROOT.iterdir()}
    yield
    after = {p.name for p in REPO_ROOT.iterdir()}
    assert after - before == set()
