"""The committed encoder artifact: the int8 delta round-trips, and the packaged model
loads, encodes and is really different from the base it was trained from."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

torch = pytest.importorskip("torch")

from skillgap.nlp.training import artifact  # noqa: E402


def test_quantised_delta_round_trips_within_int8_error() -> None:
    """What is stored is (trained - base) per row; rebuilding must land within half a
    quantisation step of the trained weights, and untouched tensors must be left out."""
    gen = torch.Generator().manual_seed(0)
    base = {
        "w": torch.randn(8, 16, generator=gen),
        "b": torch.randn(16, generator=gen),
        "frozen": torch.randn(4, 4, generator=gen),
        "ids": torch.arange(5),
    }
    trained = {k: v.clone() for k, v in base.items()}
    trained["w"] += 0.01 * torch.randn(8, 16, generator=gen)
    trained["b"] += 0.01 * torch.randn(16, generator=gen)
    delta = artifact.quantise_delta(trained, base)
    assert set(delta) == {"w.q", "w.scale", "b.d"}
    rebuilt = artifact.apply_delta(base, delta)
    step = delta["w.scale"][:, None]
    assert torch.all((rebuilt["w"] - trained["w"]).abs() <= step / 2 + 1e-7)
    assert torch.allclose(rebuilt["b"], trained["b"], atol=1e-4)
    assert torch.equal(rebuilt["frozen"], base["frozen"])
    assert not torch.allclose(rebuilt["w"], base["w"])


def test_no_artifact_means_none(tmp_path: Path) -> None:
    assert artifact.packaged_encoder_dir(tmp_path / "absent") is None


def test_packaged_encoder_rebuilds_the_trained_model(data_dir: Path) -> None:
    """Loads, encodes, really differs from the base, and reproduces the *trained* model.

    The manifest keeps the trained model's embeddings of a few texts; base + int8 delta
    must give them back up to quantisation error. One test so the ~90 MB rebuild runs once.
    """
    manifest = artifact.load_manifest()
    if manifest is None:
        pytest.skip("no encoder artifact committed in nlp/artifacts/encoder")
    import numpy as np
    from sentence_transformers import SentenceTransformer

    path = artifact.packaged_encoder_dir()
    assert path is not None and path.is_relative_to(data_dir)
    assert artifact.packaged_encoder_dir() == path  # second call reuses the cache
    ref = manifest["reference_embeddings"]
    tuned = SentenceTransformer(str(path), device="cpu").encode(
        ref["texts"], normalize_embeddings=True
    )
    assert tuned.shape == (len(ref["texts"]), 384)
    cos_ref = (tuned * np.asarray(ref["embeddings"], dtype=np.float32)).sum(axis=1)
    assert float(cos_ref.min()) > 0.999, "rebuilt model differs from the trained one"
    base = SentenceTransformer(str(artifact.base_model_dir()), device="cpu").encode(
        ref["texts"], normalize_embeddings=True
    )
    cos_base = (tuned * base).sum(axis=1)
    assert float(cos_base.min()) < 0.999, "fine-tuned encoder gives the base model's embeddings"
    assert float(cos_base.min()) > 0.3, "fine-tuned encoder drifted implausibly far from the base"
