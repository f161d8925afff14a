"""Where the map stage's time goes on real ad text: cProfile over one partition's work.

Builds ``--ads`` realistic ads (``benchmarks.realistic_ads``: real UK and SkillSpan
sentences recombined, seeded), loads the mapper of the data dir's active taxonomy and
encoder (not profiled), then profiles exactly what a mapping worker does with a partition
(``flows.partitions.map_partition``'s mapper call, one compute thread) and prints the
functions with the most own time and the most cumulative time.

    .venv/bin/python -m benchmarks.profile_map --ads 200 [--top 25] [--seed 13]
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import pstats
import tempfile
import time
from pathlib import Path

from benchmarks.realistic_ads import write_ads


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ads", type=int, default=200)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    from skillgap.flows.partitions import single_threaded
    from skillgap.nlp.mapper import SkillMapper
    from skillgap.taxonomies.store import load_taxonomy

    with tempfile.TemporaryDirectory(prefix="skillgap-profile-") as tmp:
        path = Path(tmp) / "ads.csv"
        write_ads(path, args.ads, seed=args.seed)
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    ids, texts = [r["vacancy_id"] for r in rows], [r["text"] for r in rows]
    mapper = SkillMapper.load(load_taxonomy(None))
    with single_threaded():
        mapper.mentions(ids[:5], texts[:5], "vacancy")  # first-call set-up out of the figure
        fresh = SkillMapper(mapper.taxonomy, mapper.index, mapper.encoder, mapper.model_path)
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        out = fresh.mentions(ids, texts, "vacancy")
        prof.disable()
        wall = time.perf_counter() - t0
    chars = sum(len(t) for t in texts)
    print(
        f"{len(texts)} ads ({chars / len(texts):,.0f} characters on average), "
        f"{len(out):,} mentions in {wall:.1f} s under the profiler: {len(texts) / wall:.1f} ads/s"
    )
    for key in ("tottime", "cumulative"):
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats(key).print_stats(args.top)
        print(f"\n--- by {key} ---")
        print("\n".join(line for line in buf.getvalue().splitlines() if line.strip())[:20000])


if __name__ == "__main__":
    main()
