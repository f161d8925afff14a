"""Vacancy -> ranked ESCO occupations (title first, then text).

A job title is the strongest occupation signal an ad has ("Staff Nurse" says more than
three paragraphs), so the title is matched against every occupation label (preferred and
alternative, best label wins) and the text only breaks ties, against "label. description".
The occupation embeddings are cached on disk per (taxonomy, model) like the skill index.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skillgap.errors import InputError

if TYPE_CHECKING:
    from skillgap.config import Settings
    from skillgap.taxonomies.model import Taxonomy

TITLE_WEIGHT = 0.75
TEXT_CHARS = 1000
# "(m/f/d)", "- London", "£25k" and similar title noise that is not the occupation.
_TITLE_NOISE = re.compile(
    r"\(\s*[mfwdx]\s*/\s*[mfwdx](?:\s*/\s*[mfwdx])?\s*\)|£\s*\S+|\$\s*\S+|\*{2,}|\b\d+k\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OccupationHit:
    uri: str
    label: str
    score: float
    isco_group: str
    evidence: str  # the occupation label the title matched


def _as_list(v: Any) -> list[str]:
    if v is None or isinstance(v, float):
        return []
    if isinstance(v, str):
        return [x.strip() for x in v.split("\n") if x.strip()]
    return [str(x).strip() for x in v if str(x).strip()]


def _occupation_index(
    taxonomy: Taxonomy, encoder: Any, mid: str, cache_dir: Path
) -> dict[str, np.ndarray]:
    from skillgap.nlp.embed import encode
    from skillgap.nlp.index import INDEX_VERSION, taxonomy_key

    occ = taxonomy.occupations
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"v{INDEX_VERSION}__{taxonomy_key(taxonomy)}__{mid}")
    path = cache_dir / "occupation-index" / f"{safe}.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError):
            pass
    labels: list[str] = []
    offsets = [0]
    for pref, alts in zip(occ["preferred_label"], occ["alt_labels"], strict=True):
        labels.extend(dict.fromkeys([str(pref), *_as_list(alts)]))
        offsets.append(len(labels))
    descs = [
        f"{p}. {d}" if isinstance(d, str) and d else str(p)
        for p, d in zip(occ["preferred_label"], occ["description"], strict=True)
    ]
    data = {
        "label_emb": encode(encoder, labels, batch_size=256),
        "desc_emb": encode(encoder, descs, batch_size=64),
        "offsets": np.asarray(offsets, dtype=np.int64),
        "labels": np.asarray(labels, dtype=str),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
    os.close(fd)
    try:
        np.savez(tmp, **data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return data


def map_occupations(
    titles: list[str],
    texts: list[str],
    taxonomy: Taxonomy,
    top_k: int = 5,
    *,
    settings: Settings | None = None,
    model_path: Path | None = None,
) -> list[list[OccupationHit]]:
    """Top ``top_k`` ESCO occupations per vacancy; raises MissingDataError (naming the
    import command) when the taxonomy has no occupations, e.g. the built-in default."""
    from skillgap.config import get_settings
    from skillgap.nlp.embed import encode, load_encoder, model_id, resolve_model_path
    from skillgap.text import clean_text

    occ = taxonomy.require("occupations", "occupation mapping")
    if len(titles) != len(texts):
        raise InputError(f"map_occupations: {len(titles)} titles but {len(texts)} texts")
    settings = settings or get_settings()
    path = resolve_model_path(settings, model_path)
    encoder = load_encoder(str(path))
    idx = _occupation_index(taxonomy, encoder, model_id(path), settings.cache_dir)
    clean_titles = [_TITLE_NOISE.sub(" ", clean_text(t or "")).strip() for t in titles]
    clean_texts = [clean_text(t or "")[:TEXT_CHARS] for t in texts]
    t_emb = encode(encoder, [t or "-" for t in clean_titles])
    x_emb = encode(encoder, [t or "-" for t in clean_texts])
    title_label = t_emb @ idx["label_emb"].T
    title_best = np.maximum.reduceat(title_label, idx["offsets"][:-1], axis=1)
    text_desc = x_emb @ idx["desc_emb"].T
    uris = list(occ["uri"])
    prefs = list(occ["preferred_label"])
    isco = [str(x) for x in occ["isco_group"]]
    top_k = max(1, min(top_k, len(uris)))
    out: list[list[OccupationHit]] = []
    for q in range(len(titles)):
        has_title, has_text = bool(clean_titles[q]), bool(clean_texts[q])
        if not has_title and not has_text:
            out.append([])
            continue
        w = TITLE_WEIGHT if has_title and has_text else (1.0 if has_title else 0.0)
        score = w * title_best[q] + (1.0 - w) * text_desc[q]
        top = np.argsort(-score, kind="stable")[:top_k]
        hits = []
        for k in top:
            lo, hi = int(idx["offsets"][k]), int(idx["offsets"][k + 1])
            best = lo + int(np.argmax(title_label[q, lo:hi]))
            hits.append(
                OccupationHit(
                    uri=uris[k],
                    label=str(prefs[k]),
                    score=float(score[k]),
                    isco_group=isco[k],
                    evidence=str(idx["labels"][best]) if has_title else str(prefs[k]),
                )
            )
        out.append(hits)
    return out
