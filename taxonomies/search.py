"""Label search over a taxonomy's skills, for `skillgap taxonomy search` and quick lookups.

Ranking is deliberately simple and explainable: an exact label beats a label that starts
with the query, which beats a whole-word match, then a substring, then a label holding
every query word in any order. Preferred labels beat alternative ones, shorter labels
beat longer ones. Semantic matching lives in ``skillgap.nlp``; this is for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skillgap.taxonomies.model import Taxonomy, normalise_label


@dataclass(frozen=True)
class SearchHit:
    uri: str
    preferred_label: str
    matched_label: str
    rank: int
    groups: list[tuple[str, str]]  # (code, label) of the skill's direct groups


def _rank(label: str, query: str, words: list[str], word_re: re.Pattern[str]) -> int | None:
    if label == query:
        return 0
    if label.startswith(query):
        return 1
    if word_re.search(label):
        return 2
    if query in label:
        return 3
    if all(w in label for w in words):
        return 4
    return None


def search_skills(tax: Taxonomy, text: str, *, limit: int = 20) -> list[SearchHit]:
    """Skills whose preferred or alternative label matches ``text``, best first."""
    query = normalise_label(text)
    if not query:
        return []
    words = query.split()
    word_re = re.compile(r"(?:^|\b)" + re.escape(query) + r"(?:\b|$)")
    best: dict[str, tuple[int, int, int, str]] = {}
    for uri, pref, alts, _desc in tax.iter_skill_texts():
        for is_alt, label in enumerate([pref, *alts]):
            norm = normalise_label(label)
            r = _rank(norm, query, words, word_re)
            if r is None:
                continue
            key = (r, min(is_alt, 1), len(norm), label)
            if uri not in best or key < best[uri]:
                best[uri] = key
    order = sorted(best.items(), key=lambda kv: (kv[1][:3], kv[0]))[:limit]
    hits = []
    for uri, (rank, _alt, _len, label) in order:
        groups = []
        for g in tax.groups_of_skill(uri):
            try:
                row = tax.group(g)
                groups.append((str(row.get("code") or ""), str(row.get("label") or "")))
            except KeyError:
                groups.append(("", g))
        hits.append(
            SearchHit(
                uri=uri,
                preferred_label=tax.label(uri),
                matched_label=label,
                rank=rank,
                groups=groups,
            )
        )
    return hits
