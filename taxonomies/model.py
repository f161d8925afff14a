"""The one normalised ESCO model every other layer reads.

A ``Taxonomy`` is a bundle of pandas tables (the same tables a snapshot stores as
Parquet) plus its manifest. The importer of the official CSV bundle builds it (the
embedded default is one such import, converted once); the snapshot store saves and loads
it; ``nlp``, ``gaps`` and ``reports`` only read it through the accessors below so that
the table layout can evolve in one place.

Tables and columns (list columns hold Python lists of str):

- ``skills``: uri, preferred_label, alt_labels, hidden_labels, description, skill_type
  ("skill/competence" | "knowledge" | "" when unknown), reuse_level, status
- ``groups``: uri, code, label, level (0..3), parents (list of group URIs),
  description. The skills-pillar hierarchy concepts (skill groups, knowledge/language/
  transversal groups) down to the level-3 groups.
- ``skill_groups``: skill_uri, group_uri. Every skill's direct hierarchy groups, found
  by walking broader relations (skill -> broader skill -> ... -> group).
- ``skill_broader``: uri, broader_uri. Raw broader relations of the skills pillar.
- ``collections``: skill_uri, collection in COLLECTIONS.
- ``occupations``: uri, preferred_label, alt_labels, hidden_labels, description,
  isco_group, code
- ``occupation_skills``: occupation_uri, skill_uri, relation_type ("essential" |
  "optional"), skill_type
- ``skill_relations``: skill_uri, related_skill_uri, relation_type

A part a source does not provide is an empty table and is listed in
``manifest["missing"]``; asking for it raises ``MissingDataError`` naming the command
that brings it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd

from skillgap.errors import MissingDataError

COLLECTIONS: tuple[str, ...] = (
    "green",
    "digital",
    "digcomp",
    "transversal",
    "language",
    "research",
)

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "skills": (
        "uri",
        "preferred_label",
        "alt_labels",
        "hidden_labels",
        "description",
        "skill_type",
        "reuse_level",
        "status",
    ),
    "groups": ("uri", "code", "label", "level", "parents", "description"),
    "skill_groups": ("skill_uri", "group_uri"),
    "skill_broader": ("uri", "broader_uri"),
    "collections": ("skill_uri", "collection"),
    "occupations": (
        "uri",
        "preferred_label",
        "alt_labels",
        "hidden_labels",
        "description",
        "isco_group",
        "code",
    ),
    "occupation_skills": ("occupation_uri", "skill_uri", "relation_type", "skill_type"),
    "skill_relations": ("skill_uri", "related_skill_uri", "relation_type"),
}

# The attribution ESCO's reuse terms ask for (Commission Decision 2011/833/EU): shown by
# `skillgap taxonomy info`, stored in every snapshot manifest and printed in the report.
ESCO_ATTRIBUTION = "This service uses the ESCO classification of the European Commission."

# What to run to obtain a part the active taxonomy lacks.
FULL_IMPORT_HINT = (
    "import the official ESCO bundle: `skillgap taxonomy download --version 1.1.1 "
    "--language en` (online) or `skillgap taxonomy import PATH` (the two official zips)"
)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values.

    Column-wise ``tolist()`` then zip: ~10x faster than iterating pandas' Arrow-backed
    string columns (which ``to_dict("records")`` does), and the indexes are rebuilt at every
    start of the CLI and the mapping engine.
    """
    cols = list(df.columns)
    columns = [df[c].tolist() for c in cols]
    return [dict(zip(cols, values, strict=True)) for values in zip(*columns, strict=True)]


def normalise_label(text: str) -> str:
    """Lower-case, collapse whitespace: how labels are compared everywhere."""
    return " ".join(str(text).lower().split())


@dataclass
class Taxonomy:
    """ESCO tables plus the manifest that says where they came from."""

    tables: dict[str, pd.DataFrame]
    manifest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, cols in TABLE_COLUMNS.items():
            if name not in self.tables:
                self.tables[name] = pd.DataFrame({c: pd.Series(dtype=object) for c in cols})

    # Identity ----------------------------------------------------------------------
    @property
    def version(self) -> str:
        return str(self.manifest.get("esco_version", "unknown"))

    @property
    def language(self) -> str:
        return str(self.manifest.get("language", "en"))

    @property
    def snapshot_id(self) -> str:
        return str(self.manifest.get("snapshot_id", ""))

    @property
    def missing(self) -> list[str]:
        return list(self.manifest.get("missing", []))

    def has(self, part: str) -> bool:
        return part not in self.missing and not self.tables[part].empty

    def require(self, part: str, feature: str) -> pd.DataFrame:
        """Return table ``part`` or explain which command brings it."""
        if not self.has(part):
            raise MissingDataError(
                f"{feature} needs ESCO {part.replace('_', ' ')}, which taxonomy "
                f"'{self.snapshot_id or self.version}' does not include; {FULL_IMPORT_HINT}"
            )
        return self.tables[part]

    # Tables ------------------------------------------------------------------------
    @property
    def skills(self) -> pd.DataFrame:
        return self.tables["skills"]

    @property
    def groups(self) -> pd.DataFrame:
        return self.tables["groups"]

    @property
    def occupations(self) -> pd.DataFrame:
        return self.tables["occupations"]

    # Indexes, built lazily once --------------------------------------------------
    @cached_property
    def _skill_by_uri(self) -> dict[str, dict[str, Any]]:
        return {row["uri"]: row for row in _records(self.skills)}

    @cached_property
    def _skills_by_label(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for uri, pref, alts in zip(
            self.skills["uri"].tolist(),
            self.skills["preferred_label"].tolist(),
            self.skills["alt_labels"].tolist(),
            strict=True,
        ):
            for label in [pref, *list(alts if alts is not None else [])]:
                bucket = index.setdefault(normalise_label(label), [])
                if uri not in bucket:
                    bucket.append(uri)
        return index

    @cached_property
    def _groups_of_skill(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for s, g in zip(
            self.tables["skill_groups"]["skill_uri"].tolist(),
            self.tables["skill_groups"]["group_uri"].tolist(),
            strict=True,
        ):
            out.setdefault(s, []).append(g)
        return out

    @cached_property
    def _collections_of_skill(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        coll = self.tables["collections"]
        for s, c in zip(coll["skill_uri"].tolist(), coll["collection"].tolist(), strict=True):
            out.setdefault(s, set()).add(c)
        return out

    @cached_property
    def _group_by_uri(self) -> dict[str, dict[str, Any]]:
        return {row["uri"]: row for row in _records(self.groups)}

    # Accessors ---------------------------------------------------------------------
    def skill(self, uri: str) -> dict[str, Any]:
        try:
            return self._skill_by_uri[uri]
        except KeyError:
            raise KeyError(f"no skill with URI {uri!r} in taxonomy {self.version}") from None

    def label(self, uri: str) -> str:
        """Preferred label of a skill, occupation or group URI ('' if unknown)."""
        for index in (self._skill_by_uri, self._group_by_uri):
            row = index.get(uri)
            if row is not None:
                return str(row.get("preferred_label") or row.get("label") or "")
        occ = self.occupations.loc[self.occupations["uri"] == uri, "preferred_label"]
        return str(occ.iloc[0]) if len(occ) else ""

    def skills_by_label(self, label: str) -> list[str]:
        """URIs of skills whose preferred or alternative label equals ``label`` (normalised)."""
        return list(self._skills_by_label.get(normalise_label(label), []))

    def group(self, uri: str) -> dict[str, Any]:
        return self._group_by_uri[uri]

    def groups_of_skill(self, uri: str) -> list[str]:
        """Direct hierarchy groups of a skill (may be several)."""
        return list(self._groups_of_skill.get(uri, []))

    def group_ancestors(self, group_uri: str) -> list[str]:
        """The group and all its ancestors, nearest first."""
        seen: list[str] = []
        frontier = [group_uri]
        while frontier:
            g = frontier.pop(0)
            if g in seen or g not in self._group_by_uri:
                continue
            seen.append(g)
            frontier.extend(list(self._group_by_uri[g].get("parents") or []))
        return seen

    def skills_of_group(self, group_uri: str, *, recursive: bool = True) -> list[str]:
        """Skills filed under a group (and its descendants when ``recursive``)."""
        targets = {group_uri}
        if recursive:
            children: dict[str, list[str]] = {}
            for uri, parents in zip(
                self.groups["uri"].tolist(), self.groups["parents"].tolist(), strict=True
            ):
                for p in parents if parents is not None else []:
                    children.setdefault(p, []).append(uri)
            frontier = [group_uri]
            while frontier:
                for child in children.get(frontier.pop(), []):
                    if child not in targets:
                        targets.add(child)
                        frontier.append(child)
        sg = self.tables["skill_groups"]
        return sorted(set(sg.loc[sg["group_uri"].isin(targets), "skill_uri"]))

    def collections_of(self, uri: str) -> set[str]:
        return set(self._collections_of_skill.get(uri, set()))

    def in_collection(self, collection: str) -> set[str]:
        coll = self.require("collections", f"the {collection} skill flag")
        return set(coll.loc[coll["collection"] == collection, "skill_uri"])

    def occupation_skills(
        self, occupation_uri: str, relation: str | None = "essential"
    ) -> list[str]:
        rel = self.require("occupation_skills", "occupation skill profiles")
        mask = rel["occupation_uri"] == occupation_uri
        if relation is not None:
            mask &= rel["relation_type"] == relation
        return list(rel.loc[mask, "skill_uri"])

    def essential_skills(self, occupation_uri: str) -> list[str]:
        return self.occupation_skills(occupation_uri, "essential")

    def related_skills(self, uri: str) -> list[str]:
        rel = self.require("skill_relations", "skill-to-skill relations")
        return list(rel.loc[rel["skill_uri"] == uri, "related_skill_uri"])

    def counts(self) -> dict[str, int]:
        return {name: len(df) for name, df in self.tables.items()}

    def iter_skill_texts(self) -> Iterable[tuple[str, str, list[str], str]]:
        """(uri, preferred label, alt labels, description) for every skill."""
        s = self.skills
        for uri, pref, alts, desc in zip(
            s["uri"].tolist(),
            s["preferred_label"].tolist(),
            s["alt_labels"].tolist(),
            s["description"].tolist(),
            strict=True,
        ):
            yield uri, pref, list(alts if alts is not None else []), desc or ""
