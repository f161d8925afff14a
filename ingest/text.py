"""Text normalisation shared by every reader: HTML, mojibake, whitespace, language, hashes.

Real exports carry HTML fragments, entities, doubly-encoded UTF-8 ("Ã©" for "é") and
irregular whitespace. Downstream matching and de-duplication compare text, so every
record goes through the same ``clean_text`` before anything is hashed or stored. The
expensive repairs only run when a cheap test says they might change something, because
ingest must stay in the thousands of records per second.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import unicodedata
from collections import Counter

import ftfy
from selectolax.lexbor import LexborHTMLParser as HTMLParser

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_BLOCK_TAGS = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\s*/?>", re.IGNORECASE)
_LI = re.compile(r"<\s*li[^>]*>", re.IGNORECASE)
# UTF-8 read as Latin-1/cp1252 shows as a lead byte (Â, Ã, â, ï, Å) followed by a
# continuation-byte character; only text with such a pair, a replacement character or a
# C1 control character is worth ftfy's (slow) repair.
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00c5\u00e2\u00ef\u00c6\u00d0\u00d1][\u0080-\u00bf\u0152\u0153\u0160"
    "\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022"
    "\u2026\u2030\u2039\u203a\u20ac\u2122]|[\ufffd\u0080-\u009f]"
)


def strip_html(text: str) -> str:
    """Visible text of an HTML fragment; block ends become line breaks, bullets '- '."""
    marked = _BLOCK_TAGS.sub("\n", text)
    marked = _LI.sub("\n- ", marked)
    tree = HTMLParser(marked)
    for node in tree.css("script, style"):
        node.decompose()
    body = tree.body
    out = body.text(separator="") if body is not None else tree.text(separator="")
    return out


def clean_text(value: object) -> str:
    """Normalised text: no markup, no mojibake, NFC, single spaces, at most one blank line."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not text:
        return ""
    if "<" in text and _TAG.search(text):
        text = strip_html(text)
    if "&" in text:
        text = html.unescape(text)
    if not text.isascii():
        if _MOJIBAKE.search(text):
            text = ftfy.fix_text(text, normalization="NFC")
        else:
            text = unicodedata.normalize("NFC", text)
    # str.split() is the fast way to collapse Unicode whitespace; keep line structure and
    # at most one blank line between paragraphs.
    out: list[str] = []
    blank = False
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            out.append(line)
            blank = False
        elif out and not blank:
            out.append("")
            blank = True
    if out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def clean_line(value: object) -> str:
    """Like ``clean_text`` but on one line (titles, names, places)."""
    return " ".join(clean_text(value).split())


_HASH_WS = re.compile(r"\W+", re.UNICODE)


def normalise_for_hash(*parts: str) -> str:
    """Case-folded words only: two ads that differ in spacing or punctuation hash equal."""
    joined = " ".join(p for p in parts if p)
    joined = unicodedata.normalize("NFKC", joined).casefold()
    return _HASH_WS.sub(" ", joined).strip()


def content_hash(*parts: str) -> str:
    """sha256 (hex, first 32 chars) of the normalised text; the key of exact de-duplication."""
    return hash_normalised(normalise_for_hash(*parts))


def hash_normalised(normalised: str) -> str:
    """``content_hash`` of text already passed through ``normalise_for_hash``."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:32]


_langid: tuple | None = None


def _langid_model() -> tuple:
    """langid's model, unpacked once and cached under ``cache_dir``.

    langid ships its model as a bz2-compressed pickle that takes seconds to unpack; an
    uncompressed copy in the cache makes the next process start in milliseconds.
    """
    global _langid
    if _langid is None:
        import pickle

        import langid
        import numpy as np
        from langid.langid import LanguageIdentifier, model

        from skillgap.config import get_settings

        version = getattr(langid, "__version__", "1")
        cache = get_settings().cache_dir / f"langid-{version}-model.pkl"
        parts = None
        if cache.is_file():
            try:
                parts = pickle.loads(cache.read_bytes())  # our own file, written below
            except Exception:
                parts = None
        if parts is None:
            ident = LanguageIdentifier.from_modelstring(model, norm_probs=False)
            parts = (
                ident.nb_ptc,
                ident.nb_pc,
                ident.nb_numfeats,
                ident.nb_classes,
                ident.tk_nextmove,
                ident.tk_output,
            )
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache.with_suffix(f".tmp{os.getpid()}")
                tmp.write_bytes(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL))
                os.replace(tmp, cache)
            except OSError:
                pass  # a read-only cache only costs start-up time
        ident = LanguageIdentifier(*parts, norm_probs=False)
        _langid = (ident, np.asarray(ident.nb_ptc, dtype=np.float64), ident.nb_pc)
    return _langid


def detect_language(text: str, *, max_chars: int = 200) -> str | None:
    """ISO 639-1 code of ``text`` (langid's model), or None when there is too little text
    (under 20 letters, or no n-gram of the model occurs: langid would answer its prior).

    Only the first ``max_chars`` characters are classified: a job ad's language is clear
    from its opening. The score is langid's naive Bayes (``fv . P(t|c) + P(c)``) computed
    from the byte n-gram automaton directly over the features that occur;
    ``LanguageIdentifier.classify`` builds a dense 7,480-feature vector and multiplies the
    full 7,480 x 97 matrix, which costs several times more per document.
    """
    import numpy as np

    sample = text[:max_chars]
    if sum(map(str.isalpha, sample)) < 20:
        return None
    ident, ptc, pc = _langid_model()
    nextmove, output = ident.tk_nextmove, ident.tk_output
    state = 0
    states: list[int] = []
    append = states.append
    for byte in sample.encode("utf-8"):
        state = nextmove[(state << 8) + byte]
        append(state)
    idx: list[int] = []
    counts: list[int] = []
    for st, n in Counter(states).items():
        feats = output.get(st)
        if feats:
            idx.extend(feats)
            counts.extend([n] * len(feats))
    if not idx:
        return None
    scores = pc + np.asarray(counts, dtype=np.float64) @ ptc[np.asarray(idx)]
    return str(ident.nb_classes[int(np.argmax(scores))])
