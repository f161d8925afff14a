"""Text cleaning and content hashes: the one definition ingest and mapping share."""

from __future__ import annotations

import pytest

from skillgap.text import CONTENT_HASH_VERSION, clean_line, clean_text, content_hash


def test_clean_text_strips_html_entities_and_whitespace() -> None:
    raw = "<p>Nurse&nbsp;wanted</p><ul><li>nights</li><li>days</li></ul>  <script>x()</script>"
    assert clean_text(raw) == "Nurse wanted\n\n- nights\n\n- days"


def test_clean_text_repairs_mojibake_but_keeps_good_accents() -> None:
    assert clean_text("Caf\u00c3\u00a9 manager \u00e2\u20ac\u201c Lyon") == "Café manager – Lyon"
    assert clean_text("Crème brûlée ¿Cómo?") == "Crème brûlée ¿Cómo?"
    assert clean_text("Wärmepumpen installieren") == "Wärmepumpen installieren"


def test_quotes_are_straightened_and_controls_become_spaces() -> None:
    raw = "the world\u2019s \u201cbest\u201d problem-solving\x1askills"
    assert clean_text(raw) == 'the world\'s "best" problem-solving skills'
    # neither changes a content hash: quotes and controls are not word characters
    assert content_hash(clean_text(raw)) == content_hash(raw)


def test_clean_text_takes_bytes_and_limits_length() -> None:
    text = clean_text(b"Caf\xe9 manager \xff\xfe with food safety")
    assert "\ufffd" not in text and "manager" in text and "food safety" in text
    assert clean_text("x" * 50 + " tail", max_chars=10) == "x" * 10
    assert clean_text(None) == "" and clean_text("   \n\t ") == ""
    assert clean_line("  Senior\n\n  Nurse ") == "Senior Nurse"


def test_clean_text_is_idempotent_on_its_output() -> None:
    """The mapper re-cleans texts read back from the store: they must come back unchanged."""
    raws = [
        "<div><p>About us</p><ul><li>Java</li><li>Kotlin &amp; Spring</li></ul></div>",
        "Caf\u00c3\u00a9 \u2013 Lyon\r\n\r\n\r\n  second   paragraph",
        "Vous installez des pompes à chaleur.\n• Permis B",
    ]
    for raw in raws:
        once = clean_text(raw)
        assert clean_text(once) == once


def test_content_hash_ignores_case_spacing_and_punctuation() -> None:
    assert content_hash("Nurse", "Night  shift, Leeds.") == content_hash(
        "nurse", "night shift leeds"
    )
    assert content_hash("Nurse", "Night shift") != content_hash("Nurse", "Day shift")
    assert content_hash("Wärmepumpe") != content_hash("Warmepumpe")


# Hashes that skillgap 0.1 stored for ("T", raw text) records (ingest hashes the cleaned
# title and text): a
# store keeps them and compares new batches against them, so they must never change
# without a store migration and a new CONTENT_HASH_VERSION.
PINNED = [
    (
        "<p>Nurse&nbsp;wanted</p><ul><li>nights</li><li>days</li></ul>",
        "5939fd23a80146fd6bc6be850fe584ac",
    ),
    ("Caf\u00c3\u00a9 manager \u00e2\u20ac\u201c Lyon", "406cec7ee7d1b89dfa57045a6cb87757"),
    ("Crème brûlée ¿Cómo?", "6f1f9a2f04a5c977fa6a8dd23544084f"),
    ("don\u2019t \u201cquote\u201d", "9a3b9ac8227847d1b1e127d33a3a7abb"),
    ("Caf\ufffd manager", "2b5ccc6bc41c3c64161f2102fd1b8627"),
    ("a\u00a0b\u2003c\r\nd\n\n\n\ne", "39406885adf0573d774022127a1217d3"),
    ("<b>Java</b>developer<br>SQL", "10c7b38f905a47e339ccdbd1c526cfcf"),
    ("\ufb01nance \uff21\uff22\uff23", "ad51bf2a524a0e3fe1cf6bc2f51b852e"),
    ("Wärmepumpen installieren", "a0614569996ba7dae84e8c3a163e05f2"),
    ("", "e3b98a4da31a127d4bde6e43033f66ba"),
]


@pytest.mark.parametrize(("raw", "stored"), PINNED)
def test_content_hashes_match_those_already_stored(raw: str, stored: str) -> None:
    assert CONTENT_HASH_VERSION == 1
    assert content_hash("T", clean_text(raw)) == stored
