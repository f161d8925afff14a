"""The Excel workbook: one sheet per analysis table plus an "about" sheet.

openpyxl's write-only mode streams rows to disk, so a demand table with hundreds of
thousands of rows does not have to sit in memory as cell objects. Header styling, the
frozen header row, auto-filter and column widths are all supported in that mode.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from skillgap.reports.views import plain, plain_column

EXCEL_MAX_ROWS = 1_048_576
# Rows per sheet we write. openpyxl streams about 10-20k rows a second on one core, so a
# national-scale demand table (millions of cells) would make the workbook the slowest
# step of a run; beyond this cap the sheet is cut and the "about" sheet says so. The CSV
# and Parquet files always hold every row.
SHEET_ROW_CAP = 20_000
EXCEL_MAX_CHARS = 32_767
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="12355B")
_HEADER_ALIGN = Alignment(vertical="center", wrap_text=False)


def excel_value(value: object) -> Any:
    """A cell value Excel accepts: lists joined with "; ", control characters removed."""
    v = plain(value)
    if isinstance(v, list):
        v = "; ".join("" if x is None else str(x) for x in v)
    elif isinstance(v, dict):
        v = json.dumps(v, ensure_ascii=False, sort_keys=True)
    if isinstance(v, str):
        v = ILLEGAL_CHARACTERS_RE.sub("", v)[:EXCEL_MAX_CHARS]
    return v


def _excel_column(series: pd.Series) -> list[Any]:
    """A column as cell values; numbers skip the per-cell path (see ``plain_column``)."""
    if series.dtype.kind in "iubf":
        return plain_column(series)
    return [excel_value(v) for v in series.tolist()]


def _cell(ws: Any, value: Any) -> Any:
    """Strings that start with "=" would be stored as formulas; force them to text.

    An ad snippet such as ``=HYPERLINK(...)`` must reach the reader as the words it is,
    not run in their spreadsheet.
    """
    if isinstance(value, str) and value.startswith("="):
        c = WriteOnlyCell(ws, value=value)
        c.data_type = "s"
        return c
    return value


def _widths(header: list[str], rows: list[list[Any]]) -> list[float]:
    widths = []
    for j, name in enumerate(header):
        longest = max([len(str(name))] + [len(str(r[j])) for r in rows[:300] if r[j] is not None])
        widths.append(float(min(60, max(8, longest + 2))))
    return widths


def _sheet(wb: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    ws = wb.create_sheet(title=title[:31])
    ws.freeze_panes = "A2"
    for j, width in enumerate(_widths(header, rows), start=1):
        ws.column_dimensions[get_column_letter(j)].width = width
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    head = []
    for name in header:
        c = WriteOnlyCell(ws, value=name)
        c.font, c.fill, c.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        head.append(c)
    ws.append(head)
    for r in rows:
        ws.append([_cell(ws, v) for v in r])


def write_workbook(
    path: Path,
    tables: Mapping[str, pd.DataFrame],
    about: list[tuple[str, Any]],
    *,
    row_cap: int = SHEET_ROW_CAP,
) -> list[str]:
    """Write the workbook to ``path``; return notes about anything Excel could not hold."""
    notes: list[str] = []
    wb = Workbook(write_only=True)
    sheets: list[tuple[str, list[str], list[list[Any]]]] = []
    for name, df in tables.items():
        header = [str(c) for c in df.columns]
        limit = min(row_cap, EXCEL_MAX_ROWS - 1)
        if len(df) > limit:
            notes.append(
                f"sheet {name}: only the first {limit:,} of {len(df):,} rows; "
                f"tables/{name}.csv and tables/{name}.parquet have them all"
            )
            df = df.iloc[:limit]
        columns = [_excel_column(df[c]) for c in df.columns]
        rows = [list(r) for r in zip(*columns, strict=True)] if len(df) else []
        sheets.append((name, header, rows))
    about_rows = [[k, excel_value(v)] for k, v in about] + [["note", n] for n in notes]
    _sheet(wb, "about", ["item", "value"], about_rows)
    for name, header, rows in sheets:
        _sheet(wb, name, header, rows)
    wb.save(path)
    return notes
