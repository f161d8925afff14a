"""Skill-mapping accuracy on ../shared/eval/skillmap-dev, following its README protocol.

    .venv/bin/python -m benchmarks.skillmap_eval                 # the engine as configured
    .venv/bin/python -m benchmarks.skillmap_eval --only sem_whole  # one view (ablation)
    .venv/bin/python -m benchmarks.skillmap_eval --ranked out.jsonl --split tech
        # score any system's output written in the `skillgap map --output` JSONL contract
        # (ids are the 0-based query numbers of the split, MRR is then over the given depth)

Protocol: the query is the whole sentence; gold is the set of distinct real ESCO preferred
labels of the sentence (LABEL NOT PRESENT / UNDERSPECIFIED dropped, sentences with no
label skipped, identical sentences merged); every ESCO skill is ranked; RP@K =
|gold ∩ top K| / min(K, |gold|); MRR over the full ranking; labels compared lower-cased
with collapsed whitespace.

It also runs extract mode (``SkillMapper.extract_sentences``: the product's two-stage path,
cap, threshold and clause rule) on the same sentences and prints micro precision / recall
/ F1 per split and pooled. With the committed fusion these are in-sample figures (its cap
and threshold were chosen on these sentences); the honest estimate is the cross-split
line of ``scripts.fit_fusion``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from benchmarks.mapping_common import SPLITS, load_dev_queries, load_official_taxonomy

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent


def norm(label: str) -> str:
    return " ".join(str(label).lower().split())


def metrics_from_rankings(
    rankings: list[list[str]], golds: list[set[str]], full: bool
) -> dict[str, float]:
    """RP@5, RP@10, MRR from ranked normalised labels (best first) per query."""
    rp5, rp10, rr = [], [], []
    for ranked, gold in zip(rankings, golds, strict=True):
        seen: list[str] = list(dict.fromkeys(ranked))
        for k, acc in ((5, rp5), (10, rp10)):
            acc.append(len(gold & set(seen[:k])) / min(k, len(gold)))
        first = next((i for i, lab in enumerate(seen) if lab in gold), None)
        rr.append(0.0 if first is None else 1.0 / (first + 1))
    return {
        "n": len(golds),
        "RP@5": float(np.mean(rp5)),
        "RP@10": float(np.mean(rp10)),
        "MRR": float(np.mean(rr)),
        "mrr_depth": "full" if full else "given",
    }


def evaluate_scores(scores: np.ndarray, labels: list[str], golds: list[set[str]]) -> dict:
    """Metrics from a (Q, N) score matrix over skills whose preferred labels are ``labels``."""
    normed = np.array([norm(x) for x in labels], dtype=object)
    rankings = []
    for q in range(scores.shape[0]):
        order = np.argsort(-scores[q], kind="stable")
        rankings.append(list(normed[order]))
    return metrics_from_rankings(rankings, golds, full=True)


def extract_counts(hits: list[list[str]], golds: list[set[str]]) -> dict[str, float]:
    """Micro precision / recall / F1 of extracted labels (normalised) against gold sets."""
    tp = sum(len(set(map(norm, h)) & g) for h, g in zip(hits, golds, strict=True))
    n = sum(len(set(map(norm, h))) for h in hits)
    gold = sum(len(g) for g in golds)
    prec = tp / n if n else 0.0
    rec = tp / gold if gold else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"tp": tp, "extracted": n, "gold": gold, "precision": prec, "recall": rec, "F1": f1}


def print_table(rows: list[tuple[str, dict]], config: str) -> None:
    print(f"config: {config}")
    print(f"{'split':<8} {'n':>4} {'RP@5':>7} {'RP@10':>7} {'MRR':>7}")
    for name, m in rows:
        print(f"{name:<8} {m['n']:>4} {m['RP@5']:>7.3f} {m['RP@10']:>7.3f} {m['MRR']:>7.3f}")


def _load_ranked(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                out[str(rec["id"])] = [norm(s["label"]) for s in rec.get("skills", [])]
    return out


def main(argv: list[str] | None = None) -> dict[str, dict]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=[*SPLITS, "all"], default="all")
    ap.add_argument("--ranked", type=Path, help="evaluate this JSONL output instead")
    ap.add_argument("--model-path", type=Path, default=None)
    ap.add_argument("--only", default=None, help="comma list of features to keep (ablation)")
    ap.add_argument("--weights", default=None, help="feat=w,... overrides of fusion weights")
    ap.add_argument("--defaults", action="store_true", help="built-in fusion, not fusion.json")
    ap.add_argument("--exact", action="store_true", help="score every skill on every view")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    splits = list(SPLITS) if args.split == "all" else [args.split]

    if args.ranked is not None:
        ranked = _load_ranked(args.ranked)
        rows = []
        for sp in splits:
            q = load_dev_queries(sp)
            rankings = [ranked.get(str(i), []) for i in range(len(q))]
            rows.append((sp, metrics_from_rankings(rankings, [g for _, g in q], full=False)))
        print_table(rows, f"ranked file {args.ranked}")
        return dict(rows)

    os.environ.setdefault("SKILLGAP_DATA_DIR", str(REPO / ".skillgap-data"))
    from skillgap.config import get_settings
    from skillgap.nlp.fusion import FEATURES, Fusion
    from skillgap.nlp.mapper import SkillMapper

    t0 = time.perf_counter()
    taxonomy = load_official_taxonomy()
    mapper = SkillMapper.load(taxonomy, get_settings(), model_path=args.model_path)
    load_s = time.perf_counter() - t0
    if args.defaults:
        mapper.fusion = Fusion()
    if args.weights:
        for item in args.weights.split(","):
            k, v = item.split("=")
            if k not in FEATURES and k != "bias":
                raise SystemExit(f"unknown feature {k}; known: {FEATURES}")
            if k == "bias":
                mapper.fusion.bias = float(v)
            else:
                mapper.fusion.weights[k] = float(v)
    if args.only:
        keep = set(args.only.split(","))
        mapper.fusion.weights = {
            k: (v if k in keep else 0.0) for k, v in mapper.fusion.weights.items()
        }
        for k in keep:  # a view whose weight is 0 by default still gets a say
            if mapper.fusion.weights.get(k, 0.0) == 0.0:
                mapper.fusion.weights[k] = 1.0
    rows = []
    extract: dict[str, dict[str, float]] = {}
    t1 = time.perf_counter()
    nq = 0
    for sp in splits:
        q = load_dev_queries(sp)
        nq += len(q)
        scores = mapper.score_matrix([s for s, _ in q], exact=args.exact)
        rows.append((sp, evaluate_scores(scores, mapper.index.labels, [g for _, g in q])))
        found = mapper.extract_sentences([s for s, _ in q])
        extract[sp] = extract_counts([[h.label for h in hs] for hs in found], [g for _, g in q])
    elapsed = time.perf_counter() - t1
    if len(extract) > 1:
        tot = {k: sum(int(e[k]) for e in extract.values()) for k in ("tp", "extracted", "gold")}
        prec, rec = tot["tp"] / max(1, tot["extracted"]), tot["tp"] / max(1, tot["gold"])
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        extract["pooled"] = {**tot, "precision": prec, "recall": rec, "F1": f1}
    if len(rows) > 1:
        macro = {k: float(np.mean([m[k] for _, m in rows])) for k in ("RP@5", "RP@10", "MRR")}
        rows.append(("macro", {"n": sum(m["n"] for _, m in rows), **macro}))
    weights = ",".join(f"{k}={v:g}" for k, v in mapper.fusion.weights.items() if v)
    config = (
        f"model={mapper.model_id} taxonomy={mapper.index.taxonomy_key} "
        f"fusion=[{mapper.fusion.source}] weights={weights} "
        f"scoring={'exact' if args.exact else 'two-stage'}"
    )
    print_table(rows, config)
    f = mapper.fusion
    print(
        f"extract mode (cap {f.max_per_sentence}, threshold {f.threshold}, clause rule "
        f"{'on' if f.clause_best else 'off'}; in-sample for a fusion fitted on these sentences):"
    )
    for name, e in extract.items():
        print(
            f"  {name:<7} precision {e['precision']:.3f} recall {e['recall']:.3f} "
            f"F1 {e['F1']:.3f} ({e['tp']}/{e['extracted']} correct, {e['gold']} gold)"
        )
    print(f"index load {load_s:.1f}s; scored {nq} queries in {elapsed:.1f}s")
    if args.json:
        out = {"config": config, "rows": dict(rows), "extract": extract}
        args.json.write_text(json.dumps(out, indent=2))
    return dict(rows)


if __name__ == "__main__":
    main()
