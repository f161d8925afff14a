"""``write_reports``: every output of one run, written so a run folder is whole or absent.

Atomicity: all files are first written into a hidden staging directory next to
``out_dir`` (same file system, so renames are atomic). When ``out_dir`` does not exist
yet, the staging directory is renamed onto it in one step, so a reader either sees no run
folder or a complete one. When ``out_dir`` already exists (the flow may have put its own
files there), each file is moved in with ``os.replace``, which is atomic per file, and
``manifest.json`` is moved last: its presence marks the set as complete. On any error the
staging directory is removed and nothing in ``out_dir`` has changed. A process killed
outright cannot remove its staging directory; each one records its owner (``host:pid``),
and the next report written beside it removes those whose owner is gone.

CSV cells that a spreadsheet would run as a formula (text from ads and catalogues starting
with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are written with a leading
apostrophe, which spreadsheets show as text; Parquet and JSON keep the text unchanged.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from skillgap.errors import ConfigError
from skillgap.fileutil import sha256_file
from skillgap.gaps.tables import LIST_COLUMNS, GapAnalysis
from skillgap.owner import current_owner, owner_alive
from skillgap.reports.changes import changes_context
from skillgap.reports.context import build_context
from skillgap.reports.excel import write_workbook
from skillgap.reports.render import render_html, render_markdown
from skillgap.reports.views import (
    VARIANT_KEYS,
    Prepared,
    as_list,
    known_values,
    parse_variant,
    plain,
    prepare,
    records,
    scope_key,
    scope_slug,
)

# Output formats; the same names as the analysis config's ``[report] formats``.
FORMATS: tuple[str, ...] = ("html", "md", "xlsx", "csv", "parquet", "json")
JSON_SCHEMA = "skillgap.analysis/1"


def jsonable(value: Any) -> Any:
    """Deep conversion to JSON-safe values: ISO dates, None for NaN/inf, lists for arrays."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return plain(value)


STAGE_OWNER = ".owner"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text cell a spreadsheet shows as text: formula-like text gets a leading "'"."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_frame(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Lists joined with "; " so a spreadsheet user sees readable cells (Parquet keeps lists),
    and no text cell that a spreadsheet would evaluate as a formula."""
    out = df.copy()
    for col in LIST_COLUMNS.get(name, ()):
        out[col] = ["; ".join("" if x is None else str(x) for x in as_list(v)) for v in out[col]]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(csv_cell)
    return out


def stage_dir(out_dir: Path) -> Path:
    """A new hidden staging directory beside ``out_dir``, marked with its owner process."""
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.tmp-", dir=out_dir.parent))
    (stage / STAGE_OWNER).write_text(current_owner(), encoding="utf-8")
    return stage


def remove_stale_stages(parent: Path) -> list[Path]:
    """Remove staging directories in ``parent`` whose owner process no longer runs.

    Staging directories of live writers (this or another process, or one on another host
    sharing the folder) are left alone, as are folders without an owner mark.
    """
    removed: list[Path] = []
    for stage in parent.glob(".*.tmp-*"):
        mark = stage / STAGE_OWNER
        if not stage.is_dir() or not mark.is_file():
            continue
        try:
            owner = mark.read_text(encoding="utf-8").strip()
        except OSError:
            continue
        if not owner_alive(owner):
            shutil.rmtree(stage, ignore_errors=True)
            removed.append(stage)
    return removed


def _arrow_table(df: pd.DataFrame) -> pa.Table:
    """Arrow table of ``df``; a column of mixed Python types is stored as text, not dropped."""
    try:
        return pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        fixed = df.copy()
        for col in fixed.columns:
            try:
                pa.array(fixed[col], from_pandas=True)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                fixed[col] = [None if plain(v) is None else str(plain(v)) for v in fixed[col]]
        return pa.Table.from_pandas(fixed, preserve_index=False)


_sha256 = sha256_file


def _check_formats(formats: Iterable[str] | None) -> set[str]:
    chosen = set(FORMATS) if formats is None else set(formats)
    unknown = sorted(chosen - set(FORMATS))
    if unknown:
        raise ConfigError(f"unknown report format(s) {unknown}; choose from {list(FORMATS)}")
    return chosen


def _check_variants(
    prepared: Prepared, variants: Iterable[str] | None, missing: str = "error"
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Parse variants; a value the analysis never saw is an error (most likely a typo), or
    with ``missing="note"`` a report that says so. Returns (scopes, scope key -> note)."""
    scopes: list[dict[str, str]] = []
    notes: dict[str, str] = {}
    for text in variants or []:
        scope = parse_variant(text)
        for key, value in scope.items():
            known = known_values(prepared.tables, key)
            if value not in known:
                shown = ", ".join(sorted(known)[:20]) or "none"
                message = (
                    f"report variant {text!r}: {key} {value!r} does not occur in the analysis "
                    f"(known {key} values: {shown})"
                )
                if missing != "note":
                    raise ConfigError(message)
                notes[scope_key(scope)] = (
                    f"No analysed vacancy has {key} {value!r}, so this report has no figures "
                    f"for it ({key} values in the analysis: {shown})."
                )
        if scope not in scopes:
            scopes.append(scope)
    return scopes, notes


def _about(prepared: Prepared, run_meta: Mapping[str, Any]) -> list[tuple[str, Any]]:
    meta = prepared.meta
    rows: list[tuple[str, Any]] = [
        ("run_id", run_meta.get("run_id")),
        ("started", run_meta.get("started")),
        ("finished", run_meta.get("finished")),
        ("model_id", run_meta.get("model_id") or meta.get("model_id")),
        ("code_version", run_meta.get("code_version")),
    ]
    taxonomy = {**(meta.get("taxonomy") or {}), **(run_meta.get("taxonomy") or {})}
    rows += [(f"taxonomy.{k}", v) for k, v in taxonomy.items()]
    rows += [(f"periods.{k}", v) for k, v in (meta.get("periods") or {}).items()]
    rows += [(f"counts.{k}", v) for k, v in (meta.get("counts") or {}).items()]
    rows += [(f"params.{k}", v) for k, v in (meta.get("params") or {}).items()]
    if prepared.flags_missing:
        rows.append(("flags_missing", prepared.flags_missing))
    rows += [("insufficient", i) for i in meta.get("insufficient") or []]
    return rows


def write_reports(
    analysis: GapAnalysis,
    out_dir: Path,
    *,
    run_meta: dict,
    variants: list[str] | None = None,
    formats: set[str] | None = None,
    missing_variants: str = "error",
    changes: pd.DataFrame | None = None,
) -> dict[str, Path]:
    """Write the reports and tables of one analysis run into ``out_dir``.

    ``analysis`` is a ``skillgap.gaps.GapAnalysis`` (any object with the nine table
    attributes and ``meta`` works). ``variants`` such as ``["sector=F", "region=DE21"]``
    add one HTML and one Markdown report narrowed to that sector or region. ``formats`` is
    a subset of ``FORMATS`` (default: all). Returns the final path of every file, keyed
    ``"html"``, ``"md"``, ``"xlsx"``, ``"json"``, ``"csv:<table>"``, ``"parquet:<table>"``,
    ``"html:<variant>"``, ``"md:<variant>"`` and ``"manifest"``.

    ``missing_variants="note"`` turns a variant whose value the analysis never saw into a
    report that says so instead of an error. ``changes`` (``gaps.changes.compare_runs``,
    with ``run_meta["previous_run"]``) adds the "what changed" section and table.

    Raises ``ConfigError`` for an unknown format or a malformed or unknown variant and
    ``InputError`` when a table breaks the contract, both before anything is written.
    """
    chosen = _check_formats(formats)
    prepared = prepare(analysis)
    scopes, empty_notes = _check_variants(prepared, variants, missing_variants)
    run_meta = dict(run_meta or {})
    if changes is not None:
        prepared.tables["changes"] = changes.reset_index(drop=True)
    extras = {"changes": changes, "empty_scopes": empty_notes}
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_stages(out_dir.parent)

    stage = stage_dir(out_dir)
    try:
        rel = _write_all(stage, prepared, run_meta, scopes, chosen, extras)
        _publish(stage, out_dir, list(rel.values()))
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    shutil.rmtree(stage, ignore_errors=True)
    return {key: out_dir / r for key, r in rel.items()}


def _write_all(
    stage: Path,
    prepared: Prepared,
    run_meta: dict[str, Any],
    scopes: list[dict[str, str]],
    chosen: set[str],
    extras: dict[str, Any] | None = None,
) -> dict[str, str]:
    """Write every requested file into ``stage``; return key -> path relative to it."""
    extras = extras or {}
    empty_scopes: dict[str, str] = extras.get("empty_scopes") or {}
    rel: dict[str, str] = {}
    tables = prepared.tables

    if "csv" in chosen or "parquet" in chosen:
        (stage / "tables").mkdir()
    for name, df in tables.items():
        if "csv" in chosen:
            _csv_frame(name, df).to_csv(
                stage / "tables" / f"{name}.csv", index=False, lineterminator="\n"
            )
            rel[f"csv:{name}"] = f"tables/{name}.csv"
        if "parquet" in chosen:
            pq.write_table(_arrow_table(df), stage / "tables" / f"{name}.parquet")
            rel[f"parquet:{name}"] = f"tables/{name}.parquet"

    if "json" in chosen:
        doc = {
            "schema": JSON_SCHEMA,
            "run": jsonable(run_meta),
            "meta": jsonable(prepared.meta),
            "flags_missing": prepared.flags_missing,
            "tables": {name: records(df) for name, df in tables.items()},
        }
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        (stage / "analysis.json").write_text(text + "\n", encoding="utf-8")
        rel["json"] = "analysis.json"

    if "xlsx" in chosen:
        write_workbook(stage / "analysis.xlsx", tables, _about(prepared, run_meta))
        rel["xlsx"] = "analysis.xlsx"

    if "html" in chosen or "md" in chosen:
        listing = _listing(rel, scopes, chosen)
        for scope in [{}, *scopes]:
            context = build_context(prepared, run_meta, scope, with_charts="html" in chosen)
            context["changes"] = changes_context(
                extras.get("changes"), run_meta.get("previous_run"), scope
            )
            if scope_key(scope) in empty_scopes:
                context["notices"].insert(0, empty_scopes[scope_key(scope)])
            suffix = f"-{scope_slug(scope)}" if scope else ""
            key = f":{scope_key(scope)}" if scope else ""
            if "html" in chosen:
                (stage / f"report{suffix}.html").write_text(render_html(context), encoding="utf-8")
                rel[f"html{key}"] = f"report{suffix}.html"
            if "md" in chosen:
                md = render_markdown(context, listing if not scope else None)
                (stage / f"summary{suffix}.md").write_text(md, encoding="utf-8")
                rel[f"md{key}"] = f"summary{suffix}.md"

    manifest = {
        "schema": "skillgap.manifest/1",
        "run_id": run_meta.get("run_id"),
        "files": {
            key: {"path": r, "bytes": (stage / r).stat().st_size, "sha256": _sha256(stage / r)}
            for key, r in sorted(rel.items())
        },
    }
    (stage / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    rel["manifest"] = "manifest.json"
    return rel


def _listing(
    rel: Mapping[str, str], scopes: list[dict[str, str]], chosen: set[str]
) -> dict[str, str]:
    """What the main Markdown summary lists under "Files" (it is written before the rest)."""
    out: dict[str, str] = {}
    if "html" in chosen:
        out["HTML report"] = "report.html"
        for scope in scopes:
            out[f"HTML report for {scope_key(scope)}"] = f"report-{scope_slug(scope)}.html"
    if "xlsx" in rel:
        out["Excel workbook"] = rel["xlsx"]
    if "json" in rel:
        out["all tables and metadata as JSON"] = rel["json"]
    if "csv" in chosen or "parquet" in chosen:
        kinds = " and ".join(
            k.upper() if k == "csv" else "Parquet" for k in ("csv", "parquet") if k in chosen
        )
        out[f"one {kinds} file per table"] = "tables/"
    return out


def _publish(stage: Path, out_dir: Path, files: list[str]) -> None:
    """Move the staged files into ``out_dir`` (see the module docstring for why this way)."""
    (stage / STAGE_OWNER).unlink(missing_ok=True)
    if not out_dir.exists():
        try:
            os.rename(stage, out_dir)
            return
        except OSError:
            if not out_dir.is_dir():
                raise
            # someone created out_dir between the check and the rename: merge instead
    ordered = [f for f in files if f != "manifest.json"] + ["manifest.json"]
    with contextlib.suppress(FileNotFoundError):
        (out_dir / "manifest.json").unlink()  # an old manifest must not vouch for a mixed set
    for r in ordered:
        target = out_dir / r
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(stage / r, target)


__all__ = ["FORMATS", "VARIANT_KEYS", "write_reports"]
