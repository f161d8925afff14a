"""The DuckDB store: one file in the workspace holding every table of DESIGN.md.

Why DuckDB: analysis code wants columnar scans and SQL group-bys over hundreds of
thousands of documents, and a single file is easy to copy, back up or wipe. Why a wrapper:
callers should not have to know DDL, migrations or how to move a pandas frame in and out
with the right types; they use table names from ``skillgap.schemas`` and get DataFrames.

Writes happen in transactions. ``transaction()`` nests (only the outermost one commits),
so an ingest batch can wrap many ``append`` calls and either all of them land or none.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from skillgap.errors import ConfigError, InputError, SkillgapError
from skillgap.owner import current_owner, owner_alive
from skillgap.schemas import SCHEMAS
from skillgap.store import lock as store_lock
from skillgap.store.migrations import LATEST_VERSION, MIGRATIONS, STORE_EXTRA_COLUMNS

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
CATALOG = "skillgap"
ROW_GROUP_SIZE = 16_384
# A DuckDB file starts with an 8-byte checksum and the magic bytes "DUCK"; its three header
# blocks of 4 KiB precede the data blocks.
DUCKDB_MAGIC = b"DUCK"
DUCKDB_HEADER_BYTES = 3 * 4096
# Names that are input or output files, never a store: a store path ending so is almost
# always a swapped argument (``--store ads.csv``), and DuckDB would open such a file as a
# throw-away in-memory database.
_DATA_SUFFIXES = (
    ".csv .tsv .txt .json .jsonl .jsonld .ndjson .parquet .pq .xlsx .xlsm .xls .gz .zip "
    ".toml .md .html .pdf"
)
NOT_A_STORE_SUFFIXES = frozenset(_DATA_SUFFIXES.split())

__all__ = ["Store", "StoreError", "check_store_path", "current_owner", "owner_alive"]


class StoreError(SkillgapError):
    """The store file cannot be used (newer schema, locked by another process, corrupt)."""


class Store:
    """A DuckDB database file with the skillgap tables, migrated to the latest schema."""

    def __init__(self, con: duckdb.DuckDBPyConnection, path: Path, locked: bool = False) -> None:
        self._con = con
        self.path = path
        self._depth = 0
        self._locked = locked

    # Opening ------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | None = None, *, read_only: bool = False) -> Store:
        """Open (creating on first use) the store at ``path`` or the configured ``store_path``.

        Migrations run on open, so every caller sees the current schema. ``read_only``
        lets reporting commands read while another process is not writing.
        """
        if path is None:
            from skillgap.config import get_settings

            path = get_settings().store_path
        path = Path(path).expanduser()
        if read_only and not path.exists():
            raise StoreError(f"store {path} does not exist yet; run `skillgap ingest ...` first")
        check_store_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not read_only:
            store_lock.acquire(path)  # one writing process per store (see store/lock.py)
        try:
            con = _connect(path, read_only)
        except BaseException:
            if not read_only:
                store_lock.release(path)
            raise
        store = cls(con, path, locked=not read_only)
        if not read_only:
            try:
                store._migrate()
                store.recover()
            except BaseException:
                store.close()
                raise
        elif (version := store.schema_version()) != LATEST_VERSION:
            store.close()
            raise StoreError(
                f"store {path} is at schema version {version}, this skillgap "
                f"expects {LATEST_VERSION}; open it once for writing to migrate"
            )
        return store

    def _migrate(self) -> None:
        self._con.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER, description VARCHAR, applied_at TIMESTAMP)"
        )
        current = self.schema_version()
        if current > LATEST_VERSION:
            raise StoreError(
                f"store {self.path} has schema version {current}, newer than this skillgap "
                f"understands ({LATEST_VERSION}); upgrade skillgap"
            )
        pending = [m for m in MIGRATIONS if m[0] > current]
        if not pending:
            return
        with self.transaction():
            for version, description, statements in pending:
                for sql in statements:
                    self._con.execute(sql)
                self._con.execute(
                    "INSERT INTO schema_version VALUES (?, ?, ?)",
                    [version, description, datetime.now()],
                )

    def schema_version(self) -> int:
        """Highest migration applied to this file (0 for a brand-new file)."""
        try:
            row = self._con.execute("SELECT max(version) FROM schema_version").fetchone()
        except duckdb.CatalogException:
            return 0
        return int(row[0]) if row and row[0] is not None else 0

    def close(self) -> None:
        if self._con is not None:
            _release(self.path, self._con)
            self._con = None  # type: ignore[assignment]
            if self._locked:
                self._locked = False
                store_lock.release(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The raw connection, for SQL the helpers below do not cover (read-mostly)."""
        return self._con

    # Transactions -------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Store]:
        """All writes inside commit together or not at all; nested uses join the outer one."""
        if self._depth > 0:
            self._depth += 1
            try:
                yield self
            finally:
                self._depth -= 1
            return
        self._con.execute("BEGIN TRANSACTION")
        self._depth = 1
        try:
            yield self
        except BaseException:
            self._depth = 0
            self._con.execute("ROLLBACK")
            raise
        self._depth = 0
        self._con.execute("COMMIT")

    # Reading ------------------------------------------------------------------------
    def tables(self) -> list[str]:
        rows = self._con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database() ORDER BY table_name"
        ).fetchall()
        return [r[0] for r in rows]

    def _check_table(self, table: str) -> str:
        if not _IDENT.match(table) or table not in self.tables():
            raise InputError(f"store {self.path} has no table '{table}'")
        return table

    def read(
        self,
        table: str,
        where: str | None = None,
        params: Sequence[Any] | dict[str, Any] | None = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """Rows of ``table`` as a DataFrame; ``where`` is a SQL condition with ``?`` params.

        Dates come back as ``datetime64``, list columns as arrays of strings.
        """
        self._check_table(table)
        cols = "*"
        if columns:
            bad = [c for c in columns if not _IDENT.match(c)]
            if bad:
                raise InputError(f"invalid column name(s) {bad}")
            cols = ", ".join(f'"{c}"' for c in columns)
        sql = f'SELECT {cols} FROM "{table}"'
        if where:
            sql += f" WHERE {where}"
        return self._con.execute(sql, params or []).df()

    def count(
        self,
        table: str,
        where: str | None = None,
        params: Sequence[Any] | dict[str, Any] | None = None,
    ) -> int:
        self._check_table(table)
        sql = f'SELECT count(*) FROM "{table}"'
        if where:
            sql += f" WHERE {where}"
        return int(self._con.execute(sql, params or []).fetchone()[0])

    # Writing ------------------------------------------------------------------------
    def _table_columns(self, table: str) -> dict[str, pa.DataType | None]:
        """Columns of ``table`` in the store, with their Arrow type where a contract gives one."""
        types: dict[str, pa.DataType | None] = {}
        if table in SCHEMAS:
            types.update({f.name: f.type for f in SCHEMAS[table]})
        for name, _ in STORE_EXTRA_COLUMNS.get(table, []):
            types.setdefault(name, pa.string())
        if not types:
            rows = self._con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                "AND table_schema = 'main' AND table_catalog = current_database()",
                [table],
            ).fetchall()
            types = {r[0]: None for r in rows}
        return types

    def to_arrow(self, table: str, df: pd.DataFrame) -> pa.Table:
        """``df`` as an Arrow table typed like the store's ``table``; unknown columns fail."""
        types = self._table_columns(table)
        if table in SCHEMAS:
            missing = [c for c in SCHEMAS[table].names if c not in df.columns]
            if missing:
                raise InputError(
                    f"cannot write to '{table}': frame lacks contract column(s) {missing}"
                )
        unknown = [c for c in df.columns if c not in types]
        if unknown:
            raise InputError(f"cannot write to '{table}': unknown column(s) {unknown}")
        arrays, names = [], []
        for name in df.columns:
            arrays.append(_to_arrow_array(df[name], types[name], table, name))
            names.append(name)
        return pa.Table.from_arrays(arrays, names=names)

    def append(self, table: str, df: pd.DataFrame | pa.Table) -> int:
        """Insert the rows of ``df`` (contract columns; store-only columns optional)."""
        self._check_table(table)
        data = df if isinstance(df, pa.Table) else self.to_arrow(table, df)
        if data.num_rows == 0:
            return 0
        name = f"_append_{id(data)}"
        self._con.register(name, data)
        try:
            self._con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM "{name}"')
        finally:
            self._con.unregister(name)
        return data.num_rows

    def replace_where(
        self,
        table: str,
        where: str,
        df: pd.DataFrame | pa.Table,
        params: Sequence[Any] | dict[str, Any] | None = None,
    ) -> int:
        """Delete the rows matching ``where`` and insert ``df``, atomically.

        This is how a flow re-writes e.g. the ``skill_mentions`` of one taxonomy/model pair
        without leaving a half-updated table if it is interrupted.
        """
        self._check_table(table)
        if not where or not where.strip():
            raise ConfigError("replace_where needs a non-empty condition")
        with self.transaction():
            self._con.execute(f'DELETE FROM "{table}" WHERE {where}', params or [])
            return self.append(table, df)

    # Batches ------------------------------------------------------------------------
    BATCH_TABLES = ("vacancies", "credentials", "vacancy_signatures", "duplicates", "quarantine")

    def discard_batch(self, batch_id: str) -> None:
        """Remove every row an ingest batch wrote (it failed or its process died)."""
        with self.transaction():
            for table in self.BATCH_TABLES:
                self._con.execute(f'DELETE FROM "{table}" WHERE batch_id = ?', [batch_id])
            self._con.execute("DELETE FROM ingest_batches WHERE batch_id = ?", [batch_id])

    def recover(self) -> list[str]:
        """Discard batches left 'running' by a process on this host that no longer exists.

        Ingest commits chunk by chunk so memory stays flat; a batch that dies by a signal
        the Python code cannot catch (kill -9, power loss) is removed here, the next time
        the store is opened for writing. Batches of live processes are left alone.
        """
        rows = self._con.execute(
            "SELECT batch_id, owner FROM ingest_batches WHERE status = 'running'"
        ).fetchall()
        gone = [batch_id for batch_id, owner in rows if not owner_alive(owner)]
        for batch_id in gone:
            self.discard_batch(batch_id)
        return gone

    # Summary ------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        """Counts for ``skillgap store info``: by source, language, period, region, sector."""

        def grouped(sql: str) -> list[tuple[Any, int]]:
            return [(r[0], int(r[1])) for r in self._con.execute(sql).fetchall()]

        def by(table: str, expr: str, limit: int = 25) -> list[tuple[Any, int]]:
            return grouped(
                f'SELECT {expr} AS k, count(*) AS n FROM "{table}" GROUP BY k '
                f"ORDER BY n DESC, k NULLS LAST LIMIT {limit}"
            )

        wal = self.path.with_name(self.path.name + ".wal")
        size = sum(p.stat().st_size for p in (self.path, wal) if p.exists())
        return {
            "path": str(self.path),
            "size_bytes": size,
            "schema_version": self.schema_version(),
            "tables": {t: self.count(t) for t in self.tables()},
            "vacancies": {
                "by_source": by("vacancies", "source"),
                "by_language": by("vacancies", "language"),
                "by_period": grouped(
                    "SELECT strftime(posted_date, '%Y-%m') AS k, count(*) FROM vacancies "
                    "GROUP BY k ORDER BY k NULLS LAST"
                ),
                "by_region": by("vacancies", "region"),
                "by_sector": by("vacancies", "sector"),
            },
            "credentials": {
                "by_source": by("credentials", "source"),
                "by_language": by("credentials", "language"),
            },
            "duplicates": by("duplicates", "doc_type || ':' || kind"),
            "quarantine_by_reason": by(
                "quarantine", "trim(regexp_replace(reason, '[:''(].*$', ''))", limit=50
            ),
            "batches": grouped(
                "SELECT kind, count(*) FROM ingest_batches GROUP BY kind ORDER BY kind"
            ),
        }


# One DuckDB instance per store file per process, shared by every open Store (as
# ``duckdb.connect(path)`` would share it): each Store gets its own cursor, and the file is
# detached (its lock released) when the last Store on it closes. The file is attached to
# an in-memory host rather than opened directly so that a smaller row-group size can be
# set: DuckDB checkpoints work a row group at a time, and with the default (122,880 rows of
# ad text) ingest memory grows by hundreds of MB before it levels off.
_HOSTS: dict[str, tuple[duckdb.DuckDBPyConnection, bool, int]] = {}
_HOSTS_LOCK = threading.Lock()


def _connect(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    key = str(path.resolve())
    with _HOSTS_LOCK:
        entry = _HOSTS.get(key)
        if entry is None:
            options = ["TYPE duckdb", f"ROW_GROUP_SIZE {ROW_GROUP_SIZE}"]
            options += ["READ_ONLY"] if read_only else []
            quoted = str(path).replace("'", "''")
            host = duckdb.connect()
            try:
                host.execute(f"ATTACH '{quoted}' AS {CATALOG} ({', '.join(options)})")
                _check_intact(host, path)
            except duckdb.Error as exc:
                host.close()
                text = str(exc).lower()
                damaged = isinstance(exc, duckdb.IOException) and "lock" not in text
                if damaged or "corrupt" in text or "checksum" in text:
                    raise StoreError(_damaged(path, exc)) from exc
                raise StoreError(f"cannot open store {path}: {exc}") from exc
            except BaseException:
                host.close()
                raise
            entry = (host, read_only, 0)
        host, host_read_only, users = entry
        if host_read_only and not read_only:
            raise StoreError(
                f"store {path} is already open read-only in this process; close it first"
            )
        con = host.cursor()
        con.execute(f"USE {CATALOG}")
        _HOSTS[key] = (host, host_read_only, users + 1)
        return con


def check_store_path(path: Path) -> None:
    """Refuse, before DuckDB sees it, a store path that cannot be a store.

    A directory, an existing file that is not a DuckDB database (a CSV, a JSON export) and
    a new name with an input-file suffix are refused with the reason: DuckDB would open
    the file as a temporary in-memory database and every write would be lost.
    """
    if path.is_dir():
        raise StoreError(
            f"store {path} is a directory; give the path of a DuckDB file, e.g. "
            f"{path / 'skillgap.duckdb'}"
        )
    if path.exists():
        if not path.is_file():
            raise StoreError(f"store {path} is not a regular file")
        with path.open("rb") as fh:
            head = fh.read(12)
        if head[8:12] != DUCKDB_MAGIC:
            what = "an empty file" if not head else f"a file starting {head[:12]!r}"
            raise StoreError(
                f"store {path} is not a DuckDB database file ({what}); a store is the "
                "DuckDB file skillgap writes (e.g. <data_dir>/stores/NAME.duckdb): check "
                "that the input file and --store are not swapped"
            )
    elif path.suffix.lower() in NOT_A_STORE_SUFFIXES:
        raise StoreError(
            f"store {path}: a '{path.suffix}' name is a data file, not a store; name the "
            "store file with '.duckdb' (check that the input file and --store are not swapped)"
        )


def _damaged(path: Path, exc: BaseException) -> str:
    return (
        f"store {path} is damaged ({str(exc).splitlines()[0]}); nothing was written to it. "
        "Restore it from a backup, or move it aside and re-run to rebuild it from the inputs"
    )


def _check_intact(host: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Raise ``duckdb.IOException`` when the file is shorter than the blocks it declares.

    A store cut short (a copy or a disk that filled up) can still attach: the lost blocks
    fail only when a query reaches them, halfway through an ingest. The size check costs
    nothing; when it fails, every table is read in full to confirm before refusing.
    """
    row = host.execute(
        "SELECT block_size, total_blocks FROM pragma_database_size() WHERE database_name = ?",
        [CATALOG],
    ).fetchone()
    if row is None:
        return
    block_size, total_blocks = int(row[0]), int(row[1])
    need = DUCKDB_HEADER_BYTES + block_size * total_blocks
    size = path.stat().st_size
    if size >= need:
        return
    tables = host.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = ?", [CATALOG]
    ).fetchall()
    for (table,) in tables:
        host.execute(f'SELECT count(hash(COLUMNS(*))) FROM {CATALOG}.main."{table}"').fetchall()
    # Every row could be read: the size was a false alarm (e.g. space not yet allocated).


def _release(path: Path, con: duckdb.DuckDBPyConnection) -> None:
    key = str(path.resolve())
    with _HOSTS_LOCK:
        con.close()
        entry = _HOSTS.get(key)
        if entry is None:
            return
        host, host_read_only, users = entry
        if users <= 1:
            del _HOSTS[key]
            host.close()
        else:
            _HOSTS[key] = (host, host_read_only, users - 1)


def _to_arrow_array(
    series: pd.Series, target: pa.DataType | None, table: str, column: str
) -> pa.Array:
    """Convert one pandas column to ``target``, accepting the usual pandas spellings.

    Dates may arrive as ``datetime.date``, ``datetime64`` or ISO strings; list columns as
    Python lists or numpy arrays (what DuckDB hands back).
    """
    values = series
    try:
        if target is not None and pa.types.is_list(target):
            values = [None if v is None else [str(x) for x in v] for v in _list_values(series)]
            return pa.array(values, type=target)
        arr = pa.array(values, from_pandas=True)
        if target is None or arr.type == target:
            return arr
        if pa.types.is_date32(target) and pa.types.is_string(arr.type):
            arr = pc.strptime(arr, format="%Y-%m-%d", unit="s")
        if pa.types.is_date32(target) and pa.types.is_timestamp(arr.type):
            return pc.cast(arr, pa.date32())
        return arr.cast(target)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError) as exc:
        raise InputError(f"cannot write column '{column}' of '{table}' as {target}: {exc}") from exc


def _list_values(series: pd.Series) -> list[Any]:
    out: list[Any] = []
    for v in series:
        if v is None or (isinstance(v, float) and v != v):
            out.append(None)
        elif isinstance(v, str):
            out.append([v])
        else:
            out.append(list(v))
    return out
