"""Schema versions of the DuckDB store.

The store records the version it was brought to in ``schema_version``; opening an older
file applies the missing steps in order, inside one transaction, so a user's store
survives an upgrade of the tool. Each released step is frozen SQL: the exact statements a
store of that version received, written out, never derived from code that can change. A
later change to a table contract (``skillgap.schemas.SCHEMAS``) therefore needs a new step;
``expected_columns`` and the store tests check that a fresh store, built from the frozen
steps, has exactly the columns the contracts describe, so the two cannot drift apart
unnoticed.
"""

from __future__ import annotations

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


def expected_columns(table: str) -> list[tuple[str, str]]:
    """(name, DuckDB type) of ``table`` as the contract plus the store-only columns say."""
    cols = [(f.name, duckdb_type(f.type)) for f in SCHEMAS[table]]
    return cols + list(STORE_EXTRA_COLUMNS.get(table, []))


_ELEMENTS = (
    "learner_identification",
    "title",
    "country",
    "awarding_body",
    "date_of_issuing",
    "learning_outcomes",
    "notional_workload",
    "eqf_level",
    "assessment_type",
    "participation_form",
    "quality_assurance",
)

# v1, as released: every contract table of that day plus the MinHash signatures of stored
# vacancies (near-duplicate detection against the store needs the signatures of kept
# vacancies; recomputing them for every batch would cost as much as ingesting again).
_V1 = (
    'CREATE TABLE IF NOT EXISTS "vacancies" ("vacancy_id" VARCHAR, "source" VARCHAR, '
    '"title" VARCHAR, "text" VARCHAR, "posted_date" DATE, "location_raw" VARCHAR, '
    '"region" VARCHAR, "sector" VARCHAR, "occupation" VARCHAR, "language" VARCHAR, '
    '"content_hash" VARCHAR, "batch_id" VARCHAR)',
    'CREATE TABLE IF NOT EXISTS "credentials" ("credential_id" VARCHAR, "source" VARCHAR, '
    '"title" VARCHAR, "provider" VARCHAR, "country" VARCHAR, "issue_date" DATE, '
    '"learning_outcomes" VARCHAR[], "esco_skills" VARCHAR[], "workload_ects" DOUBLE, '
    '"workload_hours" DOUBLE, "eqf_level" SMALLINT, "assessment_type" VARCHAR, '
    '"participation_form" VARCHAR, "quality_assurance" VARCHAR, "language" VARCHAR, '
    '"content_hash" VARCHAR, '
    + ", ".join(f'"elem_{e}" VARCHAR' for e in _ELEMENTS)
    + ', "batch_id" VARCHAR)',
    'CREATE TABLE IF NOT EXISTS "skill_mentions" ("doc_type" VARCHAR, "doc_id" VARCHAR, '
    '"sentence" VARCHAR, "span" VARCHAR, "skill_uri" VARCHAR, "score" DOUBLE, '
    '"method" VARCHAR, "taxonomy_version" VARCHAR, "model_id" VARCHAR)',
    'CREATE TABLE IF NOT EXISTS "quarantine" ("batch_id" VARCHAR, "source_file" VARCHAR, '
    '"record" VARCHAR, "reason" VARCHAR, "raw" VARCHAR)',
    'CREATE TABLE IF NOT EXISTS "runs" ("run_id" VARCHAR, "started_at" TIMESTAMP, '
    '"finished_at" TIMESTAMP, "status" VARCHAR, "inputs" VARCHAR, "taxonomy_version" VARCHAR, '
    '"model_id" VARCHAR, "thresholds" VARCHAR, "code_version" VARCHAR)',
    'CREATE TABLE IF NOT EXISTS "ingest_batches" ("batch_id" VARCHAR, "kind" VARCHAR, '
    '"source_file" VARCHAR, "checksum" VARCHAR, "profile" VARCHAR, "status" VARCHAR, '
    '"started_at" TIMESTAMP, "finished_at" TIMESTAMP, "n_read" BIGINT, "n_stored" BIGINT, '
    '"n_duplicates" BIGINT, "n_near_duplicates" BIGINT, "n_quarantined" BIGINT)',
    'CREATE TABLE IF NOT EXISTS "duplicates" ("batch_id" VARCHAR, "doc_type" VARCHAR, '
    '"doc_id" VARCHAR, "kept_id" VARCHAR, "kind" VARCHAR, "similarity" DOUBLE, '
    '"source_file" VARCHAR, "record" VARCHAR, "posted_date" DATE)',
    "CREATE TABLE IF NOT EXISTS vacancy_signatures (vacancy_id VARCHAR, minhash BLOB)",
)

# v2: batches commit chunk by chunk, so rows must be traceable to their batch and owner.
# (IF NOT EXISTS: stores created by a build whose v1 read the then-current contract
# already have ``owner``.)
_V2 = (
    "ALTER TABLE ingest_batches ADD COLUMN IF NOT EXISTS owner VARCHAR",
    "ALTER TABLE vacancy_signatures ADD COLUMN IF NOT EXISTS batch_id VARCHAR",
)

# v3: mentions record their document field and the parts of their score; credentials
# keep their description and skill tags (both are mapped).
_V3 = (
    'ALTER TABLE skill_mentions ADD COLUMN IF NOT EXISTS "field" VARCHAR',
    'ALTER TABLE skill_mentions ADD COLUMN IF NOT EXISTS "match_score" DOUBLE',
    'ALTER TABLE skill_mentions ADD COLUMN IF NOT EXISTS "requirement" DOUBLE',
    'ALTER TABLE skill_mentions ADD COLUMN IF NOT EXISTS "context" DOUBLE',
    'ALTER TABLE credentials ADD COLUMN IF NOT EXISTS "description" VARCHAR',
    'ALTER TABLE credentials ADD COLUMN IF NOT EXISTS "skill_tags" VARCHAR[]',
)

# v4: the mapping stage's own tables, created ad hoc by the flow until now (hence IF NOT
# EXISTS, with the very columns it used): which documents were mapped with which taxonomy
# and encoder (the incremental key), and the best ESCO occupation of vacancies that came
# without one.
_V4 = (
    "CREATE TABLE IF NOT EXISTS mapping_log (doc_type VARCHAR, doc_id VARCHAR, "
    "content_hash VARCHAR, taxonomy_version VARCHAR, model_id VARCHAR, n_mentions INTEGER, "
    "mapped_at TIMESTAMP)",
    "CREATE TABLE IF NOT EXISTS vacancy_occupations (vacancy_id VARCHAR, "
    "occupation_uri VARCHAR, label VARCHAR, score DOUBLE, taxonomy_version VARCHAR, "
    "model_id VARCHAR)",
)

# v5: what each completed run concluded, per scope and skill, so the next run can say what
# changed (new and closed gaps, classification changes, demand movers).
_V5 = (
    "CREATE TABLE IF NOT EXISTS run_gaps (run_id VARCHAR, scope VARCHAR, skill_uri VARCHAR, "
    "label VARCHAR, n_vacancies BIGINT, n_mentioning BIGINT, share DOUBLE, gap_score DOUBLE, "
    "classification VARCHAR)",
)

# (version, description, statements). Append new steps; never change a released one.
MIGRATIONS: list[tuple[int, str, tuple[str, ...]]] = [
    (1, "initial tables", _V1),
    (2, "batch owner and signature batch ids", _V2),
    (3, "mention field and score parts; credential description and skill tags", _V3),
    (4, "mapping_log and vacancy_occupations as store tables", _V4),
    (5, "run_gaps: each completed run's gap classes, for run-to-run changes", _V5),
]

LATEST_VERSION = MIGRATIONS[-1][0]
