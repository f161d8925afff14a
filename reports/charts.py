"""Charts as inline SVG strings, drawn with matplotlib.

Why SVG text inlined into the page: the report must work when e-mailed or opened offline,
so nothing may be fetched; vector output stays sharp when printed; with
``svg.fonttype = "none"`` labels stay real text (searchable, readable by screen readers,
and far smaller than glyph outlines). A fixed ``svg.hashsalt`` and no date metadata keep
the bytes identical across runs, so the same analysis gives the same report.

Each function returns ``None`` when there is nothing honest to draw; the template then
prints a sentence saying why instead of an empty frame.
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

# Okabe & Ito (2008) palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",
)
CLASS_STYLE: dict[str, tuple[str, str]] = {
    # classification -> (colour, scatter marker); the marker repeats the colour's message
    "develop": ("#D55E00", "o"),
    "update": ("#0072B2", "s"),
    "covered": ("#009E73", "^"),
    "monitor": ("#E69F00", "D"),
    "insufficient_evidence": ("#999999", "x"),
}
CLASS_LABEL: dict[str, str] = {
    "develop": "develop new credential",
    "update": "update a credential",
    "covered": "covered",
    "monitor": "monitor (weak demand)",
    "insufficient_evidence": "insufficient evidence",
    "reported_apart": "transversal or language skill (reported apart)",
}
_LINESTYLES = ("-", "--", "-.", ":")
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "skillgap-report",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
}


def _short(label: object, width: int = 42) -> str:
    return textwrap.shorten(str(label), width=width, placeholder="…")


def _to_svg(fig: Any, prefix: str, title: str) -> str:
    """Serialise ``fig`` and make it safe to inline next to other charts.

    matplotlib numbers its element ids per file, so two inlined charts would both own
    ``id="patch_1"``; prefixing every id (and the references to it) keeps the page valid.
    """
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', svg)
    esc = title.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{esc}" ', 1)


def _figure(width: float, height: float) -> Any:
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        return Figure(figsize=(width, height), dpi=100, layout="constrained")


def top_gaps_bar(rows: Sequence[dict[str, Any]], *, limit: int = 15) -> str | None:
    """Horizontal bars of the largest gap scores, coloured and hatched by classification."""
    import matplotlib

    items = [
        r
        for r in rows
        if r.get("gap_score") is not None and r.get("classification") != "insufficient_evidence"
    ]
    items = sorted(items, key=lambda r: (-r["gap_score"], str(r["label"])))[:limit]
    if not items:
        return None
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 0.32 * len(items) + 1.2)
        ax = fig.add_subplot()
        y = np.arange(len(items))[::-1]
        hatches = {"develop": "", "update": "///", "covered": "...", "monitor": "xx"}
        seen: set[str] = set()
        for yi, r in zip(y, items, strict=True):
            cls = str(r.get("classification"))
            colour = CLASS_STYLE.get(cls, ("#777777", "o"))[0]
            ax.barh(
                yi,
                r["gap_score"],
                color=colour,
                hatch=hatches.get(cls, ""),
                edgecolor="white",
                label=CLASS_LABEL.get(cls, cls) if cls not in seen else None,
            )
            seen.add(cls)
            ax.text(r["gap_score"] + 0.01, yi, f"{r['gap_score']:.2f}", va="center", fontsize=8)
        ax.set_yticks(y, [_short(r["label"]) for r in items])
        ax.set_xlim(0, 1.08)
        ax.set_xlabel("gap score (0 = no gap, 1 = largest)")
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        return _to_svg(fig, "topgaps", "Bar chart of the skills with the largest gap scores")


SCATTER_MAX_POINTS = 1500


def demand_coverage_scatter(
    rows: Sequence[dict[str, Any]], *, annotate: int = 6, max_points: int = SCATTER_MAX_POINTS
) -> str | None:
    """Demand share (x) against best coverage score (y): the gaps sit bottom right.

    Every SVG marker is a few hundred bytes, so a run with tens of thousands of skills
    would make a multi-megabyte page; beyond ``max_points`` the uncovered skills are all
    kept and the covered ones thinned to the most demanded (the caption says so).
    """
    import matplotlib

    items = [r for r in rows if r.get("share") is not None]
    if not items:
        return None
    if len(items) > max_points:
        keep = [r for r in items if r.get("classification") != "covered"]
        rest = sorted(
            (r for r in items if r.get("classification") == "covered"),
            key=lambda r: -r["share"],
        )
        items = (keep + rest)[: max(max_points, len(keep))]
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 4.4)
        ax = fig.add_subplot()
        for cls, (colour, marker) in CLASS_STYLE.items():
            pts = [r for r in items if r.get("classification") == cls]
            if not pts:
                continue
            ax.scatter(
                [100 * r["share"] for r in pts],
                [r.get("best_coverage_score") or 0.0 for r in pts],
                c=colour,
                marker=marker,
                s=28,
                alpha=0.85,
                label=CLASS_LABEL[cls],
            )
        top = sorted(
            (
                r
                for r in items
                if (r.get("gap_score") or 0) > 0 and r.get("classification") != "covered"
            ),
            key=lambda r: (-r["gap_score"], str(r["label"])),
        )[:annotate]
        # Labels of nearby points would overprint each other; stagger them upwards in
        # order of x and tie each to its point with a thin leader line.
        top.sort(key=lambda r: r["share"])
        for i, r in enumerate(top):
            ax.annotate(
                _short(r["label"], 28),
                (100 * r["share"], r.get("best_coverage_score") or 0.0),
                xytext=(6, 10 + 13 * i),
                textcoords="offset points",
                fontsize=7.5,
                arrowprops={"arrowstyle": "-", "color": "#888888", "lw": 0.6},
            )
        ax.set_xlabel("share of vacancies mentioning the skill (%)")
        ax.set_ylabel("best coverage score of a credential")
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlim(left=0)
        # outside the axes: points at full coverage sit exactly where a legend would go
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        return _to_svg(fig, "scatter", "Scatter plot of skill demand against credential coverage")


def trend_lines(
    series: dict[str, list[tuple[str, list[tuple[str, float, bool]]]]],
) -> str | None:
    """Small multiples of share over periods, one panel per group (emerging, declining).

    ``series`` maps a panel title to ``[(skill label, [(period, share, sufficient), ...])]``.
    Lines differ by colour *and* dash pattern so they stay apart in greyscale print;
    periods below the minimum-evidence rule get hollow markers (drawn, but marked thin).
    """
    import matplotlib

    panels = [
        (t, [(lab, pts) for lab, pts in lines if len(pts) >= 2]) for t, lines in series.items()
    ]
    panels = [(t, lines) for t, lines in panels if lines]
    if not panels:
        return None
    periods = sorted({p for _, lines in panels for _, pts in lines for p, _, _ in pts})
    pos = {p: i for i, p in enumerate(periods)}
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 3.4)
        axes = fig.subplots(1, len(panels), sharey=True, squeeze=False)[0]
        for ax, (title, lines) in zip(axes, panels, strict=True):
            for i, (label, pts) in enumerate(lines):
                pts = sorted(pts)
                colour = OKABE_ITO[i % len(OKABE_ITO)]
                xs = [pos[p] for p, _, _ in pts]
                ys = [100 * v for _, v, _ in pts]
                ax.plot(
                    xs,
                    ys,
                    color=colour,
                    linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                    label=_short(label, 30),
                )
                for x, y, (_, _, ok) in zip(xs, ys, pts, strict=True):
                    ax.plot(
                        [x],
                        [y],
                        marker="o",
                        markersize=4,
                        color=colour,
                        markerfacecolor=colour if ok else "white",
                    )
            ax.set_title(title)
            step = max(1, len(periods) // 6)
            ticks = list(range(0, len(periods), step))
            ax.set_xticks(ticks, [periods[i] for i in ticks], rotation=30, ha="right")
            ax.set_ylabel("share of vacancies (%)")
            ax.set_ylim(bottom=0)
            ax.legend(loc="upper left", frameon=False, fontsize=7)
        return _to_svg(
            fig, "trends", "Line charts of demand over time for emerging and declining skills"
        )


def heatmap(
    rows: Sequence[str],
    cols: Sequence[str],
    values: dict[tuple[str, str], float],
    *,
    value_label: str,
) -> str | None:
    """A rows x cols heatmap; cells without a value are drawn hatched and marked "n/a".

    cividis is used because it is perceptually uniform and readable with red-green
    colour-vision deficiencies; every cell also prints its number, so colour is never the
    only carrier of the value.
    """
    import matplotlib

    if not rows or not cols or not values:
        return None
    grid = np.full((len(rows), len(cols)), np.nan)
    for (r, c), v in values.items():
        if r in rows and c in cols:
            grid[rows.index(r), cols.index(c)] = v
    with matplotlib.rc_context(_RC):
        fig = _figure(min(max(5.5, 1.5 + 0.8 * len(cols)), 9.0), max(2.6, 1.0 + 0.5 * len(rows)))
        ax = fig.add_subplot()
        ax.set_facecolor("#eeeeee")
        masked = np.ma.masked_invalid(grid)
        # scale to the data (at least 0.1) so small differences between cells stay visible;
        # the colour bar states the range and every cell prints its number
        top = float(np.nanmax(grid)) if np.isfinite(grid).any() else 1.0
        vmax = max(0.1, float(np.ceil(top * 10) / 10))
        im = ax.imshow(masked, cmap="cividis", vmin=0, vmax=vmax, aspect="auto")
        for i in range(len(rows)):
            for j in range(len(cols)):
                v = grid[i, j]
                if np.isnan(v):
                    ax.add_patch(
                        matplotlib.patches.Rectangle(
                            (j - 0.5, i - 0.5), 1, 1, fill=False, hatch="//", edgecolor="#bbbbbb"
                        )
                    )
                    ax.text(j, i, "n/a", ha="center", va="center", fontsize=7.5, color="#333333")
                else:
                    ax.text(
                        j,
                        i,
                        f"{v:.2f}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white" if v < 0.55 * vmax else "black",
                    )
        ax.set_xticks(range(len(cols)), list(cols), rotation=30, ha="right")
        ax.set_yticks(range(len(rows)), list(rows))
        ax.set_xlabel("region")
        ax.set_ylabel("sector")
        for side in ("top", "right", "left", "bottom"):
            ax.spines[side].set_visible(False)
        fig.colorbar(im, ax=ax, label=value_label, shrink=0.9)
        return _to_svg(fig, "heatmap", "Heatmap of gap scores by sector and region")
