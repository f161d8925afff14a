"""Dev-set retrieval metrics for an encoder (README protocol of skillmap-dev).

Shared by the training script (to pick a checkpoint) and ``benchmarks/encoder_eval.py``
(to record base vs fine-tuned), so both compute figures the same way.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from skillgap.nlp.training.data import DevQuery
from skillgap.taxonomies.model import normalise_label


def label_views(
    preferred: Sequence[str], alt_labels: Sequence[Sequence[str]], with_alt: bool
) -> tuple[list[str], np.ndarray]:
    """Strings to embed and, for each, the index of the skill it belongs to.

    Preferred only: one string per skill. With alt labels: every alternative label is an
    extra view and a skill scores the best over its views (max pooling).
    """
    texts = list(preferred)
    owner = list(range(len(preferred)))
    if with_alt:
        for i, alts in enumerate(alt_labels):
            texts.extend(alts)
            owner.extend([i] * len(alts))
    return texts, np.asarray(owner, dtype=np.int64)


def skill_scores(
    query_emb: np.ndarray, view_emb: np.ndarray, owner: np.ndarray, n_skills: int
) -> np.ndarray:
    """(queries x skills) cosine scores, max over each skill's views (embeddings are unit).

    Every skill owns at least its preferred-label view, so grouping the columns by owner
    and taking ``np.maximum.reduceat`` gives exactly one column per skill.
    """
    order = np.argsort(owner, kind="stable")
    sorted_owner = owner[order]
    if (
        sorted_owner[0] != 0
        or not np.all(np.diff(sorted_owner) <= 1)
        or sorted_owner[-1] != n_skills - 1
    ):
        raise ValueError("every skill needs at least one view")
    starts = np.flatnonzero(np.r_[True, np.diff(sorted_owner) > 0])
    sims = query_emb @ view_emb[order].T
    return np.maximum.reduceat(sims, starts, axis=1).astype(np.float32)


def encode_cached(
    model: object, texts: Sequence[str], cache_key: str, cache_dir: Path | None
) -> np.ndarray:
    """Unit-normalised embeddings of ``texts``, cached as .npy under ``cache_dir``.

    Embedding the ~111k ESCO label views takes minutes on one core; experiments compare
    many encoders against the same views, so each (model, view set) is embedded once.
    """
    path = None
    if cache_dir is not None:
        digest = hashlib.sha256(("\x00".join(texts) + "\x01" + cache_key).encode()).hexdigest()[:20]
        path = cache_dir / f"{digest}.npy"
        if path.is_file():
            return np.load(path)
    emb = model.encode(  # type: ignore[attr-defined]
        list(texts), batch_size=256, normalize_embeddings=True, convert_to_numpy=True
    ).astype(np.float32)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, emb)
        os.replace(tmp, path)
    return emb


def retrieval_metrics(
    scores: np.ndarray, queries: Sequence[DevQuery], preferred: Sequence[str]
) -> dict[str, dict[str, float]]:
    """RP@5, RP@10 and MRR per split (and macro over splits), as the README defines them.

    RP@K = |gold ∩ top K| / min(K, |gold|); MRR uses the rank of the first gold skill in
    the full ranking. Gold labels are matched to skills by normalised preferred label.
    """
    index: dict[str, list[int]] = {}
    for i, label in enumerate(preferred):
        index.setdefault(normalise_label(label), []).append(i)
    per_split: dict[str, dict[str, list[float]]] = {}
    for q, query in enumerate(queries):
        gold_idx = {i for label in query.gold for i in index.get(label, [])}
        if not gold_idx:
            continue
        order = np.argsort(-scores[q], kind="stable")
        ranked_labels: list[str] = []
        seen: set[str] = set()
        for i in order[:50]:
            label = normalise_label(preferred[i])
            if label not in seen:
                seen.add(label)
                ranked_labels.append(label)
        bucket = per_split.setdefault(query.split, {"rp5": [], "rp10": [], "mrr": []})
        for k in (5, 10):
            hits = len(query.gold & set(ranked_labels[:k]))
            bucket[f"rp{k}"].append(hits / min(k, len(query.gold)))
        gold_mask = np.zeros(scores.shape[1], dtype=bool)
        gold_mask[list(gold_idx)] = True
        first = int(np.argmax(gold_mask[order]))
        bucket["mrr"].append(1.0 / (first + 1))
    result = {
        split: {name: float(np.mean(vals)) for name, vals in metrics.items()}
        | {"n": float(len(metrics["mrr"]))}
        for split, metrics in per_split.items()
    }
    if result:
        result["macro"] = {
            name: float(np.mean([result[s][name] for s in per_split]))
            for name in ("rp5", "rp10", "mrr")
        }
    return result


def format_table(rows: dict[str, dict[str, dict[str, float]]]) -> str:
    """Markdown table: one row per (variant, view), RP@5 / RP@10 / MRR per split."""
    lines = [
        "| variant | TECH RP@5 | TECH RP@10 | TECH MRR "
        "| HOUSE RP@5 | HOUSE RP@10 | HOUSE MRR | macro RP@5 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, m in rows.items():
        t, h = m.get("tech", {}), m.get("house", {})
        lines.append(
            f"| {name} | {t.get('rp5', 0):.3f} | {t.get('rp10', 0):.3f} | {t.get('mrr', 0):.3f} "
            f"| {h.get('rp5', 0):.3f} | {h.get('rp10', 0):.3f} | {h.get('mrr', 0):.3f} "
            f"| {m.get('macro', {}).get('rp5', 0):.3f} |"
        )
    return "\n".join(lines)
