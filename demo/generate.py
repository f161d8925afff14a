"""Seeded generator of the embedded demo data (vacancies, credentials, truth, planted signals).

Run it through ``scripts/make_demo_data.py``; the outputs are committed under
``demo/data/`` so a fresh clone can run ``skillgap demo`` offline. Same seed, same
files: every random choice comes from one ``numpy.random.Generator``.

Each ad is assembled from an intro, responsibilities (verb-phrase skills), requirements
(noun-phrase skills and the rest) and boilerplate, naming every chosen skill through an
ESCO label. The skills an ad was built to name are written to ``truth_mentions.parquet``
in the ``skill_mentions`` contract (method "gold"), which lets the analysis be tested
without the NLP model and lets the mapper's recall be measured on the demo.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from skillgap.demo import catalog as C
from skillgap.fileutil import atomic_write

TAXONOMY_VERSION = "1.1.1"
TRUTH_MODEL_ID = "demo-truth"
DEFAULT_SEED = 20240601
DEFAULT_VACANCIES = 3000

T = TypeVar("T")


_atomic_write = atomic_write  # the committed demo files are written all or nothing


def _quarter_start(label: str) -> date:
    year, q = int(label[:4]), int(label[-1])
    return date(year, 3 * (q - 1) + 1, 1)


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.skills = {s.key: s for s in C.SKILLS}
        self.occupations = {o.key: o for o in C.OCCUPATIONS}

    def pick(self, items: Iterable[T], weights: Sequence[float] | None = None) -> T:
        items = list(items)
        if weights is not None:
            w = np.asarray(weights, dtype=float)
            return items[int(self.rng.choice(len(items), p=w / w.sum()))]
        return items[int(self.rng.integers(len(items)))]

    def probability(self, skill: str, base: float, occ: str, region: str, qi: int) -> float:
        plan = C.PLANTED_TRENDS.get(skill)
        if plan is None or occ not in plan[0]:
            return base
        _, where, p0, p1 = plan
        if where is not None and where != region:
            return base
        return p0 + (p1 - p0) * qi / (len(C.QUARTERS) - 1)

    def sentence(self, skill_key: str, templates_v, templates_n) -> tuple[str, str]:
        form = self.pick(self.skills[skill_key].forms)
        templates = templates_v if form.kind == "v" else templates_n
        return self.pick(templates).format(x=form.text), form.span


def _vacancies(g: _Gen, n: int) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    regions = list(C.REGIONS)
    rows: list[dict[str, Any]] = []
    truth: list[dict[str, Any]] = []
    occ_by_sector: dict[str, list[C.OccupationSpec]] = {}
    for o in C.OCCUPATIONS:
        occ_by_sector.setdefault(o.sector, []).append(o)
    for i in range(n):
        qi = i * len(C.QUARTERS) // n
        quarter = C.QUARTERS[qi]
        posted = _quarter_start(quarter) + timedelta(days=int(g.rng.integers(0, 90)))
        sector = g.pick(C.SECTORS, [w for _, w in C.SECTORS.values()])
        region = g.pick(regions, [C.REGIONS[r][0] for r in regions])
        occs = occ_by_sector[sector]
        occ = g.pick(occs, [o.weight for o in occs])
        chosen: list[str] = []
        profile = list(occ.skills)
        for key, _ in C.PLANTED_TRENDS.items():
            if occ.key in C.PLANTED_TRENDS[key][0] and key not in dict(profile):
                profile.append((key, 0.0))
        for key, base in [*profile, *C.TRANSVERSAL]:
            if g.rng.random() < g.probability(key, base, occ.key, region, qi):
                chosen.append(key)
        if not chosen:  # every ad names at least the occupation's most common skill
            chosen.append(max(occ.skills, key=lambda ks: ks[1])[0])
        place = g.pick(C.REGIONS[region][1])
        employer = g.pick(C.EMPLOYERS[sector])
        vid = f"demo-v{i + 1:05d}"
        parts = [g.pick(C.INTROS[sector]).format(employer=employer, place=place)]
        # the job title says the occupation; ESCO occupation labels in the text would read
        # as skills to a matcher ("solar energy technician" holds the skill "solar energy")
        parts.append("We are looking for a new colleague to join us.")
        sentences = []
        for key in chosen:
            text, span = g.sentence(key, C.VERB_TEMPLATES, C.NOUN_TEMPLATES)
            sentences.append((key, text, span))
        g.rng.shuffle(sentences)
        resp = [s for s in sentences if s[1].startswith(("You will", "Day to day", "Part of"))]
        reqs = [s for s in sentences if s not in resp]
        if resp:
            parts.append("What you will do:")
            parts += [s[1] for s in resp]
        if reqs:
            parts.append("What we are looking for:")
            parts += [s[1] for s in reqs]
        parts += list(g.rng.choice(C.BENEFITS, size=2, replace=False))
        rows.append(
            {
                "vacancy_id": vid,
                "title": f"{g.pick(occ.titles)} - {place}",
                "text": " ".join(parts),
                "posted_date": posted.isoformat(),
                "location_raw": f"{place}, {C.REGIONS[region][2]}",
                "region": region,
                "sector": sector,
                "occupation": occ.uri,
                "language": "en",
            }
        )
        for key, text, span in sentences:
            truth.append(_truth("vacancy", vid, text, span, g.skills[key].uri))
    vac = pd.DataFrame(rows)
    _plant_rare(g, vac, truth)
    return vac, truth


def _plant_rare(g: _Gen, vac: pd.DataFrame, truth: list[dict[str, Any]]) -> None:
    """Name the rare skill in exactly RARE_SKILL[2] ads of its occupation."""
    key, occ_key, count = C.RARE_SKILL
    occ_uri = g.occupations[occ_key].uri
    candidates = vac.index[vac["occupation"] == occ_uri].to_numpy()
    for idx in sorted(g.rng.choice(candidates, size=count, replace=False)):
        text, span = g.sentence(key, C.VERB_TEMPLATES, C.NOUN_TEMPLATES)
        vac.loc[idx, "text"] = vac.loc[idx, "text"] + " " + text
        truth.append(_truth("vacancy", vac.loc[idx, "vacancy_id"], text, span, g.skills[key].uri))


def _truth(doc_type: str, doc_id: str, sentence: str, span: str, uri: str) -> dict[str, Any]:
    return {
        "doc_type": doc_type,
        "doc_id": doc_id,
        "sentence": sentence,
        "span": span,
        "skill_uri": uri,
        "score": 1.0,
        "method": "gold",
        "taxonomy_version": TAXONOMY_VERSION,
        "model_id": TRUTH_MODEL_ID,
        "field": "text" if doc_type == "vacancy" else "learning_outcomes",
        # gold: the document was written to state this skill
        "match_score": 1.0,
        "requirement": 1.0,
        "context": 1.0,
    }


def _credentials(g: _Gen) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    creds: list[dict[str, Any]] = []
    truth: list[dict[str, Any]] = []
    n = 0
    for theme in C.THEMES:
        offset = int(g.rng.integers(len(C.PROVIDERS)))
        for j in range(theme.providers):
            provider, country = C.PROVIDERS[(offset + 3 * j) % len(C.PROVIDERS)]
            n += 1
            cid = f"demo-mc{n:03d}"
            outcomes = []
            for key in theme.skills:
                text, span = g.sentence(key, C.LO_VERB_TEMPLATES, C.LO_NOUN_TEMPLATES)
                outcomes.append(text)
                truth.append(_truth("credential", cid, text, span, g.skills[key].uri))
            outcomes.append(g.pick(C.LO_GENERIC))
            issued = date(2022, 9, 1) + timedelta(days=int(g.rng.integers(0, 700)))
            ects = theme.ects + float(g.pick([-1.0, 0.0, 0.0, 1.0]))
            record: dict[str, Any] = {
                "credential_id": cid,
                "title": theme.title if j == 0 else f"{theme.title} ({country})",
                "provider": provider,
                "country": country,
                "issue_date": issued.isoformat(),
                "learning_outcomes": outcomes,
                "workload_ects": max(ects, 1.0),
                "workload_hours": max(ects, 1.0) * 25,
                "eqf_level": theme.eqf,
                "assessment_type": g.pick(C.ASSESSMENTS),
                "participation_form": g.pick(C.PARTICIPATION),
                "quality_assurance": g.pick(C.QUALITY),
                "language": "en",
            }
            if n % 3 == 0:  # like an ELM catalogue that links its outcomes to ESCO itself
                record["esco_skills"] = [g.skills[k].uri for k in theme.skills]
            # some records are incomplete on purpose (the completeness table must notice)
            if n % 7 == 0:
                record["quality_assurance"] = None
            if n % 9 == 0:
                record["eqf_level"] = None
                record["assessment_type"] = None
            if n % 11 == 0:
                record["workload_ects"] = None
                record["workload_hours"] = None
            if n == 13:
                record["eqf_level"] = 9  # out of range: 'invalid', not 'present'
            creds.append(record)
    return creds, truth


def _planted(creds: list[dict[str, Any]], seed: int, n_vacancies: int) -> dict[str, Any]:
    sk = {s.key: s for s in C.SKILLS}

    def ids(theme_title: str) -> list[str]:
        return [c["credential_id"] for c in creds if c["title"].startswith(theme_title)]

    cobol = next(t for t in C.THEMES if t.key == "cobol")
    data = next(t for t in C.THEMES if t.key == "data_sql")
    develop = ["heat_pump", "pv_install", "energy_buildings"]
    covered = ["insulation", "welding", "first_aid", "sql", "cloud", "machine_maintenance"]
    return {
        "description": "Signals planted in the demo data; see PLANTED.md.",
        "seed": seed,
        "n_vacancies": n_vacancies,
        "develop": [
            {
                "skill_uri": sk[k].uri,
                "label": sk[k].label,
                "scopes": ["region=NL33", "sector=F;region=NL33"],
                "trend_scope": "sector=F;region=NL33",
                "trend": ["emerging", "new"],
            }
            for k in develop
        ],
        "proposal": {
            "skill_uris": [sk[k].uri for k in develop],
            "regions": ["NL33"],
            "sectors": ["F"],
        },
        "declining_skill": [
            {"credential_id": cid, "skill_uri": sk[k].uri, "label": sk[k].label}
            for cid in ids(cobol.title)
            for k in cobol.skills
        ],
        "update": [
            {
                "skill_uri": sk["python"].uri,
                "label": sk["python"].label,
                "scopes": ["sector=J"],
                "credential_ids": ids(data.title),
                "digital": True,
            }
        ],
        "covered": [
            {"skill_uri": sk[k].uri, "label": sk[k].label, "scope": "all"} for k in covered
        ],
        "insufficient_evidence": [
            {
                "skill_uri": sk[C.RARE_SKILL[0]].uri,
                "label": sk[C.RARE_SKILL[0]].label,
                "scope": "all",
                "n_vacancies": C.RARE_SKILL[2],
            }
        ],
    }


def generate(
    out_dir: Path, *, seed: int = DEFAULT_SEED, n_vacancies: int = DEFAULT_VACANCIES
) -> dict[str, Path]:
    """Write the demo files into ``out_dir``; return their paths by name."""
    out_dir = Path(out_dir)
    g = _Gen(seed)
    vac, vac_truth = _vacancies(g, n_vacancies)
    creds, cred_truth = _credentials(g)
    truth = pd.DataFrame(vac_truth + cred_truth)
    planted = _planted(creds, seed, n_vacancies)
    paths = {
        "vacancies": out_dir / "vacancies.csv",
        "credentials": out_dir / "credentials.jsonl",
        "truth_mentions": out_dir / "truth_mentions.parquet",
        "planted": out_dir / "planted.json",
    }
    _atomic_write(paths["vacancies"], lambda p: vac.to_csv(p, index=False))

    def write_jsonl(p: Path) -> None:
        with p.open("w", encoding="utf-8") as fh:
            for rec in creds:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")

    _atomic_write(paths["credentials"], write_jsonl)
    _atomic_write(paths["truth_mentions"], lambda p: truth.to_parquet(p, index=False))
    _atomic_write(
        paths["planted"],
        lambda p: p.write_text(json.dumps(planted, indent=2, ensure_ascii=False) + "\n"),
    )
    return paths
