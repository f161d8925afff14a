"""Near-duplicate detection for vacancies: MinHash signatures + LSH (datasketch).

Job boards repost the same ad with a new date line, a changed salary or a few edited
words; counting each repost as new demand inflates the figures. Exact duplicates are
caught by the content hash; this module catches the rest. Word 3-shingles of the
normalised text are hashed into a MinHash; LSH finds candidates whose estimated Jaccard
similarity is above ``threshold`` and the candidate with the highest estimate is the kept
record a duplicate is linked to.

The index holds the signatures of what is already stored (loaded from the store's
``vacancy_signatures`` table) and grows with each kept record of the batch, so a batch is
checked both against itself and against earlier batches.
"""

from __future__ import annotations

import zlib

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from skillgap.text import normalise_for_hash

NUM_PERM = 64
SHINGLE = 3
THRESHOLD = 0.8
SEED = 1
SCHEME = "affine32"
# crc32 instead of datasketch's default sha1: stable across processes (signatures are
# stored), and a C call per shingle instead of a hashlib object.
_HASHFUNC = zlib.crc32
_template: MinHash | None = None


def _permutations() -> object:
    """Permutations shared by every signature; generating them per document is costly."""
    global _template
    if _template is None:
        _template = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_HASHFUNC, scheme=SCHEME)
    return _template.permutations


def shingles(normalised: str) -> list[bytes]:
    """Word 3-shingles of text already normalised by ``normalise_for_hash``."""
    words = normalised.split()
    if len(words) <= SHINGLE:
        return [" ".join(words).encode("utf-8")] if words else []
    joined = map(" ".join, zip(words, words[1:], words[2:], strict=False))
    return [s.encode("utf-8") for s in joined]


def signature(text: str, *, normalised: bool = False) -> LeanMinHash | None:
    """MinHash of the text's word shingles; None for text too short to compare."""
    sh = shingles(text if normalised else normalise_for_hash(text))
    if len(sh) < 5:
        return None
    m = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=_HASHFUNC,
        permutations=_permutations(),
        scheme=SCHEME,
    )
    m.update_batch(sh)
    return LeanMinHash(m)


def to_bytes(sig: LeanMinHash) -> bytes:
    return np.asarray(sig.hashvalues, dtype=np.uint32).tobytes()


def from_bytes(blob: bytes) -> LeanMinHash:
    values = np.frombuffer(blob, dtype=np.uint32)
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=SCHEME)


class NearDuplicateIndex:
    """LSH over kept records; ``match`` returns (kept_id, estimated Jaccard) or None."""

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self.sigs: dict[str, LeanMinHash] = {}

    def __len__(self) -> int:
        return len(self.sigs)

    def add(self, doc_id: str, sig: LeanMinHash) -> None:
        if doc_id in self.sigs:
            return
        self.sigs[doc_id] = sig
        self.lsh.insert(doc_id, sig, check_duplication=False)

    def match(self, sig: LeanMinHash) -> tuple[str, float] | None:
        best: tuple[str, float] | None = None
        for cand in self.lsh.query(sig):
            sim = float(sig.jaccard(self.sigs[cand]))
            if sim >= self.threshold and (
                best is None or sim > best[1] or (sim == best[1] and cand < best[0])
            ):
                best = (cand, sim)
        return best
