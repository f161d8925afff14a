"""The lexicon tokeniser (nlp.index.norm_tokens): Unicode-aware, English unchanged."""

from __future__ import annotations

import re

import pytest

from skillgap.nlp.index import _build_lexicon, _singular, norm_tokens

# The ASCII-only tokeniser of index v5, kept here as the specification English must meet.
_ASCII_TOKEN_RE = re.compile(r"[a-z0-9]+(?:\.[a-z0-9]+)*[+#]*|[+#]+")


def _ascii_tokens(text: str) -> list[str]:
    return [_singular(t) for t in _ASCII_TOKEN_RE.findall(text.lower())]


def test_every_ascii_english_esco_label_tokenises_as_before(esco_official) -> None:
    s = esco_official.skills
    labels = [str(x) for x in s["preferred_label"]]
    for col in ("alt_labels", "hidden_labels"):
        if col in s.columns:
            labels += [str(a) for v in s[col] if v is not None for a in v]
    ascii_labels = [lab for lab in labels if lab.isascii()]
    assert len(ascii_labels) > 100_000
    changed = [lab for lab in ascii_labels if norm_tokens(lab) != _ascii_tokens(lab)]
    assert changed == []
    # the non-ASCII English labels are the ones that now keep their words whole
    non_ascii = [lab for lab in labels if not lab.isascii()]
    assert any("é" in "".join(norm_tokens(lab)) for lab in non_ascii)


def test_dev_sentences_tokenise_as_before(shared) -> None:
    import pandas as pd

    for split in ("tech", "house"):
        path = shared / "eval" / "skillmap-dev" / f"{split}_validation_annotations.csv"
        for sentence in pd.read_csv(path)["sentence"].dropna().unique():
            if sentence.isascii():
                assert norm_tokens(sentence) == _ascii_tokens(sentence), sentence


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Wärmepumpen installieren", ["wärmepumpen", "installieren"]),
        ("Gestion de la qualité de l'eau", ["gestion", "de", "la", "qualité", "de", "l", "eau"]),
        ("STRASSENBAU und Straßenbau", ["strassenbau", "und", "strassenbau"]),
        ("Ｃ＋＋ und ﬁnance", ["c++", "und", "finance"]),
        ("C++, C#, .NET, ASP.NET und F#", ["c++", "c#", "net", "asp.net", "und", "f#"]),
        # case folding turns the final sigma into σ, in labels and texts alike
        ("Προγραμματισμός σε Python", ["προγραμματισμόσ", "σε", "python"]),
    ],
)
def test_unicode_tokens(text: str, tokens: list[str]) -> None:
    assert norm_tokens(text) == tokens


def test_german_label_matches_german_text_lexically() -> None:
    prefs = ["Wärmepumpen installieren", "Solaranlagen warten"]
    lex, _ = _build_lexicon(prefs, [["Wärmepumpe installieren"], []], [[], []])
    text = tuple(norm_tokens("Sie müssen Wärmepumpen installieren und Solaranlagen warten."))

    def found(label: str) -> bool:
        key = tuple(norm_tokens(label))
        return key in lex and any(
            text[i : i + len(key)] == key for i in range(len(text) - len(key) + 1)
        )

    assert found("Wärmepumpen installieren") and found("Solaranlagen warten")
    assert ("w", "rmepumpen", "installieren") not in lex
