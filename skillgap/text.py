"""Text cleaning and content hashes: one definition for ingest and for mapping.

Real exports carry HTML fragments, entities, doubly-encoded UTF-8 ("Ã©" for "é") and
irregular whitespace. Ingest stores every text through ``clean_text`` and keys exact
de-duplication on ``content_hash`` of the cleaned text; the mapper cleans what it is given
with the same function (texts from the store come back unchanged, text typed on the
command line gets the same treatment an ingested ad got). The expensive repairs only run
when a cheap test says they might change something, because ingest must stay in the
thousands of records per second.

Content hashes are stored (``vacancies.content_hash``, ``credentials.content_hash``) and
compared with those of later batches, and the flow's mapping log keys on them. Changing
what they are computed from would make a re-run on an existing store see every document as
new: duplicates stored twice, ids "reused with different content" quarantined, everything
mapped again. So the hashed form is versioned (``CONTENT_HASH_VERSION``) and pinned by
``tests/test_text.py``; a change to it must come with a store migration that rehashes the
stored rows and the mapping log, and a new version number.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

import ftfy
import ftfy.fixes
from selectolax.lexbor import LexborHTMLParser as HTMLParser

# Version of what ``content_hash`` computes. 1: NFKC, case-folded, non-word runs -> one
# space, over the ``clean_text`` form of title and body (the form of skillgap 0.1).
CONTENT_HASH_VERSION = 1

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_BLOCK_TAGS = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr)\s*/?>", re.IGNORECASE)
_LI = re.compile(r"<\s*li[^>]*>", re.IGNORECASE)
# UTF-8 read as Latin-1/cp1252 shows as a lead byte (Â, Ã, â, ï, Å) followed by a
# continuation-byte character; only text with such a pair, a replacement character or a
# C1 control character is worth ftfy's (slow) repair.
# C0 control characters other than tab and line ends (a stray \x1a from a PDF export glued
# "solving\x1askills"); they become spaces. (Not word characters: hashes stay equal.)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
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
    return body.text(separator="") if body is not None else tree.text(separator="")


def clean_text(value: object, *, max_chars: int | None = None) -> str:
    """Normalised text: no markup, no mojibake, NFC, straight quotes, no control characters,
    single spaces, at most one blank line.

    ``bytes`` are decoded as UTF-8 with replacement (invalid bytes cannot crash a batch);
    replacement characters left after repair become spaces. ``max_chars`` cuts the input
    before any work (the mapper's guard against a megabyte "ad"; ingest quarantines
    over-long texts instead and passes no limit).
    """
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", errors="replace")
    text = value if isinstance(value, str) else str(value)
    if max_chars is not None:
        text = text[:max_chars]
    if not text:
        return ""
    if "<" in text and _TAG.search(text):
        text = strip_html(text)
    if "&" in text:
        text = html.unescape(text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    if not text.isascii():
        if _MOJIBAKE.search(text):
            text = ftfy.fix_text(text, normalization="NFC")
        else:
            text = unicodedata.normalize("NFC", text)
        if "\ufffd" in text:
            text = text.replace("\ufffd", " ")
        # Straight quotes, as ftfy writes them: the encoders' vocabularies split "world’s"
        # and "world's" differently. (Quotes are not word characters: hashes stay equal.)
        text = ftfy.fixes.uncurl_quotes(text)
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
