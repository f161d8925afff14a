"""Render a report context to HTML (Jinja2 template) and to a short Markdown summary."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from skillgap.reports import context as ctx
from skillgap.reports.changes import changes_markdown
from skillgap.reports.charts import CLASS_LABEL


@lru_cache(maxsize=1)
def _env() -> Environment:
    """The Jinja environment: autoescaping on, undefined names fail loudly.

    StrictUndefined turns a typo in the template into an error in the tests instead of
    an empty cell in a partner's report.
    """
    env = Environment(
        loader=PackageLoader("skillgap.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pct=ctx.pct,
        num=ctx.num,
        score=ctx.score,
        growth=ctx.growth,
        pvalue=ctx.pvalue,
        flags=ctx.flag_list,
    )
    return env


@lru_cache(maxsize=1)
def _css() -> str:
    return (resources.files("skillgap.reports") / "templates" / "report.css").read_text("utf-8")


def render_html(context: dict[str, Any]) -> str:
    """The self-contained HTML page: CSS inlined, charts inline SVG, no scripts."""
    template = _env().get_template("report.html.j2")
    return template.render(
        **context,
        css=_css(),
        class_label=CLASS_LABEL,
        element_symbol=ctx.ELEMENT_SYMBOL,
        flags_available=not context["methods"]["flags_missing"],
    )


def _md(text: object) -> str:
    """Neutralise Markdown/HTML meta characters in a value placed in running text or tables."""
    s = "" if text is None else str(text)
    for a, b in (
        ("\\", "\\\\"),
        ("&", "&amp;"),
        ("|", "\\|"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ("*", "\\*"),
        ("_", "\\_"),
        ("`", "\\`"),
        ("[", "\\["),
        ("]", "\\]"),
    ):
        s = s.replace(a, b)
    return " ".join(s.split())


def _code(text: object) -> str:
    """``text`` as a Markdown code span: backticks cannot close it early, nothing is markup."""
    s = " ".join(("" if text is None else str(text)).replace("`", "'").split())
    return f"`{s}`"


def render_markdown(context: dict[str, Any], files: dict[str, str] | None = None) -> str:
    """A one-page Markdown summary: headline numbers, top findings, proposals, caveats.

    It is what a mailing list or a repository README shows; the HTML report carries the
    charts and the evidence.
    """
    h = context["headline"]
    m = context["methods"]
    lines = [f"# {_md(context['title'])}", ""]
    lines.append(
        f"Run {_code(context.get('run_id') or 'unnamed')}"
        + (f", finished {context['finished']}" if context.get("finished") else "")
        + "."
    )
    lines.append("")
    for n in context["notices"]:
        lines += [f"> **Note.** {_md(n)}", ""]
    window = f" from {h['period_first']} to {h['period_last']}" if h.get("period_first") else ""
    vac = (
        f"{ctx.num(h['n_vacancies'])} vacancies"
        if h.get("n_vacancies") is not None
        else "the vacancies"
    )
    cred = (
        f" against {ctx.num(h['n_credentials'])} credentials"
        if h.get("n_credentials") is not None
        else ""
    )
    lines.append(f"Analysed {vac}{window}{cred}.")
    lines.append("")
    counts = [h[k] for k in ("n_develop", "n_update", "n_covered", "n_insufficient", "n_proposals")]
    lines += [
        "| to develop a credential for | to add by updating | covered "
        "| too little evidence | proposals |",
        "|---:|---:|---:|---:|---:|",
        "| " + " | ".join(str(c) for c in counts) + " |",
        "",
        "## Develop",
        "",
    ]
    lines += [f"- {_md(f)}" for f in context["findings_develop"]] or [
        "No skill met the bar for a new credential."
    ]
    lines += ["", "## Update", ""]
    lines += [f"- {_md(f)}" for f in context["findings_update"]] or [
        "No existing credential needs updating on the evidence available."
    ]
    lines += ["", "## Top gaps", ""]
    if context["top_gaps"]:
        lines += ["| skill | verdict | gap score | share | trend |", "|---|---|---:|---:|---|"]
        for r in context["top_gaps"][:10]:
            verdict = CLASS_LABEL.get(r["classification"], r["classification"])
            trend = _md(r.get("trend_status") or "–")
            lines.append(
                f"| {_md(r['label'])} | {verdict} | {ctx.score(r['gap_score'])} "
                f"| {ctx.pct(r['share'])} | {trend} |"
            )
    else:
        lines.append("No gaps were found.")
    if context.get("apart"):
        lines += ["", "## Transversal competences, attitudes and language skills", ""]
        lines.append(
            "Demanded, counted, but not advice for a micro-credential (ESCO classes them as "
            "transversal or language skills):"
        )
        lines.append("")
        lines += [
            f"- {_md(r['label'])} ({_md(r.get('skill_kind') or '')}): "
            f"{ctx.num(r.get('n_mentioning'))} ads, {ctx.pct(r.get('share'))}"
            for r in context["apart"][:10]
        ]
    lines += changes_markdown(context.get("changes"), _md)
    lines += ["", "## Proposed credentials", ""]
    if context["proposals"]:
        for p in context["proposals"]:
            ects = (
                f", {ctx.num(p['ects_min'])}–{ctx.num(p['ects_max'])} ECTS"
                if p.get("ects_min") is not None
                else ""
            )
            eqf = f"EQF {p['eqf_level']}" if p.get("eqf_level") is not None else "EQF level not set"
            n = ctx.num(p.get("n_vacancies"))
            skills = _md("; ".join(str(x) for x in p["skill_labels"]))
            lines.append(f"- **{_md(p['working_title'])}** ({eqf}{ects}; {n} vacancies): {skills}")
    else:
        lines.append("No proposal for a new credential.")
    lines += ["", "## Data and caveats", ""]
    version = _md(m["taxonomy_version"] or "version unknown")
    lines.append(f"- Taxonomy: ESCO {version}; model {_code(m['model_id'] or 'unknown')}.")
    if m["insufficient"]:
        lines.append(
            f"- {len(m['insufficient'])} breakdown(s) had too little data and show no figures: "
            + "; ".join(_md(s.split(":")[0]) for s in m["insufficient"][:10])
            + ("; …" if len(m["insufficient"]) > 10 else "")
            + "."
        )
    if m["quarantine"]:
        lines.append(
            "- Quarantined input records: "
            + ", ".join(f"{_md(k)} {v}" for k, v in m["quarantine"])
            + "."
        )
    if m["flags_missing"]:
        lines.append(f"- Green/digital/transversal flags unavailable: {_md(m['flags_missing'])}.")
    if files:
        lines += ["", "## Files", ""]
        lines += [f"- {_md(k)}: {_code(v)}" for k, v in files.items()]
    return "\n".join(lines).rstrip() + "\n"
