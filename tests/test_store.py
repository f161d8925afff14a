"""The DuckDB store: creation, migrations, typed round trips, transactions, info."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from skillgap.errors import InputError
from skillgap.schemas import columns
from skillgap.store import Store, StoreError
from skillgap.store.migrations import LATEST_VERSION


def _mentions(doc_id: str, score: float, n: int = 1) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_type": ["vacancy"] * n,
            "doc_id": [doc_id] * n,
            "sentence": ["Python and SQL"] * n,
            "span": ["Python"] * n,
            "skill_uri": [f"http://data.europa.eu/esco/skill/{i}" for i in range(n)],
            "score": [score] * n,
            "method": ["lexical"] * n,
            "taxonomy_version": ["v1.1.1"] * n,
            "model_id": ["m"] * n,
            "field": ["text"] * n,
            "match_score": [score] * n,
            "requirement": [1.0] * n,
            "context": [0.5] * n,
        }
    )


def test_open_creates_file_with_every_table(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "s.duckdb"
    with Store.open(path) as st:
        assert st.schema_version() == LATEST_VERSION
        tables = set(st.tables())
    assert path.is_file()
    assert {"vacancies", "credentials", "skill_mentions", "quarantine", "runs"} <= tables
    assert {"ingest_batches", "duplicates", "schema_version"} <= tables


def test_default_path_comes_from_settings(data_dir: Path) -> None:
    with Store.open() as st:
        assert st.path == data_dir / "skillgap.duckdb"
    assert (data_dir / "skillgap.duckdb").is_file()


def test_reopen_does_not_migrate_twice(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    with Store.open(path) as st:
        assert st.count("schema_version") == LATEST_VERSION


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version VALUES (999, 'future', now())")
    con.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def test_read_only_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "none.duckdb", read_only=True)


def test_append_read_round_trip_keeps_types(tmp_path: Path) -> None:
    row = {c: None for c in columns("credentials")}
    row.update(
        credential_id="c1",
        title="Data literacy",
        issue_date=dt.date(2024, 3, 1),
        learning_outcomes=["read a chart", "clean a table"],
        esco_skills=["http://data.europa.eu/esco/skill/x"],
        workload_ects=2.0,
        eqf_level=5,
    )
    with Store.open(tmp_path / "s.duckdb") as st:
        assert st.append("credentials", pd.DataFrame([row])) == 1
        back = st.read("credentials", "credential_id = ?", ["c1"])
    assert list(back.iloc[0]["learning_outcomes"]) == ["read a chart", "clean a table"]
    assert pd.Timestamp(back.iloc[0]["issue_date"]).date() == dt.date(2024, 3, 1)
    assert back.iloc[0]["eqf_level"] == 5
    assert back.iloc[0]["batch_id"] is None or pd.isna(back.iloc[0]["batch_id"])


def test_append_rejects_missing_and_unknown_columns(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as st:
        with pytest.raises(InputError, match="lacks contract column"):
            st.append("skill_mentions", _mentions("v1", 0.5).drop(columns=["score"]))
        with pytest.raises(InputError, match="unknown column"):
            st.append("skill_mentions", _mentions("v1", 0.5).assign(extra=1))
        with pytest.raises(InputError, match="no table"):
            st.read("nope")


def test_replace_where_swaps_rows_atomically(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as st:
        st.append("skill_mentions", _mentions("v1", 0.5, n=3))
        st.append("skill_mentions", _mentions("v2", 0.5, n=2))
        st.replace_where("skill_mentions", "doc_id = ?", _mentions("v1", 0.9, n=1), ["v1"])
        df = st.read("skill_mentions")
        assert sorted(df["doc_id"]) == ["v1", "v2", "v2"]
        assert df.loc[df["doc_id"] == "v1", "score"].tolist() == [0.9]
        # A failing insert leaves the deleted rows in place.
        with pytest.raises(InputError):
            st.replace_where("skill_mentions", "doc_id = ?", pd.DataFrame({"x": [1]}), ["v2"])
        assert st.count("skill_mentions", "doc_id = 'v2'") == 2


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as st:
        with pytest.raises(RuntimeError), st.transaction():
            st.append("skill_mentions", _mentions("v1", 0.5))
            with st.transaction():  # nested: joins the outer one
                st.append("skill_mentions", _mentions("v2", 0.5))
            raise RuntimeError("interrupted")
        assert st.count("skill_mentions") == 0


def test_info_counts(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.duckdb") as st:
        st.append(
            "quarantine",
            pd.DataFrame(
                {
                    "batch_id": ["b", "b"],
                    "source_file": ["f", "f"],
                    "record": ["line 2", "line 3"],
                    "reason": ["unparseable date '2020-13-45'", "empty text"],
                    "raw": ["", ""],
                }
            ),
        )
        info = st.info()
    assert info["schema_version"] == LATEST_VERSION
    assert dict(info["quarantine_by_reason"]) == {"unparseable date": 1, "empty text": 1}
    assert info["tables"]["quarantine"] == 2


def test_pending_migration_is_applied_on_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import skillgap.store.db as db

    path = tmp_path / "s.duckdb"
    Store.open(path).close()

    step = ("ALTER TABLE vacancies ADD COLUMN salary DOUBLE",)
    nxt = LATEST_VERSION + 1
    monkeypatch.setattr(db, "MIGRATIONS", [*db.MIGRATIONS, (nxt, "salary", step)])
    monkeypatch.setattr(db, "LATEST_VERSION", nxt)
    with Store.open(path) as st:
        assert st.schema_version() == nxt
        cols = st.con.execute("SELECT * FROM vacancies LIMIT 0").fetchdf().columns
        assert "salary" in cols
    with Store.open(path) as st:  # not applied twice
        assert st.count("schema_version") == LATEST_VERSION + 1


def test_several_stores_on_one_file_share_it(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    a, b = Store.open(path), Store.open(path)
    a.append("skill_mentions", _mentions("v1", 0.5))
    assert b.count("skill_mentions") == 1
    a.close()
    assert b.count("skill_mentions") == 1  # b still works after a closed
    b.close()
    con = duckdb.connect(str(path))  # the last close released the file
    assert con.execute("SELECT count(*) FROM skill_mentions").fetchone()[0] == 1
    con.close()


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? "
        "AND table_catalog = current_database() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    return [(str(n), str(t)) for n, t in rows]


def test_frozen_migrations_build_exactly_the_contract_tables(tmp_path: Path) -> None:
    """The released steps are literal SQL; a contract change without a new step fails here."""
    from skillgap.schemas import SCHEMAS
    from skillgap.store.migrations import MIGRATIONS, expected_columns

    assert all(isinstance(sql, str) for _, _, step in MIGRATIONS for sql in step)
    with Store.open(tmp_path / "s.duckdb") as st:
        for table in SCHEMAS:
            # names and types; not their order: a later step's ALTER appends its columns
            # at the end, and the store writes rows by column name (INSERT ... BY NAME)
            got = _columns(st.con, table)
            assert len(got) == len(set(got)), table
            assert dict(got) == dict(expected_columns(table)), table


def test_a_store_with_the_old_ad_hoc_mapping_tables_migrates_and_keeps_rows(
    tmp_path: Path,
) -> None:
    """Stores of the previous release had mapping_log / vacancy_occupations created by the
    flow, outside the migrations, at schema version 2."""
    from skillgap.store.migrations import MIGRATIONS

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE schema_version (version INTEGER, description VARCHAR, applied_at TIMESTAMP)"
    )
    for version, description, step in MIGRATIONS[:2]:
        for sql in step:
            con.execute(sql)
        con.execute("INSERT INTO schema_version VALUES (?, ?, now())", [version, description])
    con.execute(  # exactly the DDL the old flow ran
        "CREATE TABLE IF NOT EXISTS mapping_log (doc_type VARCHAR, doc_id VARCHAR, "
        "content_hash VARCHAR, taxonomy_version VARCHAR, model_id VARCHAR, n_mentions INTEGER, "
        "mapped_at TIMESTAMP)"
    )
    con.execute(
        "INSERT INTO mapping_log VALUES ('vacancy', 'v1', 'h', 't', 'm', 3, TIMESTAMP '2026-01-02')"
    )
    con.close()
    with Store.open(path) as st:
        assert st.schema_version() == LATEST_VERSION
        assert st.count("mapping_log") == 1
        assert st.count("vacancy_occupations") == 0
        assert st.count("run_gaps") == 0


_HOLD = """
import sys, time
from pathlib import Path
from skillgap.store import Store
st = Store.open(Path(sys.argv[1]))
print("holding", flush=True)
time.sleep(120)
"""


def test_a_second_writer_process_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys

    from skillgap.store import StoreLockedError

    path = tmp_path / "s.duckdb"
    Store.open(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreLockedError, match=rf"in use by .*pid {holder.pid}"):
            Store.open(path)
        # The kernel drops the lock of a process killed outright: no stale lock remains.
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
        with Store.open(path) as st:
            assert st.count("runs") == 0
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_the_lock_is_reentrant_within_a_process(tmp_path: Path) -> None:
    from skillgap.store import lock

    path = tmp_path / "s.duckdb"
    with lock.hold(path):
        with Store.open(path) as st:  # the run holds the lock; its own opens pass
            st.append("skill_mentions", _mentions("v1", 0.5))
        assert lock.held_here(path)
    assert not lock.held_here(path)
