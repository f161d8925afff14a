"""Fit the mapper's fusion weights and the extract-mode threshold; write nlp/fusion.json.

    .venv/bin/python -m scripts.fit_fusion            # fit, report cross-split, write
    .venv/bin/python -m scripts.fit_fusion --dry-run  # report only

What is learnt, from what:
- Fusion: a logistic regression over the candidate features of ``skillgap.nlp.fusion``
  (8 numbers + bias), on the shared dev set (TECH + HOUSE validation sentences, which the
  issue lists as data we may learn from). Candidates are each query's top 200 skills under
  the current fusion plus its gold skills. With 8 weights and ~130 queries the risk of
  fitting individual sentences is small, and it is measured, not assumed: the script
  first fits on one split and scores the other (both directions) and prints those honest
  cross-split figures next to the in-sample ones.
- Threshold: the probability cut-off and per-sentence cap that maximise micro-F1 over
  the dev sentences subject to precision >= ``--min-precision`` (default 0.55: the
  issue's extract-mode floor is 0.50, and the cross-split check shows the calibration
  moving by about 0.05 between splits; also, every dev sentence carries a skill, while
  real ads are full of sentences that carry none, so the dev-optimal cut-off is too
  permissive for demand counting).

Runs in about a minute once the skill index is cached (it uses the same cache as
``benchmarks.skillmap_eval``). The output is keyed by the encoder's model family, so a
fine-tuned encoder gets its own entry when the script is rerun with it.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

from benchmarks.mapping_common import SPLITS, load_dev_queries, load_official_taxonomy

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
N_CAND = 200
MAX_PER_SENTENCE = 4


def _norm(x: str) -> str:
    return " ".join(x.lower().split())


def _gold_matrix(labels: list[str], golds: list[set[str]]) -> np.ndarray:
    normed = np.array([_norm(x) for x in labels], dtype=object)
    y = np.zeros((len(golds), len(labels)), dtype=bool)
    for q, g in enumerate(golds):
        y[q] = np.isin(normed, list(g))
    return y


def _candidates(logits: np.ndarray, y: np.ndarray) -> list[np.ndarray]:
    out = []
    for q in range(logits.shape[0]):
        top = np.argpartition(-logits[q], N_CAND)[:N_CAND]
        out.append(np.union1d(top, np.flatnonzero(y[q])))
    return out


def _fit(feats: np.ndarray, y: np.ndarray, cands: list[np.ndarray], c: float):
    from sklearn.linear_model import LogisticRegression

    x = np.concatenate([feats[q, cands[q]] for q in range(len(cands))])
    t = np.concatenate([y[q, cands[q]] for q in range(len(cands))])
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit(x, t)
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])


def _metrics(logits: np.ndarray, y: np.ndarray) -> dict[str, float]:
    rp5, rp10, rr = [], [], []
    for q in range(logits.shape[0]):
        order = np.argsort(-logits[q], kind="stable")
        g = y[q]
        n = int(g.sum())
        rp5.append(g[order[:5]].sum() / min(5, n))
        rp10.append(g[order[:10]].sum() / min(10, n))
        first = np.flatnonzero(g[order])
        rr.append(1.0 / (first[0] + 1) if len(first) else 0.0)
    return {"RP@5": float(np.mean(rp5)), "RP@10": float(np.mean(rp10)), "MRR": float(np.mean(rr))}


def _extract_curve(
    probs: np.ndarray, y: np.ndarray, cap: int = MAX_PER_SENTENCE
) -> list[tuple[float, float, float, float]]:
    """(threshold, precision, recall, F1) over a grid, top ``cap`` skills per sentence."""
    top = np.argsort(-probs, axis=1)[:, :cap]
    p_top = np.take_along_axis(probs, top, axis=1)
    hit_top = np.take_along_axis(y, top, axis=1)
    n_gold = int(y.sum())
    out = []
    for thr in np.round(np.arange(0.02, 0.96, 0.01), 2):
        keep = p_top >= thr
        tp = int((keep & hit_top).sum())
        npred = int(keep.sum())
        prec = tp / npred if npred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out.append((float(thr), prec, rec, f1))
    return out


def _best_per_cap(
    probs: np.ndarray, y: np.ndarray, min_precision: float
) -> list[tuple[int, tuple[float, float, float, float]]]:
    """Per cap 1-4, the (threshold, precision, recall, F1) row with the best micro-F1 at
    precision >= ``min_precision`` (the best row overall when none reaches it)."""
    out = []
    for cap in (1, 2, 3, 4):
        curve = _extract_curve(probs, y, cap)
        ok = [r for r in curve if r[1] >= min_precision] or curve
        out.append((cap, max(ok, key=lambda r: r[3])))
    return out


def _pick(
    per_cap: list[tuple[int, tuple[float, float, float, float]]],
) -> tuple[int, tuple[float, float, float, float]]:
    """The cap whose best row has the highest F1 (the smaller cap on a tie)."""
    best = per_cap[0]
    for cap, row in per_cap[1:]:
        if row[3] > best[1][3] + 1e-9:
            best = (cap, row)
    return best


def _cross_split_extract(data: dict, c: float, min_precision: float) -> None:
    """Extract mode, honestly: fusion, cap and threshold all fitted on one split and
    applied to the other, so no choice has seen the sentences it is scored on."""
    for a, b in (("tech", "house"), ("house", "tech")):
        w, bias = _fit(*data[a], c=c)
        pa = 1.0 / (1.0 + np.exp(-(data[a][0] @ w + bias)))
        cap, (thr, *_) = _pick(_best_per_cap(pa, data[a][1], min_precision))
        pb = 1.0 / (1.0 + np.exp(-(data[b][0] @ w + bias)))
        rows = {round(r[0], 2): r for r in _extract_curve(pb, data[b][1], cap)}
        _, prec, rec, f1 = rows[round(thr, 2)]
        print(
            f"extract cross-split: fit on {a}, cap {cap} threshold {thr:.2f} -> on {b}: "
            f"precision {prec:.3f} recall {rec:.3f} F1 {f1:.3f}"
        )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    ap.add_argument("--model-path", type=Path, default=None)
    ap.add_argument(
        "--min-precision", type=float, default=0.55, help="extract operating point floor"
    )
    args = ap.parse_args(argv)

    os.environ.setdefault("SKILLGAP_DATA_DIR", str(REPO / ".skillgap-data"))
    from skillgap.config import get_settings
    from skillgap.nlp.fusion import FEATURES, FUSION_FILE, Fusion, model_family
    from skillgap.nlp.mapper import SkillMapper

    mapper = SkillMapper.load(load_official_taxonomy(), get_settings(), model_path=args.model_path)
    base = Fusion()  # candidates come from the hand-set defaults, not from a previous fit
    data = {}
    for sp in SPLITS:
        q = load_dev_queries(sp)
        feats = mapper.features([s for s, _ in q])
        y = _gold_matrix(mapper.index.labels, [g for _, g in q])
        data[sp] = (feats, y, _candidates(base.logit(feats), y))
        print(f"{sp}: {len(q)} queries, {int(y.sum())} gold skills")

    print(f"\nC={args.c}; cross-split (fit on one split, score the other), then in-sample")
    print(f"{'fit on':<8} {'score on':<9} {'RP@5':>6} {'RP@10':>6} {'MRR':>6}")
    for a, b in (("tech", "house"), ("house", "tech")):
        w, bias = _fit(*data[a], c=args.c)
        m = _metrics(data[b][0] @ w + bias, data[b][1])
        print(f"{a:<8} {b:<9} {m['RP@5']:>6.3f} {m['RP@10']:>6.3f} {m['MRR']:>6.3f}")
    feats_all = np.concatenate([data[s][0] for s in SPLITS])
    y_all = np.concatenate([data[s][1] for s in SPLITS])
    cands_all = [c for s in SPLITS for c in data[s][2]]
    w, bias = _fit(feats_all, y_all, cands_all, c=args.c)
    for sp in SPLITS:
        m = _metrics(data[sp][0] @ w + bias, data[sp][1])
        print(f"{'both':<8} {sp:<9} {m['RP@5']:>6.3f} {m['RP@10']:>6.3f} {m['MRR']:>6.3f}")
    print(
        "weights:",
        {f: round(float(v), 3) for f, v in zip(FEATURES, w, strict=True)},
        "bias",
        round(bias, 3),
    )

    _cross_split_extract(data, c=args.c, min_precision=args.min_precision)
    probs = 1.0 / (1.0 + np.exp(-(feats_all @ w + bias)))
    per_cap = _best_per_cap(probs, y_all, args.min_precision)
    for cap, row in per_cap:
        print(
            f"extract cap {cap}: threshold {row[0]:.2f} precision {row[1]:.3f} "
            f"recall {row[2]:.3f} F1 {row[3]:.3f} (dev, in-sample, precision >= "
            f"{args.min_precision})"
        )
    cap, (thr, prec, rec, f1) = _pick(per_cap)
    if args.dry_run:
        return
    existing = json.loads(FUSION_FILE.read_text()) if FUSION_FILE.is_file() else {}
    models = existing.get("models", {})
    entry = {
        "weights": {f: round(float(v), 5) for f, v in zip(FEATURES, w, strict=True)},
        "bias": round(bias, 5),
        "threshold": thr,
        "max_per_sentence": cap,
        "source": f"scripts/fit_fusion.py C={args.c} on dev tech+house, model {mapper.model_id}",
        "dev_extract": {"precision": round(prec, 4), "recall": round(rec, 4), "f1": round(f1, 4)},
    }
    models[model_family(mapper.model_id)] = entry
    if "default" not in models or model_family(mapper.model_id) == "all-MiniLM-L6-v2":
        models["default"] = entry
    import sys

    entry["command"] = "python -m scripts.fit_fusion " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    out = {"command": "python -m scripts.fit_fusion", "features": list(FEATURES), "models": models}
    tmp = FUSION_FILE.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(out, indent=2) + "\n")
    os.replace(tmp, FUSION_FILE)
    print(f"wrote {FUSION_FILE}")


if __name__ == "__main__":
    main()
