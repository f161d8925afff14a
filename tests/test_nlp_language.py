"""The mapper's language check on the real small ESCO subset (see test_nlp_fixtures):
short or list-like text is mapped, never refused on a guess; a clear other language is
refused with its reason. Texts are the project's own (tests/texts_multilingual.py)."""

from __future__ import annotations

from tests import test_nlp_fixtures as _fx
from tests.texts_multilingual import LINES, LIST_LIKE

nlp_data_dir = _fx.nlp_data_dir
small_taxonomy = _fx.small_taxonomy
small_mapper = _fx.small_mapper


def test_the_azure_list_gets_skills(small_mapper) -> None:
    azure = LIST_LIKE[0]
    assert small_mapper.problem(azure) is None
    (hits,) = small_mapper.rank([azure], top_k=5)
    assert any("cloud" in h.label for h in hits), [h.label for h in hits]


def test_list_like_lines_are_never_refused(small_mapper) -> None:
    for text in LIST_LIKE:
        assert small_mapper.problem(text) is None, text


def test_clear_foreign_lines_are_refused_with_language(small_mapper) -> None:
    for lang in ("nl", "de", "fr", "es", "it"):
        reason = small_mapper.problem(LINES[lang][1])  # the Python / SQL line
        assert reason and f"'{lang}'" in reason and "taxonomy is in 'en'" in reason
