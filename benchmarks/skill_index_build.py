"""The one-time skill index build for the default taxonomy and encoder: time per stage,
CPU time, save, load and size on disk.

Run from the repo root: ``.venv/bin/python -m benchmarks.skill_index_build`` (the
embedded ESCO v1.1.1 and the packaged encoder, as a fresh ``skillgap demo`` uses them).
``--label-batch N --desc-batch N`` override the encoder batch sizes of the build (the
previous ones were 256 and 64) to compare; ``--compare-to PATH`` prints the smallest
cosine between this build's vectors and those of an index saved at PATH. CPU time
(``time.process_time``, all threads of the process) is the figure to compare on a shared
machine; wall time depends on what else runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--label-batch", type=int, default=None)
    parser.add_argument("--desc-batch", type=int, default=None)
    parser.add_argument("--save-to", type=Path, default=None, help="keep the index here")
    parser.add_argument("--compare-to", type=Path, default=None)
    args = parser.parse_args()

    import numpy as np

    from skillgap.config import Settings
    from skillgap.nlp import index as index_mod
    from skillgap.nlp.embed import load_encoder, model_id, resolve_model_path
    from skillgap.taxonomies.store import load_taxonomy

    if args.label_batch:
        index_mod.LABEL_BATCH = args.label_batch
    if args.desc_batch:
        index_mod.DESC_BATCH = args.desc_batch
    tax = load_taxonomy("default")
    path = resolve_model_path(Settings())
    mid = model_id(path)
    encoder = load_encoder(str(path))
    print(f"taxonomy {tax.snapshot_id} ({len(tax.skills):,} skills); encoder {mid}")
    print(
        f"batches: labels {index_mod.LABEL_BATCH}, descriptions {index_mod.DESC_BATCH}; "
        f"bf16 {bool(getattr(encoder, 'skillgap_bf16', False))}"
    )
    w0, c0 = time.perf_counter(), time.process_time()
    index = index_mod.build_index(tax, encoder, mid)
    w1, c1 = time.perf_counter(), time.process_time()
    print(f"build: wall {w1 - w0:.1f} s, cpu {c1 - c0:.1f} s")
    print("stages (wall s):", index.meta["stage_seconds"])
    print(
        f"rows: {index.meta['labels']:,} label embeddings, {index.size:,} descriptions, "
        f"{index.meta['tfidf_labels']:,} TF-IDF labels"
    )
    with tempfile.TemporaryDirectory() as tmp:
        where = args.save_to or Path(tmp) / "index"
        t0 = time.perf_counter()
        index_mod.save_index(index, where)
        t1 = time.perf_counter()
        again = index_mod.load_index(where)
        t2 = time.perf_counter()
        assert again is not None
        size = sum(p.stat().st_size for p in where.iterdir())
        print(f"save {t1 - t0:.2f} s, load {t2 - t1:.2f} s, on disk {size / 1e6:.1f} MB")
    if args.compare_to:
        other = index_mod.load_index(args.compare_to)
        if other is None:
            raise SystemExit(f"no usable index at {args.compare_to}")
        for view in ("label_emb", "desc_emb"):
            a, b = getattr(index, view), getattr(other, view)
            print(f"{view}: smallest cosine to {args.compare_to.name}: {(a * b).sum(1).min():.6f}")
        np.testing.assert_array_equal(index.label_offsets, other.label_offsets)


if __name__ == "__main__":
    main()
