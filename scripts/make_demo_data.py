"""Regenerate the embedded demo data under demo/data/ (outputs are committed).

.venv/bin/python scripts/make_demo_data.py                 # data files from the catalogue
.venv/bin/python scripts/make_demo_data.py --esco ../shared/esco/v1.1.1
    # also check every URI and label against the official bundle and rewrite
    # esco_subset.json (the few ESCO concepts the demo uses, for offline tests)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from skillgap.demo import DATA_DIR  # noqa: E402
from skillgap.demo import catalog as C  # noqa: E402
from skillgap.demo.generate import DEFAULT_SEED, DEFAULT_VACANCIES, generate  # noqa: E402

# "SQL" is also an alternative label of "database management systems" in ESCO v1.1.1; an
# ad for SQL cannot avoid the word, so the demo accepts that one ambiguity.
AMBIGUOUS_OK = {"sql"}


def check_and_subset(esco_path: Path) -> dict:
    """Fail on any URI/label/form not in ESCO; return the subset taxonomy as JSON-able data."""
    from skillgap.taxonomies.esco_csv import read_esco_bundle
    from skillgap.taxonomies.model import normalise_label

    tax = read_esco_bundle([esco_path])
    problems = []
    skills = tax.skills.set_index("uri")
    for s in C.SKILLS:
        if s.uri not in skills.index:
            problems.append(f"skill {s.key}: URI {s.uri} not in ESCO {tax.version}")
            continue
        row = skills.loc[s.uri]
        if row["preferred_label"] != s.label:
            problems.append(f"skill {s.key}: label {s.label!r} != {row['preferred_label']!r}")
        labels = {normalise_label(x) for x in [row["preferred_label"], *row["alt_labels"]]}
        problems += [
            f"skill {s.key}: form {f.span!r} is not an ESCO label"
            for f in s.forms
            if normalise_label(f.span) not in labels
        ]
        problems += [
            f"skill {s.key}: form {f.span!r} is also a label of {sorted(set(owners) - {s.uri})}"
            for f in s.forms
            if len(owners := tax.skills_by_label(f.span)) > 1 and s.key not in AMBIGUOUS_OK
        ]
    occ = tax.occupations.set_index("uri")
    for o in C.OCCUPATIONS:
        if o.uri not in occ.index or occ.loc[o.uri, "preferred_label"] != o.label:
            problems.append(f"occupation {o.key}: {o.uri} / {o.label!r} not in ESCO")
    if problems:
        raise SystemExit("ESCO check failed:\n  " + "\n  ".join(problems))

    uris = [s.uri for s in C.SKILLS]
    sg = tax.tables["skill_groups"]
    sg = sg[sg["skill_uri"].isin(uris)].drop_duplicates().sort_values(["skill_uri", "group_uri"])
    groups_needed: list[str] = []
    for g in sg["group_uri"]:
        for a in tax.group_ancestors(g):
            if a not in groups_needed:
                groups_needed.append(a)
    groups = tax.groups[tax.groups["uri"].isin(groups_needed)].sort_values("uri")
    coll = tax.tables["collections"]
    coll = coll[coll["skill_uri"].isin(uris)].sort_values(["skill_uri", "collection"])
    forms = {s.uri: sorted({f.span for f in s.forms} - {s.label}) for s in C.SKILLS}
    return {
        "note": "ESCO v1.1.1 concepts used by the demo (labels limited to those the demo "
        "uses); written by scripts/make_demo_data.py --esco. This service uses the ESCO "
        "classification of the European Commission.",
        "esco_version": tax.version,
        "skills": [
            {
                "uri": s.uri,
                "preferred_label": s.label,
                "alt_labels": forms[s.uri],
                "skill_type": str(skills.loc[s.uri, "skill_type"]),
            }
            for s in C.SKILLS
        ],
        "groups": [
            {
                "uri": r.uri,
                "code": r.code,
                "label": r.label,
                "level": int(r.level),
                "parents": list(r.parents),
            }
            for r in groups.itertuples()
        ],
        "skill_groups": sg[["skill_uri", "group_uri"]].to_dict("records"),
        "collections": coll[["skill_uri", "collection"]].to_dict("records"),
        "occupations": [
            {"uri": o.uri, "preferred_label": o.label, "isco_group": o.isco} for o in C.OCCUPATIONS
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", type=Path, default=DATA_DIR)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--vacancies", type=int, default=DEFAULT_VACANCIES)
    ap.add_argument("--esco", type=Path, help="official ESCO bundle to check against")
    args = ap.parse_args()
    if args.esco:
        subset = check_and_subset(args.esco)
        target = args.out / "esco_subset.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(subset, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        tmp.replace(target)
        print(f"ESCO check passed; wrote {target}")
    for name, path in generate(args.out, seed=args.seed, n_vacancies=args.vacancies).items():
        print(f"{name}: {path} ({path.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
