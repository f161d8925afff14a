"""Schema versions of the DuckDB store.

The store records the version it was brought to in ``schema_version``; opening an older
file applies the missing steps in order, inside one transaction, so a user's store
survives an upgrade of the tool. Each step is append-only: never edit a released step,
add a new one. The DDL of contract tables is derived from ``skillgap.schemas.SCHEMAS`` so
the store and the in-memory contracts cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pyarrow as pa

from skillgap.schemas import SCHEMAS

# Columns the store keeps beyond the contract: which batch brought a record in.
STORE_EXTRA_COLUMNS: dict[str, list[tuple[str, str]]] = {
    "vacancies": [("batch_id", "VARCHAR")],
    "credentials": [("batch_id", "VARCHAR")],
}


def duckdb_type(dtype: pa.DataType) -> str:
    """DuckDB column type for an Arrow type used in the contracts."""
    if pa.types.is_string(dtype) or pa.types.is_large_string(dtype):
        return "VARCHAR"
    if pa.types.is_date32(dtype):
        return "DATE"
    if pa.types.is_timestamp(dtype):
        return "TIMESTAMP"
    if pa.types.is_float64(dtype):
        return "DOUBLE"
    if pa.types.is_float32(dtype):
        return "FLOAT"
    if pa.types.is_int16(dtype):
        return "SMALLINT"
    if pa.types.is_int32(dtype):
        return "INTEGER"
    if pa.types.is_int64(dtype):
        return "BIGINT"
    if pa.types.is_boolean(dtype):
        return "BOOLEAN"
    if pa.types.is_list(dtype):
        return f"{duckdb_type(dtype.value_type)}[]"
    raise TypeError(f"no DuckDB type for Arrow type {dtype}")


def create_table_sql(table: str) -> str:
    cols = [f'"{f.name}" {duckdb_type(f.type)}' for f in SCHEMAS[table]]
    cols += [f'"{name}" {typ}' for name, typ in STORE_EXTRA_COLUMNS.get(table, [])]
    return f'CREATE TABLE IF NOT EXISTS "{table}" ({", ".join(cols)})'


def _v1(con: duckdb.DuckDBPyConnection) -> None:
    """Initial layout: every contract table plus the MinHash signatures of stored vacancies."""
    for table in (
        "vacancies",
        "credentials",
        "skill_mentions",
        "quarantine",
        "runs",
        "ingest_batches",
        "duplicates",
    ):
        con.execute(create_table_sql(table))
    # Near-duplicate detection against the store needs the signatures of kept vacancies;
    # recomputing them for every batch would cost as much as ingesting everything again.
    con.execute("CREATE TABLE IF NOT EXISTS vacancy_signatures (vacancy_id VARCHAR, minhash BLOB)")


def _v2(con: duckdb.DuckDBPyConnection) -> None:
    """Batches commit chunk by chunk: rows must be traceable to their batch and owner.

    (Contract tables created by v1 on a fresh file already have ``owner`` because v1 reads
    the current contract; hence IF NOT EXISTS.)
    """
    con.execute("ALTER TABLE ingest_batches ADD COLUMN IF NOT EXISTS owner VARCHAR")
    con.execute("ALTER TABLE vacancy_signatures ADD COLUMN IF NOT EXISTS batch_id VARCHAR")


def _v3(con: duckdb.DuckDBPyConnection) -> None:
    """Mentions record their document field and the parts of their score; credentials keep
    their description and skill tags (both are mapped)."""
    for col, typ in (
        ("field", "VARCHAR"),
        ("match_score", "DOUBLE"),
        ("requirement", "DOUBLE"),
        ("context", "DOUBLE"),
    ):
        con.execute(f'ALTER TABLE skill_mentions ADD COLUMN IF NOT EXISTS "{col}" {typ}')
    con.execute('ALTER TABLE credentials ADD COLUMN IF NOT EXISTS "description" VARCHAR')
    con.execute('ALTER TABLE credentials ADD COLUMN IF NOT EXISTS "skill_tags" VARCHAR[]')


# (version, description, step). Append new steps; never change a released one.
MIGRATIONS: list[tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, "initial tables", _v1),
    (2, "batch owner and signature batch ids", _v2),
    (3, "mention field and score parts; credential description and skill tags", _v3),
]

LATEST_VERSION = MIGRATIONS[-1][0]
