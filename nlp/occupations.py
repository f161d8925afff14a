"""Vacancy -> ranked ESCO occupations (title first, then text), or none when unsure.

A job title is the strongest occupation signal an ad has ("Staff Nurse" says more than
three paragraphs), so the core of the title (what is left after job-board noise: the
location, "Job Tavistock", pay, "(m/f/d)", the employer after a double space) is matched
against every occupation label (preferred and alternative, best label wins), with a bonus
when it *is* one of them, and the ad text weighs in as much, against "label. description":
titles such as "Support Worker" or "RGN" only make sense with the ad around them.

Occupation mapping abstains: the ``confidence`` of the best occupation (its score plus its
margin over the second) below ``ABSTAIN_BELOW`` gives no occupation - the ad is counted
as unknown - because below it the first answer is mostly wrong on real ads. Weights and
threshold were set on the dev titles of ``benchmarks/occupations_eval.py`` (top-1 and
coverage are printed there). The occupation embeddings are cached on disk per
(taxonomy, model) like the skill index.
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

TITLE_WEIGHT = 0.5
EXACT_BONUS = 0.1  # the title core is the occupation's preferred label (half for an alt label)
# Below this confidence the best occupation is mostly wrong on real ad titles, so the ad
# gets none (counted as unknown) rather than a wrong one; see benchmarks.occupations_eval.
ABSTAIN_BELOW = 0.5
TEXT_CHARS = 1000
# "(m/f/d)", "- London", "£25k" and similar title noise that is not the occupation.
_TITLE_NOISE = re.compile(
    r"\(\s*[mfwdx]\s*/\s*[mfwdx](?:\s*/\s*[mfwdx])?\s*\)|£\s*\S+|\$\s*\S+|\*{2,}|\b\d+k\b",
    re.IGNORECASE,
)


_JOB_LOCATION = re.compile(r"\s+\bjobs?\b(?:\s+.*)?$", re.IGNORECASE)
_SENIORITY = re.compile(
    r"^(?:senior|junior|lead|principal|trainee|graduate|chief|head of|deputy)\s+", re.IGNORECASE
)


def title_core(title: str) -> str:
    """What of a job-board title names the job: "Chef de Partie  Grosvenor Arms, Aldford"
    -> "Chef de Partie", "Support Worker Job Tavistock" -> "Support Worker"."""
    from skillgap.nlp.segment import clean_text

    t = clean_text(title or "").replace("\n", " ")
    if "  " in t:  # boards join title, employer and place with double spaces
        t = t.split("  ")[0]
    t = _TITLE_NOISE.sub(" ", t)
    t = _JOB_LOCATION.sub("", t)
    return " ".join(t.replace("*", " ").split())


def _norm_label(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s/]", " ", text.lower()).split())


@dataclass(frozen=True)
class OccupationHit:
    uri: str
    label: str
    score: float
    isco_group: str
    evidence: str  # the occupation label the title matched
    confidence: float = 0.0  # of the best hit: its score plus its margin over the second


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


def _exact_matches(titles: list[str], idx: dict[str, np.ndarray]) -> list[dict[int, float]]:
    """Per title, occupations one of whose labels it is (seniority words aside): the full
    bonus for the preferred label, half for an alternative one."""
    offsets, labels = idx["offsets"], idx["labels"]
    preferred: dict[str, set[int]] = {}
    alternative: dict[str, set[int]] = {}
    for k in range(len(offsets) - 1):
        for j in range(int(offsets[k]), int(offsets[k + 1])):
            book = preferred if j == offsets[k] else alternative
            book.setdefault(_norm_label(str(labels[j])), set()).add(k)
    out: list[dict[int, float]] = []
    for t in titles:
        found: dict[int, float] = {}
        for form in {_norm_label(t), _norm_label(_SENIORITY.sub("", t))}:
            for k in alternative.get(form, ()):
                found[k] = max(found.get(k, 0.0), EXACT_BONUS / 2)
            for k in preferred.get(form, ()):
                found[k] = EXACT_BONUS
        out.append(found)
    return out


def map_occupations(
    titles: list[str],
    texts: list[str],
    taxonomy: Taxonomy,
    top_k: int = 5,
    *,
    settings: Settings | None = None,
    model_path: Path | None = None,
    min_score: float | None = None,
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
    clean_titles = [title_core(t) for t in titles]
    clean_texts = [clean_text(t or "")[:TEXT_CHARS] for t in texts]
    t_emb = encode(encoder, [t or "-" for t in clean_titles])
    x_emb = encode(encoder, [t or "-" for t in clean_texts])
    title_label = t_emb @ idx["label_emb"].T
    offsets = idx["offsets"]
    title_best = np.maximum.reduceat(title_label, offsets[:-1], axis=1)
    text_desc = x_emb @ idx["desc_emb"].T
    exact = _exact_matches(clean_titles, idx)
    uris = list(occ["uri"])
    prefs = list(occ["preferred_label"])
    isco = [str(x) for x in occ["isco_group"]]
    top_k = max(1, min(top_k, len(uris)))
    floor = ABSTAIN_BELOW if min_score is None else min_score
    out: list[list[OccupationHit]] = []
    for q in range(len(titles)):
        has_title, has_text = bool(clean_titles[q]), bool(clean_texts[q])
        if not has_title and not has_text:
            out.append([])
            continue
        w = TITLE_WEIGHT if has_title and has_text else (1.0 if has_title else 0.0)
        score = w * title_best[q] + (1.0 - w) * text_desc[q]
        for k, bonus in exact[q].items():
            score[k] += bonus
        top = np.argsort(-score, kind="stable")[: max(top_k, 2)]
        confidence = float(2 * score[top[0]] - score[top[1]]) if len(top) > 1 else 0.0
        if confidence < floor:
            out.append([])
            continue
        hits = []
        for k in top[:top_k]:
            lo, hi = int(offsets[k]), int(offsets[k + 1])
            best = lo + int(np.argmax(title_label[q, lo:hi]))
            hits.append(
                OccupationHit(
                    uri=uris[k],
                    label=str(prefs[k]),
                    score=float(score[k]),
                    isco_group=isco[k],
                    evidence=str(idx["labels"][best]) if has_title else str(prefs[k]),
                    confidence=confidence,
                )
            )
        out.append(hits)
    return out


class OccupationFamilies:
    """ESCO's occupation-skill relations by occupation family, for the mapper's context.

    The family of an occupation is every occupation of its ISCO-08 unit group (4 digits):
    the skills ESCO relates to any of them are what that kind of job is known to use.
    ``names_occupation`` tells when a lexical match is the job's own name (the word "Chef"
    in a kitchen ad names the cook, not the configuration tool) rather than a skill.
    """

    def __init__(self, taxonomy: Taxonomy) -> None:
        from skillgap.nlp.index import norm_tokens, strip_qualifier

        self._strip = strip_qualifier
        self._tokens = norm_tokens
        occ = taxonomy.occupations
        self.isco = {str(u): str(g) for u, g in zip(occ["uri"], occ["isco_group"], strict=True)}
        self.words: dict[str, frozenset[str]] = {}
        for u, p, alts in zip(occ["uri"], occ["preferred_label"], occ["alt_labels"], strict=True):
            words: set[str] = set()
            for label in [str(p), *_as_list(alts)]:
                words.update(norm_tokens(label))
            self.words[str(u)] = frozenset(words)
        self._family: dict[str, set[str]] = {}
        rel = taxonomy.tables["occupation_skills"]
        for o, s in zip(rel["occupation_uri"], rel["skill_uri"], strict=True):
            code = self.isco.get(str(o))
            if code:
                self._family.setdefault(code, set()).add(str(s))

    def in_family(self, occupation_uri: str, skill_uri: str) -> bool:
        return skill_uri in self._family.get(self.isco.get(occupation_uri, ""), set())

    def names_occupation(self, occupation_uri: str, matched_label: str) -> bool:
        """True when every word of a matched skill label is a word of the occupation's labels."""
        toks = self._tokens(self._strip(matched_label))
        words = self.words.get(occupation_uri, frozenset())
        return bool(toks) and all(t in words for t in toks)
