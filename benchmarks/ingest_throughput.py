"""Ingest throughput and peak memory for synthetic vacancies shaped like the Adzuna sample.

Usage (from the repo root):
    .venv/bin/python -m benchmarks.ingest_throughput [--n 100000] [--sizes 25000,100000]

The generator reads the real Adzuna UK sample (../shared) and builds each synthetic ad
from sentences of several real ads, so length, vocabulary and HTML-free English text match
the real data while ads stay distinct; 3% are verbatim reposts under a new id and 3% are
reposts with a changed word and a date line (what near-duplicate detection must catch).

Each measurement runs ``skillgap.ingest.api.ingest_vacancies`` with the ``adzuna-uk``
profile into a fresh store in a child process, so peak RSS (ru_maxrss) belongs to that run
alone. Printed: records/s (wall clock, and per CPU-second, which is the fairer figure on
a shared machine) with and without near-duplicate detection, and peak RSS per file size
(memory should stay flat as the file grows).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = [
    "Id",
    "Title",
    "FullDescription",
    "LocationRaw",
    "LocationNormalized",
    "ContractType",
    "ContractTime",
    "Company",
    "Category",
    "SalaryRaw",
    "SalaryNormalized",
    "SourceName",
]


def generate(n: int, out: Path, seed: int = 7) -> dict[str, int]:
    """Write ``n`` synthetic ads in the Adzuna CSV layout to ``out``."""
    from tests.shared_data import find_shared

    root = find_shared()
    if root is None:
        raise SystemExit("../shared not found (set SKILLGAP_SHARED)")
    src = root / "data" / "vacancies" / "adzuna-uk-2013" / "Train_rev1_subset.csv"
    with src.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    sentences = [
        s
        for r in rows
        for s in re.split(r"(?<=[.!?])\s+", r["FullDescription"])
        if len(s.split()) >= 4
    ]
    lengths = [max(3, len(re.split(r"(?<=[.!?])\s+", r["FullDescription"]))) for r in rows]
    rng = random.Random(seed)
    counts = {"unique": 0, "exact_reposts": 0, "near_reposts": 0}
    written: list[list[str]] = []
    with out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for i in range(n):
            r = rng.random()
            if written and r < 0.03:
                row = list(rng.choice(written))
                row[0] = str(90_000_000 + i)
                counts["exact_reposts"] += 1
            elif written and r < 0.06:
                row = list(rng.choice(written))
                row[0] = str(90_000_000 + i)
                words = row[2].split()
                words[rng.randrange(len(words))] = "updated"
                row[2] = (
                    " ".join(words)
                    + f" Date posted: 2013-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
                )
                counts["near_reposts"] += 1
            else:
                base = rng.choice(rows)
                k = min(rng.choice(lengths), 40)
                text = " ".join(rng.choice(sentences) for _ in range(k))
                row = [
                    str(10_000_000 + i),
                    base["Title"],
                    text,
                    base["LocationRaw"],
                    base["LocationNormalized"],
                    base["ContractType"],
                    base["ContractTime"],
                    base["Company"],
                    base["Category"],
                    base["SalaryRaw"],
                    base["SalaryNormalized"],
                    base["SourceName"],
                ]
                counts["unique"] += 1
                if len(written) < 5000:
                    written.append(row)
                elif rng.random() < 0.1:
                    written[rng.randrange(5000)] = row
            w.writerow(row)
    return counts


def _child(path: str, near: bool) -> None:
    """Run one ingest in this (fresh) process and print its figures as JSON."""
    from skillgap.ingest.api import ingest_vacancies
    from skillgap.language import identify
    from skillgap.store import Store

    identify("warm up the language model before timing anything")
    with tempfile.TemporaryDirectory() as d:
        with Store.open(Path(d) / "bench.duckdb") as st:
            t0, c0 = time.perf_counter(), time.process_time()
            rep = ingest_vacancies(Path(path), "adzuna-uk", st, near_duplicates=near)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        size = (Path(d) / "bench.duckdb").stat().st_size
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "near": near,
                "elapsed_s": round(elapsed, 2),
                "records_per_s": round(rep.read / elapsed),
                "cpu_s": round(cpu, 2),
                "records_per_cpu_s": round(rep.read / cpu),
                "peak_rss_mb": round(peak_mb),
                "store_mb": round(size / 1e6, 1),
                **rep.counts,
            }
        )
    )


def _measure(path: Path, near: bool) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.setdefault("SKILLGAP_DATA_DIR", str(Path(tempfile.gettempdir()) / "skillgap-bench-data"))
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest_throughput", "--child", str(path)]
        + (["--near"] if near else []),
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000, help="vacancies in the main run")
    ap.add_argument("--sizes", default="25000", help="extra file sizes for the memory check")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--near", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.near)
        return
    sizes = sorted({args.n, *(int(s) for s in args.sizes.split(",") if s)})
    with tempfile.TemporaryDirectory() as d:
        for n in sizes:
            f = Path(d) / f"synthetic-{n}.csv"
            counts = generate(n, f)
            mb = f.stat().st_size / 1e6
            print(f"generated {n:,} ads ({mb:.0f} MB): {counts}")
            for near in (False, True):
                if near and n != args.n:
                    continue
                r = _measure(f, near)
                label = "with near-dup" if near else "no near-dup  "
                print(
                    f"n={n:>7,} {label}: {r['records_per_s']:>6,} rec/s wall "
                    f"({r['elapsed_s']:.1f} s), {r['records_per_cpu_s']:>6,} rec/CPU-s "
                    f"({r['cpu_s']:.1f} s), peak RSS {r['peak_rss_mb']:>5,} MB, "
                    f"stored {r['stored']:,}, dup {r['duplicates']:,}, "
                    f"near {r['near_duplicates']:,}, quarantined {r['quarantined']:,}"
                )


if __name__ == "__main__":
    main()
