"""Title-first occupation mapping on real UK job-ad titles, with abstention.

    python -m benchmarks.occupations_eval                 # the product's settings
    python -m benchmarks.occupations_eval --sweep         # precision/coverage per threshold

The dev set is ``benchmarks/data/occupation_titles_dev.csv``: 160 ads of the Adzuna UK
sample in ../shared (drawn per category, seeded, healthcare capped), each linked by hand
to the ESCO v1.1.1 occupation(s) its title names, by reading ESCO's labels and
descriptions; several are listed where ESCO splits one job title (a "care assistant" is
a care-at-home worker or a residential care worker), none where the title names no
occupation ("****", "Sales Opportunities"). Only ad ids and URIs are kept in the repo; the
titles and texts are read from ../shared.

Figures: top-1 and top-5 over the ads that have a gold occupation (without abstaining);
at the product's threshold, the share of all ads that get an occupation (coverage) and
top-1 among those (precision), where an answer on an ad without a gold occupation counts
as wrong.
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
DEV = REPO / "benchmarks" / "data" / "occupation_titles_dev.csv"
ADS = "data/vacancies/adzuna-uk-2013/Train_rev1_subset.csv"


def load_dev() -> list[tuple[str, str, set[str]]]:
    """(title, text, gold URIs) per dev ad."""
    import pandas as pd

    from benchmarks.mapping_common import shared_root

    ads = pd.read_csv(shared_root() / ADS, dtype=str, keep_default_na=False).set_index("Id")
    out = []
    with open(DEV, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            ad = ads.loc[row["ad_id"]]
            gold = {u for u in row["occupation_uris"].split(";") if u}
            out.append((ad["Title"], ad["FullDescription"], gold))
    return out


def measure(hits: list, gold: list[set[str]], threshold: float) -> dict[str, float]:
    answerable = [i for i, g in enumerate(gold) if g]
    top1 = np.mean([bool(hits[i]) and hits[i][0].uri in gold[i] for i in answerable])
    top5 = np.mean([any(h.uri in gold[i] for h in hits[i][:5]) for i in answerable])
    given = [i for i, h in enumerate(hits) if h and h[0].confidence >= threshold]
    right = [i for i in given if hits[i][0].uri in gold[i]]
    return {
        "top1": float(top1),
        "top5": float(top5),
        "coverage": len(given) / len(hits),
        "precision": len(right) / max(len(given), 1),
        "answered": len(given),
        "n": len(hits),
        "n_answerable": len(answerable),
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--model-path", type=Path, default=None)
    args = ap.parse_args(argv)
    os.environ.setdefault("SKILLGAP_DATA_DIR", str(REPO / ".skillgap-data"))
    from benchmarks.mapping_common import load_official_taxonomy
    from skillgap.nlp.occupations import ABSTAIN_BELOW, map_occupations

    dev = load_dev()
    tax = load_official_taxonomy()
    hits = map_occupations(
        [t for t, _, _ in dev],
        [x for _, x, _ in dev],
        tax,
        top_k=5,
        model_path=args.model_path,
        min_score=-1.0,
    )
    gold = [g for _, _, g in dev]
    m = measure(hits, gold, ABSTAIN_BELOW)
    print(
        f"{m['n']} dev titles ({m['n_answerable']} with a gold occupation): top-1 "
        f"{m['top1']:.1%}, top-5 {m['top5']:.1%}; at threshold {ABSTAIN_BELOW:.2f}: "
        f"{m['answered']} answered (coverage {m['coverage']:.1%}, abstain "
        f"{1 - m['coverage']:.1%}), top-1 among answered {m['precision']:.1%}"
    )
    if args.sweep:
        for thr in np.round(np.arange(0.40, 1.01, 0.02), 2):
            s = measure(hits, gold, float(thr))
            print(
                f"  threshold {thr:.2f}: coverage {s['coverage']:6.1%}  precision "
                f"{s['precision']:6.1%}  ({s['answered']} answered)"
            )


if __name__ == "__main__":
    main()
