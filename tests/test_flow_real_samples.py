"""The documented run on real samples (UK ads + Coursera catalogue), slow-marked.

`make test-slow` runs it; it needs ../shared and maps ~2,500 ads and ~5,600 courses with
the official ESCO taxonomy, which takes several minutes on two cores.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from skillgap.config import get_settings
from tests.shared_data import REPO_ROOT, shared_path

pytestmark = pytest.mark.slow


def test_uk_ads_against_coursera(
    esco_official_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared_path("data", "vacancies", "adzuna-uk-2013")
    data = tmp_path / "data"
    shutil.copytree(esco_official_data_dir, data)
    monkeypatch.setenv("SKILLGAP_DATA_DIR", str(data))
    get_settings.cache_clear()
    from skillgap.flows.prefect_env import configure_prefect

    configure_prefect(get_settings())
    from skillgap.flows.gap_flow import skills_gap_analysis

    result = skills_gap_analysis(
        str(REPO_ROOT / "examples" / "uk-ads-coursera.toml"), outputs_dir=str(tmp_path / "out")
    )
    analysis = result["analysis"]
    assert analysis.meta["counts"]["vacancies"] > 2000
    assert result["mapping"]["mentions_added"] > 10000
    demand = analysis.demand[analysis.demand["breakdown"] == "all"]
    assert demand["sufficient"].sum() > 50
    # No posting dates: no trend may claim a direction.
    assert set(analysis.trends["status"]) <= {"insufficient_evidence"}
    assert not analysis.coverage.empty
    html = Path(result["paths"]["html"]).read_text(encoding="utf-8")
    assert "insufficient" in html.lower()
    get_settings.cache_clear()
