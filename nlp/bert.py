"""A lean inference path for BERT-family sentence-transformers models (MiniLM included).

Why it exists: importing ``sentence_transformers`` pulls in ``transformers``, which imports
large parts of torch (distributed, inductor, sympy) - 7-8 s on the 2-core machine, most of
the mapper's start-up, against the issue's 10 s budget to the first result. The forward
pass of a BERT encoder with mean pooling is small and fully specified by the model
directory (``config.json``, ``model.safetensors``, ``tokenizer.json``, ``1_Pooling``), so
for models of exactly that shape it is computed here with torch and ``tokenizers`` only.

Every other model (another architecture, CLS or max pooling, a Dense head) goes through
``sentence_transformers`` as before; ``supports`` decides. ``tests/test_nlp_mapper.py``
checks this path against sentence-transformers on the packaged model.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

_ST_MODULES = {
    "sentence_transformers.models.Transformer",
    "sentence_transformers.models.Pooling",
    "sentence_transformers.models.Normalize",
}


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def supports(path: Path) -> bool:
    """True for a BERT encoder + mean pooling (+ optional normalisation) model directory."""
    try:
        modules = _read_json(path / "modules.json")
        config = _read_json(path / "config.json")
        pooling_dirs = [m["path"] for m in modules if m["type"].endswith("Pooling")]
        pooling = _read_json(path / pooling_dirs[0] / "config.json") if pooling_dirs else {}
    except (OSError, ValueError, KeyError, TypeError):
        return False
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return (
        {m.get("type") for m in modules} <= _ST_MODULES
        and len(pooling_dirs) == 1
        and modes == {"pooling_mode_mean_tokens"}
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (path / "model.safetensors").is_file()
        and (path / "tokenizer.json").is_file()
    )


class LeanBertEncoder:
    """The subset of ``SentenceTransformer`` the mapper uses: ``encode``,
    ``max_seq_length``, ``get_sentence_embedding_dimension`` and ``tokenizer``."""

    def __init__(self, path: Path) -> None:
        import torch
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        cfg = _read_json(path / "config.json")
        st_cfg = (
            _read_json(path / "sentence_bert_config.json")
            if (path / "sentence_bert_config.json").is_file()
            else {}
        )
        self.path = path
        self.layers = int(cfg["num_hidden_layers"])
        self.heads = int(cfg["num_attention_heads"])
        self.dim = int(cfg["hidden_size"])
        self.eps = float(cfg.get("layer_norm_eps", 1e-12))
        self.max_positions = int(cfg.get("max_position_embeddings", 512))
        self.max_seq_length = min(int(st_cfg.get("max_seq_length", 512)), self.max_positions)
        weights = load_file(str(path / "model.safetensors"), device="cpu")
        self.w = {k.removeprefix("bert."): v.float() for k, v in weights.items()}
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.pad_id = int(cfg.get("pad_token_id", 0))
        # Prompts as sentence-transformers keeps them (E5's "query: " / "passage: "); none
        # for models without them, such as MiniLM.
        prompts_file = path / "config_sentence_transformers.json"
        st_prompts = _read_json(prompts_file) if prompts_file.is_file() else {}
        self.prompts: dict[str, str] = dict(st_prompts.get("prompts") or {})
        self.default_prompt_name: str | None = st_prompts.get("default_prompt_name")
        self.skillgap_bf16 = False
        self._torch = torch

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def eval(self) -> LeanBertEncoder:
        return self

    def _ln(self, x: Any, name: str) -> Any:
        f = self._torch.nn.functional
        return f.layer_norm(
            x, (self.dim,), self.w[f"{name}.weight"], self.w[f"{name}.bias"], self.eps
        )

    def _lin(self, x: Any, name: str) -> Any:
        return self._torch.nn.functional.linear(x, self.w[f"{name}.weight"], self.w[f"{name}.bias"])

    def _forward(self, ids: Any, mask: Any) -> Any:
        f, w = self._torch.nn.functional, self.w
        b, n = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = self._ln(x, "embeddings.LayerNorm")
        keep = mask[:, None, None, :].bool()
        dh = self.dim // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}"

            def heads(t: Any) -> Any:
                return t.view(b, n, self.heads, dh).transpose(1, 2)

            q = heads(self._lin(x, f"{p}.attention.self.query"))
            k = heads(self._lin(x, f"{p}.attention.self.key"))
            v = heads(self._lin(x, f"{p}.attention.self.value"))
            a = f.scaled_dot_product_attention(q, k, v, attn_mask=keep, scale=1 / math.sqrt(dh))
            a = self._lin(a.transpose(1, 2).reshape(b, n, self.dim), f"{p}.attention.output.dense")
            x = self._ln(a + x, f"{p}.attention.output.LayerNorm")
            h = f.gelu(self._lin(x, f"{p}.intermediate.dense"))
            x = self._ln(self._lin(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
        m = mask[:, :, None].to(x.dtype)
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return pooled.float()

    def encode(
        self,
        texts: list[str],
        batch_size: int = 64,
        convert_to_numpy: bool = True,
        normalize_embeddings: bool = True,
        show_progress_bar: bool = False,
        prompt_name: str | None = None,
    ) -> np.ndarray:
        """Embeddings in input order; texts are batched by length to limit padding.

        The model's prompt (``prompt_name``, else its default) is prepended to every text.
        """
        torch = self._torch
        self.tokenizer.enable_truncation(self.max_seq_length)
        prefix = self.prompts.get(prompt_name or self.default_prompt_name or "", "")
        enc = self.tokenizer.encode_batch([prefix + str(t) for t in texts])
        order = np.argsort([-len(e.ids) for e in enc], kind="stable")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        starts = range(0, len(order), batch_size)
        if show_progress_bar:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches", unit="batch")
        for start in starts:
            idx = order[start : start + batch_size]
            longest = max(len(enc[i].ids) for i in idx)
            ids = np.full((len(idx), longest), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(idx), longest), dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, : len(enc[i].ids)] = enc[i].ids
                mask[row, : len(enc[i].ids)] = 1
            vec = self._forward(torch.from_numpy(ids), torch.from_numpy(mask))
            if normalize_embeddings:
                vec = torch.nn.functional.normalize(vec, dim=1)
            out[idx] = vec.numpy()
        return out
