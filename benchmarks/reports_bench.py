"""Time and size of ``write_reports`` per output format.

Two inputs: the embedded demo analysed by ``skillgap.gaps.analyse`` (3,000 vacancies, 48
credentials: what ``skillgap demo`` renders), and the same analysis with its demand and
gaps tables blown up to ``--rows`` rows by cloning skills under new URIs, to see how the
Excel, JSON and HTML writers scale with a national-size run.

Run: ``.venv/bin/python -m benchmarks.reports_bench [--rows 200000]``
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import pandas as pd

from skillgap.gaps.tables import GapAnalysis
from skillgap.reports import FORMATS, write_reports


def demo_analysis() -> GapAnalysis:
    from skillgap.demo import (
        demo_taxonomy,
        load_credentials,
        load_truth_mentions,
        load_vacancies,
    )
    from skillgap.gaps import AnalysisParams, analyse

    return analyse(
        load_vacancies(),
        load_credentials(),
        load_truth_mentions(),
        demo_taxonomy(),
        AnalysisParams(breakdowns=["sector", "region", "sector+region"]),
    )


def blown_up(a: GapAnalysis, rows: int) -> GapAnalysis:
    """Clone skills (new URIs and labels) until demand has about ``rows`` rows."""
    copies = max(1, rows // max(1, len(a.demand)))

    def clone(df: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for i in range(copies):
            part = df.copy()
            part["skill_uri"] = part["skill_uri"].astype(str) + f"#{i}"
            part["label"] = part["label"].astype(str) + f" ({i})"
            parts.append(part)
        return pd.concat(parts, ignore_index=True)

    return GapAnalysis(
        **{
            **a.tables(),
            "demand": clone(a.demand),
            "gaps": clone(a.gaps),
            "trends": clone(a.trends),
        },
        meta=a.meta,
    )


def measure(name: str, a: GapAnalysis, variants: list[str]) -> None:
    print(f"\n## {name}: demand {len(a.demand):,} rows, gaps {len(a.gaps):,} rows")
    print("| format | seconds | bytes |")
    print("|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in FORMATS:
            out = Path(tmp) / fmt
            t = time.perf_counter()
            paths = write_reports(
                a, out, run_meta={"run_id": "bench"}, variants=variants, formats={fmt}
            )
            secs = time.perf_counter() - t
            size = sum(p.stat().st_size for k, p in paths.items() if k != "manifest")
            label = fmt
            if fmt in ("html", "md") and variants:
                label += f" (+{len(variants)} variants)"
            print(f"| {label} | {secs:.2f} | {size:,} |")
            shutil.rmtree(out)
        out = Path(tmp) / "all"
        t = time.perf_counter()
        write_reports(a, out, run_meta={"run_id": "bench"}, variants=variants)
        print(f"| all formats together | {time.perf_counter() - t:.2f} | |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="demand rows of the large case")
    args = parser.parse_args()
    t = time.perf_counter()
    a = demo_analysis()
    print(f"demo analysis built in {time.perf_counter() - t:.1f} s (not part of the figures)")
    measure("demo", a, ["sector=F", "region=NL33"])
    measure("large", blown_up(a, args.rows), ["sector=F"])
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the whole benchmark process: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
