"""What changed since the previous run: the comparison (gaps/changes.py) and its report
section and table (reports/changes.py), plus variants whose value has no data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from skillgap.errors import ConfigError
from skillgap.gaps.changes import CHANGES_COLUMNS, compare_runs
from skillgap.gaps.tables import GapAnalysis
from skillgap.reports import write_reports
from tests.test_reports_fixtures import build_analysis, run_meta


def _gaps(rows: list[tuple[str, str, float, float | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "scope": scope,
                "skill_uri": f"urn:s:{skill}",
                "label": skill,
                "share": share,
                "gap_score": score,
                "classification": cls,
            }
            for scope, skill, share, score, cls in rows
        ]
    )


def test_compare_runs_finds_new_closed_reclassified_gaps_and_movers() -> None:
    before = _gaps(
        [
            ("all", "python", 0.20, 0.8, "develop"),
            ("all", "welding", 0.10, 0.6, "update"),
            ("all", "nursing", 0.05, 0.4, "monitor"),
            ("all", "sql", 0.30, None, "covered"),
            ("sector=F", "concrete", 0.4, 0.7, "develop"),
            ("region=X", "only-before", 0.1, 0.9, "develop"),
        ]
    )
    now = _gaps(
        [
            ("all", "python", 0.26, 0.9, "update"),  # still a gap, other class; +6 pp
            ("all", "welding", 0.102, None, "covered"),  # closed; moved 0.2 pp only
            ("all", "nursing", 0.08, 0.7, "develop"),  # new gap; +3 pp
            ("all", "sql", 0.21, None, "covered"),  # unchanged class; -9 pp
            ("all", "brand-new", 0.05, 0.5, "develop"),  # new skill, new gap
            ("sector=F", "concrete", 0.4, 0.7, "develop"),  # nothing changed
        ]
    )
    ch = compare_runs(before, now)
    assert list(ch.columns) == list(CHANGES_COLUMNS)
    kinds = {(r.change, r.scope, r.label) for r in ch.itertuples()}
    assert kinds == {
        ("new_gap", "all", "nursing"),
        ("new_gap", "all", "brand-new"),
        ("closed_gap", "all", "welding"),
        ("reclassified", "all", "python"),
        ("demand_up", "all", "python"),
        ("demand_up", "all", "nursing"),
        ("demand_down", "all", "sql"),
    }  # region=X was analysed by the earlier run only: not compared
    # biggest first within a kind, kinds in a fixed order
    assert list(ch["change"]) == sorted(
        ch["change"],
        key=["new_gap", "closed_gap", "reclassified", "demand_up", "demand_down"].index,
    )
    ups = ch[ch["change"] == "demand_up"]
    assert list(ups["label"]) == ["python", "nursing"]
    assert ups["share_change"].round(3).tolist() == [0.06, 0.03]


def test_compare_runs_with_nothing_before_is_empty() -> None:
    now = _gaps([("all", "python", 0.2, 0.8, "develop")])
    assert compare_runs(pd.DataFrame(), now).empty
    assert list(compare_runs(now.iloc[0:0], now).columns) == list(CHANGES_COLUMNS)


@pytest.fixture(scope="module")
def analysis() -> GapAnalysis:
    return build_analysis()


def test_the_report_says_what_changed_and_writes_the_table(
    tmp_path: Path, analysis: GapAnalysis
) -> None:
    gaps = analysis.gaps
    previous = gaps.copy()
    acted = previous.index[previous["classification"] == "develop"][:1]
    assert len(acted) == 1
    previous.loc[acted, "classification"] = "covered"  # the develop finding is new this time
    changes = compare_runs(previous, gaps)
    label = str(gaps.loc[acted[0], "label"])
    meta = {
        **run_meta(),
        "previous_run": {"run_id": "20261101T060000Z-x", "finished": "2026-11-01"},
    }
    paths = write_reports(
        analysis, tmp_path / "run", run_meta=meta, changes=changes, formats={"html", "md", "csv"}
    )
    html = paths["html"].read_text(encoding="utf-8")
    assert 'id="changes"' in html and "20261101T060000Z-x" in html
    section = html[html.index('id="changes"') : html.index('id="charts"')]
    assert "New gaps" in section and label in section
    md = paths["md"].read_text(encoding="utf-8")
    assert "## What changed since the previous run" in md and "New gaps" in md
    table = pd.read_csv(paths["csv:changes"])
    assert ((table["change"] == "new_gap") & (table["label"] == label)).any()


def test_a_first_run_has_no_changes_section(tmp_path: Path, analysis: GapAnalysis) -> None:
    paths = write_reports(analysis, tmp_path / "run", run_meta=run_meta(), formats={"html"})
    assert 'id="changes"' not in paths["html"].read_text(encoding="utf-8")


def test_a_variant_without_data_gets_a_report_that_says_so(
    tmp_path: Path, analysis: GapAnalysis
) -> None:
    paths = write_reports(
        analysis,
        tmp_path / "run",
        run_meta=run_meta(),
        variants=["sector=Z"],
        formats={"html", "md", "json"},
        missing_variants="note",
    )
    html = paths["html:sector=Z"].read_text(encoding="utf-8")
    assert "No analysed vacancy has sector" in html
    md = paths["md:sector=Z"].read_text(encoding="utf-8")
    assert "No analysed vacancy has sector" in md
    # without the flag, the same variant is refused as a likely typo (the library default)
    with pytest.raises(ConfigError, match="does not occur in the analysis"):
        write_reports(analysis, tmp_path / "run2", run_meta=run_meta(), variants=["sector=Z"])
