"""Reports layer: renders a ``GapAnalysis`` to HTML, Markdown, Excel, CSV/Parquet and JSON.

Pure rendering: it takes the analysis tables (``skillgap.gaps.tables``) and run metadata
and writes files; it never imports ``nlp`` or Prefect. Entry point: ``write_reports``.
"""

from skillgap.reports.writer import FORMATS, write_reports

__all__ = ["FORMATS", "write_reports"]
