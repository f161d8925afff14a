"""Reliability figures: the bad-input corpus and a few faults, as a Markdown table.

    python -m benchmarks.reliability

Runs every case of ``tests/corpus.py`` (hostile inputs, each with its exact expected
outcome) and then kills or interrupts real processes in the middle of their work, checking
what survived. Prints the tables recorded in ``benchmarks/results/reliability.md``. Uses a
temporary data directory and store; nothing outside it is touched. About a minute on two
cores.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "SKILLGAP_DATA_DIR": str(data_dir),
        "SKILLGAP_CONFIG": str(data_dir / "none.toml"),
        "PYTHONPATH": str(ROOT),
    }


def run_corpus(root: Path) -> tuple[dict[str, Counter[str]], list[tuple[str, list[str]]]]:
    """(tried/passed per command, failures) over every corpus case."""
    from skillgap.config import get_settings
    from tests.corpus import BASELINE_FOLDER, CASES, make_baseline_store, run_case

    data_dir = root / "data"
    os.environ["SKILLGAP_DATA_DIR"] = str(data_dir)
    os.environ["SKILLGAP_CONFIG"] = str(root / "none.toml")
    get_settings.cache_clear()
    baseline = make_baseline_store(root / BASELINE_FOLDER)
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    failures = []
    for case in CASES:
        problems = run_case(case, root / case.name, baseline, data_dir)
        tally[case.command]["tried"] += 1
        tally[case.command]["passed"] += not problems
        tally[case.command]["refused" if case.code else "accepted"] += 1
        if problems:
            failures.append((case.name, problems))
    return tally, failures


def _rows(store: Path) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(
            "SELECT vacancy_id, content_hash, title, text FROM vacancies ORDER BY vacancy_id"
        ).fetchall()
    finally:
        con.close()


_INGEST_WITH_HOOK = """
import functools, os, signal, sys
import skillgap.ingest.api as api
sig = getattr(signal, sys.argv[1])
def hook(n):
    if n == 2:
        os.kill(os.getpid(), sig)
api.ingest_vacancies = functools.partial(api.ingest_vacancies, chunk_size=100, _after_chunk=hook)
sys.argv = ["skillgap", "ingest", "vacancies", sys.argv[2], "--store", sys.argv[3]]
from skillgap.cli.main import main
main()
"""


def fault_ingest(folder: Path, sig: str) -> tuple[str, bool, str]:
    """Kill (or interrupt) an ingest after its third chunk; re-run; compare with a clean run."""
    from skillgap.ingest.api import ingest_vacancies
    from skillgap.store import Store
    from tests.badinput import store_counts, vacancy_rows, write_csv

    folder.mkdir(parents=True)
    ads = write_csv(folder / "ads.csv", vacancy_rows(600))
    clean, broken = folder / "clean.duckdb", folder / "broken.duckdb"
    with Store.open(clean) as st:
        ingest_vacancies(ads, "generic", st)
    proc = subprocess.run(
        [sys.executable, "-c", _INGEST_WITH_HOOK, sig, str(ads), str(broken)],
        env=_env(folder / "data"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    expected_rc = -signal.SIGKILL if sig == "SIGKILL" else 130
    after_kill = store_counts(broken)
    left = after_kill.get("vacancies", 0) if sig != "SIGKILL" else None
    with Store.open(broken) as st:  # the next open removes a dead process's batch
        ingest_vacancies(ads, "generic", st)
    same = _rows(broken) == _rows(clean) and store_counts(broken) == store_counts(clean)
    ok = proc.returncode == expected_rc and same and left in (None, 0)
    what = (
        f"exit {proc.returncode}; "
        + ("" if left is None else f"{left} rows left by the interrupted batch; ")
        + f"after a re-run {'identical to' if same else 'DIFFERENT from'} an uninterrupted run "
        f"({after_kill.get('vacancies', 0)} -> {store_counts(broken)['vacancies']} vacancies)"
    )
    return f"{sig} during `ingest vacancies` (600 ads, after chunk 3 of 6)", ok, what


_REPORT_KILL = """
import os, signal, sys
from pathlib import Path
import skillgap.reports.writer as w
from tests.test_reports_fixtures import build_analysis, run_meta
def die(*a, **k):
    os.kill(os.getpid(), signal.SIGKILL)
w.write_workbook = die
w.write_reports(build_analysis(), Path(sys.argv[1]) / "run-1", run_meta=run_meta())
"""


def fault_report(folder: Path) -> tuple[str, bool, str]:
    """Kill a report step halfway; the next report in that folder cleans up after it."""
    from skillgap.reports import write_reports
    from tests.test_reports_fixtures import build_analysis, run_meta

    out = folder / "outputs"
    out.mkdir(parents=True)
    proc = subprocess.run(
        [sys.executable, "-c", _REPORT_KILL, str(out)],
        env=_env(folder / "data"),
        cwd=ROOT,
        timeout=300,
        capture_output=True,
    )
    after_kill = sorted(p.name for p in out.iterdir())
    no_partial = not (out / "run-1").exists()
    write_reports(build_analysis(), out / "run-2", run_meta=run_meta(), formats={"md"})
    after = sorted(p.name for p in out.iterdir())
    ok = proc.returncode == -signal.SIGKILL and no_partial and after == ["run-2"]
    stale = len([n for n in after_kill if n.startswith(".")])
    what = (
        f"no run folder half-written; {stale} hidden staging folder left, removed by the "
        f"next report (folder then holds {after})"
    )
    return "SIGKILL during the report step (while writing the workbook)", ok, what


def fault_damaged_store(folder: Path) -> tuple[str, bool, str]:
    """A store cut to half its size: every command refuses it and leaves its bytes alone."""
    import duckdb

    from tests.badinput import run_cli, truncate, vacancy_rows, write_csv

    folder.mkdir(parents=True)
    store = folder / "s.duckdb"
    ads = write_csv(folder / "ads.csv", vacancy_rows(50))
    run_cli("ingest", "vacancies", ads, "--store", store)
    con = duckdb.connect(str(store))
    con.execute("CREATE TABLE filler AS SELECT range AS i, repeat('x', 300) AS t FROM range(50000)")
    con.close()
    truncate(store)
    before = store.read_bytes()
    codes = [
        run_cli(*args, "--store", store).code
        for args in (
            ["ingest", "vacancies", write_csv(folder / "more.csv", vacancy_rows(5, start=60))],
            ["store", "info"],
            ["store", "quarantine"],
        )
    ]
    ok = codes == [3, 3, 3] and store.read_bytes() == before
    what = f"exit codes {codes} (ingest, store info, store quarantine); file bytes unchanged"
    return "store file truncated to half", ok, what


def main() -> None:
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="skillgap-reliability-") as tmp:
        root = Path(tmp)
        tally, failures = run_corpus(root / "corpus")
        faults = [
            fault_ingest(root / "kill-ingest", "SIGKILL"),
            fault_ingest(root / "int-ingest", "SIGINT"),
            fault_report(root / "kill-report"),
            fault_damaged_store(root / "damaged-store"),
        ]
    print("## Bad-input corpus\n")
    print("| command | cases tried | passed | refused (exit 2/3) | accepted (exit 0) |")
    print("|---|---:|---:|---:|---:|")
    total = Counter()
    for command in sorted(tally):
        c = tally[command]
        total.update(c)
        print(f"| `{command}` | {c['tried']} | {c['passed']} | {c['refused']} | {c['accepted']} |")
    print(
        f"| **all** | **{total['tried']}** | **{total['passed']}** | {total['refused']} "
        f"| {total['accepted']} |"
    )
    for name, problems in failures:
        print(f"\nFAILED {name}: " + "; ".join(problems))
    print("\n## Faults\n")
    print("| fault | survived | what was checked |")
    print("|---|---|---|")
    for fault, ok, what in faults:
        print(f"| {fault} | {'yes' if ok else 'NO'} | {what} |")
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
