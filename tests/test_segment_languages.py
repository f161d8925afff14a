"""Sentence segmentation in nl, de, fr, es, it (and en) on ad texts written for the
project (tests/texts_multilingual.py): spaCy's blank(lang) tokenizer + sentencizer."""

from __future__ import annotations

import pytest

from skillgap.nlp.segment import segment, split_sentences
from skillgap.text import clean_text
from tests.texts_multilingual import AD_BLOCKS, LANGUAGES, LINES, OUTCOMES


@pytest.mark.parametrize("lang", LANGUAGES)
def test_paragraphs_split_where_a_reader_would(lang: str) -> None:
    for text, count in AD_BLOCKS[lang]:
        sents = split_sentences(text, lang)
        assert len(sents) == count, sents
        assert " ".join(sents) == " ".join(text.split())  # nothing lost or reordered


@pytest.mark.parametrize("lang", LANGUAGES)
def test_run_on_ad_lines_split_into_their_sentences(lang: str) -> None:
    assert split_sentences(" ".join(LINES[lang]), lang) == LINES[lang]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_bulleted_outcomes_in_html_become_one_sentence_each(lang: str) -> None:
    html = "<ul>" + "".join(f"<li>{o}</li>" for o in OUTCOMES[lang]) + "</ul>"
    assert split_sentences(clean_text(html), lang) == OUTCOMES[lang]
    bullets = "\n".join(f"• {o}" for o in OUTCOMES[lang])
    assert [s.text for s in segment(bullets, lang)] == OUTCOMES[lang]


def test_spanish_opening_marks_stay_with_their_sentence() -> None:
    sents = split_sentences("Buscamos electricistas. ¿Tienes experiencia? ¡Únete!", "es")
    assert sents == ["Buscamos electricistas.", "¿Tienes experiencia?", "¡Únete!"]


def test_an_unknown_language_code_still_splits() -> None:
    assert split_sentences("Eka lause. Toinen lause.", "zz") == ["Eka lause.", "Toinen lause."]
