"""Requirement detection and context: which mentions of an ad are skills the ad asks for.

Why: on whole job ads about half of the skills a sentence-level matcher finds sit in
sentences that state no requirement at all - titles, company blurbs, salary, shifts,
benefits, how to apply - and a skill can be a good match for its sentence yet wrong for
its ad ("Chef" in a kitchen job is not the configuration-management tool). A list of
boilerplate cue phrases cannot keep up with how ads are written, and is English only.

Two small learnt models, both over language-neutral features, so that a multilingual
encoder can reuse them:

- ``requirement``: for each sentence of a document, the probability that it states a skill
  or knowledge requirement. A logistic regression over the sentence embedding, the
  embeddings of the previous and the next sentence (a line under "Benefits" reads
  differently from one under "Requirements") and a few surface features (position, length,
  a trailing colon, digits, capitals, currency signs, addresses).
- ``validity``: for each candidate mention, the probability that it belongs to the
  document's requirements, from the sentence's requirement logit and two context features:
  how close the skill's description is to the document as a whole (the centroid of its
  sentences weighted by their requirement probability) and to the document's title, and
  the logit of the match itself (an exact ESCO label in a duty line is stronger evidence
  than a loose paraphrase in the same line).

Both are fitted by ``scripts/fit_requirements.py`` on the SkillSpan *train* postings (a
sentence holding a gold skill or knowledge span is a requirement; a mention whose sentence
holds one is valid) and stored in ``requirements.json`` beside this module, keyed by the
encoder's model family like the fusion weights. A mention's demand score is then its
match probability (fusion) times its validity.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from skillgap.errors import MissingDataError

REQUIREMENTS_FILE = Path(__file__).with_name("requirements.json")
SURFACE_FEATURES: tuple[str, ...] = (
    "position",  # 0 for the first sentence of the document, 1 for the last
    "length",  # words, capped at 40, scaled to 0..1
    "colon",  # ends with ':' (a header such as "Requirements:")
    "digits",  # share of characters that are digits (salaries, dates, phone numbers)
    "capitals",  # share of characters that are capitals (titles, shouting headers)
    "short",  # three words or fewer
    "currency",  # a currency sign or code (pay lines)
    "address",  # an e-mail address, a URL or a phone-number-like run
)
VALIDITY_FEATURES: tuple[str, ...] = ("requirement", "context", "title", "match", "bias")
_CURRENCY_RE = re.compile(r"[£€$¥]|\b(?:eur|gbp|usd|chf|sek|dkk|nok|pln)\b", re.IGNORECASE)
_ADDRESS_RE = re.compile(r"@\w|https?://|www\.|\+?\d[\d ()-]{7,}\d")


def surface_features(sentences: list[str]) -> np.ndarray:
    """(n, len(SURFACE_FEATURES)) float32 features of a document's sentences, in order."""
    n = len(sentences)
    out = np.zeros((n, len(SURFACE_FEATURES)), dtype=np.float32)
    for i, s in enumerate(sentences):
        words = s.split()
        chars = max(len(s), 1)
        out[i] = (
            i / (n - 1) if n > 1 else 0.0,
            min(len(words), 40) / 40.0,
            s.rstrip().endswith(":"),
            sum(c.isdigit() for c in s) / chars,
            sum(c.isupper() for c in s) / chars,
            len(words) <= 3,
            bool(_CURRENCY_RE.search(s)),
            bool(_ADDRESS_RE.search(s)),
        )
    return out


def neighbours(emb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(previous, next) sentence embeddings of one document; zeros at the edges."""
    prev = np.zeros_like(emb)
    nxt = np.zeros_like(emb)
    if len(emb) > 1:
        prev[1:] = emb[:-1]
        nxt[:-1] = emb[1:]
    return prev, nxt


def requirement_inputs(emb: np.ndarray, sentences: list[str]) -> np.ndarray:
    """The requirement model's input rows for one document: [emb, prev, next, surface]."""
    prev, nxt = neighbours(emb)
    return np.hstack([emb, prev, nxt, surface_features(sentences)]).astype(np.float32)


def centroid(emb: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Unit-length weighted mean of a document's sentence embeddings (zeros when empty)."""
    if len(emb) == 0:
        return np.zeros(emb.shape[1] if emb.ndim == 2 else 0, dtype=np.float32)
    w = np.asarray(weights, dtype=np.float32)
    if float(w.sum()) <= 1e-6:
        w = np.ones(len(emb), dtype=np.float32)
    v = (w[:, None] * emb).sum(axis=0)
    norm = float(np.linalg.norm(v))
    return (v / norm).astype(np.float32) if norm > 0 else v.astype(np.float32)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=np.float64), 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


@dataclass
class RequirementModel:
    """Fitted weights of both models for one encoder (see the module docstring)."""

    weights: np.ndarray  # (3 * dim + len(SURFACE_FEATURES),)
    bias: float
    validity: dict[str, float]
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def dim(self) -> int:
        return (len(self.weights) - len(SURFACE_FEATURES)) // 3

    def requirement_logits(self, emb: np.ndarray, sentences: list[str]) -> np.ndarray:
        """Logits that each sentence of one document (in order) states a requirement."""
        if len(sentences) == 0:
            return np.zeros(0, dtype=np.float32)
        if emb.shape[1] != self.dim:
            raise MissingDataError(
                f"requirement model ({self.source}) expects {self.dim}-dimensional "
                f"sentence embeddings, the encoder gives {emb.shape[1]}"
            )
        return (requirement_inputs(emb, sentences) @ self.weights + self.bias).astype(np.float32)

    def validity_probs(
        self,
        requirement_logit: np.ndarray,
        context: np.ndarray,
        title: np.ndarray,
        match: np.ndarray | None = None,
    ) -> np.ndarray:
        """P(mention belongs to the document's requirements) for candidate mentions;
        ``match`` are the candidates' match probabilities (fusion)."""
        v = self.validity
        x = (
            v["requirement"] * np.asarray(requirement_logit, dtype=np.float64)
            + v["context"] * np.asarray(context, dtype=np.float64)
            + v["title"] * np.asarray(title, dtype=np.float64)
            + v["bias"]
        )
        if match is not None and v.get("match", 0.0):
            x = x + v["match"] * _logit(match)
        return _sigmoid(x).astype(np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": [round(float(x), 6) for x in self.weights],
            "bias": round(float(self.bias), 6),
            "validity": {k: round(float(self.validity[k]), 6) for k in VALIDITY_FEATURES},
            "source": self.source,
            **self.meta,
        }


def load_requirement_model(model_id: str, path: Path = REQUIREMENTS_FILE) -> RequirementModel:
    """The fitted models for this encoder: exact model id, then model family.

    There is deliberately no default: weights fitted on one encoder's embedding space are
    meaningless on another's. An encoder without an entry raises ``MissingDataError``
    naming the command that fits one, so the caller decides (loudly) what to do.
    """
    from skillgap.nlp.fusion import model_family

    if not path.is_file():
        raise MissingDataError(f"requirement models file {path} is missing")
    try:
        entries: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")).get("models", {})
    except (OSError, ValueError) as exc:
        raise MissingDataError(f"{path}: unreadable requirement models ({exc})") from None
    entry = entries.get(model_id) or entries.get(model_family(model_id))
    if not entry:
        raise MissingDataError(
            f"no requirement model fitted for encoder {model_id} in {path}; fit one with "
            "`python -m scripts.fit_requirements --model-path MODEL_DIR`"
        )
    meta = {k: v for k, v in entry.items() if k not in ("weights", "bias", "validity", "source")}
    return RequirementModel(
        weights=np.asarray(entry["weights"], dtype=np.float32),
        bias=float(entry["bias"]),
        # entries fitted before the match feature existed read it as 0 (no effect)
        validity={k: float(entry["validity"].get(k, 0.0)) for k in VALIDITY_FEATURES},
        source=str(entry.get("source", "")),
        meta=meta,
    )


def logit(p: np.ndarray) -> np.ndarray:
    """Public alias of the clipped logit used for the validity features."""
    return _logit(p)
