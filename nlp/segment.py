"""Turn raw vacancy / learning-outcome text into the units the mapper scores.

Job ads arrive as HTML fragments, bullet lists, line-broken blocks or one long run-on
paragraph. The mapper works on sentences (the unit the evaluation protocol and the
evidence column use) and, inside a sentence, on clauses: a sentence such as "Java, SQL
and good communication skills" holds three skills, and one embedding of the whole
sentence blurs them, so clause-level candidates are scored too.

Boilerplate (company blurbs, benefits, equal-opportunity statements, how to apply) is the
main source of false skills in job ads ("competitive salary" is close to "negotiate
salaries"); ``is_boilerplate`` flags it with generic cue phrases so extract mode can skip
it. The cues are written from what such paragraphs say in any ad, not fitted to a data set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import ftfy
import numpy as np

# A unit longer than this many characters is cut into windows: the encoder truncates at
# 256 word pieces anyway, and a 1 MB "sentence" must not stall the pipeline.
MAX_SENTENCE_CHARS = 600
MAX_TEXT_CHARS = 200_000

_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][^>]{0,200}>")
_BLOCK_TAGS = ("p", "div", "li", "br", "ul", "ol", "tr", "h1", "h2", "h3", "h4", "h5", "h6")
_BULLET_RE = re.compile(r"^\s*(?:[•●▪◦‣∙·○■□➢➤►▶✓✔\-–—*+>]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_INLINE_BULLET_RE = re.compile(r"\s+[•●▪◦‣∙·■□➢➤►▶✓✔]\s+")
_WS_RE = re.compile(r"[ \t\u00a0]+")
# Clause boundaries inside a sentence: list punctuation and brackets. Conjunctions are not
# split on because many ESCO labels contain them ("research and development").
_CLAUSE_RE = re.compile(r"\s*(?:[;:,()\[\]•|]|\s-\s|\s–\s)\s*")

_BOILERPLATE_CUES: tuple[str, ...] = (
    # equal opportunity / legal
    "equal opportunit",
    "equal employment",
    "regardless of race",
    "regardless of age",
    "sexual orientation",
    "gender identity",
    "without regard to",
    "diverse workforce",
    "we welcome applications from",
    "reasonable accommodation",
    "data protection",
    "privacy policy",
    "gdpr",
    # application instructions
    "apply now",
    "apply today",
    "apply online",
    "to apply",
    "how to apply",
    "send your cv",
    "send us your cv",
    "submit your cv",
    "submit your application",
    "your application",
    "click apply",
    "click on apply",
    "closing date",
    "for interview",
    "an interview",
    "interview process",
    "recruitment agency",
    "recruitment agencies",
    "employment business",
    "acting as an employment",
    "please contact",
    "for more information",
    "for further information",
    "contact us",
    "visa sponsor",
    # pay and benefits
    "competitive salary",
    "salary package",
    "salary range",
    "salary:",
    "starting salary",
    "basic salary",
    "salary of",
    "per annum",
    "per hour",
    "competitive pay",
    "pension",
    "days holiday",
    "holiday entitlement",
    "annual leave",
    "bonus scheme",
    "annual bonus",
    "performance bonus",
    "benefits package",
    "benefits include",
    "we offer",
    "what we offer",
    "in return",
    "health insurance",
    "paid relocation",
    "free parking",
    "gym membership",
    "flexible working hours",
    # company blurbs
    "our client is",
    "our client are",
    "we are a leading",
    "is a leading",
    "was founded",
    "founded in",
    "award-winning",
    "award winning",
    "our mission",
    "our team of",
    "headquartered",
    "offices in",
    "join our team",
    "join us",
    "likes:",
    "date posted",
    "company size",
    "company type",
)


@dataclass(frozen=True)
class Segment:
    """One sentence of a document with its clauses and its boilerplate flag."""

    text: str
    clauses: tuple[str, ...]
    boilerplate: bool


def clean_text(text: Any) -> str:
    """Repair mojibake, strip HTML to text with line breaks at block tags, tidy whitespace.

    Accepts ``bytes`` too (decoded as UTF-8 with replacement, so invalid bytes cannot crash
    a batch; ftfy then repairs what can be repaired).
    """
    if text is None:
        return ""
    if isinstance(text, bytes | bytearray):
        text = bytes(text).decode("utf-8", errors="replace")
    text = str(text)[:MAX_TEXT_CHARS]
    if _TAG_RE.search(text):
        text = _html_to_text(text)
    text = ftfy.fix_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffd", " ")
    lines = [_WS_RE.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _html_to_text(html: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    for bad in tree.css("script, style, noscript"):
        bad.decompose()
    for tag in _BLOCK_TAGS:
        for node in tree.css(tag):
            node.insert_before("\n")
            node.insert_after("\n")
    root = tree.body or tree.root
    return root.text(separator=" ") if root is not None else ""


@lru_cache(maxsize=4)
def _sentencizer(lang: str) -> Any:
    import spacy

    try:
        nlp = spacy.blank(lang)
    except Exception:  # a language spaCy has no tokenizer for still gets split
        nlp = spacy.blank("xx")
    nlp.add_pipe("sentencizer")
    nlp.max_length = MAX_TEXT_CHARS + 10
    return nlp


def _windows(text: str, limit: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Cut an over-long run-on 'sentence' at word boundaries."""
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    words = text.split()
    current: list[str] = []
    size = 0
    for w in words:
        if size + len(w) + 1 > limit and current:
            out.append(" ".join(current))
            current, size = [], 0
        current.append(w[:limit])
        size += len(w) + 1
    if current:
        out.append(" ".join(current))
    return out


def clauses(sentence: str) -> tuple[str, ...]:
    """List-like parts of a sentence worth scoring on their own (two or more words or a
    single term such as "Java"); returns () when the sentence has a single clause."""
    parts = [p.strip(" .-–*") for p in _CLAUSE_RE.split(sentence)]
    parts = [p for p in parts if len(p) >= 2]
    if len(parts) <= 1:
        return ()
    return tuple(dict.fromkeys(parts))


# Requirement framing that carries no skill: "Strong experience with", "Ability to",
# "You will". Stripping it gives the encoder the skill phrase alone.
_FRAME_RE = re.compile(
    r"^(?:(?:you|we|candidates?|applicants?)\s+(?:will|should|must|would|need to|are able to)"
    r"(?:\s+(?:be|have))?\s+|(?:you\s+)?(?:have|has|possess|bring|demonstrate)\s+)?"
    r"(?:(?:a|an|the|proven|strong|solid|good|excellent|extensive|deep|sound|working|basic|"
    r"demonstrable|demonstrated|hands-on|practical|advanced|previous|relevant|some|"
    r"\d+\+?\s*(?:years?|yrs?)(?:\s+of)?|years of)\s+)*"
    r"(?:experience|knowledge|understanding|familiarity|expertise|proficiency|skills?|"
    r"background|ability|abilities|capability|track record)\s*(?:with|in|of|on|to|using)?\s+"
    r"|^(?:(?:be|being)\s+)?(?:able|proficient|familiar|experienced|skilled|fluent|"
    r"comfortable|confident)\s+(?:to|in|with|at|using)\s+"
    r"|^(?:you\s+will|you'll|you\s+are|you're)\s+",
    re.IGNORECASE,
)


def strip_frame(phrase: str) -> str:
    """ "Strong experience with Java" -> "Java"; unchanged when no framing is found."""
    out = _FRAME_RE.sub("", phrase, count=1).strip()
    return out if len(out) >= 2 else phrase


def is_boilerplate(sentence: str) -> bool:
    """True when the sentence reads as a benefit, legal, application or company statement."""
    low = sentence.lower()
    return any(cue in low for cue in _BOILERPLATE_CUES)


def split_sentences(text: str, lang: str = "en") -> list[str]:
    """Sentences of a cleaned text: one per bullet/line, then spaCy's sentencizer inside."""
    lines: list[str] = []
    for raw in text.split("\n"):
        line = _BULLET_RE.sub("", raw).strip()
        if not line:
            continue
        lines.extend(p.strip() for p in _INLINE_BULLET_RE.split(line) if p.strip())
    if not lines:
        return []
    nlp = _sentencizer(lang)
    # A line with no sentence-final character before its last one is one sentence: the
    # sentencizer only splits after those characters. Skipping spaCy for such lines (most
    # bullets and short queries) halves the mapper's per-query overhead.
    punct = _punct_chars(lang)
    out: list[str] = []
    for i, doc in enumerate(_docs(nlp, lines, punct)):
        sents = [lines[i]] if doc is None else [sent.text for sent in doc.sents]
        for sent_text in sents:
            s = sent_text.strip()
            if len(s) >= 2:
                out.extend(_windows(s))
    return out


def _docs(nlp: Any, lines: list[str], punct: frozenset[str]) -> list[Any]:
    """spaCy docs for the lines that need splitting, None for the others (same order)."""
    need = [i for i, line in enumerate(lines) if any(ch in punct for ch in line[:-1])]
    docs: list[Any] = [None] * len(lines)
    for i, doc in zip(need, nlp.pipe([lines[i] for i in need], batch_size=256), strict=True):
        docs[i] = doc
    return docs


@lru_cache(maxsize=8)
def _punct_chars(lang: str) -> frozenset[str]:
    return frozenset(_sentencizer(lang).get_pipe("sentencizer").punct_chars)


def segment(text: Any, lang: str = "en") -> list[Segment]:
    """Clean, split and flag a document: the one entry point the mapper uses."""
    out = []
    for s in split_sentences(clean_text(text), lang):
        out.append(Segment(text=s, clauses=clauses(s), boilerplate=is_boilerplate(s)))
    return out


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence 0..1) by langid, on the first 2,000 characters."""
    import langid

    # De-duplicate sentences first: a text repeating one sentence thousands of times
    # (seen in scraped ads) makes langid confidently wrong ("af" for English).
    parts = dict.fromkeys(p.strip() for p in re.split(r"[.!?\n]+", text[:20000]))
    from_text = ". ".join(p for p in parts if p)[:2000]
    if len(from_text.strip()) < 3:
        return "", 0.0
    del langid
    return _classify(_langid_identifier(), from_text)


def _classify(ident: Any, text: str) -> tuple[str, float]:
    """langid's naive-Bayes classify with a sparse dot product.

    ``LanguageIdentifier.classify`` multiplies the dense 7,480-feature vector with the
    7,480 x 97 class matrix (0.8 ms per text); a sentence has ~30 non-zero features, so
    taking only those rows gives the same probabilities ~100x faster - it matters
    because every text the mapper sees is language-checked.
    """
    fv = ident.instance2fv(text)
    nz = np.flatnonzero(fv)
    scores = fv[nz] @ ident.nb_ptc[nz] + ident.nb_pc
    best = int(np.argmax(scores))
    with np.errstate(over="ignore"):
        prob = 1.0 / float(np.exp(scores - scores[best]).sum())
    return str(ident.nb_classes[best]), prob


@lru_cache(maxsize=1)
def _langid_identifier() -> Any:
    from langid.langid import LanguageIdentifier, model

    return LanguageIdentifier.from_modelstring(model, norm_probs=True)
