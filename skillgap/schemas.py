"""The table contracts of DESIGN.md, defined once.

Every stage hands the next one pandas DataFrames with exactly these columns; the store
keeps the same columns in DuckDB. ``conform`` is the boundary check: it fails loudly on a
missing column instead of letting a typo travel downstream.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from skillgap.errors import InputError

# The 11 mandatory elements of a micro-credential, Council Recommendation 2022, point 6b.
EU_STANDARD_ELEMENTS: tuple[str, ...] = (
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

_list_str = pa.list_(pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "vacancies": pa.schema(
        [
            ("vacancy_id", pa.string()),
            ("source", pa.string()),
            ("title", pa.string()),
            ("text", pa.string()),
            ("posted_date", pa.date32()),
            ("location_raw", pa.string()),
            ("region", pa.string()),  # NUTS code
            ("sector", pa.string()),  # NACE code
            ("occupation", pa.string()),  # ESCO URI or ISCO code, optional
            ("language", pa.string()),
            ("content_hash", pa.string()),
        ]
    ),
    "credentials": pa.schema(
        [
            ("credential_id", pa.string()),
            ("source", pa.string()),
            ("title", pa.string()),
            ("provider", pa.string()),  # awarding body
            ("country", pa.string()),
            ("issue_date", pa.date32()),
            ("learning_outcomes", _list_str),
            ("esco_skills", _list_str),  # gold ESCO links given by the catalogue (ELM)
            # what else the catalogue says the credential teaches, mapped to ESCO too:
            # a free-text description and the catalogue's own skill tags
            ("description", pa.string()),
            ("skill_tags", _list_str),
            ("workload_ects", pa.float64()),
            ("workload_hours", pa.float64()),
            ("eqf_level", pa.int16()),
            ("assessment_type", pa.string()),
            ("participation_form", pa.string()),
            ("quality_assurance", pa.string()),
            ("language", pa.string()),
            ("content_hash", pa.string()),
        ]
        # plus one string column per EU element: "elem_<name>" in
        # {"present", "missing", "invalid", "not_applicable"}
        + [(f"elem_{name}", pa.string()) for name in EU_STANDARD_ELEMENTS]
    ),
    "skill_mentions": pa.schema(
        [
            ("doc_type", pa.string()),  # vacancy | credential
            ("doc_id", pa.string()),
            ("sentence", pa.string()),
            ("span", pa.string()),
            ("skill_uri", pa.string()),
            ("score", pa.float64()),
            ("method", pa.string()),  # lexical | semantic | both | gold
            ("taxonomy_version", pa.string()),
            ("model_id", pa.string()),
            # where the mention came from and why it scored as it did (nlp.documents):
            # the document field ("text" for ads; "learning_outcomes", "description",
            # "skills", "title" for credentials), the match probability of the skill for
            # its sentence, the requirement probability of the sentence, the skill's fit
            # with the document; score = match x validity(requirement, context).
            ("field", pa.string()),
            ("match_score", pa.float64()),
            ("requirement", pa.float64()),
            ("context", pa.float64()),
        ]
    ),
    "quarantine": pa.schema(
        [
            ("batch_id", pa.string()),
            ("source_file", pa.string()),
            ("record", pa.string()),  # line number or record id
            ("reason", pa.string()),
            ("raw", pa.string()),
        ]
    ),
    "runs": pa.schema(
        [
            ("run_id", pa.string()),
            ("started_at", pa.timestamp("us")),
            ("finished_at", pa.timestamp("us")),
            ("status", pa.string()),
            ("inputs", pa.string()),  # JSON: [{path, checksum, profile}]
            ("taxonomy_version", pa.string()),
            ("model_id", pa.string()),
            ("thresholds", pa.string()),  # JSON
            ("code_version", pa.string()),
        ]
    ),
    # One row per ingested file (added by the ingest layer; see store).
    "ingest_batches": pa.schema(
        [
            ("batch_id", pa.string()),
            ("kind", pa.string()),  # vacancies | credentials
            ("source_file", pa.string()),
            ("checksum", pa.string()),  # sha256 of the file bytes
            ("profile", pa.string()),
            ("status", pa.string()),  # running | done
            ("started_at", pa.timestamp("us")),
            ("finished_at", pa.timestamp("us")),
            ("n_read", pa.int64()),
            ("n_stored", pa.int64()),
            ("n_duplicates", pa.int64()),
            ("n_near_duplicates", pa.int64()),
            ("n_quarantined", pa.int64()),
            ("owner", pa.string()),  # host:pid of the ingesting process
        ]
    ),
    # Records not stored because they repeat a kept record; linked to it, never dropped silently.
    "duplicates": pa.schema(
        [
            ("batch_id", pa.string()),
            ("doc_type", pa.string()),  # vacancy | credential
            ("doc_id", pa.string()),  # id of the duplicate record as read
            ("kept_id", pa.string()),  # id of the stored record it repeats
            ("kind", pa.string()),  # exact | near
            ("similarity", pa.float64()),  # estimated Jaccard for near, 1.0 for exact
            ("source_file", pa.string()),
            ("record", pa.string()),
            ("posted_date", pa.date32()),  # reposts still tell when an ad was live
        ]
    ),
    # Which documents were mapped with which taxonomy and encoder: the incremental key of
    # the mapping stage, written in the same transaction as the document's mentions.
    "mapping_log": pa.schema(
        [
            ("doc_type", pa.string()),  # vacancy | credential
            ("doc_id", pa.string()),
            ("content_hash", pa.string()),
            ("taxonomy_version", pa.string()),
            ("model_id", pa.string()),
            ("n_mentions", pa.int32()),
            ("mapped_at", pa.timestamp("us")),
        ]
    ),
    # The best ESCO occupation of a vacancy that came without one (title first, then text).
    "vacancy_occupations": pa.schema(
        [
            ("vacancy_id", pa.string()),
            ("occupation_uri", pa.string()),
            ("label", pa.string()),
            ("score", pa.float64()),
            ("taxonomy_version", pa.string()),
            ("model_id", pa.string()),
        ]
    ),
    # What a completed run concluded per scope and skill (a narrow copy of its gaps table),
    # so that the next run of the same analysis can report what changed.
    "run_gaps": pa.schema(
        [
            ("run_id", pa.string()),
            ("scope", pa.string()),
            ("skill_uri", pa.string()),
            ("label", pa.string()),
            ("n_vacancies", pa.int64()),
            ("n_mentioning", pa.int64()),
            ("share", pa.float64()),
            ("gap_score", pa.float64()),
            ("classification", pa.string()),
        ]
    ),
}


def columns(table: str) -> list[str]:
    return SCHEMAS[table].names


def conform(df: pd.DataFrame, table: str, *, extra: str = "drop") -> pd.DataFrame:
    """Check ``df`` against the contract of ``table`` and return it in contract column order.

    ``extra`` is "drop" (silently remove unknown columns) or "keep" (append them).
    """
    expected = columns(table)
    missing = [c for c in expected if c not in df.columns]
    if missing:
        raise InputError(f"table '{table}' is missing column(s) {missing}; has {list(df.columns)}")
    ordered = df[expected]
    if extra == "keep":
        others = [c for c in df.columns if c not in expected]
        ordered = pd.concat([ordered, df[others]], axis=1)
    return ordered


def empty(table: str) -> pd.DataFrame:
    """An empty frame with the contract's columns and Arrow-backed dtypes."""
    return SCHEMAS[table].empty_table().to_pandas()
