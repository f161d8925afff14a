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

from skillgap.text import clean_text

# A unit longer than this many characters is cut into windows: the encoder truncates at
# 256 word pieces anyway, and a 1 MB "sentence" must not stall the pipeline.
MAX_SENTENCE_CHARS = 600
MAX_TEXT_CHARS = 200_000

_BULLET_RE = re.compile(r"^\s*(?:[•●▪◦‣∙·○■□➢➤►▶✓✔\-–—*+>]|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_INLINE_BULLET_RE = re.compile(r"\s+[•●▪◦‣∙·■□➢➤►▶✓✔]\s+")
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


# Abbreviations job ads use mid-sentence that spaCy's tokenizer exceptions for the
# language do not already keep whole ("ca.", "z.B." and "o.a." are kept; "env.", "p. ex.",
# "aprox." were sentence ends). Written for ads, not a complete list; English keeps
# spaCy's own exceptions so English segmentation is unchanged.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "nl": ("bijv.", "bv.", "incl.", "excl.", "evt.", "m.b.t.", "t.a.v.", "mbo.", "hbo.", "wo."),
    "de": ("bzw.", "ggf.", "inkl.", "zzgl.", "evtl.", "usw.", "u.a.", "d.h.", "Std.", "Mo.", "Fr."),
    "fr": ("env.", "p.", "ex.", "sup.", "cf.", "min.", "max.", "hebdo.", "H/F.", "h/f."),
    "es": ("aprox.", "p.", "ej.", "Dña.", "Avda.", "Sr.", "Sra.", "máx.", "mín.", "incl."),
    "it": ("ca.", "es.", "ecc.", "max.", "min.", "sig.", "dott.", "ing.", "p.es.", "rif."),
}
# Spanish opens questions and exclamations with "¿" / "¡"; the sentencizer leaves them at
# the end of the sentence before.
_OPENERS = "¿¡"


@lru_cache(maxsize=16)
def _sentencizer(lang: str) -> Any:
    import spacy
    from spacy.symbols import ORTH

    try:
        nlp = spacy.blank(lang)
    except Exception:  # a language spaCy has no tokenizer for still gets split
        nlp = spacy.blank("xx")
    if lang in _ABBREVIATIONS:
        # A lone capital and a period is a licence category that ends a sentence in ads
        # ("carné de conducir B.", "patente B.") far more often than an initial; the es
        # and it tokenizers keep "B." whole, so the sentence ran on.
        from spacy.util import compile_suffix_regex

        tokenizer: Any = nlp.tokenizer
        suffixes = [*(nlp.Defaults.suffixes or ()), r"(?<=^[A-ZÀ-Ý])\."]
        tokenizer.suffix_search = compile_suffix_regex(suffixes).search
        for abbr in _ABBREVIATIONS[lang]:
            for form in dict.fromkeys((abbr, abbr[:1].upper() + abbr[1:])):
                tokenizer.add_special_case(form, [{ORTH: form}])
    nlp.add_pipe("sentencizer")
    nlp.max_length = MAX_TEXT_CHARS + 10
    return nlp


def _move_openers(sents: list[str]) -> list[str]:
    """ "... instalación. ¿" + "Tienes ...?" -> "... instalación." + "¿Tienes ...?"."""
    out = list(sents)
    for i in range(len(out) - 1):
        head = out[i].rstrip()
        stripped = head.rstrip(_OPENERS)
        if stripped != head:
            out[i] = stripped.rstrip()
            out[i + 1] = head[len(stripped) :] + out[i + 1].lstrip()
    return out


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
        if len(sents) > 1 and any(ch in lines[i] for ch in _OPENERS):
            sents = _move_openers(sents)
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
    for s in split_sentences(clean_text(text, max_chars=MAX_TEXT_CHARS), lang):
        out.append(Segment(text=s, clauses=clauses(s), boilerplate=is_boilerplate(s)))
    return out
