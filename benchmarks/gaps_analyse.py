"""Time and memory of ``skillgap.gaps.analyse`` at the issue's scale.

    .venv/bin/python -m benchmarks.gaps_analyse [--vacancies 20000] [--mentions 10]
        [--credentials 200] [--skills 13896] [--repeat 2]

Synthetic but shaped like the real thing: a taxonomy the size of ESCO v1.1.1 (13,896
skills in 3-level groups, 2 % flagged green), skill popularity following a Zipf law (a few
skills in many ads, a long tail), 6 sectors x 40 NUTS-2 regions x 8 quarters, 300
occupations, about ``--mentions`` skills per ad, and ``--credentials`` credentials teaching
8 skills each. Prints wall and CPU time per run (wall time depends on how busy the
machine is), peak resident memory, and table sizes.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd

from skillgap.gaps import AnalysisParams, analyse
from skillgap.taxonomies.model import Taxonomy


def synthetic_taxonomy(n_skills: int, rng: np.random.Generator) -> Taxonomy:
    uris = [f"s{i:05d}" for i in range(n_skills)]
    top = [f"g{i}" for i in range(8)]
    mid = [f"g{i}.{j}" for i in range(8) for j in range(10)]
    low = [f"{m}.{k}" for m in mid for k in range(7)]
    groups = pd.DataFrame(
        {
            "uri": top + mid + low,
            "code": top + mid + low,
            "label": [f"group {u}" for u in top + mid + low],
            "level": [0] * len(top) + [1] * len(mid) + [2] * len(low),
            "parents": [[]] * len(top)
            + [[m.split(".")[0]] for m in mid]
            + [[".".join(g.split(".")[:2])] for g in low],
            "description": "",
        }
    )
    skills = pd.DataFrame(
        {
            "uri": uris,
            "preferred_label": [f"skill number {i}" for i in range(n_skills)],
            "alt_labels": [[] for _ in uris],
            "hidden_labels": [[] for _ in uris],
            "description": "A skill. It is described here.",
            "skill_type": np.where(rng.random(n_skills) < 0.3, "knowledge", "skill/competence"),
            "reuse_level": "",
            "status": "released",
        }
    )
    skill_groups = pd.DataFrame({"skill_uri": uris, "group_uri": rng.choice(low, n_skills)})
    green = rng.choice(uris, n_skills // 50, replace=False)
    collections = pd.DataFrame({"skill_uri": green, "collection": "green"})
    tables = {
        "skills": skills,
        "groups": groups,
        "skill_groups": skill_groups,
        "collections": collections,
    }
    return Taxonomy(tables, {"esco_version": "synthetic", "snapshot_id": "bench"})


def synthetic_inputs(
    n_vac: int, per_ad: int, n_cred: int, n_skills: int, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    days = rng.integers(0, 730, n_vac)
    vac = pd.DataFrame(
        {
            "vacancy_id": [f"v{i:06d}" for i in range(n_vac)],
            "posted_date": pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D"),
            "sector": rng.choice(list("CFGJMQ"), n_vac),
            "region": rng.choice([f"R{i:02d}" for i in range(40)], n_vac),
            "occupation": rng.choice([f"o{i:03d}" for i in range(300)], n_vac),
            "text": "An ad text mentioning several skills in passing.",
        }
    )
    weights = 1.0 / np.arange(1, n_skills + 1) ** 1.1
    weights /= weights.sum()
    n_men = n_vac * per_ad
    skills = rng.choice(n_skills, n_men, p=weights)
    men = pd.DataFrame(
        {
            "doc_type": "vacancy",
            "doc_id": np.repeat(vac["vacancy_id"].to_numpy(), per_ad),
            "skill_uri": [f"s{i:05d}" for i in skills],
            "score": rng.uniform(0.5, 1.0, n_men),
            "method": "lexical",
            "sentence": "You will use skill number 1 every day.",
            "span": "skill number 1",
        }
    )
    cred_skills = rng.choice(n_skills, (n_cred, 8), p=weights)
    creds = pd.DataFrame(
        {
            "credential_id": [f"c{i:04d}" for i in range(n_cred)],
            "title": [f"Credential {i}" for i in range(n_cred)],
            "provider": "Provider",
            "eqf_level": rng.integers(3, 7, n_cred),
            "workload_ects": rng.integers(1, 10, n_cred).astype(float),
            "learning_outcomes": [["Do things."] for _ in range(n_cred)],
        }
    )
    sup = pd.DataFrame(
        {
            "doc_type": "credential",
            "doc_id": np.repeat(creds["credential_id"].to_numpy(), 8),
            "skill_uri": [f"s{i:05d}" for i in cred_skills.ravel()],
            "score": rng.uniform(0.3, 1.0, n_cred * 8),
            "method": "semantic",
        }
    )
    return vac, creds, pd.concat([men, sup], ignore_index=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--vacancies", type=int, default=20_000)
    ap.add_argument("--mentions", type=int, default=10)
    ap.add_argument("--credentials", type=int, default=200)
    ap.add_argument("--skills", type=int, default=13_896)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    rng = np.random.default_rng(7)
    tax = synthetic_taxonomy(args.skills, rng)
    vac, creds, men = synthetic_inputs(
        args.vacancies, args.mentions, args.credentials, args.skills, rng
    )
    params = AnalysisParams(breakdowns=["sector", "region", "sector+region", "occupation"])
    print(
        f"inputs: {len(vac):,} vacancies, {len(creds):,} credentials, {len(men):,} mentions, "
        f"{args.skills:,} taxonomy skills; breakdowns {params.breakdowns}"
    )
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for i in range(args.repeat):
        t, c = time.perf_counter(), time.process_time()
        res = analyse(vac, creds, men, tax, params)
        wall, cpu = time.perf_counter() - t, time.process_time() - c
        print(f"run {i + 1}: analyse {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MiB (inputs and taxonomy alone: {rss_before:.0f} MiB)")
    for name, df in res.tables().items():
        print(f"  {name:<24} {len(df):>9,} rows")
    print(f"  classification (all): {res.meta['classification_counts']}")


if __name__ == "__main__":
    main()
