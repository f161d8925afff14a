"""Quick dev-set retrieval eval of the sentence encoder alone: base vs fine-tuned.

Follows ../shared/eval/skillmap-dev/README.md: whole sentence as the query, all ESCO
v1.1.1 skills ranked, RP@5 / RP@10 / MRR per split. Two skill views, both plain
bi-encoder cosine with nothing else (no lexical, no reranking), so the figures isolate
what the encoder itself learnt:

- ``pref``: the preferred label only (what the engine indexes by default);
- ``pref+alt``: best score over the preferred and every alternative label.

Run from the repo root:

    HF_HUB_OFFLINE=1 .venv/bin/python -m benchmarks.encoder_eval            # base + packaged
    HF_HUB_OFFLINE=1 .venv/bin/python -m benchmarks.encoder_eval --views pref --model DIR

Embeddings are cached under /tmp/encoder-work/emb (override with --cache-dir), so a second
run only re-embeds what changed.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> None:
    """Print one markdown table row per (model, view)."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--model", action="append", default=[], help="model dir (repeatable); 'base', 'packaged'"
    )
    parser.add_argument("--views", default="pref,pref+alt", help="comma list of pref, pref+alt")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads (the machine is shared)"
    )
    parser.add_argument("--cache-dir", type=Path, default=Path("/tmp/encoder-work/emb"))
    args = parser.parse_args(argv)

    import torch
    from sentence_transformers import SentenceTransformer

    from skillgap.nlp.training.artifact import base_model_dir, packaged_encoder_dir
    from skillgap.nlp.training.data import load_dev_queries, load_skills
    from skillgap.nlp.training.evaluate import (
        encode_cached,
        format_table,
        label_views,
        retrieval_metrics,
        skill_scores,
    )
    from tests.shared_data import find_shared

    torch.set_num_threads(args.threads)
    shared = find_shared()
    if shared is None:
        raise SystemExit("../shared not found (set SKILLGAP_SHARED)")
    skills = load_skills(shared / "esco" / "v1.1.1")
    queries = load_dev_queries(shared / "eval" / "skillmap-dev")
    preferred = skills["preferred_label"].tolist()
    alts = skills["alt_labels"].tolist()
    n_tech = sum(q.split == "tech" for q in queries)
    print(f"{len(skills)} skills, {n_tech} TECH + {len(queries) - n_tech} HOUSE queries")

    models = args.model or ["base", "packaged"]
    rows: dict[str, dict[str, dict[str, float]]] = {}
    for spec in models:
        if spec == "base":
            path = base_model_dir()
        elif spec == "packaged":
            packaged = packaged_encoder_dir()
            if packaged is None:
                print("no packaged encoder artifact committed; skipping 'packaged'")
                continue
            path = packaged
        else:
            path = Path(spec)
        model = SentenceTransformer(str(path), device="cpu")
        key = str((path / "model.safetensors").stat().st_mtime_ns) + str(path.resolve())
        q_emb = encode_cached(model, [q.sentence for q in queries], key, args.cache_dir)
        for view in args.views.split(","):
            started = time.perf_counter()
            texts, owner = label_views(preferred, alts, with_alt=view == "pref+alt")
            v_emb = encode_cached(model, texts, key, args.cache_dir)
            scores = skill_scores(q_emb, v_emb, owner, len(preferred))
            rows[f"{spec} [{view}]"] = retrieval_metrics(scores, queries, preferred)
            print(
                f"{spec} [{view}]: {len(texts)} views, {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    print(format_table(rows))


if __name__ == "__main__":
    main()
