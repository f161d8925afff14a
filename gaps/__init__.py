"""Gap analysis: pure functions over tables (demand, trends, coverage, gaps, advice, proposals).

Public API: ``analyse(vacancies, credentials, mentions, taxonomy, params) -> GapAnalysis``.
The layer never imports ``nlp`` or Prefect; it takes DataFrames and returns DataFrames.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from skillgap.gaps.tables import TABLE_COLUMNS, GapAnalysis

if TYPE_CHECKING:
    from skillgap.gaps.analysis import analyse
    from skillgap.gaps.params import AnalysisParams

__all__ = ["TABLE_COLUMNS", "AnalysisParams", "GapAnalysis", "analyse"]


def __getattr__(name: str) -> Any:
    # Lazy so that `reports/` can import the table contract without pulling the analysis code.
    if name == "analyse":
        from skillgap.gaps.analysis import analyse

        return analyse
    if name == "AnalysisParams":
        from skillgap.gaps.params import AnalysisParams

        return AnalysisParams
    raise AttributeError(name)
