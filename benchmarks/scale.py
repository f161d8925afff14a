"""Scale and resilience of the whole flow, through the command users run (`skillgap run`).

Ads are realistic (``benchmarks.realistic_ads``: real UK and SkillSpan sentences
recombined, seeded); credentials are a fixed sample of 300 real Coursera courses. Each run
is a fresh ``skillgap run`` process; its wall time, stage times (from the run's
analysis.json) and peak memory are recorded. Peak memory is sampled every 0.2 s over the
whole process tree (the command, the temporary Prefect server, Dask workers) and for the
command's own process.

    # 25 k ads from scratch; identical re-run; +1 % new ads; the store grown to 50 k, 100 k
    .venv/bin/python -m benchmarks.scale grow --sizes 25000 50000 100000 --work DIR
    # SIGKILL in mid-map then re-run, against an uninterrupted run; and a 2-worker
    # LocalCluster on the same ads (tables compared, map-stage times side by side)
    .venv/bin/python -m benchmarks.scale resilience --ads 5000 --work DIR [--cases kill cluster]

Tables are compared only between runs of the same code (a fingerprint of the package's
files, taken before and after each run); a benchmark whose checkout changed underneath it
stops instead of reporting a difference that the code change made.

Uses the data dir's active taxonomy and encoder (SKILLGAP_DATA_DIR); run one mapping
first so the one-time skill and occupation indexes are not part of the figures. Results
are printed and appended as JSON lines to DIR/results.jsonl.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pyarrow as pa

from benchmarks.realistic_ads import credentials, write_ads

REPO = Path(__file__).resolve().parent.parent
PARAMS = (
    "[analysis]\nbreakdowns = ['sector', 'region', 'sector+region']\nperiod = 'quarter'\n"
    "min_evidence = 10\nmin_cell_size = 30\n"
)


class _RssSampler:
    """Peak RSS of a process and of its whole tree, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.own = 0
        self.tree = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                own = self.proc.memory_info().rss
                total = own
                for child in self.proc.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        total += child.memory_info().rss
            except psutil.Error:
                break
            self.own, self.tree = max(self.own, own), max(self.tree, total)
            time.sleep(0.2)

    def stop(self) -> dict[str, float]:
        self._stop.set()
        self._thread.join(timeout=5)
        return {"peak_rss_mb": self.own / 2**20, "peak_tree_rss_mb": self.tree / 2**20}


def write_config(work: Path, name: str, ads: list[Path], **run: Any) -> Path:
    extra = "".join(f"{k} = {json.dumps(v)}\n" for k, v in run.items())
    body = f"[run]\nname = '{name}'\nstore = '{name}.duckdb'\n{extra}\n"
    for path in ads:
        body += f"[[inputs.vacancies]]\npath = '{path.name}'\nprofile = 'generic'\n\n"
    body += "[[inputs.credentials]]\npath = 'coursera-300.csv'\nprofile = 'coursera'\n\n"
    config = work / f"{name}.toml"
    config.write_text(body + PARAMS, encoding="utf-8")
    return config


def run_cli(
    config: Path, out: Path, *extra: str, kill_after_partitions: int | None = None
) -> dict[str, Any]:
    """One `skillgap run`; with ``kill_after_partitions`` it is SIGKILLed once that many
    partitions are stored (read from the run's log)."""
    cmd = [sys.executable, "-m", "skillgap.cli.main", "run", str(config), "--outputs", str(out)]
    code = code_fingerprint()
    out.mkdir(parents=True, exist_ok=True)
    before = set(out.iterdir())
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    log = out.parent / "cli.log"
    with log.open("ab") as sink:
        proc = subprocess.Popen([*cmd, *extra], cwd=REPO, stdout=sink, stderr=sink)
    sampler = _RssSampler(proc.pid)
    killed = False
    if kill_after_partitions is not None:
        while proc.poll() is None:
            logs = [p / "run.log" for p in (set(out.iterdir()) - before)]
            text = "".join(p.read_text("utf-8", errors="replace") for p in logs if p.is_file())
            if text.count(" DEBUG   partition ") >= kill_after_partitions:
                tree = psutil.Process(proc.pid).children(recursive=True)
                proc.send_signal(signal.SIGKILL)
                killed = True
                psutil.wait_procs(tree, timeout=60)
                break
            time.sleep(0.2)
    proc.wait()
    wall = time.perf_counter() - t0
    mem = sampler.stop()
    if code_fingerprint() != code:
        raise SystemExit(f"the package changed on disk during `skillgap run {config.name}`")
    result: dict[str, Any] = {
        "code": code,
        "wall_s": round(wall, 1),
        **{k: round(v) for k, v in mem.items()},
        "load_avg_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    if killed:
        return {**result, "killed": True}
    if proc.returncode != 0:
        sys.stderr.write(log.read_text("utf-8", errors="replace")[-4000:])
        raise SystemExit(f"skillgap run failed ({proc.returncode}); see {log}")
    (run_dir,) = [p for p in set(out.iterdir()) - before if p.is_dir()]
    doc = json.loads((run_dir / "analysis.json").read_text(encoding="utf-8"))
    mapping = doc["run"]["mapping"]
    done = re.search(r": done; (.*); report /", (run_dir / "run.log").read_text("utf-8"))
    stages = dict(doc["run"]["stage_seconds"])
    if done:  # the last line has every stage, the report's included
        stages = {k: float(v) for k, v in re.findall(r"(\w+) ([\d.]+) s", done.group(1))}
    return {
        **result,
        "stages_s": stages,
        "mapped": {k: mapping.get(k) for k in ("vacancies_to_map", "credentials_to_map")},
        "partitions": mapping.get("partitions"),
        "adopted": mapping.get("adopted_partitions"),
        "partition_s_median": mapping.get("partition_seconds_median"),
        "partition_cpu_s_median": mapping.get("partition_cpu_seconds_median"),
        "map_cpu_s_total": mapping.get("cpu_seconds_total"),
        "load_s_total": mapping.get("load_seconds_total"),
        "read_s_total": mapping.get("read_seconds_total"),
        "vacancies": doc["meta"]["counts"]["vacancies"],
        "run_dir": str(run_dir),
    }


# What a run's numbers depend on: the package's code and learnt files. Compared before any
# two stores are: a table comparison across a code change says nothing about resilience
# (an earlier 2-worker figure was false for that reason alone: the partitioning rule
# changed between the in-process run and the cluster run).
PACKAGE_DIRS = ("skillgap", "taxonomies", "nlp", "ingest", "store", "gaps", "reports", "flows",
                "cli")  # fmt: skip


def code_fingerprint() -> str:
    """sha256 (first 12) of every package source and learnt file, as on disk now."""
    import hashlib

    digest = hashlib.sha256()
    for folder in PACKAGE_DIRS:
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix in {".py", ".json", ".toml", ".npz", ".safetensors"} and path.is_file():
                digest.update(str(path.relative_to(REPO)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def tables(store: Path) -> dict[str, Any]:
    """The mapping and analysis inputs of a store, sorted, for comparisons."""
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        return {
            "skill_mentions": con.execute(
                "SELECT * EXCLUDE (score), score FROM skill_mentions ORDER BY ALL"
            ).fetchall(),
            "mapping_log": con.execute(
                "SELECT * EXCLUDE (mapped_at) FROM mapping_log ORDER BY ALL"
            ).fetchall(),
            "vacancy_occupations": con.execute(
                "SELECT * EXCLUDE (score), score FROM vacancy_occupations ORDER BY ALL"
            ).fetchall(),
        }
    finally:
        con.close()


def compare(a: Path, b: Path, runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Whether two stores hold the same mapping rows; when not, how they differ (rows with
    other keys, largest score difference), so a mismatch can be diagnosed from the figures.

    Refuses when the runs that built them ran different code (see ``code_fingerprint``).
    """
    prints = {r["code"] for r in runs}
    if len(prints) != 1:
        raise SystemExit(
            f"the runs compared ran different code ({sorted(prints)}): the package changed on "
            "disk during the benchmark; run it again on an unchanged checkout"
        )
    ta, tb = tables(a), tables(b)
    out: dict[str, Any] = {"identical": ta == tb}
    for name in ta:
        if ta[name] == tb[name]:
            continue
        keys_a = [row[:-1] for row in ta[name]]  # every column but the score (last)
        keys_b = [row[:-1] for row in tb[name]]
        diff: dict[str, Any] = {"rows": [len(ta[name]), len(tb[name])]}
        if keys_a == keys_b and name != "mapping_log":
            deltas = [abs(x[-1] - y[-1]) for x, y in zip(ta[name], tb[name], strict=True)]
            diff["same_rows_other_scores"] = sum(d > 0 for d in deltas)
            diff["max_abs_score_diff"] = max(deltas)
        else:
            diff["rows_only_in_first"] = len(set(keys_a) - set(keys_b))
            diff["rows_only_in_second"] = len(set(keys_b) - set(keys_a))
        out[name] = diff
    return out


def _record(work: Path, what: str, result: dict[str, Any]) -> None:
    line = {"what": what, **result}
    print(json.dumps(line), flush=True)
    with (work / "results.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(line) + "\n")


def grow(work: Path, sizes: list[int], seed: int, partition_size: int) -> None:
    credentials(work / "coursera-300.csv")
    files: list[Path] = []
    made = 0
    for i, size in enumerate(sizes):
        path = work / f"ads-{i}.csv"
        facts = write_ads(path, size - made, seed=seed + i, start_id=made)
        made = size
        files.append(path)
        config = write_config(work, "scale", files, partition_size=partition_size)
        _record(
            work,
            f"{size} ads" + (" (from scratch)" if i == 0 else " (store grown)"),
            {**run_cli(config, work / "out"), "ads_file": facts},
        )
        if i == 0:
            _record(work, f"{size} ads, identical re-run", run_cli(config, work / "out"))
            extra = work / "ads-plus1pct.csv"
            write_ads(extra, size // 100, seed=seed + 100, start_id=10**7)
            plus = write_config(work, "scale", [*files, extra], partition_size=partition_size)
            _record(work, f"{size} ads + 1 % new", run_cli(plus, work / "out"))
            files.append(extra)


def resilience(
    work: Path, n: int, seed: int, kill_after: int, partition_size: int, cases: list[str]
) -> None:
    credentials(work / "coursera-300.csv")
    ads = work / "ads-resilience.csv"
    write_ads(ads, n, seed=seed)
    full = run_cli(
        write_config(work, "straight", [ads], partition_size=partition_size), work / "out"
    )
    _record(work, f"{n} ads, uninterrupted, in-process", full)
    if "kill" in cases:
        cfg = write_config(work, "killed", [ads], partition_size=partition_size)
        killed = run_cli(cfg, work / "out", kill_after_partitions=kill_after)
        _record(work, f"{n} ads, SIGKILL after {kill_after} partitions stored", killed)
        resumed = run_cli(cfg, work / "out")
        lost = killed["wall_s"] + resumed["wall_s"] - full["wall_s"]
        same = compare(work / "killed.duckdb", work / "straight.duckdb", [full, killed, resumed])
        _record(
            work,
            f"{n} ads, re-run after the kill",
            {**resumed, "time_lost_s": round(lost, 1), "vs_uninterrupted": same},
        )
    if "cluster" in cases:
        cluster = run_cli(
            write_config(work, "cluster", [ads], partition_size=partition_size),
            work / "out",
            "--workers",
            "2",
        )
        same = compare(work / "cluster.duckdb", work / "straight.duckdb", [full, cluster])
        _record(work, f"{n} ads, 2-worker LocalCluster", {**cluster, "vs_in_process": same})


def writer(store: Path, n_partitions: int, size: int) -> None:
    """The single writer's cost per partition on a store of this size: rows of ``size``
    mapped ads, copied under new ids into spool files, loaded one partition at a time
    into a copy of the store (the source is not changed)."""
    import tempfile

    import duckdb
    import pyarrow.parquet as pq

    from skillgap.flows.partitions import MappingKey, load_partition, plan
    from skillgap.store import Store

    with tempfile.TemporaryDirectory(prefix="skillgap-writer-") as tmp:
        work = Path(tmp)
        copy = work / "store.duckdb"
        shutil.copy2(store, copy)
        con = duckdb.connect(str(copy), read_only=True)
        tax, model = con.execute(
            "SELECT taxonomy_version, model_id FROM mapping_log LIMIT 1"
        ).fetchone()
        ids = [r[0] for r in con.execute(
            "SELECT doc_id FROM mapping_log WHERE doc_type = 'vacancy' ORDER BY doc_id LIMIT ?",
            [size],
        ).fetchall()]  # fmt: skip
        frames_df = {
            "mentions": con.execute(
                "SELECT * FROM skill_mentions WHERE doc_type = 'vacancy' "
                "AND doc_id IN (SELECT unnest(?))", [ids]).df(),
            "log": con.execute(
                "SELECT * FROM mapping_log WHERE doc_type = 'vacancy' "
                "AND doc_id IN (SELECT unnest(?))", [ids]).df(),
            "occupations": con.execute(
                "SELECT * FROM vacancy_occupations WHERE vacancy_id IN (SELECT unnest(?))",
                [ids]).df(),
        }  # fmt: skip
        frames = {k: pa.Table.from_pandas(v, preserve_index=False) for k, v in frames_df.items()}
        n_rows = con.execute("SELECT count(*) FROM skill_mentions").fetchone()[0]
        con.close()
        spool = work / "spool"
        parts = []
        for k in range(n_partitions):
            path = spool / f"vacancy-bench{k:04d}"
            path.mkdir(parents=True)
            for name, table in frames.items():
                col = "vacancy_id" if name == "occupations" else "doc_id"
                renamed = table.set_column(
                    table.schema.get_field_index(col),
                    col,
                    pa.array([f"w{k}-{v}" for v in table[col].to_pylist()]),
                )
                pq.write_table(renamed, path / f"{name}.parquet")
            manifest = {"doc_type": "vacancy", "doc_ids": [f"w{k}-{i}" for i in ids],
                        "content_hashes": ["x"] * len(ids), "taxonomy_version": tax,
                        "model_id": model}  # fmt: skip
            (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
            parts.append(path)
        seconds = []
        with Store.open(copy) as st:
            plan(st, "vacancy", MappingKey(tax, model), size)
            for path in parts:
                t = time.perf_counter()
                load_partition(st, path)
                seconds.append(time.perf_counter() - t)
    print(json.dumps({
        "what": f"writer: load one {size}-ad partition into a store of {n_rows:,} mentions",
        "mentions_per_partition": frames["mentions"].num_rows,
        "load_s_median": round(sorted(seconds)[len(seconds) // 2], 3),
        "load_s_max": round(max(seconds), 3),
        "partitions": n_partitions,
    }))  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("grow")
    g.add_argument("--sizes", type=int, nargs="+", default=[25000, 50000, 100000])
    r = sub.add_parser("resilience")
    r.add_argument("--ads", type=int, default=5000)
    r.add_argument("--kill-after", type=int, default=2, help="partitions stored before SIGKILL")
    r.add_argument(
        "--cases",
        nargs="+",
        choices=["kill", "cluster"],
        default=["kill", "cluster"],
        help="what to run besides the uninterrupted in-process reference",
    )
    w = sub.add_parser("writer")
    w.add_argument("--store", type=Path, required=True)
    w.add_argument("--partitions", type=int, default=20)
    w.add_argument("--partition-size", type=int, default=1000)
    for p in (g, r):
        p.add_argument("--work", type=Path, required=True)
        p.add_argument("--seed", type=int, default=13)
        p.add_argument("--fresh", action="store_true", help="empty the work folder first")
        p.add_argument("--partition-size", type=int, default=1000)
    args = ap.parse_args()
    if args.cmd == "writer":
        writer(args.store, args.partitions, args.partition_size)
        return
    if args.fresh and args.work.exists():
        shutil.rmtree(args.work)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.cmd == "grow":
        grow(args.work, sorted(args.sizes), args.seed, args.partition_size)
    else:
        resilience(args.work, args.ads, args.seed, args.kill_after, args.partition_size, args.cases)


if __name__ == "__main__":
    main()
