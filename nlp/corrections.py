"""Analyst corrections: a wrong mapping fixed once stays fixed in every later run.

A corrections file is a small TOML file named by an analysis config (``[model]
corrections = "corrections.toml"``; several analyses may share one). Three kinds of entry:

    [[map]]        # this phrase states this skill (wherever it occurs)
    phrase = "care plans"
    skill = "develop a care plan"          # preferred label or ESCO URI
    note = "our care ads say it this way"

    [[ignore]]     # sentences holding this phrase state no skill
    phrase = "Pulse Community Healthcare"

    [[never]]      # this skill is never counted in this analysis
    skill = "Chef (tools for software configuration management)"
    note = "catering analysis: 'chef' is always the cook"

Phrases match case-insensitively on whole words. The file is validated like the analysis
config before any work starts: an unknown key, an empty phrase or a skill that is not in
the active taxonomy is an error naming the file and the entry. Corrections are applied at
extraction (so they change what is stored, and a changed file makes the documents be mapped
again), and the report's methods section lists them.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from skillgap.errors import ConfigError

if TYPE_CHECKING:
    from skillgap.taxonomies.model import Taxonomy

_KEYS = {
    "map": {"phrase", "skill", "note"},
    "ignore": {"phrase", "note"},
    "never": {"skill", "note"},
}


@dataclass(frozen=True)
class Correction:
    kind: str  # map | ignore | never
    phrase: str = ""
    skill_uri: str = ""
    skill_label: str = ""
    note: str = ""

    def matches(self, sentence: str) -> bool:
        return bool(self.phrase) and _pattern(self.phrase).search(sentence) is not None


def _pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(phrase.strip()) + r"(?!\w)", re.IGNORECASE)


@dataclass
class Corrections:
    """The entries of one corrections file, resolved against a taxonomy."""

    path: Path | None = None
    entries: list[Correction] = field(default_factory=list)
    digest: str = ""

    def of(self, kind: str) -> list[Correction]:
        return [e for e in self.entries if e.kind == kind]

    @property
    def never(self) -> set[str]:
        return {e.skill_uri for e in self.of("never")}

    def ignored(self, sentence: str) -> bool:
        return any(e.matches(sentence) for e in self.of("ignore"))

    def mapped(self, sentence: str) -> list[Correction]:
        return [e for e in self.of("map") if e.matches(sentence)]

    def describe(self) -> list[dict[str, str]]:
        """What the methods section lists."""
        return [
            {
                "kind": e.kind,
                "phrase": e.phrase,
                "skill": e.skill_label,
                "skill_uri": e.skill_uri,
                "note": e.note,
            }
            for e in self.entries
        ]


def _skill(taxonomy: Taxonomy, value: Any, where: str) -> tuple[str, str]:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: 'skill' must be an ESCO skill URI or preferred label")
    value = value.strip()
    if value.startswith("http"):
        try:
            return value, str(taxonomy.skill(value)["preferred_label"])
        except KeyError:
            raise ConfigError(
                f"{where}: skill {value} is not in taxonomy "
                f"'{taxonomy.snapshot_id or taxonomy.version}'"
            ) from None
    uris = taxonomy.skills_by_label(value)
    exact = [u for u in uris if str(taxonomy.skill(u)["preferred_label"]).lower() == value.lower()]
    if len(exact) == 1 or len(uris) == 1:
        uri = (exact or uris)[0]
        return uri, str(taxonomy.skill(uri)["preferred_label"])
    if not uris:
        raise ConfigError(
            f"{where}: no ESCO skill is labelled {value!r} in taxonomy "
            f"'{taxonomy.snapshot_id or taxonomy.version}'; give its preferred label or URI "
            "(`skillgap taxonomy search` finds it)"
        )
    raise ConfigError(f"{where}: {value!r} labels {len(uris)} skills; give the URI instead")


def load_corrections(path: Path, taxonomy: Taxonomy) -> Corrections:
    """Read and validate a corrections file; ``ConfigError`` names the file and entry."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"corrections file not found: {path}")
    data = path.read_bytes()
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown section(s) {unknown}; use [[map]], [[ignore]], [[never]]"
        )
    entries: list[Correction] = []
    for kind, allowed in _KEYS.items():
        items = raw.get(kind, [])
        if not isinstance(items, list):
            raise ConfigError(f"{path}: '{kind}' must be a list of tables ([[{kind}]])")
        for n, item in enumerate(items, start=1):
            where = f"{path}: [[{kind}]] entry {n}"
            if not isinstance(item, dict):
                raise ConfigError(f"{where}: must be a table")
            extra = sorted(set(item) - allowed)
            if extra:
                raise ConfigError(f"{where}: unknown key(s) {extra}")
            phrase = item.get("phrase", "")
            if "phrase" in allowed and (not isinstance(phrase, str) or not phrase.strip()):
                raise ConfigError(f"{where}: 'phrase' must be a non-empty string")
            note = item.get("note", "")
            if not isinstance(note, str):
                raise ConfigError(f"{where}: 'note' must be a string")
            uri = label = ""
            if "skill" in allowed:
                uri, label = _skill(taxonomy, item.get("skill"), where)
            entries.append(Correction(kind, str(phrase).strip(), uri, label, note))
    return Corrections(path=path, entries=entries, digest=hashlib.sha256(data).hexdigest())
