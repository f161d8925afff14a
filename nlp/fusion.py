"""Fusion of the per-skill evidence into one score, and the extract-mode threshold.

The weights are a logistic-regression model over a handful of candidate features (see
``FEATURES``), fitted by ``scripts/fit_fusion.py`` and committed as ``fusion.json`` beside
this module, keyed by the encoder's model id so a fine-tuned encoder gets weights fitted
to its own score distribution. When no fitted entry matches the running encoder the
``default`` entry is used, and when the file is missing, ``DEFAULT_WEIGHTS`` below (set by
hand from the zero-shot ablations, documented in benchmarks/results/mapping.md).

A logistic model (rather than rank fusion) gives a probability, and a probability is what
extract mode thresholds: the threshold is calibrated once and means the same thing for
any text length.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FEATURES: tuple[str, ...] = (
    "sem_whole",  # best label cosine, whole query
    "sem_part",  # best label cosine over the query's sentences/clauses
    "desc_whole",  # cosine with "label. description", whole query
    "desc_part",  # same, best over sentences/clauses
    "tfidf_whole",  # best label TF-IDF cosine, whole query
    "tfidf_part",  # same, best over sentences/clauses
    "lexical",  # 1 when a label occurs verbatim (normalised) in the query
    "prior",  # log-scaled number of ESCO occupations using the skill
)

DEFAULT_WEIGHTS: dict[str, float] = {
    "sem_whole": 6.0,
    "sem_part": 4.0,
    "desc_whole": 3.0,
    "desc_part": 2.0,
    "tfidf_whole": 2.0,
    "tfidf_part": 1.0,
    "lexical": 1.5,
    "prior": 0.5,
}
FUSION_FILE = Path(__file__).with_name("fusion.json")


@dataclass
class Fusion:
    """Linear weights over ``FEATURES`` + bias; ``threshold`` is on the probability."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bias: float = -10.0
    threshold: float = 0.5
    max_per_sentence: int = 4
    source: str = "built-in defaults"

    def vector(self) -> np.ndarray:
        return np.array([self.weights.get(f, 0.0) for f in FEATURES], dtype=np.float32)

    def logit(self, feats: np.ndarray) -> np.ndarray:
        """feats (..., len(FEATURES)) -> linear score."""
        return feats @ self.vector() + np.float32(self.bias)

    @staticmethod
    def prob(logit: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "bias": self.bias,
            "threshold": self.threshold,
            "max_per_sentence": self.max_per_sentence,
            "source": self.source,
        }


def model_family(model_id: str) -> str:
    return model_id.split("@", 1)[0]


def load_fusion(model_id: str, path: Path = FUSION_FILE) -> Fusion:
    """Fitted fusion for this encoder: exact model id, then model family, then default."""
    if not path.is_file():
        return Fusion()
    data = json.loads(path.read_text())
    entries: dict[str, Any] = data.get("models", {})
    entry = entries.get(model_id) or entries.get(model_family(model_id)) or entries.get("default")
    if not entry:
        return Fusion()
    return Fusion(
        weights={k: float(v) for k, v in entry["weights"].items()},
        bias=float(entry["bias"]),
        threshold=float(entry.get("threshold", 0.5)),
        max_per_sentence=int(entry.get("max_per_sentence", 4)),
        source=str(entry.get("source", str(path))),
    )
