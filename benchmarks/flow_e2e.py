"""Benchmark of the whole flow: N synthetic vacancies + M credentials, run twice.

Prints wall time, time per stage and peak memory (max RSS of the run's process) for a
first run (everything ingested and mapped) and a second identical run (nothing new: only
analysis and reports). Uses the active taxonomy and encoder of the data dir (the skill
index is built once and cached there; run `skillgap demo` once first so the first-run
figure does not include the one-time index build).

    .venv/bin/python -m benchmarks.flow_e2e --vacancies 20000 --credentials 200
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import json, os, resource, sys, time
from skillgap.config import get_settings
from skillgap.flows.prefect_env import configure_prefect
configure_prefect(get_settings())
from skillgap.flows.gap_flow import skills_gap_analysis
t = time.perf_counter()
res = skills_gap_analysis(sys.argv[1], outputs_dir=sys.argv[2])
wall = time.perf_counter() - t
print("RESULT " + json.dumps({"wall": wall, "timings": res["timings"], "mapping": {
    k: v for k, v in res["mapping"].items() if k != "model_id"},
    "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def make_inputs(work: Path, n_vacancies: int, n_credentials: int, seed: int) -> Path:
    """Demo-shaped data at the requested size; credentials are varied copies of the demo's."""
    from skillgap.demo.generate import generate

    paths = generate(work, seed=seed, n_vacancies=n_vacancies)
    base = [json.loads(x) for x in paths["credentials"].read_text("utf-8").splitlines() if x]
    with paths["credentials"].open("w", encoding="utf-8") as fh:
        for i in range(n_credentials):
            rec = dict(base[i % len(base)])
            if i >= len(base):
                rec["credential_id"] = f"{rec['credential_id']}-v{i // len(base)}"
                rec["title"] = f"{rec['title']} (edition {i // len(base) + 1})"
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    config = work / "bench.toml"
    config.write_text(
        "[run]\nname = 'bench'\nstore = 'bench.duckdb'\n\n"
        "[[inputs.vacancies]]\npath = 'vacancies.csv'\nprofile = 'generic'\n\n"
        "[[inputs.credentials]]\npath = 'credentials.jsonl'\nprofile = 'generic'\n\n"
        "[report]\nvariants = ['sector=F']\n",
        encoding="utf-8",
    )
    return config


def run_once(config: Path, out: Path) -> dict:
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(config), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit(f"flow failed with exit code {proc.returncode}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["process_wall"] = time.perf_counter() - t
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vacancies", type=int, default=20000)
    ap.add_argument("--credentials", type=int, default=200)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="skillgap-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        config = make_inputs(work, args.vacancies, args.credentials, args.seed)
        print(
            f"generated {args.vacancies} vacancies + {args.credentials} credentials "
            f"in {time.perf_counter() - t:.1f} s"
        )
        first = run_once(config, work / "out")
        second = run_once(config, work / "out")
    for name, r in (("first run", first), ("second run", second)):
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in r["timings"].items())
        print(
            f"{name}: process wall {r['process_wall']:.1f} s (flow {r['wall']:.1f} s; "
            f"{stages}); peak RSS {r['maxrss_mb']:.0f} MB; mapped {r['mapping']}"
        )
    print(f"second/first (process wall): {second['process_wall'] / first['process_wall']:.1%}")
    print(f"second/first (flow wall):    {second['wall'] / first['wall']:.1%}")
    own_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"benchmark process peak RSS: {own_mb:.0f} MB")


if __name__ == "__main__":
    main()
