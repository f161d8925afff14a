"""Text -> ranked ESCO skills: the one mapper every part of skillgap uses.

``SkillMapper.rank`` returns the full ranking head for search and evaluation;
``SkillMapper.extract`` returns a thresholded, precision-first set per document for demand
counting; ``SkillMapper.mentions`` writes the ``skill_mentions`` table contract.

How a query is scored (details in ``index.py`` and ``fusion.py``):

1. Units: the query itself, its sentences, and the clauses of each sentence. A sentence
   listing "Java, SQL and stakeholder management" is one blurred vector; its clauses
   are three sharp ones. Unique unit strings are encoded once per call (and kept in a
   bounded memo across calls: job ads repeat the same sentences).
2. Per unit and skill: best cosine over the skill's preferred-label rows, cosine with
   "label. description", best TF-IDF (word + char n-gram) cosine over all its labels
   (alternative and stripped ones included). The embedding views are computed for every
   skill; TF-IDF for a shortlist (see ``_score``).
3. Per query and skill: each view on the whole query and its best over the parts, two
   exact-label lexical flags (a strong label - preferred, multi-word alternative - or only
   a weak one - a single-word alternative or hidden label) and an occupation-frequency
   prior, fused by a logistic model.
4. Extract mode keeps a skill only where it is the best skill of one of the query's parts
   or named by a strong label (``Fusion.clause_best``), then caps and thresholds.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skillgap.errors import InputError, MissingDataError
from skillgap.language import language_of
from skillgap.nlp.corrections import Corrections
from skillgap.nlp.fusion import FEATURES, Fusion, load_fusion
from skillgap.nlp.requirements import RequirementModel, load_requirement_model
from skillgap.nlp.segment import MAX_TEXT_CHARS, split_sentences
from skillgap.text import clean_text

if TYPE_CHECKING:
    import pandas as pd

    from skillgap.config import Settings
    from skillgap.nlp.index import LexicalHit, SkillIndex
    from skillgap.taxonomies.model import Taxonomy

MAX_UNITS_PER_QUERY = 48
STRIP_FRAMES = True  # also score "Java" for "Strong experience with Java" (see segment)
SHORTLIST = 150  # skills per query that get exact features in the two-stage path
_QUERY_BATCH = 256  # texts encoded together: bigger batches use the encoder 1.6x better
_UNIT_BLOCK = 1024  # units whose (unit, skill) view matrices are held at once (~57 MB each)
_UNIT_BATCH = 96  # units scored against the label matrix at once (bounds memory)
_MEMO_SIZE = 50_000
_F = {name: i for i, name in enumerate(FEATURES)}


@dataclass(frozen=True)
class SkillHit:
    """One skill found for one text, with the evidence a reader needs to trust it."""

    uri: str
    label: str
    score: float
    method: str  # "lexical" | "semantic" | "both"
    sentence: str  # the sentence of the text that supports it
    evidence: str  # the ESCO label (preferred or alternative) that matched
    phrase: str = ""  # the part of the sentence (clause) that matched best
    # In whole-document extraction (``nlp.documents``): ``match`` is the fusion probability
    # of the skill for its sentence, ``requirement`` the probability that the sentence
    # states a requirement, ``context`` the skill's fit with the document, ``validity`` the
    # probability that the mention belongs to the document's requirements, and ``score``
    # is ``match * validity``. For a sentence or query alone, score == match.
    match: float = 0.0
    requirement: float = 1.0
    context: float = 0.0
    validity: float = 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "label": self.label,
            "score": round(self.score, 6),
            "method": self.method,
            "sentence": self.sentence,
            "evidence": self.evidence,
            "phrase": self.phrase,
            "match": round(self.match, 6),
            "requirement": round(self.requirement, 6),
            "context": round(self.context, 6),
            "validity": round(self.validity, 6),
        }


@dataclass
class _Scored:
    """Fused scores of a batch of queries plus what is needed to explain the top hits."""

    logits: np.ndarray  # (Q, N)
    feats: np.ndarray  # (Q, N, F) on the exact path; empty on the two-stage path
    units: list[list[tuple[str, str]]]  # per query, (unit, its sentence); 0 = whole query
    unit_rows: list[list[int]]  # per query, rows into emb
    emb: np.ndarray  # (U, d)
    lexical: list[dict[int, LexicalHit]]
    clause_best: list[np.ndarray]  # per query, skills that are the best of one of its parts


def _best_of_parts(
    fusion: Fusion, sem: np.ndarray, desc: np.ndarray, tfidf: np.ndarray, skills: np.ndarray
) -> np.ndarray:
    """The skills (from ``skills``, the columns of the (parts, skills) view matrices) that
    score best for at least one query part on its own (``Fusion.unit_logit``)."""
    best = np.argmax(fusion.unit_logit(sem, desc, tfidf), axis=1)
    return np.unique(skills[best])


def _lexical_flags(f: np.ndarray, cols: np.ndarray, lex: dict[int, LexicalHit]) -> None:
    """Set the two lexical feature columns of ``f`` (rows = skills ``cols``) from ``lex``."""
    if not lex:
        return
    strong = [k for k, h in lex.items() if h.strong]
    weak = [k for k, h in lex.items() if not h.strong]
    if strong:
        f[np.isin(cols, strong), _F["lexical"]] = 1.0
    if weak:
        f[np.isin(cols, weak), _F["lexical_weak"]] = 1.0


def _unit_blocks(unit_rows: list[list[int]], limit: int) -> list[list[int]]:
    """Consecutive query groups holding at most ``limit`` unit rows (at least one query)."""
    groups: list[list[int]] = []
    size = limit + 1
    for q, rows in enumerate(unit_rows):
        if size + len(rows) > limit:
            groups.append([])
            size = 0
        groups[-1].append(q)
        size += len(rows)
    return groups


class SkillMapper:
    """Maps texts to ESCO skills of one taxonomy with one encoder; load with ``load``."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        index: SkillIndex,
        encoder: Any,
        model_path: Path,
        fusion: Fusion | None = None,
    ) -> None:
        self.taxonomy = taxonomy
        self.index = index
        self.encoder = encoder
        self.model_path = model_path
        self.model_id: str = index.model_id
        self.fusion = fusion or load_fusion(self.model_id)
        self.requirements: RequirementModel | None = None
        self.requirements_problem: str | None = None
        try:
            self.requirements = load_requirement_model(self.model_id)
        except MissingDataError as exc:
            # Loud, never silent: logged here and named in every run's method notes.
            self.requirements_problem = str(exc)
            logging.getLogger(__name__).warning(
                "requirement detection unavailable, the keyword boilerplate filter stands in: %s",
                exc,
            )
        self._uri_pos = {u: i for i, u in enumerate(index.uris)}
        self._families: Any = None
        # analyst corrections (``nlp.corrections``), set by whoever runs an analysis
        self.corrections: Corrections | None = None
        self._memo: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def families(self) -> Any:
        """ESCO occupation families of the taxonomy (built once, on first use)."""
        if self._families is None:
            from skillgap.nlp.occupations import OccupationFamilies

            self._families = OccupationFamilies(self.taxonomy)
        return self._families

    def skill_position(self, uri: str) -> int:
        """Row of a skill URI in the index arrays."""
        return self._uri_pos[uri]

    def method_notes(self) -> dict[str, Any]:
        """How this mapper decides, for a run's records and the report's methods section."""
        from skillgap.nlp.documents import method_notes

        return method_notes(self.model_id, self.corrections)

    # Construction ---------------------------------------------------------------
    @classmethod
    def load(
        cls,
        taxonomy: Taxonomy,
        settings: Settings | None = None,
        model_path: Path | None = None,
        progress: bool = False,
    ) -> SkillMapper:
        """Load the cached skill index for (taxonomy, encoder), building it on first use."""
        from skillgap.config import get_settings
        from skillgap.nlp.embed import load_encoder, model_id, resolve_model_path
        from skillgap.nlp.index import (
            build_index,
            cache_path,
            load_index,
            save_index,
            taxonomy_key,
        )

        settings = settings or get_settings()
        path = resolve_model_path(settings, model_path)
        mid = model_id(path)
        encoder = load_encoder(str(path))
        where = cache_path(settings.cache_dir, taxonomy_key(taxonomy), mid)
        index = load_index(where)
        if index is None:
            index = build_index(taxonomy, encoder, mid, progress=progress)
            save_index(index, where)
        return cls(taxonomy, index, encoder, path)

    # Input checks ---------------------------------------------------------------
    def problem(self, text: Any) -> str | None:
        """Why ``text`` cannot be mapped (empty, wrong language), or None when it can."""
        return self._check(text)[1]

    def _check(self, text: Any) -> tuple[str, str | None]:
        """(cleaned text, problem or None): cleaning once serves the check and the scoring."""
        if text is None:
            return "", "empty text"
        if not isinstance(text, str | bytes | bytearray):
            return "", f"text must be a string, got {type(text).__name__}"
        cleaned = clean_text(text, max_chars=MAX_TEXT_CHARS)
        if not cleaned.strip():
            return cleaned, "empty text (nothing left after removing whitespace and markup)"
        if not any(ch.isalpha() for ch in cleaned):
            return cleaned, "text has no letters"
        # Short, list-like or unclear text takes the taxonomy's language (it is never
        # refused on a guess); only a trusted detection of another language is refused.
        want = (self.taxonomy.language or "en").split("-")[0].lower()
        lang = language_of(cleaned, taxonomy=want)
        if lang.source == "detected" and lang.language != want:
            return cleaned, (
                f"text looks like language '{lang.language}' (confidence "
                f"{lang.confidence:.2f}) but the taxonomy is in '{want}'; import the ESCO "
                "bundle for that language"
            )
        return cleaned, None

    # Core scoring ---------------------------------------------------------------
    def _encode_units(self, strings: list[str]) -> np.ndarray:
        from skillgap.nlp.embed import encode

        with self._lock:
            todo = [s for s in dict.fromkeys(strings) if s not in self._memo]
        new = encode(self.encoder, todo) if todo else None
        with self._lock:
            if new is not None:
                for s, v in zip(todo, new, strict=True):
                    self._memo[s] = v
                while len(self._memo) > _MEMO_SIZE:
                    self._memo.popitem(last=False)
            dim = self.index.label_emb.shape[1]
            out = np.zeros((len(strings), dim), dtype=np.float32)
            for i, s in enumerate(strings):
                vec = self._memo.get(s)
                if vec is None and new is not None:  # evicted in this very call
                    vec = new[todo.index(s)]
                out[i] = vec
        return out

    @staticmethod
    def _units_of(text: str, lang: str) -> list[tuple[str, str]]:
        """(unit, sentence it belongs to): the whole text, its sentences, their clauses."""
        from skillgap.nlp.segment import clauses, strip_frame

        sents = split_sentences(text, lang)
        units: dict[str, str] = {text: sents[0] if len(sents) == 1 else text}
        for s in sents:
            for part in (s, *clauses(s)):
                if len(sents) > 1 or part != s:
                    units.setdefault(part, s)
                if STRIP_FRAMES:
                    units.setdefault(strip_frame(part), s)
        return [(u, s) for u, s in units.items() if u.strip()][:MAX_UNITS_PER_QUERY]

    def _unit_view_scores(self, emb: np.ndarray, strings: list[str]) -> tuple[np.ndarray, ...]:
        """(U, N) best-label cosine, description cosine and best-label TF-IDF per unit."""
        idx = self.index
        sem = idx.max_per_skill(emb @ idx.label_emb.T)
        desc = emb @ idx.desc_emb.T
        q_tfidf = self._tfidf_units(strings)
        tfv = np.empty((len(strings), idx.size), dtype=np.float32)
        for start in range(0, len(strings), _UNIT_BATCH):
            stop = min(start + _UNIT_BATCH, len(strings))
            t = (q_tfidf[start:stop] @ idx.tfidf_labels.T).toarray()
            tfv[start:stop] = np.maximum.reduceat(t, idx.tfidf_offsets[:-1], axis=1)
        return sem, desc.astype(np.float32), tfv

    def _prepare(self, texts: Sequence[str], lang: str):
        units = [self._units_of(t, lang) for t in texts]
        flat: list[str] = []
        pos: dict[str, int] = {}
        unit_rows: list[list[int]] = []
        for us in units:
            rows = []
            for u, _ in us:
                if u not in pos:
                    pos[u] = len(flat)
                    flat.append(u)
                rows.append(pos[u])
            unit_rows.append(rows)
        return units, flat, unit_rows, self._encode_units(flat)

    def _score(self, texts: Sequence[str], lang: str, exact: bool = False) -> _Scored:
        """Fused scores for a batch of queries.

        ``exact`` scores every skill on every view. The default two-stage path computes
        the embedding views (preferred-label and description cosines) for every skill -
        one matrix product per batch - shortlists ``SHORTLIST`` skills per query from them
        plus every lexical hit, and computes the TF-IDF view over all labels of the
        shortlisted skills only (``SkillIndex.tfidf_best``); skills outside a query's
        shortlist keep a low score ordered by the embedding views, so a full ranking
        still exists.
        """
        if exact:
            return self._score_exact(texts, lang)
        idx = self.index
        units, flat, unit_rows, emb = self._prepare(texts, lang)
        n = idx.size
        k = min(SHORTLIST, n)
        lexical = [idx.lexical_matches(t) for t in texts]
        q_tfidf = self._tfidf_units(flat)
        buf = idx.tfidf_buffer()
        logits = np.empty((len(texts), n), dtype=np.float32)
        clause_best: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * len(texts)
        for group in _unit_blocks(unit_rows, _UNIT_BLOCK):
            # (units, N) view matrices for one block of queries at a time: long documents
            # carry up to MAX_UNITS_PER_QUERY units each, and 256 of them at once would
            # need gigabytes.
            need = list(dict.fromkeys(r for q in group for r in unit_rows[q]))
            at = {r: i for i, r in enumerate(need)}
            sem = idx.max_per_skill(emb[need] @ idx.label_emb.T)
            desc = emb[need] @ idx.desc_emb.T
            cheap = np.maximum(sem, desc)
            for q in group:
                rows = [at[r] for r in unit_rows[q]]
                whole, parts = rows[0], rows[1:] or rows[:1]
                stage1 = cheap[rows].max(axis=0)
                short = np.argpartition(-stage1, k - 1)[:k]
                if lexical[q]:
                    short = np.union1d(short, np.fromiter(lexical[q], dtype=np.int64))
                local = {u: j for j, u in enumerate(dict.fromkeys(unit_rows[q]))}
                tfv = idx.tfidf_best(q_tfidf, list(local), short, buf)
                f = np.zeros((len(short), len(FEATURES)), dtype=np.float32)
                sem_p, desc_p = sem[np.ix_(parts, short)], desc[np.ix_(parts, short)]
                tf_p = tfv[[local[u] for u in (unit_rows[q][1:] or unit_rows[q][:1])]]
                f[:, _F["sem_whole"]] = sem[whole, short]
                f[:, _F["sem_part"]] = sem_p.max(axis=0)
                f[:, _F["desc_whole"]] = desc[whole, short]
                f[:, _F["desc_part"]] = desc_p.max(axis=0)
                f[:, _F["tfidf_whole"]] = tfv[0]
                f[:, _F["tfidf_part"]] = tf_p.max(axis=0)
                _lexical_flags(f, short, lexical[q])
                f[:, _F["prior"]] = idx.prior[short]
                clause_best[q] = _best_of_parts(self.fusion, sem_p, desc_p, tf_p, short)
                row = stage1 - 100.0  # outside the shortlist: below it, in cheap-view order
                row[short] = self.fusion.logit(f)
                logits[q] = row
        empty = np.zeros((len(texts), 0, len(FEATURES)), dtype=np.float32)
        return _Scored(logits, empty, units, unit_rows, emb, lexical, clause_best)

    def _tfidf_units(self, strings: list[str]) -> Any:
        from sklearn.preprocessing import normalize

        return normalize(self.index.tfidf.transform(strings).astype(np.float32)).tocsr()

    def _score_exact(
        self, texts: Sequence[str], lang: str, part_views: list[np.ndarray] | None = None
    ) -> _Scored:
        """Every view for every skill; ``part_views``, when given, receives per query the
        (parts, N, 3) semantic / description / TF-IDF scores of its parts."""
        units, flat, unit_rows, emb = self._prepare(texts, lang)
        sem, desc, tfv = self._unit_view_scores(emb, flat)
        n = self.index.size
        every = np.arange(n)
        feats = np.zeros((len(texts), n, len(FEATURES)), dtype=np.float32)
        lexical: list[dict[int, LexicalHit]] = []
        clause_best: list[np.ndarray] = []
        for q, rows in enumerate(unit_rows):
            whole, parts = rows[0], rows[1:] or rows[:1]
            feats[q, :, _F["sem_whole"]] = sem[whole]
            feats[q, :, _F["sem_part"]] = sem[parts].max(axis=0)
            feats[q, :, _F["desc_whole"]] = desc[whole]
            feats[q, :, _F["desc_part"]] = desc[parts].max(axis=0)
            feats[q, :, _F["tfidf_whole"]] = tfv[whole]
            feats[q, :, _F["tfidf_part"]] = tfv[parts].max(axis=0)
            lex = self.index.lexical_matches(texts[q])
            lexical.append(lex)
            _lexical_flags(feats[q], every, lex)
            clause_best.append(
                _best_of_parts(self.fusion, sem[parts], desc[parts], tfv[parts], every)
            )
            if part_views is not None:
                part_views.append(np.stack([sem[parts], desc[parts], tfv[parts]], axis=-1))
        feats[:, :, _F["prior"]] = self.index.prior[None, :]
        logits = self.fusion.logit(feats)
        return _Scored(logits, feats, units, unit_rows, emb, lexical, clause_best)

    def score_matrix(
        self, texts: Sequence[str], lang: str | None = None, exact: bool = False
    ) -> np.ndarray:
        """(len(texts), n_skills) fused scores: the full ranking, for evaluation."""
        lang = lang or self.taxonomy.language or "en"
        out = np.zeros((len(texts), self.index.size), dtype=np.float32)
        step = 32 if exact else _QUERY_BATCH  # exact keeps (batch, N, F) features in memory
        for start in range(0, len(texts), step):
            chunk = [clean_text(t, max_chars=MAX_TEXT_CHARS) for t in texts[start : start + step]]
            out[start : start + len(chunk)] = self._score(chunk, lang, exact).logits
        return out

    def features(self, texts: Sequence[str], lang: str | None = None) -> np.ndarray:
        """(len(texts), n_skills, len(FEATURES)) exact features: what fusion is fitted on."""
        lang = lang or self.taxonomy.language or "en"
        cleaned = [clean_text(t, max_chars=MAX_TEXT_CHARS) for t in texts]
        return self._score(cleaned, lang, exact=True).feats

    def features_with_parts(
        self, texts: Sequence[str], lang: str | None = None
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """``features`` plus, per text, the (parts, n_skills, 3) semantic / description /
        TF-IDF scores of its parts: what the extract rule (``Fusion.clause_best``) reads,
        for fitting it under weights other than the mapper's own."""
        lang = lang or self.taxonomy.language or "en"
        views: list[np.ndarray] = []
        feats = self._score_exact([clean_text(t) for t in texts], lang, views).feats
        return feats, views

    # Explanation ---------------------------------------------------------------
    def _hit(self, sc: _Scored, q: int, skill: int, score: float) -> SkillHit:
        idx = self.index
        lo, hi = int(idx.label_offsets[skill]), int(idx.label_offsets[skill + 1])
        rows = sc.unit_rows[q]
        sims = sc.emb[rows] @ idx.label_emb[lo:hi].T  # (units, labels of skill)
        u, lab = np.unravel_index(int(np.argmax(sims)), sims.shape)
        sem_best = float(sims[u, lab])
        lexical = sc.lexical[q].get(skill)
        if lexical is not None:
            method = "both" if sem_best >= 0.6 else "lexical"
            evidence = lexical.label  # the label that occurs in the text, as ESCO writes it
        else:
            method = "semantic"
            evidence = idx.label_texts[lo + int(lab)]
        unit, sentence = sc.units[q][int(u)]
        return SkillHit(
            uri=idx.uris[skill],
            label=idx.labels[skill],
            score=float(score),
            method=method,
            sentence=sentence,
            evidence=evidence,
            phrase=unit,
            match=float(score),
        )

    # Public API -----------------------------------------------------------------
    def rank(self, texts: list[str], top_k: int = 10) -> list[list[SkillHit]]:
        """For each text, its ``top_k`` skills best first (score = fusion probability).

        Texts that cannot be mapped (see ``problem``) get an empty list.
        """
        top_k = max(1, min(int(top_k), self.index.size))
        lang = self.taxonomy.language or "en"
        results: list[list[SkillHit]] = [[] for _ in texts]
        checked = [self._check(t) for t in texts]
        ok = [i for i, (_, why) in enumerate(checked) if why is None]
        for start in range(0, len(ok), _QUERY_BATCH):
            ids = ok[start : start + _QUERY_BATCH]
            sc = self._score([checked[i][0] for i in ids], lang)
            probs = Fusion.prob(sc.logits)
            for q, i in enumerate(ids):
                row = sc.logits[q]
                top = np.argpartition(-row, top_k - 1)[:top_k]
                top = top[np.argsort(-row[top], kind="stable")]
                results[i] = [self._hit(sc, q, int(k), float(probs[q, k])) for k in top]
        return results

    def extract_sentences(
        self, sentences: list[str], threshold: float | None = None
    ) -> list[list[SkillHit]]:
        """Thresholded skills per sentence (no segmentation, no boilerplate filter): at most
        ``max_per_sentence``, each at or above the threshold and, under ``clause_best``,
        the best skill of one of the sentence's parts or named by a strong label."""
        thr = self.fusion.threshold if threshold is None else threshold
        cap = self.fusion.max_per_sentence
        rule = self.fusion.clause_best
        lang = self.taxonomy.language or "en"
        out: list[list[SkillHit]] = [[] for _ in sentences]
        for start in range(0, len(sentences), _QUERY_BATCH):
            chunk = sentences[start : start + _QUERY_BATCH]
            sc = self._score(chunk, lang)
            probs = Fusion.prob(sc.logits)
            for q in range(len(chunk)):
                row = probs[q]
                cand = np.flatnonzero(row >= thr)
                if rule and len(cand):
                    lex = sc.lexical[q]
                    named = [k for k, h in lex.items() if h.strong]
                    cand = cand[np.isin(cand, sc.clause_best[q]) | np.isin(cand, named)]
                if len(cand) == 0:
                    continue
                cand = cand[np.argsort(-row[cand], kind="stable")][:cap]
                out[start + q] = [self._hit(sc, q, int(k), float(row[k])) for k in cand]
        return out

    def extract(
        self,
        texts: list[str],
        titles: list[str] | None = None,
        requirements: bool = True,
        occupations: list[str | None] | None = None,
    ) -> list[list[SkillHit]]:
        """Per document, the skills it asks for: each skill once, with its best sentence,
        best first (``nlp.documents``: requirement detection, matching, context).

        Repeated sentences across documents are scored once (job ads share boilerplate and
        requirement blocks), which is what makes thousands of ads affordable.
        """
        from skillgap.nlp.documents import extract_documents

        docs = extract_documents(
            self, texts, titles, requirements=requirements, occupations=occupations
        )
        return [d.hits for d in docs]

    def mentions(
        self,
        doc_ids: list[str],
        texts: list[str],
        doc_type: str,
        titles: list[str] | None = None,
        field: str | list[str] = "text",
        occupations: list[str | None] | None = None,
    ) -> pd.DataFrame:
        """``skill_mentions`` rows (extract mode): one per (document, skill), with the best
        evidence sentence in ``sentence``, the matched phrase/label in ``span``, the demand
        score in ``score`` and its parts (``match_score``, ``requirement``, ``context``);
        ``field`` names the document field the text came from (one value or one per text).
        Vacancies go through requirement detection; credential texts state what the
        credential teaches, so every sentence of theirs is mapped.
        """
        import pandas as pd

        from skillgap.schemas import conform, empty

        if len(doc_ids) != len(texts):
            raise InputError(
                f"mentions: {len(doc_ids)} document ids but {len(texts)} texts; they must pair up"
            )
        if doc_type not in ("vacancy", "credential"):
            raise InputError(
                f"mentions: doc_type must be 'vacancy' or 'credential', not {doc_type!r}"
            )
        fields = [field] * len(texts) if isinstance(field, str) else list(field)
        if len(fields) != len(texts):
            raise InputError(f"mentions: {len(fields)} field names for {len(texts)} texts")
        rows = []
        found = self.extract(
            texts, titles, requirements=doc_type == "vacancy", occupations=occupations
        )
        for doc_id, source, hits in zip(doc_ids, fields, found, strict=True):
            for h in hits:
                rows.append(
                    {
                        "doc_type": doc_type,
                        "doc_id": str(doc_id),
                        "sentence": h.sentence,
                        "span": h.phrase or h.evidence,
                        "skill_uri": h.uri,
                        "score": h.score,
                        "method": h.method,
                        "taxonomy_version": self.taxonomy.version,
                        "model_id": self.model_id,
                        "field": source,
                        "match_score": h.match,
                        "requirement": h.requirement,
                        "context": h.context,
                    }
                )
        if not rows:
            return empty("skill_mentions")
        return conform(pd.DataFrame(rows), "skill_mentions")
