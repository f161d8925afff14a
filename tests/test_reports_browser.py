"""The HTML report renders in a real browser (headless Chromium), offline.

Needs the Debian ``chromium`` package (``apt-get install -y chromium``); without it the
tests skip and say so. Network features are switched off, so a report that tried to fetch
anything would show it as missing content rather than pass by luck.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from skillgap.reports import write_reports
from tests.test_reports_fixtures import build_analysis, run_meta

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
pytestmark = pytest.mark.skipif(
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


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "run"
    paths = write_reports(build_analysis(), out, run_meta=run_meta(), formats={"html"})
    return paths["html"]


def test_screenshot_is_a_real_page(report: Path, tmp_path: Path) -> None:
    from PIL import Image

    png = tmp_path / "report.png"
    proc = _chromium(
        tmp_path / "profile", f"--screenshot={png}", "--window-size=1280,4000", report.as_uri()
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


def test_dom_has_every_section_and_chart(report: Path, tmp_path: Path) -> None:
    proc = _chromium(tmp_path / "profile", "--dump-dom", report.as_uri())
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


def test_prints_to_pdf(report: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    proc = _chromium(
        tmp_path / "profile", f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report.as_uri()
    )
    assert pdf.is_file(), proc.stderr[-2000:]
    data = pdf.read_bytes()
    assert data[:5] == b"%PDF-"
    # the page tree's /Count is the number of pages: a long report spans several A4 pages
    counts = [int(n) for n in re.findall(rb"/Count (\d+)", data)]
    assert counts and max(counts) >= 3
