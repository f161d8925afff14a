"""Mapper speed and memory on this machine: start-up, rank throughput, extract over ads.

    .venv/bin/python -m benchmarks.mapping_speed [--sentences 1000] [--ads 2000] [--threads N]

Prints: start-up to the first result with the index cached - a fresh
``skillgap map --text`` process on the official ESCO snapshot, as a user runs it (the
snapshot is imported into the benchmark's data dir first when absent) -, the one-time
index build time recorded in the cached index, rank-mode sentences per second after
warm-up (SkillSpan posting sentences, top 10; three timed passes, the memo of encoded
units cleared before each), extract-mode ads per second over the first N Adzuna UK ads
(segmentation, boilerplate filter, sentence de-duplication included), and the process's
peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent


def _skillspan_sentences(root: Path, limit: int) -> list[str]:
    from skillgap.nlp.segment import segment

    out: list[str] = []
    path = root / "data/vacancies/skillspan/skillspan_postings_train_dev.jsonl"
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            out.extend(s.text for s in segment(json.loads(line)["text"]))
    return out[:limit]


def _adzuna(root: Path, limit: int) -> list[str]:
    import pandas as pd

    df = pd.read_csv(root / "data/vacancies/adzuna-uk-2013/Train_rev1_subset.csv", dtype=str)
    return df["FullDescription"].fillna("").tolist()[:limit]


def _cli_startup(repo: Path, runs: int = 3) -> list[float]:
    """Wall seconds of ``skillgap map --text`` (process start to printed result)."""
    import subprocess
    import sys

    from benchmarks.mapping_common import EN_ZIP, REL_ZIP, shared_root
    from skillgap.taxonomies.store import import_taxonomy, list_snapshots

    if not any(m.get("kind") == "official" for m in list_snapshots()):
        root = shared_root()
        import_taxonomy([root / EN_ZIP, root / REL_ZIP])
    cmd = [sys.executable, "-m", "skillgap.cli.main", "map", "--text", "Python and SQL"]
    subprocess.run(cmd, check=True, capture_output=True, cwd=repo)  # builds the index once
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=repo)
        out.append(time.perf_counter() - t)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sentences", type=int, default=1000)
    ap.add_argument("--ads", type=int, default=2000)
    ap.add_argument("--model-path", type=Path, default=None)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    args = ap.parse_args(argv)
    os.environ.setdefault("SKILLGAP_DATA_DIR", str(REPO / ".skillgap-data"))

    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from benchmarks.mapping_common import load_official_taxonomy, shared_root
    from skillgap.config import get_settings
    from skillgap.nlp.mapper import SkillMapper

    if args.model_path is None:
        starts = _cli_startup(REPO)
        print(
            "start-up to first result, `skillgap map --text`, official ESCO snapshot, index "
            f"cached: {' / '.join(f'{x:.1f}' for x in starts)} s wall"
        )
    taxonomy = load_official_taxonomy()
    mapper = SkillMapper.load(taxonomy, get_settings(), model_path=args.model_path)
    mapper.rank(["Experience with Python and SQL"], top_k=10)
    print(
        f"model {mapper.model_id}, {mapper.index.size} skills, "
        f"{len(mapper.index.label_texts)} embedded label rows, "
        f"{len(mapper.index.tfidf_texts)} TF-IDF label rows"
    )
    print(f"index build (one-time, recorded at build): {mapper.index.meta.get('build_seconds')}s")

    root = shared_root()
    sents = _skillspan_sentences(root, args.sentences + 64)
    mapper.rank(sents[:64], top_k=10)  # warm-up (also loads the language identifier)
    timed = sents[64 : 64 + args.sentences]
    for _ in range(3):
        mapper._memo.clear()  # measure encoding too, not the memo
        t, c = time.perf_counter(), time.process_time()
        mapper.rank(timed, top_k=10)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        # CPU seconds are the fairer figure on a shared machine: wall time there measures
        # the other tenants too.
        print(
            f"rank mode: {len(timed)} sentences in {dt:.1f}s wall = {len(timed) / dt:.0f}/s; "
            f"{dc:.1f} CPU-s = {len(timed) / dc:.0f} sentences per CPU-second"
        )

    ads = _adzuna(root, args.ads)
    mapper._memo.clear()
    t, c = time.perf_counter(), time.process_time()
    found = mapper.extract(ads)
    dt, dc = time.perf_counter() - t, time.process_time() - c
    n_sk = sum(len(h) for h in found)
    print(
        f"extract mode: {len(ads)} ads in {dt:.1f}s wall = {len(ads) / dt:.2f} ads/s, "
        f"{dc:.1f} CPU-s = {len(ads) / dc:.2f} ads per CPU-second "
        f"({n_sk / max(1, len(ads)):.1f} skills per ad)"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
