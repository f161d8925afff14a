"""docs/analysis-tables.md and gaps/tables.py describe the same columns."""

from __future__ import annotations

import re

from skillgap.gaps.tables import FLAG_COLUMNS, TABLE_COLUMNS, GapAnalysis
from tests.shared_data import REPO_ROOT


def _doc_tables() -> dict[str, list[str]]:
    text = (REPO_ROOT / "docs" / "analysis-tables.md").read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", text, flags=re.M):
        cols = []
        for c in m.group(2).split(","):
            c = c.strip()
            cols += list(FLAG_COLUMNS) if c == "*flags*" else [c]
        out[m.group(1)] = cols
    return out


def test_doc_lists_every_table_with_the_code_columns() -> None:
    doc = _doc_tables()
    assert set(doc) == set(TABLE_COLUMNS)
    for name, cols in TABLE_COLUMNS.items():
        assert doc[name] == list(cols), name


def test_empty_analysis_satisfies_the_contract() -> None:
    empty = GapAnalysis()
    empty.check()
    assert list(empty.tables()) == list(TABLE_COLUMNS)
