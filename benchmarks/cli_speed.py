"""Mapping speed as users see it: `skillgap map` on real ad text, next to a plain encode.

Every figure is a fresh process, start-up included, as a user runs it:

- rank mode: ``skillgap map --input S.jsonl --output R.jsonl --top-k 10`` on N real UK
  ad sentences (the Adzuna sample in ../shared, split by the project's segmenter, a seeded
  sample), with the default torch threads and with one thread (OMP_NUM_THREADS=1);
- the same sentences through a plain sentence-transformers ``encode`` with the same model
  (the encoder skillgap uses), in a fresh process: the encode call alone and the process;
- extract mode: ``skillgap map --input A.jsonl --extract`` on M real UK ads.

Medians of ``--repeat`` runs; the 1-minute load average is printed with each figure (on a
shared machine it says how much of the CPU the run could get).

    .venv/bin/python -m benchmarks.cli_speed [--sentences 1000] [--ads 300] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.mapping_common import shared_root

REPO = Path(__file__).resolve().parent.parent
UK = "data/vacancies/adzuna-uk-2013/Train_rev1_subset.csv"

_ENCODE = r"""
import json, sys, time
t0 = time.perf_counter()
from sentence_transformers import SentenceTransformer
texts = [json.loads(x)["text"] for x in open(sys.argv[2], encoding="utf-8")]
model = SentenceTransformer(sys.argv[1], device="cpu")
t1 = time.perf_counter()
model.encode(texts, batch_size=64, normalize_embeddings=True)
t2 = time.perf_counter()
print(json.dumps({"encode_s": t2 - t1, "process_s": t2 - t0}))
"""


def _inputs(work: Path, n_sentences: int, n_ads: int, seed: int) -> tuple[Path, Path, float]:
    import pandas as pd

    from skillgap.nlp.segment import segment

    df = pd.read_csv(shared_root() / UK, dtype=str, keep_default_na=False)
    texts = df["FullDescription"].tolist()
    sentences = [s.text for t in texts for s in segment(t) if len(s.text) >= 15]
    sample = random.Random(seed).sample(sentences, n_sentences)
    s_path, a_path = work / "sentences.jsonl", work / "ads.jsonl"
    with s_path.open("w", encoding="utf-8") as fh:
        for i, s in enumerate(sample):
            fh.write(json.dumps({"id": i, "text": s}) + "\n")
    with a_path.open("w", encoding="utf-8") as fh:
        for i, t in enumerate(texts[:n_ads]):
            fh.write(json.dumps({"id": i, "text": t}) + "\n")
    return s_path, a_path, sum(map(len, sample)) / len(sample)


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    load = os.getloadavg()[0]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:6])} failed: {proc.stderr[-2000:]}")
    return wall, load, proc.stdout


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sentences", type=int, default=1000)
    ap.add_argument("--ads", type=int, default=300)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    from skillgap.config import get_settings
    from skillgap.nlp.embed import resolve_model_path

    model = resolve_model_path(get_settings())
    cli = [sys.executable, "-m", "skillgap.cli.main", "map"]
    with tempfile.TemporaryDirectory(prefix="skillgap-cli-speed-") as tmp:
        work = Path(tmp)
        s_path, a_path, mean_chars = _inputs(work, args.sentences, args.ads, args.seed)
        print(f"{args.sentences} real UK ad sentences, mean {mean_chars:.0f} characters")
        subprocess.run(  # the skill index is built once, outside the figures
            [*cli, "--text", "Python and SQL"], cwd=REPO, check=True, capture_output=True
        )
        rows = []
        for label, extra_env in (
            ("default threads", {}),
            ("OMP_NUM_THREADS=1", {"OMP_NUM_THREADS": "1"}),
        ):
            env = {**os.environ, **extra_env}
            runs = [
                _timed([*cli, "--input", str(s_path), "--output", str(work / "r.jsonl"),
                        "--top-k", "10"], env)
                for _ in range(args.repeat)
            ]  # fmt: skip
            wall = statistics.median(r[0] for r in runs)
            rows.append((f"skillgap map rank, {label}", wall, args.sentences, runs))
            runs = [
                _timed([*cli, "--input", str(a_path), "--output", str(work / "e.jsonl"),
                        "--extract"], env)
                for _ in range(args.repeat)
            ]  # fmt: skip
            rows.append(
                (
                    f"skillgap map --extract ads, {label}",
                    statistics.median(r[0] for r in runs),
                    args.ads,
                    runs,
                )
            )
            enc = []
            for _ in range(args.repeat):
                _, load, out = _timed([sys.executable, "-c", _ENCODE, str(model), str(s_path)], env)
                enc.append((json.loads(out.strip().splitlines()[-1]), load))
            rows.append(
                (
                    f"plain sentence-transformers encode call, {label}",
                    statistics.median(e[0]["encode_s"] for e in enc),
                    args.sentences,
                    [(e[0]["encode_s"], e[1], "") for e in enc],
                )
            )
            rows.append(
                (
                    f"plain encode, whole process, {label}",
                    statistics.median(e[0]["process_s"] for e in enc),
                    args.sentences,
                    [(e[0]["process_s"], e[1], "") for e in enc],
                )
            )
        for label, wall, n, runs in rows:
            loads = ", ".join(f"{r[1]:.1f}" for r in runs)
            rate = f"{n / wall:.1f}/s (median of {len(runs)}; load {loads})"
            print(f"{label}: {wall:.1f} s for {n} = {rate}")


if __name__ == "__main__":
    main()
