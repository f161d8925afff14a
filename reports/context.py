"""Turn prepared analysis tables into the plain data a report template needs.

HTML and Markdown render the same context, so the wording of a finding and the choice of
what counts as a headline live here once. Everything in the context is already a plain
Python value (no NaN, no numpy), which keeps the templates free of data logic.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import pandas as pd
from markupsafe import Markup, escape

from skillgap.reports import charts
from skillgap.reports.views import (
    Prepared,
    Scope,
    as_list,
    demand_cells,
    narrow,
    parse_scope,
    plain,
    records,
    scope_key,
    scope_title,
)
from skillgap.schemas import EU_STANDARD_ELEMENTS

ELEMENT_NAMES: dict[str, str] = {
    "learner_identification": "Learner identification",
    "title": "Title",
    "country": "Country / region of issuer",
    "awarding_body": "Awarding body",
    "date_of_issuing": "Date of issuing",
    "learning_outcomes": "Learning outcomes",
    "notional_workload": "Notional workload (ECTS)",
    "eqf_level": "EQF level",
    "assessment_type": "Type of assessment",
    "participation_form": "Form of participation",
    "quality_assurance": "Quality assurance",
}
ELEMENT_SYMBOL: dict[str, str] = {
    "present": "✓",
    "missing": "✗",
    "invalid": "!",
    "not_applicable": "n/a",
}
TOP_GAPS = 25
TOP_FINDINGS = 3
EVIDENCE_SKILLS = 10
EVIDENCE_PER_SKILL = 3
TREND_LINES = 4


# --- formatting helpers (also registered as template filters) -------------------------------


def pct(value: object, digits: int = 1) -> str:
    """A 0..1 share as a percentage; a dash when there is no number."""
    v = plain(value)
    return "–" if v is None else f"{100 * float(v):.{digits}f} %"


def num(value: object) -> str:
    """Integers with thin thousands separators; a dash when missing."""
    v = plain(value)
    if v is None:
        return "–"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:,.2f}".replace(",", " ")
    return f"{int(v):,}".replace(",", " ")


def score(value: object) -> str:
    v = plain(value)
    return "–" if v is None else f"{float(v):.2f}"


def growth(value: object, status: object = None) -> str:
    """Growth ratio as "×2.4"; a skill absent in the first period has no finite ratio."""
    v = plain(value)
    if v is None:
        return "new" if status == "new" else "–"
    return f"×{float(v):.1f}"


def pvalue(value: object) -> str:
    """p-values as a reader expects them: "< 0.001" rather than 1.2e-06."""
    v = plain(value)
    if v is None:
        return "–"
    return "< 0.001" if float(v) < 0.001 else f"{float(v):.3f}"


def highlight(snippet: object, matched: object) -> Markup:
    """The snippet with the matched phrase wrapped in ``<mark>``; everything else escaped.

    The search runs on the raw text and each piece is escaped separately, so a snippet
    such as ``<script>`` is shown as text and the highlight can never split an entity.
    The match is case-insensitive because the matcher may have lower-cased the phrase.
    """
    text = "" if plain(snippet) is None else str(snippet)
    phrase = "" if plain(matched) is None else str(matched).strip()
    if phrase:
        m = re.search(re.escape(phrase), text, flags=re.IGNORECASE)
        if m:
            return (
                escape(text[: m.start()])
                + Markup("<mark>")
                + escape(m.group(0))
                + Markup("</mark>")
                + escape(text[m.end() :])
            )
    return escape(text)


def flag_list(row: Mapping[str, Any]) -> list[str]:
    return [f for f in ("green", "digital", "transversal") if row.get(f)]


# --- sections ---------------------------------------------------------------------------------


def _cred_titles(tables: Mapping[str, pd.DataFrame]) -> dict[str, str]:
    titles: dict[str, str] = {}
    cc = tables["credential_completeness"]
    for cid, title in zip(cc["credential_id"], cc["title"], strict=True):
        if plain(cid) is not None and plain(title) is not None:
            titles[str(cid)] = str(title)
    cov = tables["coverage"]
    for cid, title in zip(cov["credential_id"], cov["credential_title"], strict=True):
        if plain(cid) is not None and plain(title) is not None:
            titles.setdefault(str(cid), str(title))
    return titles


def _finding(row: dict[str, Any], titles: Mapping[str, str]) -> str:
    """One plain-language sentence about a gap row.

    The analysis writes a rationale with the counts behind each verdict; it leads, and
    the report only adds the action in words and the credential's title (the rationale
    names credentials by id). Without a rationale the sentence is built from the numbers.
    """
    if row.get("classification") == "update":
        cid = row.get("update_credential_id") or row.get("best_credential_id")
        name = titles.get(str(cid), str(cid)) if cid else "an existing credential"
        head = f"Update “{name}” to cover {row['label']}"
    else:
        head = f"Develop a credential for {row['label']}"
    rationale = row.get("rationale")
    if rationale:
        return f"{head}. {str(rationale).strip().rstrip('.')}."
    bits = [f"mentioned in {pct(row.get('share'))} of vacancies"]
    if row.get("trend_status") in ("emerging", "new"):
        g = growth(row.get("growth"), row.get("trend_status"))
        bits.append("new in the latest period" if g == "new" else f"demand grew {g}")
    elif row.get("trend_status") == "declining":
        bits.append("demand is declining")
    if row.get("classification") == "develop":
        n = row.get("n_credentials") or 0
        bits.append("no credential in the catalogue covers it" if not n else "coverage is weak")
    return f"{head}: {', '.join(bits)}."


TrendPoint = tuple[str, float, bool]


def _trend_series(
    demand: pd.DataFrame, trends: list[dict[str, Any]], scope: Scope
) -> tuple[
    dict[str, list[tuple[str, list[TrendPoint]]]], list[dict[str, Any]], list[dict[str, Any]]
]:
    """Share per period for the fastest-rising and fastest-falling skills of a scope.

    The analysis only stores (cell, skill) rows with at least one mention, so a period
    that has vacancies but no row for the skill is a measured zero, not a gap in the data;
    it is filled in. Each point carries its ``sufficient`` flag so the chart can draw thin
    evidence differently instead of hiding it.
    """
    rising = [t for t in trends if t.get("status") in ("emerging", "new")]
    rising.sort(key=lambda t: (t.get("status") != "new", -(t.get("growth") or 0), str(t["label"])))
    falling = [t for t in trends if t.get("status") == "declining"]
    falling.sort(
        key=lambda t: (t.get("growth") if t.get("growth") is not None else 1, str(t["label"]))
    )
    rising, falling = rising[:TREND_LINES], falling[:TREND_LINES]
    cells = demand_cells(demand, scope, ["period"])
    periods = sorted({str(plain(p)) for p in cells["period"] if plain(p) is not None})
    wanted = {t["skill_uri"] for t in rising + falling}
    by_uri: dict[str, dict[str, TrendPoint]] = defaultdict(dict)
    for uri, period, share, ok in zip(
        cells["skill_uri"], cells["period"], cells["share"], cells["sufficient"], strict=True
    ):
        if uri in wanted and plain(share) is not None and plain(period) is not None:
            p = str(plain(period))
            by_uri[uri][p] = (p, float(share), bool(plain(ok)))

    def line(uri: str) -> list[TrendPoint]:
        pts = by_uri.get(uri, {})
        return [pts.get(p, (p, 0.0, False)) for p in periods] if pts else []

    series = {
        "Emerging": [(t["label"], line(t["skill_uri"])) for t in rising],
        "Declining": [(t["label"], line(t["skill_uri"])) for t in falling],
    }
    return {k: v for k, v in series.items() if v}, rising, falling


def _heatmap(
    tables: Mapping[str, pd.DataFrame], scope: Scope, draw: bool = True
) -> tuple[str | None, str]:
    """Mean gap score of classified skills per sector x region scope of the gaps table."""
    gaps = tables["gaps"]
    values: dict[tuple[str, str], list[float]] = defaultdict(list)
    parsed = {s: parse_scope(s) for s in gaps["scope"].dropna().unique()}
    for s, cls, gs in zip(gaps["scope"], gaps["classification"], gaps["gap_score"], strict=True):
        sc = parsed.get(s, {})
        if set(sc) != {"sector", "region"}:
            continue
        if any(sc.get(k) != v for k, v in scope.items()):
            continue
        key = (sc["sector"], sc["region"])
        values.setdefault(key, [])
        if cls != "insufficient_evidence" and plain(gs) is not None:
            values[key].append(float(gs))
    if not values:
        return None, (
            "The analysis computed no gap scores per sector × region cell, so there is no "
            "heatmap; add “sector+region” to the analysis breakdowns to get one."
        )
    rows = sorted({k[0] for k in values})
    cols = sorted({k[1] for k in values})
    means = {k: sum(v) / len(v) for k, v in values.items() if v}
    if not means:
        return None, (
            "No sector × region cell had enough data to classify any skill, so there is no "
            "heatmap of gap scores."
        )
    note = "Each cell is the mean gap score of the skills classified in that sector and region."
    na = _na_cells(rows, cols, means, values)
    if na:
        note += " Cells marked n/a have no classified skill: " + "; ".join(na) + "."
    svg = charts.heatmap(rows, cols, means, value_label="mean gap score") if draw else None
    return svg, note


def _na_cells(
    rows: list[str],
    cols: list[str],
    means: Mapping[tuple[str, str], float],
    values: Mapping[tuple[str, str], list[float]],
) -> list[str]:
    """Words for every grid cell the heatmap draws as n/a, and why, row by row.

    The chart draws the full sector x region grid, so a cell is n/a both when the analysis
    had the cell but too little data to classify a skill, and when the pair never occurs
    in the data; the caption must name all of them, not only the first kind.
    """
    out: list[str] = []
    for why, cells in (
        ("too little evidence to classify a skill", {k for k, v in values.items() if not v}),
        (
            "no analysis cell (no or too few vacancies)",
            {(r, c) for r in rows for c in cols if (r, c) not in values},
        ),
    ):
        parts: list[str] = []
        for r in rows:
            mine = [c for c in cols if (r, c) in cells and (r, c) not in means]
            if not mine:
                continue
            if len(mine) == len(cols) and len(cols) > 1:
                parts.append(f"{r} in every region")
            else:
                parts += [f"{r} × {c}" for c in mine]
        if parts:
            out.append(f"{why} for {', '.join(parts)}")
    return out


def _where(item: Mapping[str, Any]) -> str:
    """Words for the cell of an ``insufficient`` item: "sector J, region ES51"."""
    cell = item.get("scope") or item.get("cell")
    breakdown = item.get("breakdown")
    if isinstance(cell, Mapping):
        cell = scope_key({str(k): str(v) for k, v in cell.items() if v is not None})
    if cell in (None, "", "all"):
        if breakdown in (None, "", "all"):
            return "All vacancies"
        return f"The {str(breakdown).replace('+', ' × ')} breakdown"
    title = scope_title(parse_scope(cell))
    return title[:1].upper() + title[1:]


def _insufficient_sentences(meta: Mapping[str, Any]) -> list[str]:
    """One sentence per breakdown cell or scope the analysis marked as too thin."""
    out: list[str] = []
    for item in meta.get("insufficient") or []:
        if not isinstance(item, Mapping):
            item = {"cell": str(item)}
        text = f"{_where(item)}: too little data"
        n, reason = item.get("n_vacancies"), item.get("reason")
        details = [] if n is None else [f"{num(n)} vacancies"]
        if reason:
            details.append(str(reason))
        if details:
            text += f" ({'; '.join(details)})"
        out.append(text + ", so no figures are shown for it.")
    return out


def _insufficient_scopes(meta: Mapping[str, Any]) -> set[str]:
    keys = set()
    for item in meta.get("insufficient") or []:
        cell = item if isinstance(item, str) else None
        if isinstance(item, Mapping):
            cell = item.get("scope") or item.get("cell")
        if isinstance(cell, str) and cell != "all":
            keys.add(scope_key(parse_scope(cell)))
    return keys


def _flatten(d: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Nested settings as ``("a.b", "value")`` pairs for a two-column table."""
    if isinstance(d, Mapping):
        out: list[tuple[str, str]] = []
        for k, v in d.items():
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    v = plain(d)
    if isinstance(v, list):
        v = ", ".join(str(x) for x in v)
    return [(prefix, "–" if v is None else str(v))]


def _find_text(params: Mapping[str, Any], *needles: str) -> str | None:
    for key, value in params.items():
        if isinstance(value, str) and all(n in key.lower() for n in needles):
            return value
    return None


def _extraction(run_meta: Mapping[str, Any], meta: Mapping[str, Any]) -> dict[str, Any]:
    """How skills were read from the documents, in plain words, from what the run recorded
    (``run_meta["mapping"]["method"]``, see ``nlp.documents.method_notes``)."""
    mapping = run_meta.get("mapping") if isinstance(run_meta.get("mapping"), Mapping) else {}
    method = mapping.get("method") if isinstance(mapping.get("method"), Mapping) else {}
    paragraphs = []
    if method.get("requirement_model"):
        paragraphs.append(
            "Requirement detection: every sentence of an ad gets a probability that it states "
            "what the candidate must know or do, from a model learnt on job postings whose "
            "skill and knowledge phrases were marked by hand (SkillSpan). It reads the "
            "sentence together with the sentences before and after it, so salary lines, "
            "shift patterns, benefits, company descriptions and how-to-apply steps count for "
            "little. Sentences below a probability of "
            f"{method.get('requirement_floor')} are not matched at all."
        )
        paragraphs.append(
            "Context: a skill found in a sentence must also fit the ad. Its ESCO description "
            "is compared with the ad as a whole and with its title, and the requirement "
            "probability and this fit give the probability that the mention is a real "
            f"requirement of the ad; below {method.get('validity_threshold')} it is not "
            'counted. A word that only names the ad\'s own occupation ("Chef" in a kitchen '
            "job) is not read as a skill that ESCO does not relate to that occupation's "
            "family."
        )
    elif method:
        paragraphs.append(
            "Requirement detection was not available for this encoder ("
            f"{method.get('requirement_warning')}); a keyword filter of boilerplate phrases "
            "(salary, benefits, how to apply, equal opportunities) stood in for it."
        )
    if method:
        paragraphs.append(
            "Matching: each sentence is compared with every ESCO skill by its labels (exact, "
            "TF-IDF) and by meaning (a sentence encoder), and the views are fused into a "
            f"probability; a skill counts when it reaches {method.get('match_threshold')} "
            f"(at most {method.get('max_per_sentence')} skills per sentence). A mention's "
            "score is that probability times the probability that it is a requirement of the "
            "ad."
        )
    demand = _demand_paragraph(method, meta)
    if demand:
        paragraphs.append(demand)
    if meta.get("kind_rule"):
        paragraphs.append(f"Credential-worthiness: {meta['kind_rule']}")
    return {
        "paragraphs": paragraphs,
        "corrections": list(method.get("corrections") or []),
        "corrections_file": method.get("corrections_file"),
        "credentials_silent": meta.get("credentials_without_skills"),
        "credentials_silent_examples": list(meta.get("credentials_without_skills_examples") or []),
        "vacancies_silent": meta.get("vacancies_without_skills"),
    }


def _demand_paragraph(method: Mapping[str, Any], meta: Mapping[str, Any]) -> str | None:
    """Which mentions count as demand, and the judged precision that threshold stands on
    (``audit`` of the requirement model's entry: a person read a seeded sample)."""
    params = meta.get("params") if isinstance(meta.get("params"), Mapping) else {}
    threshold = params.get("min_mention_score")
    if threshold is None:
        return None
    text = f"Demand: a vacancy mention counts as demand when its score is at least {threshold}."
    audit = method.get("audit") if isinstance(method.get("audit"), Mapping) else {}
    if not audit or audit.get("threshold") is None:
        return text + " No judged audit is recorded for this encoder."
    judged = audit.get("judged_at_threshold")
    measured = (
        f"Of {judged} mentions at or above {audit['threshold']} drawn at random from "
        f"{audit.get('sample', 'real job ads')} and judged by reading them, "
        f"{audit.get('strict_precision', 0):.0%} named a skill the ad really asks for and "
        f"{audit.get('lenient_precision', 0):.0%} were right or partly right."
    )
    if abs(float(threshold) - float(audit["threshold"])) > 1e-9:
        return (
            f"{text} That is not the audited threshold ({audit['threshold']}), so the "
            f"precision below does not describe this run. {measured}"
        )
    return f"{text} {measured}"


def _methods(prepared: Prepared, run_meta: Mapping[str, Any]) -> dict[str, Any]:
    """The methods section: provenance, counts, rules and the formulas, as the run recorded them.

    The analysis keeps its formula and rule texts at the top level of ``meta``
    (``gap_formula``, ``trend_test``, ``*_rule``); older or hand-made analyses may keep
    them under ``params``, so both places are looked at.
    """
    meta = prepared.meta
    params = dict(meta.get("params") or {})
    taxonomy = {**(meta.get("taxonomy") or {}), **(run_meta.get("taxonomy") or {})}
    counts = dict(meta.get("counts") or {})
    quarantine = run_meta.get("quarantine") or counts.pop("quarantine", None) or {}
    counts.pop("quarantine", None)
    periods = meta.get("periods") or {}
    formula = meta.get("gap_formula") or _find_text(params, "formula")
    trend_test = meta.get("trend_test") or _find_text(params, "trend", "test")
    rules = [
        (key.removesuffix("_rule").replace("_", " ").capitalize(), str(value))
        for key, value in meta.items()
        if key.endswith("_rule") and isinstance(value, str)
    ]
    settings = {
        k: v for k, v in params.items() if not (isinstance(v, str) and v in (formula, trend_test))
    }
    settings.update(run_meta.get("thresholds") or {})
    inputs = []
    for item in run_meta.get("inputs") or []:
        if isinstance(item, Mapping):
            inputs.append(
                {
                    "kind": item.get("kind"),
                    "path": item.get("path"),
                    "checksum": item.get("sha256") or item.get("checksum"),
                    "profile": item.get("profile"),
                }
            )
    missing_parts = taxonomy.get("missing") or taxonomy.get("missing_parts") or []
    model = run_meta.get("model_id") or meta.get("model_id")
    sources = [
        ", ".join(f"{k}: {v}" for k, v in s.items()) if isinstance(s, Mapping) else str(s)
        for s in as_list(taxonomy.get("sources"))
    ]
    notes = [str(meta[k]) for k in ("hierarchy_missing",) if meta.get(k)]
    if meta.get("n_unknown_skill_uris"):
        notes.append(
            f"{num(meta['n_unknown_skill_uris'])} mapped skill URI(s) are not in this taxonomy "
            "snapshot and carry no labels or flags."
        )
    return {
        "taxonomy_version": taxonomy.get("version"),
        "snapshot_id": taxonomy.get("snapshot_id") or taxonomy.get("snapshot"),
        "taxonomy_sources": sources,
        "taxonomy_missing": [str(m) for m in as_list(missing_parts)],
        "model_id": ", ".join(map(str, model)) if isinstance(model, list) else model,
        "periods_first": periods.get("first"),
        "periods_last": periods.get("last"),
        "periods": [str(p) for p in as_list(periods.get("list"))],
        "counts": [(k, num(v)) for k, v in counts.items() if not isinstance(v, Mapping)],
        "quarantine": sorted((str(k), num(v)) for k, v in dict(quarantine).items()),
        "thresholds": _flatten(settings),
        "gap_formula": formula,
        "trend_test": trend_test,
        "rules": rules,
        "notes": notes,
        "min_evidence": params.get("min_evidence"),
        "min_cell_size": params.get("min_cell_size"),
        "insufficient": _insufficient_sentences(meta),
        "inputs": inputs,
        "run_id": run_meta.get("run_id"),
        "started": run_meta.get("started"),
        "finished": run_meta.get("finished"),
        "code_version": run_meta.get("code_version"),
        "extraction": _extraction(run_meta, meta),
        "config": run_meta.get("config"),
        "stage_seconds": _flatten(run_meta.get("stage_seconds") or {}),
        "flags_missing": prepared.flags_missing,
    }


def _completeness(cc: pd.DataFrame) -> dict[str, Any]:
    rows = records(cc)
    summary = []
    for name in EU_STANDARD_ELEMENTS:
        col = f"elem_{name}"
        counts = {state: 0 for state in ELEMENT_SYMBOL}
        for r in rows:
            counts[str(r.get(col) or "missing")] = counts.get(str(r.get(col) or "missing"), 0) + 1
        summary.append({"name": name, "title": ELEMENT_NAMES[name], **counts})
    incomplete = [r for r in rows if (r.get("n_missing") or 0) + (r.get("n_invalid") or 0) > 0]
    incomplete.sort(
        key=lambda r: (
            -((r.get("n_missing") or 0) + (r.get("n_invalid") or 0)),
            str(r["credential_id"]),
        )
    )
    return {
        "n": len(rows),
        "n_complete": len(rows) - len(incomplete),
        "summary": summary,
        "incomplete": incomplete,
        "elements": [(n, ELEMENT_NAMES[n]) for n in EU_STANDARD_ELEMENTS],
    }


def build_context(
    prepared: Prepared,
    run_meta: Mapping[str, Any],
    scope: Scope | None = None,
    *,
    with_charts: bool = True,
) -> dict[str, Any]:
    """Everything one report (the whole run or one variant) shows, as plain values.

    ``with_charts=False`` skips matplotlib (the Markdown summary has no charts, and
    drawing them is most of the rendering time).
    """
    scope = dict(scope or {})
    tables = narrow(prepared.tables, scope)
    meta = prepared.meta
    titles = _cred_titles(prepared.tables)
    key = scope_key(scope)

    gaps = records(tables["gaps"])
    gaps.sort(
        key=lambda r: (r.get("gap_score") is None, -(r.get("gap_score") or 0), str(r.get("label")))
    )
    classified = [r for r in gaps if r.get("classification") != "insufficient_evidence"]
    # what a reader can act on; covered skills are counted in the headline, not charted, and
    # transversal / language skills have their own section
    open_gaps = [
        r for r in classified if r.get("classification") not in ("covered", "reported_apart")
    ]
    classified = [r for r in classified if r.get("classification") != "reported_apart"]
    by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in gaps:
        by_class[str(r.get("classification"))].append(r)

    headline_cells = demand_cells(prepared.tables["demand"], scope)
    n_vac_scope = None
    if len(headline_cells):
        n_vac_scope = plain(pd.to_numeric(headline_cells["n_vacancies"], errors="coerce").max())
    top_demand = records(headline_cells)
    top_demand = [r for r in top_demand if r.get("sufficient")]
    top_demand.sort(key=lambda r: (-(r.get("share") or 0), str(r.get("label"))))

    counts = meta.get("counts") or {}
    periods = meta.get("periods") or {}
    insufficient_scopes = _insufficient_scopes(meta)
    notices: list[str] = []
    if scope and key in insufficient_scopes:
        notices.append(
            f"There is too little data for {scope_title(scope)} to support headline figures; "
            "the analysis marked this scope as insufficient, so numbers below are sparse "
            "and should not be quoted."
        )
    if scope and not gaps:
        notices.append(
            f"The analysis produced no gap scores for {scope_title(scope)} (scope “{key}”); "
            "add this dimension to the analysis breakdowns for sector- or region-specific gaps."
        )

    trend_rows = records(tables["trends"])
    series, rising, falling = _trend_series(prepared.tables["demand"], trend_rows, scope)
    has_period_cells = bool(len(demand_cells(prepared.tables["demand"], scope, ["period"])))
    heat_svg, heat_note = _heatmap(prepared.tables, scope, with_charts)

    advice: dict[str, dict[str, Any]] = {}
    for r in records(tables["update_advice"]):
        cid = str(r["credential_id"])
        entry = advice.setdefault(
            cid,
            {
                "credential_id": cid,
                "title": r.get("credential_title") or titles.get(cid, cid),
                "provider": r.get("provider"),
                "add_skill": [],
                "declining_skill": [],
            },
        )
        entry.setdefault(str(r.get("kind")), []).append(r)
    advice_list = sorted(
        advice.values(),
        key=lambda a: (-len(a["add_skill"]) - len(a["declining_skill"]), str(a["title"])),
    )

    evidence_rows = records(tables["evidence"])
    ev_by_skill: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in evidence_rows:
        ev_by_skill[str(r["skill_uri"])].append(r)
    label_of = {r["skill_uri"]: r["label"] for r in gaps}
    label_of.update(
        {r["skill_uri"]: r["label"] for r in top_demand if r["skill_uri"] not in label_of}
    )
    # evidence backs the claims: open gaps first, then skills named in update advice;
    # only when there are none, the most demanded skills as examples of the data
    advised = [str(u) for u in tables["update_advice"]["skill_uri"]]
    order = list(dict.fromkeys(r["skill_uri"] for r in open_gaps))
    order += [u for u in dict.fromkeys(advised) if u not in order]
    order = [u for u in order if u in ev_by_skill]
    if not order:
        order = [r["skill_uri"] for r in top_demand if r["skill_uri"] in ev_by_skill]
        order += sorted(u for u in ev_by_skill if u not in order)
    evidence = []
    for uri in order[:EVIDENCE_SKILLS]:
        snippets = sorted(
            ev_by_skill[uri], key=lambda r: (-(r.get("score") or 0), str(r.get("vacancy_id")))
        )
        evidence.append(
            {
                "skill_uri": uri,
                "label": label_of.get(uri, uri),
                "snippets": [
                    {**s, "html": highlight(s.get("snippet"), s.get("matched"))}
                    for s in snippets[:EVIDENCE_PER_SKILL]
                ],
                "n_more": max(0, len(snippets) - EVIDENCE_PER_SKILL),
            }
        )

    apart = sorted(
        by_class["reported_apart"],
        key=lambda r: (-(r.get("n_mentioning") or 0), str(r.get("label"))),
    )

    proposals = records(tables["proposals"])
    proposals.sort(key=lambda p: (-(p.get("n_vacancies") or 0), str(p.get("proposal_id"))))

    rollup = records(tables["group_rollup"])
    rollup.sort(key=lambda r: (-(r.get("mean_gap_score") or 0), str(r.get("group_label"))))
    # ESCO files some groups twice (skill hierarchy and ISCED field) under one label; the
    # reader sees one row per label and numbers
    seen_groups: set[tuple[Any, ...]] = set()
    unique_rollup = []
    for r in rollup:
        key_g = tuple(r.get(c) for c in ("group_label", "n_skills", "n_develop", "n_update"))
        if key_g not in seen_groups:
            seen_groups.add(key_g)
            unique_rollup.append(r)
    rollup = unique_rollup

    scope_name = scope_title(scope)
    return {
        "scope": scope,
        "scope_key": key,
        "scope_title": scope_name,
        "is_variant": bool(scope),
        "title": "Skills gap report" + (f" — {scope_name}" if scope else ""),
        "run_id": run_meta.get("run_id"),
        "finished": run_meta.get("finished"),
        "headline": {
            "n_vacancies": n_vac_scope if scope else (counts.get("vacancies") or n_vac_scope),
            "n_credentials": counts.get("credentials"),
            "n_mentions": counts.get("mentions"),
            "period_first": periods.get("first"),
            "period_last": periods.get("last"),
            "n_skills": len(gaps),
            "n_develop": len(by_class["develop"]),
            "n_update": len(by_class["update"]),
            "n_covered": len(by_class["covered"]),
            "n_monitor": len(by_class["monitor"]),
            "n_insufficient": len(by_class["insufficient_evidence"]),
            "n_apart": len(by_class["reported_apart"]),
            "n_credentials_silent": meta.get("credentials_without_skills"),
            "n_vacancies_silent": meta.get("vacancies_without_skills"),
            "n_proposals": len(proposals),
            "n_advice": len(advice_list),
        },
        "findings_develop": [_finding(r, titles) for r in by_class["develop"][:TOP_FINDINGS]],
        "findings_update": [_finding(r, titles) for r in by_class["update"][:TOP_FINDINGS]],
        "notices": notices,
        "charts": {
            "top_gaps": charts.top_gaps_bar(open_gaps) if with_charts else None,
            "scatter": charts.demand_coverage_scatter(classified) if with_charts else None,
            "scatter_thinned": len(classified) > charts.SCATTER_MAX_POINTS,
            "trends": charts.trend_lines(series) if with_charts else None,
            "heatmap": heat_svg,
        },
        "heatmap_note": heat_note,
        "rising": rising,
        "falling": falling,
        "has_period_cells": has_period_cells,
        "period_breakdown": "+".join([*scope, "period"]),
        "top_gaps": open_gaps[:TOP_GAPS],
        "n_gaps_more": max(0, len(open_gaps) - TOP_GAPS),
        "top_demand": top_demand[:15],
        "rollup": [r for r in rollup if (r.get("n_develop") or 0) + (r.get("n_update") or 0) > 0][
            :10
        ],
        "apart": apart[:TOP_GAPS],
        "n_apart_more": max(0, len(apart) - TOP_GAPS),
        "proposals": proposals,
        "advice": advice_list,
        "evidence": evidence,
        "completeness": _completeness(tables["credential_completeness"]),
        "methods": _methods(prepared, run_meta),
        "credential_titles": titles,
    }
