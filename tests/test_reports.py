"""Tests of the reports layer: every output, variants, edge cases, atomic writes."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from skillgap.errors import ConfigError, InputError
from skillgap.gaps.tables import TABLE_COLUMNS, GapAnalysis
from skillgap.reports import FORMATS, write_reports
from skillgap.reports.context import highlight
from skillgap.reports.views import parse_scope, scope_key
from tests.test_reports_fixtures import build_analysis, run_meta


@pytest.fixture(scope="module")
def analysis() -> GapAnalysis:
    return build_analysis()


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory, analysis: GapAnalysis) -> dict[str, Path]:
    """One complete write with every format and two variants; the tests only read it."""
    out = tmp_path_factory.mktemp("outputs") / "20261129T090000Z-test"
    return write_reports(analysis, out, run_meta=run_meta(), variants=["sector=F", "region=DE21"])


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# --- the complete run ----------------------------------------------------------------------


def test_every_output_is_written_and_listed_in_the_manifest(full_run: dict[str, Path]) -> None:
    for key in ("html", "md", "xlsx", "json", "manifest", "html:sector=F", "md:region=DE21"):
        assert full_run[key].is_file(), key
    for name in TABLE_COLUMNS:
        assert full_run[f"csv:{name}"].is_file()
        assert full_run[f"parquet:{name}"].is_file()
    out_dir = full_run["html"].parent
    assert full_run["html:sector=F"].name == "report-sector-F.html"
    manifest = json.loads(_text(full_run["manifest"]))
    assert set(manifest["files"]) == set(full_run) - {"manifest"}
    for entry in manifest["files"].values():
        assert (out_dir / entry["path"]).stat().st_size == entry["bytes"]
    # no staging directory is left next to the run folder
    assert [p.name for p in out_dir.parent.iterdir()] == [out_dir.name]


def test_html_is_self_contained_and_has_every_section(full_run: dict[str, Path]) -> None:
    html = _text(full_run["html"])
    for section in ("summary", "charts", "gaps", "proposals", "advice", "evidence"):
        assert f'<section id="{section}"' in html
    assert '<section id="completeness"' in html and '<section id="methods"' in html
    # offline and e-mail safe: nothing is fetched, nothing runs
    assert "<script" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//[^"']*\.(css|js|png|svg|woff2?)""", html)
    assert "@import" not in html and "url(http" not in html and "<link" not in html
    # four charts as inline SVG, with ids made unique per chart
    assert html.count("<svg ") == 4
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert 'role="img"' in html and "<caption>" in html and "@media print" in html


def test_html_content_says_what_the_analysis_found(full_run: dict[str, Path]) -> None:
    html = _text(full_run["html"])
    assert "Develop a credential for install heat pumps" in html
    assert (
        "Update “Heat pump basics for plumbers” to cover apply health and safety standards" in html
    )
    assert "Low-carbon building retrofit technician" in html
    assert "Install and commission air-to-water heat pumps in existing homes." in html
    assert 'class="badge green"' in html and 'class="badge digital"' in html
    # catalogue completeness: learner identification explained, the missing element shown
    assert "Learner identification</strong> belongs to a credential issued to a person" in html
    assert "3 of 5 credentials state every applicable element" in html
    # methods: provenance, formula, quarantine and the thin cell as a sentence
    assert "esco-v1.2.0-en" in html and "all-MiniLM-L6-v2@local" in html
    assert "gap = 0.5 * demand" in html and "Cochran-Armitage" in html
    assert "missing posted_date" in html
    assert "Sector J, region ES51: too little data" in html
    assert "J × ES51" in html  # the heatmap note names the n/a cell
    assert "This service uses the ESCO classification of the European Commission." in html


def test_snippets_are_escaped_and_the_match_is_marked(full_run: dict[str, Path]) -> None:
    html = _text(full_run["html"])
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Experience: &lt;b&gt;<mark>install heat pumps</mark>&lt;/b&gt; &amp;" in html
    assert "<mark>Heat Pumps</mark>" in html  # case-insensitive match keeps the ad's casing
    assert "Wärmepumpen" in html and "façades" in html


def test_variant_report_is_narrowed_to_its_sector(full_run: dict[str, Path]) -> None:
    html = _text(full_run["html:sector=F"])
    assert "Skills gap report — sector F" in html
    assert "V-1001" in html  # construction evidence
    assert "V-2001" not in html and "V-3001" not in html  # ICT and manufacturing evidence
    assert "Low-carbon building retrofit technician" in html
    assert "Data analysis for ICT teams" not in html
    assert "computed over all vacancies in the run" in html
    md = _text(full_run["md:sector=F"])
    assert md.startswith("# Skills gap report — sector F")


def test_markdown_summary(full_run: dict[str, Path]) -> None:
    md = _text(full_run["md"])
    assert md.startswith("# Skills gap report\n")
    assert "## Develop" in md and "install heat pumps" in md
    assert "Low-carbon building retrofit technician" in md
    assert "missing posted\\_date 12" in md
    assert "`report-sector-F.html`" in md and "`analysis.xlsx`" in md


def test_json_is_strict_and_complete(full_run: dict[str, Path], analysis: GapAnalysis) -> None:
    def no_constants(name: str) -> Any:
        raise AssertionError(f"non-standard JSON constant {name}")

    doc = json.loads(_text(full_run["json"]), parse_constant=no_constants)
    assert doc["schema"] == "skillgap.analysis/1"
    assert doc["run"]["run_id"] == "20261129T090000Z-test"
    assert doc["meta"]["periods"]["first"] == "2023-Q1"
    for name, df in analysis.tables().items():
        assert len(doc["tables"][name]) == len(df)
        if len(df):
            assert set(doc["tables"][name][0]) == set(TABLE_COLUMNS[name])
    p1 = next(p for p in doc["tables"]["proposals"] if p["proposal_id"] == "P1")
    assert p1["skill_labels"] == ["install heat pumps", "insulate buildings for energy efficiency"]
    # a numpy array in a list column becomes a JSON list too
    p2 = next(p for p in doc["tables"]["proposals"] if p["proposal_id"] == "P2")
    assert p2["skill_labels"] == ["analyse big data"]
    # gaps without a covering credential have best_coverage_score null, not NaN
    assert any(g["best_coverage_score"] is None for g in doc["tables"]["gaps"])


def test_csv_joins_lists_and_parquet_keeps_them(full_run: dict[str, Path]) -> None:
    csv = pd.read_csv(full_run["csv:proposals"])
    assert (
        csv.loc[0, "skill_labels"] == "install heat pumps; insulate buildings for energy efficiency"
    )
    table = pq.read_table(full_run["parquet:proposals"])
    assert table.column("skill_labels").to_pylist()[0] == [
        "install heat pumps",
        "insulate buildings for energy efficiency",
    ]
    demand = pq.read_table(full_run["parquet:demand"]).to_pandas()
    assert list(demand.columns) == list(TABLE_COLUMNS["demand"])


def test_excel_workbook(full_run: dict[str, Path], analysis: GapAnalysis) -> None:
    wb = load_workbook(full_run["xlsx"], read_only=False)
    assert wb.sheetnames == ["about", *TABLE_COLUMNS]
    ws = wb["gaps"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "scope" and ws["A1"].font.bold
    assert ws.max_row == len(analysis.gaps) + 1
    assert ws.column_dimensions["C"].width > 8  # label column sized to its content
    prop = wb["proposals"]
    header = [c.value for c in prop[1]]
    row = {h: c.value for h, c in zip(header, prop[2], strict=True)}
    assert row["skill_labels"] == "install heat pumps; insulate buildings for energy efficiency"
    about = {r[0].value: r[1].value for r in wb["about"].iter_rows(min_row=2)}
    assert about["run_id"] == "20261129T090000Z-test"


# --- edge cases ------------------------------------------------------------------------------


def test_empty_analysis_renders_and_says_no_gaps(tmp_path: Path) -> None:
    paths = write_reports(GapAnalysis(), tmp_path / "run", run_meta={"run_id": "empty"})
    html = _text(paths["html"])
    assert "No skill had enough demand to be assessed" in html
    assert "No gaps were found" in html
    assert "No proposal for a new credential" in html
    assert "The run had no credential catalogue to check" in html
    assert "<svg" not in html  # nothing honest to draw
    doc = json.loads(_text(paths["json"]))
    assert doc["tables"]["gaps"] == []
    assert load_workbook(paths["xlsx"])["gaps"].max_row == 1


def test_missing_flag_columns_are_reported_not_hidden(
    tmp_path: Path, analysis: GapAnalysis
) -> None:
    a = GapAnalysis(
        **{
            n: df.drop(columns=["green", "digital", "transversal"], errors="ignore")
            for n, df in analysis.tables().items()
        },
        meta=analysis.meta,
    )
    paths = write_reports(a, tmp_path / "run", run_meta=run_meta(), formats={"html", "md"})
    html = _text(paths["html"])
    assert 'class="badge green"' not in html
    assert "Green, digital and transversal flags are not available" in html
    assert "flags unavailable" in _text(paths["md"])


def test_monitor_class_and_unicode_labels(tmp_path: Path, analysis: GapAnalysis) -> None:
    gaps = analysis.gaps.copy()
    i = gaps.index[(gaps["scope"] == "all") & (gaps["label"] == "manage construction projects")][0]
    gaps.loc[i, ["classification", "label"]] = ["monitor", "Bauleitung für Großprojekte <ü>"]
    a = GapAnalysis(**{**analysis.tables(), "gaps": gaps}, meta=analysis.meta)
    paths = write_reports(a, tmp_path / "run", run_meta=run_meta(), formats={"html", "md"})
    html = _text(paths["html"])
    assert "uncovered skills to monitor" in html
    assert "Bauleitung für Großprojekte &lt;ü&gt;" in html
    assert "Bauleitung für Großprojekte &lt;ü&gt;" in _text(paths["md"])


def test_contract_violation_is_an_input_error(tmp_path: Path, analysis: GapAnalysis) -> None:
    a = GapAnalysis(**{**analysis.tables(), "gaps": analysis.gaps.drop(columns=["gap_score"])})
    with pytest.raises(InputError, match=r"'gaps' lacks column\(s\) \['gap_score'\]"):
        write_reports(a, tmp_path / "run", run_meta={})
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("variants", "formats", "message"),
    [
        (
            ["sector=Z"],
            None,
            r"sector 'Z' does not occur in the analysis \(known sector values: C, F, J\)",
        ),
        (["sector:F"], None, "must look like 'sector=F'"),
        (["colour=blue"], None, "must look like 'sector=F'"),
        ([], {"html", "pdf"}, r"unknown report format\(s\) \['pdf'\]"),
    ],
)
def test_bad_variants_and_formats_fail_before_writing(
    tmp_path: Path,
    analysis: GapAnalysis,
    variants: list[str],
    formats: set[str] | None,
    message: str,
) -> None:
    with pytest.raises(ConfigError, match=message):
        write_reports(analysis, tmp_path / "run", run_meta={}, variants=variants, formats=formats)
    assert list(tmp_path.iterdir()) == []


def test_highlight_escapes_and_marks() -> None:
    assert str(highlight("a <b> c", "<b>")) == "a <mark>&lt;b&gt;</mark> c"
    assert str(highlight("Use C++ (daily)", "c++")) == "Use <mark>C++</mark> (daily)"
    assert str(highlight("Straße & Co", "STRASSE")) == "Straße &amp; Co"  # no match: just escaped
    assert str(highlight(None, "x")) == ""


def test_scope_parsing_accepts_the_analysis_spellings() -> None:
    assert parse_scope("all") == {}
    assert parse_scope("sector=F;region=DE21") == {"sector": "F", "region": "DE21"}
    assert scope_key(parse_scope("region=DE21,sector=F")) == "region=DE21,sector=F"
    assert parse_scope("sector+region=F+DE21") == {"sector": "F", "region": "DE21"}


# --- atomic writes -----------------------------------------------------------------------------


def test_failure_leaves_no_run_folder(
    tmp_path: Path, analysis: GapAnalysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("skillgap.reports.writer.write_workbook", boom)
    with pytest.raises(OSError, match="disk full"):
        write_reports(analysis, tmp_path / "run", run_meta={}, formats={"csv", "xlsx"})
    assert list(tmp_path.iterdir()) == []


def test_existing_run_folder_keeps_other_files(tmp_path: Path, analysis: GapAnalysis) -> None:
    out = tmp_path / "run"
    out.mkdir()
    (out / "flow.log").write_text("kept")
    (out / "manifest.json").write_text("{}")
    paths = write_reports(analysis, out, run_meta={"run_id": "r"}, formats={"md", "json"})
    assert (out / "flow.log").read_text() == "kept"
    assert json.loads(_text(paths["manifest"]))["run_id"] == "r"
    assert sorted(p.name for p in out.iterdir()) == [
        "analysis.json",
        "flow.log",
        "manifest.json",
        "summary.md",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_same_analysis_gives_byte_identical_reports(
    tmp_path: Path, analysis: GapAnalysis, full_run: dict[str, Path]
) -> None:
    again = write_reports(analysis, tmp_path / "again", run_meta=run_meta(), formats={"html"})
    assert again["html"].read_bytes() == full_run["html"].read_bytes()


def test_formats_constant_matches_the_flow_config() -> None:
    from skillgap.flows.analysis_config import REPORT_FORMATS

    assert set(FORMATS) == set(REPORT_FORMATS)


# --- the analysis engineer's demo data, end to end through analyse() ---------------------------


def test_report_of_the_demo_analysis_shows_the_planted_signals(tmp_path: Path) -> None:
    demo = pytest.importorskip("skillgap.demo")
    from skillgap.gaps import AnalysisParams, analyse

    planted = demo.load_planted()
    a = analyse(
        demo.load_vacancies(),
        demo.load_credentials(),
        demo.load_truth_mentions(),
        demo.demo_taxonomy(),
        AnalysisParams(breakdowns=["sector", "region", "sector+region"]),
    )
    region = planted["proposal"]["regions"][0]
    paths = write_reports(
        a,
        tmp_path / "demo",
        run_meta={"run_id": "demo"},
        variants=[f"region={region}"],
        formats={"html", "md"},
    )
    html = _text(paths["html"])
    summary = html[html.index('<section id="summary"') : html.index('<section id="charts"')]
    develop = summary[summary.index("<h3>Develop</h3>") : summary.index("<h3>Update</h3>")]
    assert any(f"Develop a credential for {s['label']}" in develop for s in planted["develop"])
    for covered in planted["covered"]:
        assert f"for {covered['label']}." not in develop
    update = planted["update"][0]
    assert f"to cover {update['label']}" in summary
    advice = html[html.index('<section id="advice"') : html.index('<section id="evidence"')]
    for item in planted["declining_skill"]:
        assert item["label"] in advice
    assert html.count("<svg ") == 4  # top gaps, scatter, trends, sector x region heatmap
    variant = _text(paths[f"html:region={region}"])
    proposals = variant[
        variant.index('<section id="proposals"') : variant.index('<section id="advice"')
    ]
    assert '<article class="card"' in proposals
    assert all(s["label"] in proposals for s in planted["develop"])


# --- rendering in a real browser -----------------------------------------------------------------
# Headless Chromium (Debian package ``chromium``) with network features off: the report must
# render offline. Without the browser these tests skip and say how to install it.

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found; install it with: apt-get install -y chromium",
)


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


@needs_chromium
def test_screenshot_is_a_real_page(full_run: dict[str, Path], tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "report.png"
    proc = _chromium(
        tmp_path / "profile",
        f"--screenshot={png}",
        "--window-size=1280,4000",
        full_run["html"].as_uri(),
    )
    assert png.is_file(), proc.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 100_000  # text, tables and charts, not a blank page
    image = Image.open(io.BytesIO(data)).convert("RGB")
    assert image.size == (1280, 4000)
    # the masthead is dark blue, the body mostly white: a blank or unstyled page fails
    assert image.getpixel((20, 20))[2] > image.getpixel((20, 20))[0] + 40
    colours = image.resize((320, 1000)).getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 200


@needs_chromium
def test_dom_has_every_section_and_chart(full_run: dict[str, Path], tmp_path: Path) -> None:
    proc = _chromium(tmp_path / "profile", "--dump-dom", full_run["html"].as_uri())
    dom = proc.stdout
    assert "<main>" in dom, proc.stderr[-2000:]
    for section in (
        "summary",
        "charts",
        "gaps",
        "proposals",
        "advice",
        "evidence",
        "completeness",
        "methods",
    ):
        assert f'<section id="{section}"' in dom
    assert dom.count("<svg ") == 4
    assert "<mark>install heat pumps</mark>" in dom
    assert "<script" not in dom  # the escaped <script> in a snippet stayed text


@needs_chromium
def test_prints_to_pdf(full_run: dict[str, Path], tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    proc = _chromium(
        tmp_path / "profile",
        f"--print-to-pdf={pdf}",
        "--no-pdf-header-footer",
        full_run["html"].as_uri(),
    )
    assert pdf.is_file(), proc.stderr[-2000:]
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    # the page tree's /Count is the number of pages: a long report spans several A4 pages
    counts = [int(n) for n in re.findall(rb"/Count (\d+)", data)]
    assert counts and max(counts) >= 3


def test_excel_sheets_are_capped_with_a_note(tmp_path: Path, analysis: GapAnalysis) -> None:
    from skillgap.reports.excel import write_workbook

    path = tmp_path / "capped.xlsx"
    notes = write_workbook(path, {"gaps": analysis.gaps}, [("run_id", "r")], row_cap=10)
    assert notes == [
        f"sheet gaps: only the first 10 of {len(analysis.gaps):,} rows; "
        "tables/gaps.csv and tables/gaps.parquet have them all"
    ]
    wb = load_workbook(path)
    assert wb["gaps"].max_row == 11
    assert [r[1].value for r in wb["about"].iter_rows(min_row=2)][-1] == notes[0]


def test_reports_layer_never_imports_nlp_or_prefect() -> None:
    code = (
        "import sys; from skillgap.reports import write_reports; "
        "import skillgap.reports.context, skillgap.reports.charts; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('prefect', 'torch', "
        "'sentence_transformers', 'spacy') or m.startswith('skillgap.nlp') "
        "or m.startswith('skillgap.flows')]; print(bad)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stdout.strip() == "[]"
