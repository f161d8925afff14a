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

Extract mode adds one decision rule on top (``clause_best``, no fitted numbers of its own):
a skill is kept only where it is the best-scoring skill of one of the sentence's parts
(the sentence itself, a clause of it, its frame-stripped form; scored by ``unit_logit``
as if the part were the whole query), or where one of its ESCO labels occurs verbatim as
strong evidence (``index.LexicalHit``). A sentence that lists three skills in three
clauses can yield three; a sentence about one thing yields the best one, not its near
neighbours in ESCO ("architectural design" next to "architectural theory"). With the
strong / weak lexical split it raised the pooled cross-split extract precision on the dev
set from 0.54 to 0.62 and recall from 0.34 to 0.37; either change alone did not
(benchmarks/results/mapping.md).
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
    "lexical",  # 1 when a strong label (preferred, multi-word alternative) occurs verbatim
    "prior",  # log-scaled number of ESCO occupations using the skill
    "lexical_weak",  # 1 when only a weak label (one-word alternative, hidden) occurs
)
# Views a single query part is scored on by ``Fusion.unit_logit``, as (whole, part) pairs.
UNIT_VIEWS: tuple[tuple[str, str], ...] = (
    ("sem_whole", "sem_part"),
    ("desc_whole", "desc_part"),
    ("tfidf_whole", "tfidf_part"),
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
    "lexical_weak": 0.5,
}
FUSION_FILE = Path(__file__).with_name("fusion.json")


@dataclass
class Fusion:
    """Linear weights over ``FEATURES`` + bias; ``threshold`` is on the probability.

    Extract mode keeps, per sentence, at most ``max_per_sentence`` skills whose
    probability reaches ``threshold`` and, when ``clause_best`` is set, that pass the
    clause rule of the module docstring. A weight missing from a fitted entry is 0 (an
    entry fitted before a feature existed ignores it).
    """

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bias: float = -10.0
    threshold: float = 0.5
    max_per_sentence: int = 4
    clause_best: bool = False
    source: str = "built-in defaults"

    def vector(self) -> np.ndarray:
        return np.array([self.weights.get(f, 0.0) for f in FEATURES], dtype=np.float32)

    def logit(self, feats: np.ndarray) -> np.ndarray:
        """feats (..., len(FEATURES)) -> linear score."""
        return feats @ self.vector() + np.float32(self.bias)

    def unit_weights(self) -> np.ndarray:
        """(3,) weights of the semantic, description and TF-IDF views for one query part:
        the whole-query and best-part weights together, because a part scored alone is both
        its own whole and its own best part."""
        return np.array(
            [self.weights.get(a, 0.0) + self.weights.get(b, 0.0) for a, b in UNIT_VIEWS],
            dtype=np.float32,
        )

    def unit_logit(self, sem: np.ndarray, desc: np.ndarray, tfidf: np.ndarray) -> np.ndarray:
        """Score of each skill for one query part on the three views alone (no lexical
        flag, no prior: those belong to the query); only its argmax is used, so no bias."""
        w = self.unit_weights()
        return w[0] * sem + w[1] * desc + w[2] * tfidf

    @staticmethod
    def prob(logit: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": self.weights,
            "bias": self.bias,
            "threshold": self.threshold,
            "max_per_sentence": self.max_per_sentence,
            "clause_best": self.clause_best,
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
        clause_best=bool(entry.get("clause_best", False)),
        source=str(entry.get("source", str(path))),
    )
