"""Readers for the data the encoder is trained and judged on.

Kept apart from the taxonomy importer on purpose: training must read the *official*
ESCO v1.1.1 zips exactly as published (so the recorded data provenance is a checksum of
two files), and must not depend on whatever snapshot a user happens to have imported.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from skillgap.errors import InputError
from skillgap.taxonomies.model import normalise_label

CLASSIFICATION_ZIP = "ESCO dataset - v1.1.1 - classification - en - csv.zip"
RELATIONS_ZIP = "ESCO dataset - v1.1.1 - classification -  - csv.zip"
DROPPED_LABELS = {"label not present", "underspecified"}


def _split_labels(cell: str) -> list[str]:
    """ESCO packs alternative labels newline-separated in one quoted field."""
    return [part.strip() for part in str(cell).split("\n") if part.strip()]


def _read_zip_csv(zip_path: Path, member: str) -> pd.DataFrame:
    if not zip_path.is_file():
        raise InputError(f"{zip_path}: ESCO bundle zip not found")
    with zipfile.ZipFile(zip_path) as zf:
        if member not in zf.namelist():
            raise InputError(f"{zip_path}: member {member!r} missing (not an ESCO v1.1.x bundle?)")
        with zf.open(member) as fh:
            return pd.read_csv(fh, dtype=str, keep_default_na=False)


def load_skills(bundle_dir: Path) -> pd.DataFrame:
    """All ESCO skills: uri, preferred_label, alt_labels, hidden_labels, description,
    skill_type. Row order is the bundle's, and is the index every eval matrix uses."""
    raw = _read_zip_csv(bundle_dir / CLASSIFICATION_ZIP, "skills_en.csv")
    return pd.DataFrame(
        {
            "uri": raw["conceptUri"],
            "preferred_label": raw["preferredLabel"].str.strip(),
            "alt_labels": raw["altLabels"].map(_split_labels),
            "hidden_labels": raw["hiddenLabels"].map(_split_labels),
            "description": raw["description"].str.strip(),
            "skill_type": raw["skillType"],
        }
    )


def load_skill_relations(bundle_dir: Path) -> pd.DataFrame:
    """Skill-skill relations (essential/optional 'related'): columns skill_uri, related_uri."""
    raw = _read_zip_csv(bundle_dir / RELATIONS_ZIP, "skillSkillRelations.csv")
    return pd.DataFrame(
        {"skill_uri": raw["originalSkillUri"], "related_uri": raw["relatedSkillUri"]}
    )


def load_broader(bundle_dir: Path) -> pd.DataFrame:
    """Broader relations of the skills pillar: columns uri, broader_uri."""
    raw = _read_zip_csv(bundle_dir / RELATIONS_ZIP, "broaderRelationsSkillPillar.csv")
    return pd.DataFrame({"uri": raw["conceptUri"], "broader_uri": raw["broaderUri"]})


@dataclass(frozen=True)
class DevQuery:
    """One dev-set query: a whole sentence and the set of its gold preferred labels."""

    split: str
    sentence: str
    gold: frozenset[str]


def load_dev_queries(dev_dir: Path) -> list[DevQuery]:
    """Dev queries following the set's README protocol.

    Gold is the union of real labels over a sentence's spans (``LABEL NOT PRESENT`` and
    ``UNDERSPECIFIED`` dropped), identical sentences merged, sentences with no label left
    out. Labels are normalised (lower case, collapsed whitespace).
    """
    queries: list[DevQuery] = []
    for split in ("tech", "house"):
        path = dev_dir / f"{split}_validation_annotations.csv"
        if not path.is_file():
            raise InputError(f"{path}: dev annotation file not found")
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        gold: dict[str, set[str]] = {}
        for sentence, label in zip(frame["sentence"], frame["label"], strict=True):
            key = sentence.strip()
            norm = normalise_label(label)
            bucket = gold.setdefault(key, set())
            if norm and norm not in DROPPED_LABELS:
                bucket.add(norm)
        queries.extend(DevQuery(split, s, frozenset(g)) for s, g in gold.items() if g)
    return queries


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass(frozen=True)
class SpanSentence:
    """A SkillSpan sentence and the gold skill/knowledge spans found inside it."""

    split: str
    source: str
    sentence: str
    spans: tuple[str, ...]


def load_skillspan_sentences(path: Path, exclude: set[str] | None = None) -> list[SpanSentence]:
    """Sentences of the SkillSpan train/dev postings that contain at least one gold span.

    ``exclude`` holds normalised sentences (the dev queries) that must never be trained
    on: a SkillSpan sentence equal to one, or containing one, or contained in one, is
    dropped, because the dev set is built on the same corpus and short boilerplate lines
    recur across postings.
    """
    exclude = exclude or set()
    out: list[SpanSentence] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            try:
                post = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{lineno}: not JSON ({exc.msg})") from exc
            spans = [s for s in post.get("skill_spans", []) + post.get("knowledge_spans", []) if s]
            for sentence in _SENTENCE_SPLIT.split(post.get("text", "")):
                sentence = sentence.strip()
                if len(sentence) < 8:
                    continue
                norm = normalise_label(sentence)
                if any(norm == e or (len(e) > 15 and (e in norm or norm in e)) for e in exclude):
                    continue
                inside = tuple(s for s in spans if s in sentence)
                if inside:
                    out.append(SpanSentence(post["split"], post["source"], sentence, inside))
    return out
