"""How skills relate: co-occurrence in the same ads and shared ESCO groups.

Two signals, used together, decide which credential is "close" to a skill it lacks and
which uncovered skills belong in one proposed credential: employers asking for both in the
same ad (co-occurrence, measured by Jaccard and lift) and ESCO filing them under the same
hierarchy group.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import sparse


class CoOccurrence:
    """Skill x skill counts of ads mentioning both, from the deduplicated demand mentions."""

    def __init__(self, demand: pd.DataFrame) -> None:
        vac_codes, vac_index = pd.factorize(demand["vacancy_id"])
        skill_codes, skill_index = pd.factorize(demand["skill_uri"])
        self.skills = pd.Index(skill_index)
        self.n_docs = len(vac_index)
        x = sparse.csr_matrix(
            (np.ones(len(demand), dtype=np.float32), (vac_codes, skill_codes)),
            shape=(len(vac_index), len(skill_index)),
        )
        self.counts = (x.T @ x).tocsr()
        self.totals = np.asarray(x.sum(axis=0)).ravel()

    def pairs(self, left: list[str] | pd.Index, right: list[str] | pd.Index) -> pd.DataFrame:
        """Non-zero co-occurrences between two skill lists (a != b).

        jaccard = shared / union of ads; overlap = shared / ads of the rarer skill;
        lift = observed shared ads / shared ads expected if the two were independent.
        """
        cols = ["a", "b", "n_ab", "jaccard", "overlap", "lift"]
        li = self.skills.get_indexer(pd.Index(left).unique())
        ri = self.skills.get_indexer(pd.Index(right).unique())
        li, ri = li[li >= 0], ri[ri >= 0]
        if len(li) == 0 or len(ri) == 0:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        sub = self.counts[li][:, ri].tocoo()
        a, b = li[sub.row], ri[sub.col]
        keep = a != b
        a, b, n_ab = a[keep], b[keep], sub.data[keep].astype(float)
        na, nb = self.totals[a], self.totals[b]
        return pd.DataFrame(
            {
                "a": self.skills[a],
                "b": self.skills[b],
                "n_ab": n_ab.astype(int),
                "jaccard": n_ab / (na + nb - n_ab),
                "overlap": n_ab / np.minimum(na, nb),
                "lift": n_ab * self.n_docs / (na * nb),
            }
        )


def shared_group_pairs(pairs: pd.DataFrame, skill_groups: pd.DataFrame) -> pd.Series:
    """Boolean per row of ``pairs`` (columns a, b): do the two skills share a direct group?"""
    if pairs.empty or skill_groups.empty:
        return pd.Series(False, index=pairs.index)
    sg = skill_groups[["skill_uri", "group_uri"]]
    left = pairs[["a", "b"]].reset_index().merge(sg, left_on="a", right_on="skill_uri")
    both = left.merge(sg, left_on=["b", "group_uri"], right_on=["skill_uri", "group_uri"])
    hit = set(both["index"])
    return pd.Series(pairs.index.isin(list(hit)), index=pairs.index)
