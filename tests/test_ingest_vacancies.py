"""Vacancy ingest: readers, profiles, bad input, de-duplication, batches, real samples."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from skillgap.errors import ConfigError, InputError
from skillgap.ingest.api import ingest_vacancies
from skillgap.store import Store
from tests.shared_data import shared_path

TEXT = (
    "We are looking for a registered nurse to join our friendly ward team in Leeds. "
    "You will plan and deliver patient care, administer medication and keep records. "
    "Experience with electronic health records and a caring attitude are essential."
)
OTHER = (
    "Our software company seeks a Python developer to build data pipelines with SQL and "
    "cloud services. You will review code, write tests and mentor junior colleagues in an "
    "agile team working on analytics products for European retailers."
)
THIRD = (
    "Chef de partie required for a busy hotel restaurant in the Lake District. Prepare "
    "fresh seasonal dishes, run your section during service and train commis chefs while "
    "keeping the kitchen to food hygiene standards."
)


def _rows(*texts: str, start: int = 1) -> list[dict[str, str]]:
    return [
        {
            "vacancy_id": f"v{start + i}",
            "title": f"Job {start + i}",
            "text": t,
            "posted_date": f"2024-01-{i + 1:02d}",
            "location_raw": "Leeds, West Yorkshire",
            "region": "UKE",
            "sector": "Q",
            "language": "",
        }
        for i, t in enumerate(texts)
    ]


def _write_csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8", **kw) -> Path:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), **kw)
    w.writeheader()
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def store(data_dir: Path):
    with Store.open() as st:
        yield st


def test_generic_csv_round_trip(tmp_path: Path, store: Store) -> None:
    f = _write_csv(tmp_path / "v.csv", _rows(TEXT, OTHER, THIRD))
    rep = ingest_vacancies(f, "generic", store)
    assert rep.counts == {
        "read": 3,
        "stored": 3,
        "duplicates": 0,
        "near_duplicates": 0,
        "quarantined": 0,
    }
    df = store.read("vacancies").sort_values("vacancy_id")
    assert df["vacancy_id"].tolist() == ["v1", "v2", "v3"]
    assert df["source"].tolist() == ["generic"] * 3
    assert df["language"].tolist() == ["en"] * 3
    assert df["region"].tolist() == ["UKE"] * 3
    assert str(df["posted_date"].iloc[0].date()) == "2024-01-01"
    assert df["content_hash"].str.len().eq(32).all()
    batches = store.read("ingest_batches")
    assert batches["n_stored"].tolist() == [3] and batches["status"].tolist() == ["done"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "latin-1", "utf-16"])
def test_csv_encodings_are_detected(tmp_path: Path, store: Store, encoding: str) -> None:
    rows = _rows(TEXT.replace("Leeds", "Rhône café"), OTHER)
    f = _write_csv(tmp_path / "v.csv", rows, encoding=encoding)
    rep = ingest_vacancies(f, "generic", store, near_duplicates=False)
    assert rep.stored == 2
    assert "Rhône café" in store.read("vacancies", "vacancy_id = 'v1'")["text"].iloc[0]


def test_semicolon_delimiter_is_sniffed(tmp_path: Path, store: Store) -> None:
    f = _write_csv(tmp_path / "v.csv", _rows(TEXT, OTHER), delimiter=";")
    assert ingest_vacancies(f, "generic", store).stored == 2


def test_profile_quotechar_and_delimiter(tmp_path: Path, store: Store) -> None:
    prof = tmp_path / "q.toml"
    prof.write_text(
        'kind = "vacancies"\ndelimiter = "|"\nquotechar = "\'"\n'
        '[fields]\nid = "id"\ntext = "text"\n',
        encoding="utf-8",
    )
    f = tmp_path / "q.txt"
    f.write_text(f"id|text\n1|'{TEXT} A | inside, quoted.'\n", encoding="utf-8")
    rep = ingest_vacancies(f, prof, store)
    assert rep.stored == 1
    assert store.read("vacancies")["text"].iloc[0].endswith("A | inside, quoted.")


def test_jsonl_and_parquet(tmp_path: Path, store: Store) -> None:
    jl = tmp_path / "v.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in _rows(TEXT, OTHER)) + "\n", encoding="utf-8")
    assert ingest_vacancies(jl, "generic", store).stored == 2
    pq = tmp_path / "v.parquet"
    pd.DataFrame(_rows(THIRD, start=10)).drop(columns=["language"]).to_parquet(pq)
    assert ingest_vacancies(pq, "generic", store).stored == 1
    assert store.count("vacancies") == 3


def test_malformed_lines_bad_dates_and_texts_are_quarantined(tmp_path: Path, store: Store) -> None:
    rows = _rows(TEXT, OTHER, THIRD, "", "x" * 200_001, "tiny")
    rows[1]["posted_date"] = "31/02/2024"
    f = _write_csv(tmp_path / "v.csv", rows)
    with f.open("a", encoding="utf-8") as fh:
        fh.write('v99,"only","three fields"\n')
    rep = ingest_vacancies(f, "generic", store)
    assert rep.read == 7 and rep.stored == 2 and rep.quarantined == 5
    assert rep.quarantine_reasons == {
        "unparseable date": 1,
        "empty text": 1,
        "text too long": 1,
        "text too short": 1,
        "malformed CSV line": 1,
    }
    q = store.read("quarantine").set_index("record")
    assert q.loc["line 3", "reason"].startswith("unparseable date '31/02/2024'")
    assert q.loc["line 8", "reason"] == "malformed CSV line: expected 8 fields, found 3"
    assert (q["source_file"] == str(f)).all()
    assert "v2" in q.loc["line 3", "raw"]


def test_missing_required_column_is_one_clear_error(tmp_path: Path, store: Store) -> None:
    rows = [{k: v for k, v in r.items() if k != "text"} for r in _rows(TEXT)]
    f = _write_csv(tmp_path / "v.csv", rows)
    with pytest.raises(InputError) as err:
        ingest_vacancies(f, "generic", store)
    msg = str(err.value)
    assert "profile 'generic'" in msg and str(f) in msg and "column 'text'" in msg
    assert store.count("vacancies") == 0 and store.count("ingest_batches") == 0


def test_unknown_encoding_changes_nothing(tmp_path: Path, store: Store) -> None:
    f = tmp_path / "v.csv"
    f.write_bytes(bytes(range(256)) * 50)
    with pytest.raises(InputError, match="encoding"):
        ingest_vacancies(f, "generic", store)
    good = _write_csv(tmp_path / "g.csv", _rows(TEXT))
    with pytest.raises(InputError, match="unknown encoding 'klingon'"):
        ingest_vacancies(good, "generic", store, encoding="klingon")
    assert store.count("vacancies") == 0 and store.count("quarantine") == 0


def test_invalid_json_line_is_quarantined(tmp_path: Path, store: Store) -> None:
    jl = tmp_path / "v.jsonl"
    lines = [json.dumps(r) for r in _rows(TEXT, OTHER)]
    lines.insert(1, '{"vacancy_id": "broken", "text": ')
    jl.write_text("\n".join(lines), encoding="utf-8")
    rep = ingest_vacancies(jl, "generic", store)
    assert rep.stored == 2 and rep.quarantined == 1
    assert store.read("quarantine")["record"].tolist() == ["line 2"]


def test_duplicate_ids_and_exact_duplicates(tmp_path: Path, store: Store) -> None:
    rows = _rows(TEXT, OTHER, THIRD)
    rows.append(dict(rows[0]))  # same id, same content: a duplicate
    changed = dict(rows[1], text=THIRD + " Apply now.")
    rows.append(changed)  # same id v2, different content: quarantined
    rows.append(dict(rows[2], vacancy_id="v77"))  # other id, same content: exact duplicate
    f = _write_csv(tmp_path / "v.csv", rows)
    rep = ingest_vacancies(f, "generic", store, near_duplicates=False)
    assert (rep.stored, rep.duplicates, rep.quarantined) == (3, 2, 1)
    assert rep.quarantine_reasons == {"duplicate id": 1}
    dups = store.read("duplicates").set_index("doc_id")
    assert dups.loc["v77", "kept_id"] == "v3" and dups.loc["v77", "kind"] == "exact"
    assert dups.loc["v1", "kept_id"] == "v1"
    reason = store.read("quarantine")["reason"].iloc[0]
    assert reason == "duplicate id 'v2' with different content (first seen in line 3)"
    # A later file reusing an id with new content: quarantined, naming the first batch.
    later = _write_csv(tmp_path / "later.csv", [dict(rows[0], text=OTHER + " Now remote.")])
    rep2 = ingest_vacancies(later, "generic", store)
    assert rep2.quarantined == 1
    assert f"first seen in batch {rep.batch_id}" in store.read("quarantine")["reason"].iloc[-1]


def test_near_duplicates_within_batch_and_against_store(tmp_path: Path, store: Store) -> None:
    # Reposts: same title, a changed word or two and an added date/reference line.
    nurse = TEXT + " We offer flexible shifts, paid training, a pension scheme and free parking."
    hotel = THIRD + " Live-in accommodation is available and the team shares tips every month."
    first = _rows(nurse, OTHER)
    ingest_vacancies(_write_csv(tmp_path / "a.csv", first), "generic", store)
    rows = _rows(
        nurse.replace("friendly", "welcoming") + " Date posted: 2024-02-01.",
        hotel,
        hotel.replace("busy", "bustling") + " Ref 123.",
        start=10,
    )
    rows[0]["title"] = first[0]["title"]
    rows[2]["title"] = rows[1]["title"]
    rep = ingest_vacancies(_write_csv(tmp_path / "b.csv", rows), "generic", store)
    assert (rep.stored, rep.near_duplicates) == (1, 2)
    dups = store.read("duplicates").set_index("doc_id")
    assert dups.loc["v10", "kept_id"] == "v1"  # against the store
    assert dups.loc["v12", "kept_id"] == "v11"  # within the batch
    assert (dups["similarity"] >= 0.8).all() and (dups["kind"] == "near").all()
    assert str(dups.loc["v10", "posted_date"].date()) == "2024-01-01"
    assert store.count("vacancies") == 3


def test_near_duplicate_detection_can_be_switched_off(tmp_path: Path, store: Store) -> None:
    rows = _rows(TEXT, TEXT.replace("friendly", "welcoming"))
    rep = ingest_vacancies(
        _write_csv(tmp_path / "a.csv", rows), "generic", store, near_duplicates=False
    )
    assert rep.stored == 2 and rep.near_duplicates == 0


def test_reingest_is_a_no_op(tmp_path: Path, store: Store) -> None:
    f = _write_csv(tmp_path / "v.csv", _rows(TEXT, OTHER))
    first = ingest_vacancies(f, "generic", store)
    again = ingest_vacancies(f, "generic", store)
    assert again.skipped and again.batch_id == first.batch_id and again.stored == 0
    assert store.count("vacancies") == 2 and store.count("ingest_batches") == 1


def test_interrupted_ingest_leaves_store_unchanged(tmp_path: Path, store: Store) -> None:
    ingest_vacancies(_write_csv(tmp_path / "a.csv", _rows(OTHER, start=50)), "generic", store)
    before = {t: store.count(t) for t in ("vacancies", "quarantine", "ingest_batches")}
    rows = _rows(TEXT, THIRD, "") * 1
    f = _write_csv(tmp_path / "b.csv", rows)

    def boom(n_chunk: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_vacancies(f, "generic", store, chunk_size=1, _after_chunk=boom)
    assert {t: store.count(t) for t in before} == before
    # ... and the file can be ingested afterwards (no half-recorded batch blocks it).
    assert ingest_vacancies(f, "generic", store).stored == 2


def test_user_profile_with_mappings(tmp_path: Path, store: Store) -> None:
    (tmp_path / "nuts.csv").write_text("raw_value,code\nWest Yorkshire,UKE\n", encoding="utf-8")
    (tmp_path / "nace.csv").write_text("raw_value,code\nHealth care,Q\n", encoding="utf-8")
    prof = tmp_path / "mine.toml"
    prof.write_text(
        """
name = "mine"
kind = "vacancies"
source = "my-board"
required = ["id", "text"]
[fields]
id = "ref"
title = "heading"
text = ["intro", "body"]
posted_date = "when"
location = "where"
sector_raw = "category"
[dates]
formats = ["%d.%m.%Y"]
[mappings]
region = "nuts.csv"
sector = "nace.csv"
[options]
id_prefix = "mb:"
""",
        encoding="utf-8",
    )
    rows = [
        {"ref": "1", "heading": "Nurse", "intro": "Hello.", "body": TEXT, "when": "05.03.2024",
         "where": "Leeds, West Yorkshire", "category": "Health care"},
        {"ref": "2", "heading": "Dev", "intro": "", "body": OTHER, "when": "",
         "where": "Atlantis", "category": "Unknown"},
    ]  # fmt: skip
    rep = ingest_vacancies(_write_csv(tmp_path / "v.csv", rows), prof, store)
    assert rep.stored == 2 and rep.unmapped == {"region": 1, "sector": 1}
    df = store.read("vacancies").set_index("vacancy_id")
    assert df.loc["mb:1", "region"] == "UKE" and df.loc["mb:1", "sector"] == "Q"
    assert df.loc["mb:1", "text"].startswith("Hello.\n\nWe are looking")
    assert str(df.loc["mb:1", "posted_date"].date()) == "2024-03-05"
    assert df.loc["mb:1", "source"] == "my-board"
    assert pd.isna(df.loc["mb:2", "region"]) and pd.isna(df.loc["mb:2", "sector"])


def test_unknown_profile_and_bad_profile_are_config_errors(tmp_path: Path, store: Store) -> None:
    f = _write_csv(tmp_path / "v.csv", _rows(TEXT))
    with pytest.raises(ConfigError, match=r"unknown vacancies profile 'nope'.*adzuna-uk"):
        ingest_vacancies(f, "nope", store)
    bad = tmp_path / "bad.toml"
    bad.write_text('kind = "vacancies"\n[fields]\nid = "a"\nwage = "b"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown field"):
        ingest_vacancies(f, bad, store)


# Real samples ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory):
    adzuna = shared_path("data", "vacancies", "adzuna-uk-2013", "Train_rev1_subset.csv")
    skillspan = shared_path("data", "vacancies", "skillspan", "skillspan_postings_train_dev.jsonl")
    with Store.open(tmp_path_factory.mktemp("real") / "s.duckdb") as st:
        reports = {
            "adzuna": ingest_vacancies(adzuna, "adzuna-uk", st),
            "skillspan": ingest_vacancies(skillspan, "skillspan", st),
        }
        yield st, reports


def test_adzuna_sample(real_store) -> None:
    st, reports = real_store
    rep = reports["adzuna"]
    # 2,499 ads with unique ids; 4 are verbatim reposts under another id and several
    # hundred are reposts differing in a few words (the careworx nursing ads).
    assert rep.read == 2499 and rep.quarantined == 0
    assert rep.duplicates == 4
    assert 400 <= rep.near_duplicates <= 500
    assert rep.stored + rep.duplicates + rep.near_duplicates == 2499
    df = st.read("vacancies", "source = 'adzuna-uk'")
    assert df["vacancy_id"].str.startswith("adzuna-uk:").all()
    assert (df["language"] == "en").mean() > 0.99
    assert df["posted_date"].isna().all()  # the data has no dates
    # the shipped example maps: Healthcare & Nursing -> NACE Q, Dorking, Surrey -> UKJ
    assert (df["sector"] == "Q").sum() > 1000
    row = df.set_index("vacancy_id").loc["adzuna-uk:12612628"]
    assert row["region"] == "UKJ" and row["sector"] == "M"
    assert row["location_raw"] == "Dorking, Surrey, Surrey"


def test_skillspan_sample(real_store) -> None:
    st, reports = real_store
    rep = reports["skillspan"]
    assert rep.read == 198 and rep.quarantined == 0
    assert rep.stored + rep.near_duplicates + rep.duplicates == 198
    df = st.read("vacancies", "source = 'skillspan'").set_index("vacancy_id")
    row = df.loc["skillspan:train/tech/1"]
    assert row["title"].startswith("Senior QA Engineer")
    assert str(row["posted_date"].date()) == "2021-07-14"
    assert df["posted_date"].notna().sum() >= 100  # the tech postings carry a date


def test_store_info_on_real_data(real_store) -> None:
    st, _ = real_store
    info = st.info()
    assert dict(info["vacancies"]["by_source"]).keys() == {"adzuna-uk", "skillspan"}
    assert "2021-07" in dict(info["vacancies"]["by_period"])
    assert dict(info["vacancies"]["by_region"]).get("UKI", 0) > 50  # London


def test_batch_of_a_dead_process_is_removed_on_open(tmp_path: Path, data_dir: Path) -> None:
    import socket

    f = _write_csv(tmp_path / "v.csv", _rows(TEXT, OTHER))
    with Store.open() as st:
        rep = ingest_vacancies(f, "generic", st)
        # Pretend the batch never finished and its process (an impossible pid) died.
        st.con.execute(
            "UPDATE ingest_batches SET status = 'running', owner = ? WHERE batch_id = ?",
            [f"{socket.gethostname()}:999999999", rep.batch_id],
        )
        assert st.count("vacancies") == 2
    with Store.open() as st:
        assert st.count("vacancies") == 0 and st.count("ingest_batches") == 0
        assert st.count("vacancy_signatures") == 0
        assert not ingest_vacancies(f, "generic", st).skipped
