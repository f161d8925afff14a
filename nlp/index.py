"""The skill index: every representation of the taxonomy's skills the mapper scores against.

Built once per (taxonomy content, encoder, index layout) and cached on disk under
``Settings.cache_dir / "skill-index"``, because embedding ~110k ESCO labels takes minutes
on a laptop CPU while loading the cached arrays takes about a second.

Views kept per skill (each one fixes a known weakness of the others):

- ``label_emb``: one embedding per preferred label (plus the preferred label without its
  "(computer programming)"-style qualifier); a skill scores the best of its rows.
  Alternative labels are deliberately *not* embedded: the packaged encoder was fine-tuned
  to map alternative-label phrasings onto preferred labels, and with it max-pooling over
  ~99k alternative-label rows cost 3-8 points of RP@5 on the dev set against preferred
  labels only (benchmarks/results/mapping.md), while making the index 7x larger.
- ``desc_emb``: "label. description" - context for labels that are terse or ambiguous.
- ``tfidf``: word and character n-gram TF-IDF over *all* labels (preferred, stripped,
  alternative) - cheap, exact on rare technical terms and product names the small encoder
  blurs; this is where alternative labels earn their keep.
- ``lexicon``: normalised label token sequences for exact phrase matching (the precise,
  explainable path), including hidden labels (ESCO's common misspellings). Each entry
  keeps the ESCO label that matched (what a reader checks) and whether it is *strong*
  evidence: a preferred label, a multi-word alternative label or a case-sensitive short
  label is; a single-word alternative label or a hidden label is not ("data" is an
  alternative label of *statistics*, "financials" of *economics*, "PowerShell" of *computer
  programming*; on the dev set 3 of 66 such hits were a gold skill, against 68 of 95
  strong ones), so the fusion weighs the two kinds apart.
- ``prior``: how many ESCO occupations use a skill, log-scaled to 0..1 - common skills are
  more often what an ad means; zeros when the taxonomy has no occupation profiles.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import shutil
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from skillgap.errors import MissingDataError
from skillgap.taxonomies.model import Taxonomy

INDEX_VERSION = 7  # 7: lexicon entries carry the matched label and its strength; 6: Unicode
# lexicon tokens (5 split "Wärmepumpe" into "w", "rmepumpe")
_QUALIFIER_RE = re.compile(r"\s*\([^)]*\)\s*$")
# Word tokens of any script ([^\W_]: letters and digits), with dotted names ("node.js",
# ".net" -> "net") and trailing +/# ("c++", "c#") kept whole, as in the ASCII-only
# pattern it replaces, which gave the same tokens on ASCII text.
_TOKEN_RE = re.compile(r"[^\W_]+(?:\.[^\W_]+)*[+#]*|[+#]+")
MAX_LEXICAL_TOKENS = 8
DESC_MAX_TOKENS = 64
# Encoder batch sizes of the one-time build (see build_index); peak memory stays ~0.5 GB.
LABEL_BATCH = 2048
DESC_BATCH = 512


def strip_qualifier(label: str) -> str:
    """ "Java (computer programming)" -> "Java": the form an ad actually writes."""
    return _QUALIFIER_RE.sub("", label).strip()


def _singular(tok: str) -> str:
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is")):
        return tok[:-1]
    return tok


def norm_tokens(text: str) -> list[str]:
    """Case-folded word tokens with a crude singular, applied identically to labels and
    text so "databases" matches "database" and "CSS/SASS" splits into two tokens.

    Unicode-aware: NFKC first (full-width "Ｃ＋＋" and the ligature in "ﬁnance" become
    "c++" and "finance"), then case folding ("Straße" and "STRASSE" meet at "strasse"),
    so a German, French or Dutch label keeps its words whole ("Wärmepumpen installieren"
    -> "wärmepumpen", "installieren"). ASCII text gives exactly the tokens of the former
    ASCII-only tokeniser (tested over every English ESCO label).
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return [_singular(t) for t in _TOKEN_RE.findall(text.casefold())]


def taxonomy_key(taxonomy: Taxonomy) -> str:
    """Snapshot id plus a hash of the skill texts: a re-imported or edited taxonomy with a
    reused snapshot id still gets its own index."""
    h = hashlib.sha256()
    s = taxonomy.skills
    for col in ("uri", "preferred_label", "alt_labels", "hidden_labels", "description"):
        if col not in s.columns:
            continue
        for v in s[col]:
            if isinstance(v, list | tuple | np.ndarray):
                h.update("\x1f".join(map(str, v)).encode())
            else:
                h.update(str(v if v is not None and not pd.isna(v) else "").encode())
            h.update(b"\x1e")
    rel = taxonomy.tables.get("occupation_skills")
    h.update(str(0 if rel is None else len(rel)).encode())
    snap = re.sub(r"[^A-Za-z0-9._-]+", "_", taxonomy.snapshot_id or "taxonomy")[:60]
    return f"{snap}-{h.hexdigest()[:12]}"


class LexicalHit(NamedTuple):
    """An ESCO label found verbatim (normalised) in a text, for one skill."""

    label: str  # the label that occurs: preferred, alternative or hidden, as ESCO writes it
    strong: bool  # preferred, multi-word alternative or case-sensitive short label


# token sequence -> [(skill, matched label, strong)]
Lexicon = dict[tuple[str, ...], list[tuple[int, str, bool]]]


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [x.strip() for x in v.split("\n") if x.strip()]
    try:
        return [str(x).strip() for x in v if str(x).strip()]
    except TypeError:
        return []


@dataclass
class SkillIndex:
    """Arrays and lookups for one (taxonomy, model); see the module docstring."""

    uris: list[str]
    labels: list[str]
    skill_types: list[str]
    label_texts: list[str]  # embedded label rows (preferred forms), grouped by skill
    label_offsets: np.ndarray  # (N+1,) start of each skill's rows in label_emb
    label_emb: np.ndarray  # (L, d) float32, rows grouped by skill
    desc_emb: np.ndarray  # (N, d) float32
    tfidf: Any  # fitted sklearn vectorizer (word + char union)
    tfidf_texts: list[str]  # every label (preferred, stripped, alternative), by skill
    tfidf_offsets: np.ndarray  # (N+1,) start of each skill's rows in tfidf_labels
    tfidf_labels: Any  # scipy CSR (T, V), L2-normalised rows
    lexicon: Lexicon
    lexicon_cs: dict[str, list[tuple[int, str, bool]]]
    prior: np.ndarray  # (N,) float32 in 0..1
    model_id: str
    taxonomy_key: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.uris)

    def max_per_skill(self, label_scores: np.ndarray) -> np.ndarray:
        """(Q, L) scores over embedded label rows -> (Q, N) best label per skill."""
        return np.maximum.reduceat(label_scores, self.label_offsets[:-1], axis=1)

    def tfidf_rows(self, skills: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """TF-IDF label rows of ``skills`` (in order) and the start of each skill's run,
        ready for ``np.maximum.reduceat``; every skill has at least one row."""
        starts = self.tfidf_offsets[skills]
        lens = self.tfidf_offsets[skills + 1] - starts
        seg = np.zeros(len(skills), dtype=np.int64)
        np.cumsum(lens[:-1], out=seg[1:])
        rows = np.arange(int(lens.sum()), dtype=np.int64) + np.repeat(starts - seg, lens)
        return rows, seg

    def tfidf_best(
        self, q_tfidf: Any, units: list[int], skills: np.ndarray, buf: np.ndarray | None = None
    ) -> np.ndarray:
        """(len(units), len(skills)) best TF-IDF cosine over each skill's labels.

        A shortlist of ~150 skills has ~1,000 label rows and ~80k non-zeros. A scipy
        product per query pays more in format conversions than in arithmetic, one product
        over a whole batch's shortlists computes ~100x more (unit, label) pairs than are
        used, and numpy gathers of the rows' non-zeros cost ~1 ms per query. So each unit
        is scattered into a dense vocabulary-sized ``buf`` and scipy's C ``csr_matvec``
        walks exactly the wanted rows in place: the rows are visited in descending order
        and interleaved with "gap" rows whose end lies before their start, which the
        kernel skips, so no non-zero is copied. That kernel is private to scipy: when it is
        missing or no longer behaves as expected (``_private_csr_matvec`` checks it once),
        the same scores come from scipy's public sparse product, slower but equal;
        ``test_tfidf_best_matches_a_plain_scipy_product`` guards both paths.
        """
        csr_matvec = _private_csr_matvec()
        if csr_matvec is None:
            return _tfidf_best_public(self, q_tfidf, units, skills)
        lab = self.tfidf_labels
        order = np.argsort(skills, kind="stable")
        rows, seg = self.tfidf_rows(skills[order])
        desc_rows = rows[::-1]  # strictly descending: every gap row is empty
        ptr = np.empty(2 * len(desc_rows), dtype=lab.indptr.dtype)
        ptr[0::2] = lab.indptr[desc_rows]
        ptr[1::2] = lab.indptr[desc_rows + 1]
        if buf is None:
            buf = self.tfidf_buffer()
        out = np.zeros((len(units), len(skills)), dtype=np.float32)
        acc = np.empty(len(ptr) - 1, dtype=np.float32)
        n_col = lab.shape[1]
        for j, u in enumerate(units):
            a, b = q_tfidf.indptr[u], q_tfidf.indptr[u + 1]
            if a == b:
                continue
            qi = q_tfidf.indices[a:b]
            buf[qi] = q_tfidf.data[a:b]
            acc.fill(0.0)
            csr_matvec(len(acc), n_col, ptr, lab.indices, lab.data, buf, acc)
            buf[qi] = 0.0
            out[j, order] = np.maximum.reduceat(acc[0::2][::-1], seg)
        return out

    def tfidf_buffer(self) -> np.ndarray:
        return np.zeros(self.tfidf_labels.shape[1], dtype=np.float32)

    def lexical_matches(self, text: str) -> dict[int, LexicalHit]:
        """Skills whose label occurs in ``text`` as a whole token sequence -> the hit.

        Longest match wins where matches overlap, so "project management software" is not
        also counted as "project management". A skill found through several labels keeps
        a strong hit over a weak one (its first of each kind).
        """
        toks = norm_tokens(text)
        hits: dict[int, LexicalHit] = {}

        def add(idx: int, label: str, strong: bool) -> None:
            old = hits.get(idx)
            if old is None or (strong and not old.strong):
                hits[idx] = LexicalHit(label, strong)

        covered = [False] * len(toks)
        spans: list[tuple[int, int, list[tuple[int, str, bool]]]] = []
        for i in range(len(toks)):
            for n in range(min(MAX_LEXICAL_TOKENS, len(toks) - i), 0, -1):
                found = self.lexicon.get(tuple(toks[i : i + n]))
                if found:
                    spans.append((i, i + n, found))
                    break
        for start, end, found in sorted(spans, key=lambda x: x[0] - x[1]):
            if all(covered[start:end]):
                continue
            for k in range(start, end):
                covered[k] = True
            for entry in found:
                add(*entry)
        for word in re.findall(r"[A-Za-z][A-Za-z0-9+#]*", text):
            for entry in self.lexicon_cs.get(word, ()):
                add(*entry)
        return hits


_KERNEL: list[Any] = []  # [csr_matvec or None], decided once per process


def _private_csr_matvec() -> Any:
    """scipy's private ``csr_matvec`` if it is there and computes what ``tfidf_best``
    relies on (including skipping rows whose end lies before their start); else None."""
    if _KERNEL:
        return _KERNEL[0]
    kernel = None
    try:
        from scipy.sparse._sparsetools import csr_matvec

        # rows [2,4) and [0,2) of data, with the "gap" row (4 -> 0) between them empty
        ptr = np.array([2, 4, 0, 2], dtype=np.int32)
        idx = np.array([0, 1, 1, 2], dtype=np.int32)
        data = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
        x = np.array([1.0, 10.0, 100.0], dtype=np.float32)
        acc = np.zeros(3, dtype=np.float32)
        csr_matvec(3, 3, ptr, idx, data, x, acc)
        if np.array_equal(acc, np.array([430.0, 0.0, 21.0], dtype=np.float32)):
            kernel = csr_matvec
    except Exception:  # absent, renamed or a new signature: use the public product
        kernel = None
    _KERNEL.append(kernel)
    return kernel


def _tfidf_best_public(
    index: SkillIndex, q_tfidf: Any, units: list[int], skills: np.ndarray
) -> np.ndarray:
    """``SkillIndex.tfidf_best`` through scipy's public sparse product."""
    rows, seg = index.tfidf_rows(np.asarray(skills))
    sims = (q_tfidf[units] @ index.tfidf_labels[rows].T).toarray()
    return np.maximum.reduceat(sims, seg, axis=1).astype(np.float32, copy=False)


def _skill_label_lists(taxonomy: Taxonomy) -> tuple[list[str], list[list[str]], list[list[str]]]:
    s = taxonomy.skills
    prefs = [str(x) for x in s["preferred_label"]]
    alts = [_as_list(v) for v in s["alt_labels"]]
    hidden = (
        [_as_list(v) for v in s["hidden_labels"]]
        if "hidden_labels" in s.columns
        else [[] for _ in prefs]
    )
    return prefs, alts, hidden


def _build_lexicon(
    prefs: list[str], alts: list[list[str]], hidden: list[list[str]]
) -> tuple[Lexicon, dict[str, list[tuple[int, str, bool]]]]:
    """Token-sequence lexicon and the case-sensitive one for short labels ("R", "C#", "HR").

    An entry is (skill, evidence, strong): the evidence is the label as ESCO writes it (the
    preferred label for its qualifier-stripped form too: "Python" matches *Python (computer
    programming)* through that label), strong as described in the module docstring.
    """
    from spacy.lang.en.stop_words import STOP_WORDS

    lex: Lexicon = {}
    lex_cs: dict[str, list[tuple[int, str, bool]]] = {}
    owners: dict[tuple[str, ...], set[int]] = {}  # skills whose *preferred* label it is
    for idx, (pref, alt, hid) in enumerate(zip(prefs, alts, hidden, strict=True)):
        preferred = {tuple(norm_tokens(pref)), tuple(norm_tokens(strip_qualifier(pref)))}
        alt_set = set(alt)
        for label in dict.fromkeys([pref, strip_qualifier(pref), *alt, *hid]):
            toks = tuple(norm_tokens(label))
            is_pref = toks in preferred
            if is_pref:
                owners.setdefault(toks, set()).add(idx)
            if not toks or len(toks) > MAX_LEXICAL_TOKENS:
                continue
            evidence = pref if is_pref else label
            if len(toks) == 1 and (len(toks[0]) <= 2 or toks[0] in STOP_WORDS):
                # "R", "C", "Go": only an exact, case-sensitive hit is evidence enough, and
                # then it is strong (the case and the short form make it specific).
                raw = strip_qualifier(label)
                if raw and raw[0].isupper() and " " not in raw:
                    lex_cs.setdefault(raw, []).append((idx, evidence, True))
                continue
            strong = is_pref or (label in alt_set and len(toks) >= 2)
            bucket = lex.setdefault(toks, [])
            mine = [j for j, (i, _, _) in enumerate(bucket) if i == idx]
            if not mine:
                bucket.append((idx, evidence, strong))
            elif strong and not bucket[mine[0]][2]:
                bucket[mine[0]] = (idx, evidence, strong)
    # An alternative label that normalises to another skill's preferred label is ambiguous
    # evidence (ESCO lists "work in team" under "work in textile manufacturing teams"); the
    # skill whose preferred label it is keeps the lexical match alone.
    for toks, idxs in owners.items():
        if toks in lex:
            lex[toks] = [e for e in lex[toks] if e[0] in idxs]
    return lex, lex_cs


def _prior(taxonomy: Taxonomy, uris: list[str]) -> np.ndarray:
    rel = taxonomy.tables.get("occupation_skills")
    if rel is None or rel.empty:
        return np.zeros(len(uris), dtype=np.float32)
    counts = rel.groupby("skill_uri").size()
    vals = np.log1p(np.array([counts.get(u, 0) for u in uris], dtype=np.float32))
    top = float(vals.max()) or 1.0
    return (vals / top).astype(np.float32)


def _fit_tfidf(label_texts: list[str]) -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    union = FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True)),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
                ),
            ),
        ]
    )
    mat = union.fit_transform(label_texts)
    from sklearn.preprocessing import normalize

    return union, normalize(mat.tocsr()).astype(np.float32)


def build_index(
    taxonomy: Taxonomy,
    encoder: Any,
    model_id: str,
    *,
    progress: bool = False,
) -> SkillIndex:
    """Compute every view of the skills (the slow, once-per-model step)."""
    from skillgap.nlp.embed import encode

    s = taxonomy.skills
    if s.empty:
        raise MissingDataError(
            f"taxonomy '{taxonomy.snapshot_id or taxonomy.version}' has no skills to map to"
        )
    t0 = time.perf_counter()
    uris = [str(u) for u in s["uri"]]
    prefs, alts, hidden = _skill_label_lists(taxonomy)
    descs = [
        "" if d is None or (isinstance(d, float) and np.isnan(d)) else str(d)
        for d in (s["description"] if "description" in s.columns else [""] * len(uris))
    ]
    types = [
        str(t or "") for t in (s["skill_type"] if "skill_type" in s.columns else [""] * len(uris))
    ]

    def forms(labels: list[str]) -> list[str]:
        seen: dict[str, str] = {}
        for lab in labels:
            key = " ".join(lab.lower().split())
            if key and key not in seen:
                seen[key] = lab
        return list(seen.values())

    label_texts: list[str] = []
    offsets = [0]
    tfidf_texts: list[str] = []
    tfidf_offsets = [0]
    for uri, pref, alt in zip(uris, prefs, alts, strict=True):
        preferred = forms([pref, strip_qualifier(pref)]) or [uri]  # never a skill without rows
        label_texts.extend(preferred)
        offsets.append(len(label_texts))
        tfidf_texts.extend(forms([*preferred, *alt]))
        tfidf_offsets.append(len(tfidf_texts))
    desc_texts = [f"{p}. {d}".strip() if d else p for p, d in zip(prefs, descs, strict=True)]

    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = round(now - clock, 1)
        clock = now

    # The build is encoder-bound (about 95 % of it), and on CPU the encoder's cost per text
    # falls steeply with the batch: each batch pays fixed per-call work (autocast casts,
    # kernel set-up for a new shape) that 64 short texts cannot amortise. Measured on the
    # 2-core box (benchmarks/results/flow.md): labels 2.2x and descriptions 2.8x less CPU
    # at these sizes than at 256 and 64, same vectors (cosine >= 0.99999); texts are
    # sorted by length before batching, so larger batches add little padding.
    label_emb = encode(encoder, label_texts, batch_size=LABEL_BATCH, progress=progress)
    lap("label_emb")
    # Descriptions are cut at DESC_MAX_TOKENS word pieces: their first sentence or two say
    # what the skill is, and the long tail tripled the build time for no measured gain.
    saved = getattr(encoder, "max_seq_length", None)
    if saved is not None:
        encoder.max_seq_length = min(saved, DESC_MAX_TOKENS)
    try:
        desc_emb = encode(encoder, desc_texts, batch_size=DESC_BATCH, progress=progress)
    finally:
        if saved is not None:
            encoder.max_seq_length = saved
    lap("desc_emb")
    tfidf, tfidf_labels = _fit_tfidf(tfidf_texts)
    lap("tfidf")
    lex, lex_cs = _build_lexicon(prefs, alts, hidden)
    lap("lexicon")
    meta: dict[str, Any] = {
        "index_version": INDEX_VERSION,
        "model_id": model_id,
        "taxonomy_key": taxonomy_key(taxonomy),
        "taxonomy_version": taxonomy.version,
        "skills": len(uris),
        "labels": len(label_texts),
        "tfidf_labels": len(tfidf_texts),
        "encoder_bf16": bool(getattr(encoder, "skillgap_bf16", False)),
        "build_seconds": round(time.perf_counter() - t0, 1),
        "stage_seconds": seconds,
        "has_descriptions": int(sum(1 for d in descs if d)),
        "desc_max_tokens": DESC_MAX_TOKENS,
    }
    return SkillIndex(
        uris=uris,
        labels=prefs,
        skill_types=types,
        label_texts=label_texts,
        label_offsets=np.asarray(offsets, dtype=np.int64),
        label_emb=label_emb,
        desc_emb=desc_emb,
        tfidf=tfidf,
        tfidf_texts=tfidf_texts,
        tfidf_offsets=np.asarray(tfidf_offsets, dtype=np.int64),
        tfidf_labels=tfidf_labels,
        lexicon=lex,
        lexicon_cs=lex_cs,
        prior=_prior(taxonomy, uris),
        model_id=model_id,
        taxonomy_key=meta["taxonomy_key"],
        meta=meta,
    )


def cache_path(cache_dir: Path, tax_key: str, model_id: str) -> Path:
    safe_model = re.sub(r"[^A-Za-z0-9._-]+", "_", model_id)
    return cache_dir / "skill-index" / f"v{INDEX_VERSION}__{tax_key}__{safe_model}"


_ARRAYS = ("label_offsets", "label_emb", "desc_emb", "prior", "tfidf_offsets")
_PICKLED = (
    "uris",
    "labels",
    "skill_types",
    "label_texts",
    "tfidf",
    "tfidf_texts",
    "tfidf_labels",
    "lexicon",
    "lexicon_cs",
)


def _pickled_with() -> dict[str, str]:
    """Versions of the libraries whose objects ``objects.pkl`` holds (the fitted sklearn
    vectorizer, scipy matrices, numpy arrays): a cache pickled under other versions is
    rebuilt rather than unpickled into objects those versions never promised to read."""
    import platform

    import scipy
    import sklearn

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
    }


def save_index(index: SkillIndex, path: Path) -> None:
    """Write the index as a directory, atomically: build in a sibling temp dir, then rename,
    so a crash mid-write never leaves a half index that a later start would trust.

    ``meta.json`` records the SHA-256 of ``objects.pkl`` and the library versions it was
    pickled with; :func:`load_index` checks both before unpickling."""
    from skillgap.fileutil import sha256_file

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=path.parent))
    try:
        for name in _ARRAYS:
            np.save(tmp / f"{name}.npy", getattr(index, name), allow_pickle=False)
        with open(tmp / "objects.pkl", "wb") as fh:
            pickle.dump({k: getattr(index, k) for k in _PICKLED}, fh, protocol=5)
        meta = {
            **index.meta,
            "objects_sha256": sha256_file(tmp / "objects.pkl"),
            "pickled_with": _pickled_with(),
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
        if path.exists():
            shutil.rmtree(path)
        os.replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_index(path: Path) -> SkillIndex | None:
    """The cached index at ``path``, or None when absent, unreadable, altered or written
    under other library versions (then it is rebuilt, never trusted)."""
    from skillgap.fileutil import sha256_file

    meta_file = path / "meta.json"
    if not meta_file.is_file():
        return None
    try:
        meta = json.loads(meta_file.read_text())
        if meta.get("pickled_with") != _pickled_with():
            return None
        if meta.get("objects_sha256") != sha256_file(path / "objects.pkl"):
            return None
        arrays = {n: np.load(path / f"{n}.npy", allow_pickle=False) for n in _ARRAYS}
        with open(path / "objects.pkl", "rb") as fh:
            objs = pickle.load(fh)
        return SkillIndex(
            **objs,
            **arrays,
            model_id=meta["model_id"],
            taxonomy_key=meta["taxonomy_key"],
            meta=meta,
        )
    except Exception:  # any unreadable or inconsistent cache is rebuilt, never trusted
        return None
