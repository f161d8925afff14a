"""Realistic vacancies at any size: real ad sentences recombined, seeded.

Template repeats make mapping look cheap (the mapper encodes each distinct sentence once),
so the scale benchmarks build ads from real ones instead: each new ad takes a real UK ad
(Adzuna 2013 sample in ../shared) as its donor for title, category, location and length,
and fills its body with real sentences from ads of the same category, plus SkillSpan
posting sentences for IT jobs. Sentences are drawn from a shuffled cycle over each
category's pool (a sentence comes back only after the whole pool has been used), so
repetition is spread as thinly as the pools allow. Region and sector come from the
shipped Adzuna maps (NUTS-1, NACE section); posting dates are spread over 2023-2024 so
the trend analysis has periods to work on.

    .venv/bin/python -m benchmarks.realistic_ads --ads 25000 --out ads.csv [--seed 13]

Credentials are the real Coursera catalogue (a fixed, seeded sample, see ``credentials``).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from benchmarks.mapping_common import shared_root

UK = "data/vacancies/adzuna-uk-2013/Train_rev1_subset.csv"
SKILLSPAN = "data/vacancies/skillspan/skillspan_postings_train_dev.jsonl"
COURSERA = "data/credentials/coursera-2024/Coursera_Data_Cleaned1.csv"
IT = "IT Jobs"
FIELDS = ["vacancy_id", "title", "text", "posted_date", "location_raw", "region", "sector"]


def _sentences(text: str) -> list[str]:
    from skillgap.nlp.segment import segment

    return [s.text.strip() for s in segment(text) if len(s.text.strip()) >= 15]


def load_donors(root: Path) -> tuple[list[dict], dict[str, list[str]]]:
    """The UK ads (donors) and the sentence pool of each category."""
    import pandas as pd

    df = pd.read_csv(root / UK, dtype=str, keep_default_na=False)
    donors, pools = [], defaultdict(list)
    for row in df.itertuples():
        sents = _sentences(row.FullDescription)
        if not sents:
            continue
        donors.append(
            {
                "title": row.Title,
                "category": row.Category,
                "location": row.LocationNormalized or row.LocationRaw,
                "n": len(sents),
            }
        )
        pools[row.Category].extend(sents)
    with (root / SKILLSPAN).open(encoding="utf-8") as fh:
        for line in fh:
            pools[IT].extend(_sentences(json.loads(line)["text"]))
    return donors, {k: list(dict.fromkeys(v)) for k, v in pools.items()}


class _Cycle:
    """Draw from a pool in shuffled rounds: no sentence repeats before the pool is spent."""

    def __init__(self, items: list[str], rng: random.Random) -> None:
        self.items, self.rng, self.order, self.pos = items, rng, [], 0

    def take(self, k: int) -> list[str]:
        out: list[str] = []
        while len(out) < k:
            if self.pos >= len(self.order):
                self.order = self.items[:]
                self.rng.shuffle(self.order)
                self.pos = 0
            out.append(self.order[self.pos])
            self.pos += 1
        return out


def write_ads(out: Path, n: int, seed: int = 13, start_id: int = 0) -> dict[str, int]:
    """Write ``n`` ads to ``out`` (CSV, generic profile); returns size facts."""
    from skillgap.ingest.profiles import PROFILES_DIR, CodeMap

    root = shared_root()
    rng = random.Random(seed)
    donors, pools = load_donors(root)
    cycles = {k: _Cycle(v, random.Random(f"{seed}:{k}")) for k, v in pools.items()}
    regions = CodeMap(PROFILES_DIR / "maps" / "uk-nuts1.csv")
    sectors = CodeMap(PROFILES_DIR / "maps" / "adzuna-category-nace.csv")
    first = date(2023, 1, 1)
    chars = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        for i in range(start_id, start_id + n):
            d = rng.choice(donors)
            text = " ".join(cycles[d["category"]].take(max(1, d["n"])))
            chars += len(text)
            writer.writerow(
                {
                    "vacancy_id": f"ad-{i:08d}",
                    "title": d["title"],
                    "text": text,
                    "posted_date": (first + timedelta(days=rng.randrange(731))).isoformat(),
                    "location_raw": d["location"],
                    "region": regions.lookup_place(d["location"]) or "",
                    "sector": sectors.lookup(d["category"]) or "",
                }
            )
    return {
        "ads": n,
        "mean_chars": round(chars / max(n, 1)),
        "sentences_in_pools": sum(len(v) for v in pools.values()),
    }


def credentials(out: Path, n: int = 300, seed: int = 13) -> Path:
    """A seeded sample of ``n`` rows of the real Coursera catalogue, in its own format."""
    root = shared_root()
    with (root / COURSERA).open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    random.Random(seed).shuffle(rows)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows[:n])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ads", type=int, default=1000)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    print(json.dumps(write_ads(args.out, args.ads, args.seed)))


if __name__ == "__main__":
    main()
