"""Table preparation and scoping shared by every output format.

The analysis hands over nine frames (``skillgap.gaps.tables``). Before anything is
rendered they are checked once against the contract here, so a missing column fails with
a message naming the table instead of surfacing as a ``KeyError`` deep in a template.
A *view* is the same tables narrowed to one scope (the whole run, ``sector=F`` or
``region=DE21``): the partner who receives a sector report should see that sector's
numbers, not the national ones with a different title.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from skillgap.errors import ConfigError, InputError
from skillgap.gaps.tables import FLAG_COLUMNS, LIST_COLUMNS, TABLE_COLUMNS

# Dimensions a report variant may be narrowed to (the analysis config allows the first two;
# occupation works the same way and costs nothing to support).
VARIANT_KEYS: tuple[str, ...] = ("sector", "region", "occupation")

Scope = dict[str, str]


# --- scope strings -------------------------------------------------------------------------


def parse_scope(text: object) -> Scope:
    """Parse a scope such as ``"all"``, ``"sector=F"`` or ``"sector=F,region=DE21"``.

    Combined scopes are accepted with ``,``, ``&``, ``;`` or ``|`` between the pairs, and
    in the compact ``"sector+region=F+DE21"`` form, so the renderer does not break if the
    analysis settles on another spelling for sector x region cells.
    """
    if text is None or (isinstance(text, float) and math.isnan(text)):
        return {}
    s = str(text).strip()
    if not s or s == "all":
        return {}
    out: Scope = {}
    for part in re.split(r"[,&;|]", s):
        part = part.strip()
        if not part or "=" not in part:
            continue
        key, _, value = part.partition("=")
        keys = [k.strip() for k in key.split("+")]
        values = [v.strip() for v in value.split("+")] if len(keys) > 1 else [value.strip()]
        if len(keys) != len(values):
            continue
        out.update(zip(keys, values, strict=True))
    return out


def parse_variant(text: str) -> Scope:
    """Parse a report variant (``"sector=F"``); raise ``ConfigError`` on anything else."""
    scope = parse_scope(text)
    if not scope or any(k not in VARIANT_KEYS for k in scope) or any(not v for v in scope.values()):
        raise ConfigError(
            f"report variant {text!r} must look like 'sector=F' or 'region=DE21' "
            f"(keys: {', '.join(VARIANT_KEYS)})"
        )
    return scope


def scope_key(scope: Mapping[str, str]) -> str:
    """Canonical text of a scope, ``"all"`` for the whole run."""
    if not scope:
        return "all"
    return ",".join(f"{k}={scope[k]}" for k in sorted(scope))


def scope_title(scope: Mapping[str, str]) -> str:
    """Human wording of a scope for headings: ``"sector F, region DE21"``."""
    if not scope:
        return "all sectors and regions"
    return ", ".join(f"{k} {v}" for k, v in scope.items())


def scope_slug(scope: Mapping[str, str]) -> str:
    """File-name-safe form of a scope (``sector-F``): no ``=``, slashes or spaces."""
    raw = "_".join(f"{k}-{v}" for k, v in scope.items())
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", raw).strip("-") or "all"


def breakdown_dims(breakdown: object) -> frozenset[str]:
    """Dimensions of a demand ``breakdown`` value: ``"sector+region"`` -> {sector, region}."""
    if breakdown is None or str(breakdown) in ("", "all"):
        return frozenset()
    return frozenset(p.strip() for p in str(breakdown).split("+") if p.strip())


# --- value cleaning --------------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA; lists and arrays are never 'missing'."""
    if value is None:
        return True
    if isinstance(value, (list, tuple, np.ndarray, dict)):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def as_list(value: object) -> list[Any]:
    """A list cell as a Python list: Parquet round-trips turn lists into numpy arrays."""
    if is_missing(value):
        return []
    if isinstance(value, np.ndarray):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return [value] if value else []
    return [plain(value)]


def plain(value: object) -> Any:
    """Convert one cell to a JSON-safe Python value: no NaN, numpy scalars or Timestamps."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return as_list(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if is_missing(value):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, pd.Period):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (int, str)):
        return value
    return str(value)


def plain_column(series: pd.Series) -> list[Any]:
    """``plain`` over a whole column, vectorised where the dtype allows.

    Numeric and boolean columns are converted by numpy in one go (NaN and infinities to
    None); only object and string columns pay for a per-cell call. A demand table has
    hundreds of thousands of rows, so this is the difference between seconds and minutes.
    """
    kind = series.dtype.kind
    if kind in "iub" and not series.hasnans:
        return series.astype(object).tolist()
    if kind == "f":
        values = series.to_numpy(dtype=float, na_value=np.nan)
        out = values.astype(object)
        out[~np.isfinite(values)] = None
        return out.tolist()
    if isinstance(series.dtype, pd.StringDtype):
        col = series.astype(object)
        return col.where(col.notna(), None).tolist()
    return [plain(v) for v in series.tolist()]


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain values (what templates and JSON consume)."""
    cols = list(df.columns)
    if not len(df):
        return []
    columns = [plain_column(df[c]) for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*columns, strict=True)]


def truthy(value: object) -> bool:
    """A flag cell as bool; missing means False (the taxonomy did not say)."""
    return False if is_missing(value) else bool(value)


# --- preparing the analysis -----------------------------------------------------------------


@dataclass
class Prepared:
    """The analysis after the boundary check: frames in contract order plus notes."""

    tables: dict[str, pd.DataFrame]
    meta: dict[str, Any]
    flags_missing: str | None = None
    notes: list[str] = field(default_factory=list)


def prepare(analysis: Any) -> Prepared:
    """Check ``analysis`` against the table contract and return clean copies of its tables.

    Tables that are absent (``None``) become empty frames: "no gaps found" is a valid result
    and must render. Missing flag columns are filled with False and recorded as a note,
    because a report that silently shows no green skills would be wrong in a way readers
    cannot see. Any other missing column is a programming error upstream and raises.
    """
    meta = dict(getattr(analysis, "meta", None) or {})
    tables: dict[str, pd.DataFrame] = {}
    filled_flags: list[str] = []
    for name, expected in TABLE_COLUMNS.items():
        df = getattr(analysis, name, None)
        if df is None:
            df = pd.DataFrame({c: pd.Series(dtype=object) for c in expected})
        if not isinstance(df, pd.DataFrame):
            raise InputError(f"analysis table '{name}' is a {type(df).__name__}, not a DataFrame")
        df = df.reset_index(drop=True).copy()
        for flag in FLAG_COLUMNS:
            if flag in expected and flag not in df.columns:
                df[flag] = False
                filled_flags.append(f"{name}.{flag}")
        missing = [c for c in expected if c not in df.columns]
        if missing:
            raise InputError(
                f"analysis table '{name}' lacks column(s) {missing}; "
                f"the contract (gaps/tables.py) wants {list(expected)}"
            )
        for flag in FLAG_COLUMNS:
            if flag in df.columns:
                col = df[flag].astype(object)
                df[flag] = col.where(col.notna(), False).astype(bool)
        for col in LIST_COLUMNS.get(name, ()):
            df[col] = pd.Series([as_list(v) for v in df[col]], index=df.index, dtype=object)
        extras = [c for c in df.columns if c not in expected]
        tables[name] = df[list(expected) + extras]

    flags_missing = meta.get("flags_missing") or None
    if filled_flags and not flags_missing:
        flags_missing = (
            "the analysis tables carried no green/digital/transversal columns "
            f"({', '.join(sorted(set(filled_flags)))}); no skill is flagged"
        )
    return Prepared(tables=tables, meta=meta, flags_missing=flags_missing)


# --- narrowing to a scope ---------------------------------------------------------------------


def _scope_mask(series: pd.Series, scope: Scope) -> pd.Series:
    # parse each distinct scope once: tables have many rows but few scopes
    want = scope_key(scope)
    hits = {s: scope_key(parse_scope(s)) == want for s in series.dropna().unique()}
    return series.map(hits).fillna(False).astype(bool)


def _breakdown_mask(series: pd.Series, test: Any) -> pd.Series:
    hits = {b: bool(test(breakdown_dims(b))) for b in series.dropna().unique()}
    return series.map(hits).fillna(False).astype(bool)


def _value_mask(series: pd.Series, value: str) -> pd.Series:
    return (series.astype("string") == value).fillna(False).astype(bool)


def demand_cells(
    demand: pd.DataFrame, scope: Mapping[str, str], extra: Iterable[str] = ()
) -> pd.DataFrame:
    """Demand rows whose breakdown is exactly ``scope``'s dimensions plus ``extra``.

    ``demand_cells(d, {"sector": "F"}, ["period"])`` are sector F's rows per period.
    """
    dims = frozenset(scope) | frozenset(extra)
    if demand.empty:
        return demand
    mask = _breakdown_mask(demand["breakdown"], lambda d: d == dims)
    for key, value in scope.items():
        mask &= _value_mask(demand[key], value)
    return demand[mask]


def known_values(tables: Mapping[str, pd.DataFrame], key: str) -> set[str]:
    """Every value of dimension ``key`` the analysis mentions (for typo detection)."""
    values: set[str] = set()
    for name in ("demand", "evidence"):
        df = tables[name]
        if key in df.columns:
            values |= {str(v) for v in df[key].dropna().unique()}
    for name in ("gaps", "trends", "group_rollup"):
        for s in tables[name]["scope"].dropna().unique():
            sc = parse_scope(s)
            if key in sc:
                values.add(sc[key])
    plural = {"sector": "sectors", "region": "regions"}.get(key)
    if plural:
        for items in tables["proposals"][plural]:
            values |= {str(v) for v in as_list(items)}
    return values


def narrow(tables: Mapping[str, pd.DataFrame], scope: Scope) -> dict[str, pd.DataFrame]:
    """The tables as seen from ``scope``.

    Scoped tables (gaps, trends, group roll-up) keep that scope's rows. Demand keeps the
    cells inside the scope (any breakdown that includes it). Evidence and proposals keep
    the rows about the scope's sector/region. Coverage, update advice and completeness are
    properties of the catalogue, not of a sector, so they stay whole; the template says so.
    """
    out = dict(tables)
    for name in ("gaps", "trends", "group_rollup"):
        df = tables[name]
        out[name] = df[_scope_mask(df["scope"], scope)] if len(df) else df
    demand = tables["demand"]
    if scope and len(demand):
        mask = _breakdown_mask(demand["breakdown"], lambda d: set(scope) <= d)
        for key, value in scope.items():
            mask &= _value_mask(demand[key], value)
        out["demand"] = demand[mask]
    evidence = tables["evidence"]
    if scope and len(evidence):
        mask = pd.Series(True, index=evidence.index)
        for key, value in scope.items():
            if key in evidence.columns:
                mask &= _value_mask(evidence[key], value)
        out["evidence"] = evidence[mask.astype(bool)]
    proposals = tables["proposals"]
    if scope and len(proposals):
        mask = pd.Series(True, index=proposals.index)
        for key, value in scope.items():
            col = {"sector": "sectors", "region": "regions"}.get(key)
            if col:
                mask &= proposals[col].map(lambda v, value=value: value in map(str, as_list(v)))
        out["proposals"] = proposals[mask.astype(bool)]
    return out
