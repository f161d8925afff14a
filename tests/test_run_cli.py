"""`skillgap run` as a user runs it: up-front checks, one clear line per mistake, and
nothing left running after the command is killed outright."""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from skillgap import demo
from skillgap.config import Settings
from tests.shared_data import REPO_ROOT


@pytest.fixture
def analysis(data_dir: Path, tmp_path: Path) -> Path:
    """A small analysis on the demo ESCO subset (the active taxonomy of the data dir)."""
    from skillgap.taxonomies.store import save_snapshot

    tax = demo.demo_taxonomy()
    tax.manifest.update({"snapshot_id": "demo-subset", "esco_version": "1.1.1-demo-subset"})
    save_snapshot(tax, Settings(data_dir=data_dir))
    with (demo.DATA_DIR / "vacancies.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:600]
    with (tmp_path / "ads.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    config = tmp_path / "small.toml"
    config.write_text(
        "[run]\nname = 'small'\npartition_size = 25\n\n"
        "[[inputs.vacancies]]\npath = 'ads.csv'\nprofile = 'generic'\n",
        encoding="utf-8",
    )
    return config


def _cli(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess[str]:
    """The command's result, stderr with the terminal's line wrapping undone."""
    proc = subprocess.run(
        [sys.executable, "-m", "skillgap.cli.main", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO_ROOT,
        check=False,
        **kw,
    )
    proc.stderr = " ".join(proc.stderr.split())
    return proc


def test_unwritable_outputs_fail_before_any_work(analysis: Path, data_dir: Path) -> None:
    blocker = analysis.parent / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    proc = _cli("run", str(analysis), "--outputs", str(blocker / "out"))
    assert proc.returncode != 0, proc.stderr
    assert "outputs folder" in proc.stderr and "not writable" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (data_dir / "stores" / "small.duckdb").exists()  # nothing was ingested


def test_a_store_in_use_is_refused_with_the_holder_named(analysis: Path, data_dir: Path) -> None:
    from skillgap.store import lock

    with lock.hold(data_dir / "stores" / "small.duckdb"):
        proc = _cli("run", str(analysis), "--outputs", str(analysis.parent / "out"))
    assert proc.returncode != 0, proc.stderr
    assert "in use by" in proc.stderr and f"pid {os.getpid()}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unreachable_cluster_and_server_are_clear_errors_not_hangs(analysis: Path) -> None:
    t0 = time.monotonic()
    proc = _cli("run", str(analysis), "--dask-address", "tcp://127.0.0.1:9")
    assert proc.returncode != 0 and "cannot reach the Dask scheduler" in proc.stderr
    env = {**os.environ, "SKILLGAP_PREFECT_API_URL": "http://127.0.0.1:9/api"}
    proc = _cli("run", str(analysis), env=env)
    assert proc.returncode != 0 and "Prefect server at http://127.0.0.1:9/api" in proc.stderr
    assert time.monotonic() - t0 < 90


def test_sigkill_of_run_leaves_no_prefect_server_or_dask_worker_behind(
    analysis: Path, tmp_path: Path
) -> None:
    """The temporary Prefect server and the local cluster's workers die with the command."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillgap.cli.main", "run", str(analysis), "--workers", "2"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    parent = psutil.Process(proc.pid)
    children: list[psutil.Process] = []
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 240
        for line in proc.stderr:  # the map stage has started: server and cluster are up
            if " map " in line and "vacancies" in line and ": started (" in line:
                break
            assert time.monotonic() < deadline, "the run did not reach the map stage"
        while True:  # the cluster starts with the first partition handed out
            children = parent.children(recursive=True)
            workers = [c for c in children if "multiprocessing" in " ".join(c.cmdline())]
            if len(workers) >= 2:
                break
            assert time.monotonic() < deadline, "no Dask worker processes appeared"
            time.sleep(0.5)
        assert any("uvicorn" in " ".join(c.cmdline()) for c in children), "no temporary server"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        _, alive = psutil.wait_procs(children, timeout=45)
        assert alive == [], [" ".join(p.cmdline())[:120] for p in alive]
    finally:
        for p in [parent, *children]:
            with contextlib.suppress(psutil.Error):
                p.kill()


def test_sigterm_stops_a_run_promptly_and_records_it_as_crashed(
    analysis: Path, data_dir: Path
) -> None:
    """A scheduler stopping the job: mapping stops at its next chunk, not after a whole
    partition; the run's row says crashed, committed partitions stay."""
    analysis.write_text(
        analysis.read_text(encoding="utf-8").replace("partition_size = 25", "partition_size = 600"),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "skillgap.cli.main", "run", str(analysis)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if " map " in line and ": started (" in line:
                break
        time.sleep(3)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        rest = proc.stderr.read()
        proc.wait(timeout=120)
        stopped_in = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, rest
    assert "interrupted" in rest and "Traceback" not in rest
    assert stopped_in < 60
    from skillgap.store import Store

    with Store.open(data_dir / "stores" / "small.duckdb", read_only=True) as store:
        assert list(store.read("runs")["status"]) == ["crashed"]
        assert store.count("mapping_log") == 0  # the one partition was not finished
