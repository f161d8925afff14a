"""Whole documents -> the skills they ask for: sentences, requirement detection, matching and
context, in that order.

``SkillMapper.extract_sentences`` judges a sentence alone. A document adds what a sentence
cannot know: whether the sentence states a requirement at all (a salary line, a company
blurb and an application step do not), and whether a skill fits the document it sits in
(the configuration tool "Chef" does not fit a kitchen job). Both come from
``nlp.requirements`` (learnt models); this module wires them around the matcher:

1. clean and split every document into sentences (one segmentation for every path);
2. embed each distinct sentence once and score the requirement probability of every
   sentence in its document (neighbours included);
3. match only the sentences that may be requirements (``requirement >= floor``): the
   cheap first stage that spares the matcher most of an ad;
4. per candidate mention, the context features and the validity probability; a mention is
   kept when its match passes the fusion threshold and its validity the fitted cut-off,
   and its demand score is ``match x validity``.

When the running encoder has no fitted requirement model, the keyword boilerplate filter
of ``nlp.segment`` stands in, and ``SkillMapper.method_notes`` says so in every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from skillgap.nlp.requirements import centroid
from skillgap.nlp.segment import is_boilerplate, split_sentences

if TYPE_CHECKING:
    from skillgap.nlp.corrections import Corrections
    from skillgap.nlp.mapper import SkillHit, SkillMapper

# Bump when the extraction steps change in a way that changes the mentions.
EXTRACTION_VERSION = 1


_REPORT_KEYS = frozenset({"dev_postings", "audit", "command"})  # records, not the model


def mapping_id(encoder_id: str, *extra: bytes) -> str:
    """The id stored with every mention: the encoder plus everything fitted around it.

    A refitted fusion or requirement model, or a new extraction version, changes the id, so
    documents mapped before are mapped again instead of mixing two methods in one count.
    ``extra`` adds other inputs of the mapping (e.g. an analysis' corrections file).
    """
    import hashlib
    import json

    from skillgap.nlp.fusion import FUSION_FILE, model_family
    from skillgap.nlp.requirements import REQUIREMENTS_FILE

    h = hashlib.sha256(f"extraction-v{EXTRACTION_VERSION}".encode())
    h.update(FUSION_FILE.read_bytes() if FUSION_FILE.is_file() else b"-")
    # Only this encoder's fitted numbers count: another encoder's refit, the dev figures
    # and the audit recorded beside them do not change how these documents are mapped.
    models = (
        json.loads(REQUIREMENTS_FILE.read_text(encoding="utf-8")).get("models", {})
        if REQUIREMENTS_FILE.is_file()
        else {}
    )
    entry = models.get(encoder_id) or models.get(model_family(encoder_id)) or {}
    fitted = {k: v for k, v in entry.items() if k not in _REPORT_KEYS}
    h.update(json.dumps(fitted, sort_keys=True).encode())
    for part in extra:
        h.update(part)
    return f"{encoder_id}+x{h.hexdigest()[:10]}"


@dataclass
class DocumentSkills:
    """What one document yielded: its sentences, their requirement probabilities and the
    skills it asks for (one hit per skill, best first)."""

    sentences: list[str] = field(default_factory=list)
    requirement: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    hits: list[SkillHit] = field(default_factory=list)
    problem: str | None = None  # why nothing could be read (empty, wrong language, ...)
    # every (sentence index, hit) that passed both gates, before the one-per-skill reduction:
    # a skill stated in three sentences has three here and one in ``hits``
    mentions: list[tuple[int, SkillHit]] = field(default_factory=list)
    # every (sentence index, hit) before the best-per-skill reduction, for fitting/auditing
    candidates: list[tuple[int, SkillHit]] = field(default_factory=list)


def document_sentences(mapper: SkillMapper, text: object) -> tuple[list[str], str | None]:
    """(sentences, problem) of one raw document, exactly as extraction sees it."""
    cleaned, why = mapper._check(text)
    if why is not None:
        return [], why
    return split_sentences(cleaned, mapper.taxonomy.language or "en"), None


def _document_occupations(
    mapper: SkillMapper, docs: list[DocumentSkills], texts: list[str], titles: list[str] | None
) -> list[str | None] | None:
    """Best ESCO occupation of each document from its title (or first sentence), or None."""
    if not mapper.taxonomy.has("occupations"):
        return None
    from skillgap.nlp.occupations import map_occupations

    heads = [
        (titles[i] if titles and titles[i] else (d.sentences[0] if d.sentences else ""))
        for i, d in enumerate(docs)
    ]
    todo = [i for i, h in enumerate(heads) if h.strip() and docs[i].sentences]
    out: list[str | None] = [None] * len(docs)
    if todo:
        hits = map_occupations(
            [heads[i] for i in todo],
            [str(texts[i] or "") for i in todo],
            mapper.taxonomy,
            top_k=1,
            model_path=mapper.model_path,
        )
        for i, h in zip(todo, hits, strict=True):
            out[i] = h[0].uri if h else None
    return out


def method_notes(encoder_id: str, corrections: Corrections | None = None) -> dict[str, object]:
    """How documents are mapped with this encoder: the fitted models, their thresholds and
    the analyst corrections, for a run's records and the report's methods section. Cheap:
    it reads the fitted files, not the skill index."""
    from skillgap.errors import MissingDataError
    from skillgap.nlp.fusion import load_fusion
    from skillgap.nlp.requirements import load_requirement_model

    fusion = load_fusion(encoder_id)
    try:
        req = load_requirement_model(encoder_id)
        warning = None
    except MissingDataError as exc:
        req, warning = None, str(exc)
    return {
        "encoder": encoder_id,
        "fusion": fusion.source,
        "match_threshold": fusion.threshold,
        "max_per_sentence": fusion.max_per_sentence,
        "requirement_model": req.source if req is not None else None,
        "requirement_floor": float(req.meta.get("floor", 0.0)) if req is not None else None,
        "validity_threshold": (
            float(req.meta.get("validity_threshold", 0.0)) if req is not None else None
        ),
        "requirement_warning": warning,
        # the judged precision the default demand threshold stands on (scripts/ audit)
        "audit": dict(req.meta.get("audit") or {}) if req is not None else {},
        "keyword_filter": req is None,
        "corrections": corrections.describe() if corrections else [],
        "corrections_file": str(corrections.path) if corrections else None,
    }


def _corrected(mapper: SkillMapper, fix: object, sentence: str) -> SkillHit:
    """The mention an analyst's ``[[map]]`` correction states (``nlp.corrections``)."""
    from skillgap.nlp.mapper import SkillHit

    return SkillHit(
        uri=fix.skill_uri,  # type: ignore[attr-defined]
        label=fix.skill_label,  # type: ignore[attr-defined]
        score=1.0,
        method="corrected",
        sentence=sentence,
        evidence=fix.phrase,  # type: ignore[attr-defined]
        phrase=fix.phrase,  # type: ignore[attr-defined]
        match=1.0,
    )


def extract_documents(
    mapper: SkillMapper,
    texts: list[str],
    titles: list[str] | None = None,
    *,
    match_threshold: float | None = None,
    floor: float | None = None,
    validity_threshold: float | None = None,
    keep_candidates: bool = False,
    requirements: bool = True,
    occupations: list[str | None] | None = None,
) -> list[DocumentSkills]:
    """Skills each document asks for; see the module docstring for the stages.

    ``titles`` (optional, one per text) give the context of the title view; without them
    the first sentence stands in, which for most ads is the title line.
    ``match_threshold``, ``floor`` and ``validity_threshold`` override the fitted values
    (for fitting and audits);
    ``keep_candidates`` keeps every candidate for fitting. ``requirements=False`` maps
    every sentence as a statement of what the document is about (learning outcomes and
    catalogue descriptions: they have no boilerplate to skip and no requirement to find).
    ``occupations`` (ESCO URIs, None where unknown) are the documents' occupations; for
    vacancies without them they are mapped from the titles (abstaining when unsure). A
    lexical match that is only the occupation's own name and a skill ESCO does not relate
    to that occupation's family is read as the job, not as a skill ("Chef" in a kitchen
    ad), and dropped.
    """
    model = mapper.requirements if requirements else None
    keyword_filter = requirements and model is None
    fixes = mapper.corrections
    if titles is not None and len(titles) != len(texts):
        raise ValueError(f"{len(titles)} titles for {len(texts)} texts")
    docs: list[DocumentSkills] = []
    for t in texts:
        sents, why = document_sentences(mapper, t)
        if keyword_filter:  # documented fallback: the keyword filter
            sents = [s for s in sents if not is_boilerplate(s)]
        if fixes is not None:
            sents = [s for s in sents if not fixes.ignored(s)]
        docs.append(DocumentSkills(sentences=sents, problem=why))
    unique = list(dict.fromkeys(s for d in docs for s in d.sentences))
    if not unique:
        return docs
    pos = {s: i for i, s in enumerate(unique)}
    emb = mapper._encode_units(unique)
    if floor is None:
        floor = float(model.meta.get("floor", 0.0)) if model is not None else 0.0
    if validity_threshold is None:
        validity_threshold = (
            float(model.meta.get("validity_threshold", 0.0)) if model is not None else 0.0
        )

    logits: list[np.ndarray] = []
    need: set[int] = set()
    for d in docs:
        rows = [pos[s] for s in d.sentences]
        if model is None:  # every sentence counts as stating what the document is about
            lg = np.full(len(rows), np.inf, dtype=np.float32)
            d.requirement = np.ones(len(rows), dtype=np.float32)
        else:
            lg = model.requirement_logits(emb[rows], d.sentences)
            d.requirement = (1.0 / (1.0 + np.exp(-lg))).astype(np.float32)
        logits.append(lg)
        need.update(r for r, p in zip(rows, d.requirement, strict=True) if p >= floor)

    matched = sorted(need)
    sentence_hits = mapper.extract_sentences([unique[i] for i in matched], match_threshold)
    hits_of = dict(zip(matched, sentence_hits, strict=True))

    if requirements and occupations is None:
        occupations = _document_occupations(mapper, docs, texts, titles)
    families = mapper.families() if occupations is not None else None

    title_emb: np.ndarray | None = None
    if titles is not None:
        title_emb = mapper._encode_units([str(x or "").strip() or "-" for x in titles])
    desc = mapper.index.desc_emb
    for q, d in enumerate(docs):
        rows = [pos[s] for s in d.sentences]
        if not rows:
            continue
        cands: list[tuple[int, SkillHit, int]] = []
        job = occupations[q] if occupations is not None else None
        for i, r in enumerate(rows):
            for h in hits_of.get(r, ()):
                if (
                    job
                    and families is not None
                    and h.method != "semantic"
                    and families.names_occupation(job, h.evidence)
                    and not families.in_family(job, h.uri)
                ):
                    continue  # the job's own name, not a skill it asks for
                if fixes is not None and h.uri in fixes.never:
                    continue
                cands.append((i, h, mapper.skill_position(h.uri)))
            if fixes is not None:
                for fix in fixes.mapped(d.sentences[i]):
                    cands.append((i, _corrected(mapper, fix, d.sentences[i]), -1))
        if not cands:
            continue
        corrected = [c for c in cands if c[2] < 0]
        cands = [c for c in cands if c[2] >= 0]
        doc_vec = centroid(emb[rows], d.requirement)
        head = title_emb[q] if title_emb is not None and titles and titles[q] else emb[rows[0]]
        skills = np.array([k for _, _, k in cands], dtype=np.int64)
        context = desc[skills] @ doc_vec
        title_ctx = desc[skills] @ head
        req = np.array([logits[q][i] for i, _, _ in cands], dtype=np.float32)
        if model is None:
            validity = np.ones(len(cands), dtype=np.float32)
        else:
            match = np.array([h.match for _, h, _ in cands], dtype=np.float64)
            validity = model.validity_probs(req, context, title_ctx, match)
        scored = [
            (
                i,
                replace(
                    h,
                    score=float(h.match * v),
                    requirement=float(d.requirement[i]),
                    context=float(c),
                    validity=float(v),
                ),
            )
            for (i, h, _), c, v in zip(cands, context, validity, strict=True)
        ]
        scored += [(i, replace(h, requirement=float(d.requirement[i]))) for i, h, _ in corrected]
        if keep_candidates:
            d.candidates = scored
        d.mentions = [(i, h) for i, h in scored if h.validity >= validity_threshold]
        d.hits = best_per_skill(d.mentions)
    return docs


def best_per_skill(mentions: list[tuple[int, SkillHit]]) -> list[SkillHit]:
    """One hit per skill, its best-scoring mention, best first: what a document asks for
    (a skill stated in three sentences counts once)."""
    best: dict[str, SkillHit] = {}
    for _, h in mentions:
        if h.uri not in best or h.score > best[h.uri].score:
            best[h.uri] = h
    return sorted(best.values(), key=lambda h: -h.score)
