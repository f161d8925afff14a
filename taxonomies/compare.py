"""Measure how closely one taxonomy matches another (the built-in against the official).

Used by the test and the benchmark that report the built-in default's quality, and handy
when comparing two ESCO versions. Everything is computed on the skills both share, by URI;
hierarchy groups are compared by ESCO code, since the built-in's non-ISCED group URIs are
synthetic.
"""

from __future__ import annotations

from typing import Any

from skillgap.taxonomies.model import Taxonomy, normalise_label


def _group_codes(tax: Taxonomy) -> dict[str, frozenset[str]]:
    code = dict(zip(tax.groups["uri"], tax.groups["code"], strict=True))
    out: dict[str, set[str]] = {}
    sg = tax.tables["skill_groups"]
    for s, g in zip(sg["skill_uri"], sg["group_uri"], strict=True):
        out.setdefault(s, set()).add(str(code.get(g, g)))
    return {k: frozenset(v) for k, v in out.items()}


def compare_taxonomies(candidate: Taxonomy, reference: Taxonomy) -> dict[str, Any]:
    """Coverage and agreement figures of ``candidate`` measured against ``reference``."""
    cand = {r["uri"]: r for r in candidate.skills.to_dict("records")}
    ref = {r["uri"]: r for r in reference.skills.to_dict("records")}
    common = sorted(set(cand) & set(ref))
    n = len(common) or 1

    pref_exact = sum(cand[u]["preferred_label"] == ref[u]["preferred_label"] for u in common)
    pref_norm = sum(
        normalise_label(cand[u]["preferred_label"]) == normalise_label(ref[u]["preferred_label"])
        for u in common
    )
    tp = fp = fn = 0
    for u in common:
        c = {normalise_label(x) for x in [cand[u]["preferred_label"], *cand[u]["alt_labels"]]}
        r = {normalise_label(x) for x in [ref[u]["preferred_label"], *ref[u]["alt_labels"]]}
        tp += len(c & r)
        fp += len(c - r)
        fn += len(r - c)

    def ws(text: Any) -> str:
        return " ".join(str(text or "").split())

    desc_exact = sum(ws(cand[u]["description"]) == ws(ref[u]["description"]) for u in common)
    desc_present = sum(bool(ws(cand[u]["description"])) for u in common)
    typed = [u for u in common if cand[u]["skill_type"] and ref[u]["skill_type"]]
    type_agree = sum(cand[u]["skill_type"] == ref[u]["skill_type"] for u in typed)

    cg, rg = _group_codes(candidate), _group_codes(reference)
    grouped = [u for u in common if cg.get(u) and rg.get(u)]
    group_equal = sum(cg[u] == rg[u] for u in grouped)
    group_overlap = sum(bool(cg[u] & rg[u]) for u in grouped)

    def top(codes: frozenset[str]) -> frozenset[str]:
        # Level-1 code: "S4" of "S4.8.1", "T4" of "T4.4", ISCED broad field "06" of "0613".
        return frozenset(c.split(".")[0] if not c.isdigit() else c[:2] for c in codes)

    group_top_equal = sum(top(cg[u]) == top(rg[u]) for u in grouped)

    def ratio(a: int, b: int) -> float:
        return round(a / b, 4) if b else 0.0

    return {
        "reference_skills": len(ref),
        "candidate_skills": len(cand),
        "covered": len(common),
        "coverage": ratio(len(common), len(ref)),
        "extra_in_candidate": len(set(cand) - set(ref)),
        "preferred_label_exact": ratio(pref_exact, n),
        "preferred_label_normalised": ratio(pref_norm, n),
        "label_precision": ratio(tp, tp + fp),
        "label_recall": ratio(tp, tp + fn),
        "description_present": ratio(desc_present, n),
        "description_exact": ratio(desc_exact, n),
        "skill_type_agreement": ratio(type_agree, len(typed)),
        "skills_with_groups": ratio(sum(bool(cg.get(u)) for u in common), n),
        "group_set_equal": ratio(group_equal, len(grouped)),
        "group_overlap": ratio(group_overlap, len(grouped)),
        "group_level1_equal": ratio(group_top_equal, len(grouped)),
    }
