"""What kind of competence an ESCO skill is, and so whether a micro-credential can teach it.

A micro-credential teaches knowledge and skills/competences (Council Recommendation 2022,
point 6b: learning outcomes). Attitudes and values, generic transversal competences and
language skills are demanded too, but a "develop a credential for *show commitment*"
recommendation helps nobody; they are reported with their demand in a section of their
own. The decision is ESCO's own classification, never a hand list of labels:

- ``language``: in the language skills collection, or filed under the hierarchy's
  language branch (L);
- ``transversal``: ESCO reuse level "transversal", or in the transversal skills
  collection, or filed *only* under the transversal branch (T) with a cross-sector reuse
  level (e.g. *perform services in a flexible manner*, *exercise patience*). A skill that
  ESCO also files under the skills or knowledge branches (S, K) stays teachable: version
  1.1 links some 2,400 ordinary skills to T groups as well (*carry out statistical
  forecasts*), and a sector-specific T-only skill (*attend to detail in casting
  processes*) is taught inside its trade;
- otherwise ``knowledge`` or ``skill`` by ESCO's skill type.

Without collections and hierarchy (a bare skills table) only the reuse level decides; the
function says so through ``kind_basis``.
"""

from __future__ import annotations

import pandas as pd

from skillgap.taxonomies.model import Taxonomy

KINDS: tuple[str, ...] = ("knowledge", "skill", "transversal", "language")
CREDENTIAL_KINDS: frozenset[str] = frozenset({"knowledge", "skill"})

KIND_RULE_TEXT = (
    "A skill is reported apart from the credential advice when ESCO classes it as a "
    "language skill (language collection or hierarchy branch L) or as transversal (reuse "
    "level 'transversal', the transversal collection, or filed only under the transversal "
    "branch T with a cross-sector reuse level): attitudes, values and generic competences "
    "are counted and shown with their demand, but a micro-credential teaches knowledge and "
    "skills. Everything else is knowledge or a skill/competence by ESCO's skill type."
)


def _roots(taxonomy: Taxonomy) -> dict[str, set[str]]:
    """Top-level hierarchy codes (S, K, T, L) each skill is filed under."""
    groups = taxonomy.groups
    if groups.empty or taxonomy.tables["skill_groups"].empty:
        return {}
    code = dict(zip(groups["uri"], groups["code"].astype(str), strict=True))
    root_of: dict[str, set[str]] = {}
    for g in groups["uri"]:
        root_of[g] = {
            code[a]
            for a in taxonomy.group_ancestors(g)
            if taxonomy.group(a).get("level") == 0 and a in code
        }
    out: dict[str, set[str]] = {}
    sg = taxonomy.tables["skill_groups"]
    for s, g in zip(sg["skill_uri"], sg["group_uri"], strict=True):
        out.setdefault(s, set()).update(root_of.get(g, set()))
    return out


def skill_kinds(taxonomy: Taxonomy) -> pd.Series:
    """Kind (one of ``KINDS``) of every skill of the taxonomy, indexed by URI."""
    s = taxonomy.skills.drop_duplicates("uri")
    coll = taxonomy.tables["collections"]
    language = set(coll.loc[coll["collection"] == "language", "skill_uri"])
    transversal = set(coll.loc[coll["collection"] == "transversal", "skill_uri"])
    roots = _roots(taxonomy)
    reuse = s.get("reuse_level", pd.Series("", index=s.index)).fillna("").astype(str)
    stype = s.get("skill_type", pd.Series("", index=s.index)).fillna("").astype(str)
    kinds = []
    for uri, rl, st in zip(s["uri"], reuse.str.lower(), stype.str.lower(), strict=True):
        r = roots.get(uri, set())
        if uri in language or "L" in r:
            kinds.append("language")
        elif (
            rl == "transversal"
            or uri in transversal
            or (r == {"T"} and rl in ("cross-sector", "transversal"))
        ):
            kinds.append("transversal")
        else:
            kinds.append("knowledge" if st == "knowledge" else "skill")
    return pd.Series(kinds, index=pd.Index(s["uri"], name="skill_uri"), name="skill_kind")


def kind_basis(taxonomy: Taxonomy) -> str:
    """Which ESCO data the kinds rest on, for the report's methods section."""
    parts = []
    if taxonomy.has("collections"):
        parts.append("collections")
    if taxonomy.has("groups") and taxonomy.has("skill_groups"):
        parts.append("hierarchy")
    if "reuse_level" in taxonomy.skills.columns:
        parts.append("reuse level")
    return ", ".join(parts) or "skill type only"
