"""Regression tests for the defects found when the product was tried hard (one or more per
defect), through the command line wherever a user meets the defect there."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from skillgap.errors import EXIT_DATA, EXIT_INTERNAL, EXIT_USAGE
from tests.badinput import (
    CREDENTIAL_COLUMNS,
    credential_rows,
    csv_text,
    open_badge,
    quarantine_rows,
    run_cli,
    store_counts,
    truncate,
    vacancy_rows,
    write_csv,
    write_jsonl,
)


@pytest.fixture
def store(tmp_path: Path, data_dir: Path) -> Path:
    """A store holding three vacancies, made through the command line."""
    path = tmp_path / "store.duckdb"
    res = run_cli(
        "ingest", "vacancies", write_csv(tmp_path / "good.csv", vacancy_rows(3)), "--store", path
    )
    assert res.code == 0, res.text
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# 1. a store path that is not a DuckDB file ----------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_store_path_to_an_existing_data_file_is_refused(
    tmp_path: Path, data_dir: Path, suffix: str
) -> None:
    target = tmp_path / f"existing{suffix}"
    target.write_text("a,b\n1,2\n" if suffix == ".csv" else '{"a": 1}\n', encoding="utf-8")
    before = _sha(target)
    ads = write_csv(tmp_path / "ads.csv", vacancy_rows(2))
    res = run_cli("ingest", "vacancies", ads, "--store", target)
    assert res.code == EXIT_DATA, res.text
    assert f"store {target} is not a DuckDB database file" in res.text
    assert "stored" not in res.text
    assert _sha(target) == before


def test_new_store_path_with_a_data_file_suffix_is_refused(tmp_path: Path, data_dir: Path) -> None:
    ads = write_csv(tmp_path / "ads.csv", vacancy_rows(2))
    res = run_cli("ingest", "vacancies", ads, "--store", tmp_path / "out.csv")
    assert res.code == EXIT_DATA, res.text
    assert "'.csv'" in res.text and ".duckdb" in res.text
    assert not (tmp_path / "out.csv").exists()


def test_store_path_that_is_a_directory_is_refused(tmp_path: Path, data_dir: Path) -> None:
    ads = write_csv(tmp_path / "ads.csv", vacancy_rows(2))
    res = run_cli("ingest", "vacancies", ads, "--store", tmp_path)
    assert res.code == EXIT_DATA and f"store {tmp_path} is a directory" in res.text


# 2. a UTF-8 file with one Latin-1 line -----------------------------------------------------
def test_utf8_file_with_one_latin1_line_quarantines_that_line(store: Path, tmp_path: Path) -> None:
    rows = vacancy_rows(10, start=10)
    for r in rows:
        r["title"] = "Ingénieur Rhône"
    lines = csv_text(rows).encode("utf-8").split(b"\n")
    lines[4] = lines[4].decode("utf-8").encode("latin-1", errors="replace")  # record v13
    bad = tmp_path / "mixed.csv"
    bad.write_bytes(b"\n".join(lines))
    res = run_cli("ingest", "vacancies", bad, "--store", store)
    assert res.code == 0, res.text
    counts = store_counts(store)
    assert counts["vacancies"] == 3 + 9
    [(name, record, reason)] = quarantine_rows(store)
    assert (name, record) == ("mixed.csv", "line 5")
    assert "not valid UTF-8" in reason and "0xe9" in reason
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    titles = {r[0] for r in con.execute("SELECT title FROM vacancies").fetchall()}
    langs = {r[0] for r in con.execute("SELECT language FROM vacancies").fetchall()}
    con.close()
    assert "Ingénieur Rhône" in titles and not any("Ã" in (t or "") for t in titles)
    assert langs == {"en"}


# 3. formulas in CSV outputs ----------------------------------------------------------------
def test_csv_tables_neutralise_formula_cells(tmp_path: Path) -> None:
    from skillgap.reports import write_reports
    from tests.test_reports_fixtures import build_analysis, run_meta

    analysis = build_analysis()
    gaps = analysis.gaps.copy()
    hostile = [
        '=HYPERLINK("http://x.example","click")',
        "=cmd|' /C calc'!A0",
        "+1+2",
        "@SUM(A1)",
        "-2+3",
    ]
    idx = gaps.index[: len(hostile)]
    gaps.loc[idx, "label"] = hostile
    analysis.gaps = gaps
    paths = write_reports(
        analysis, tmp_path / "run", run_meta=run_meta(), formats={"csv", "parquet"}
    )
    with paths["csv:gaps"].open(encoding="utf-8", newline="") as fh:
        labels = [row["label"] for row in csv.DictReader(fh)]
    for text in hostile:
        assert text not in labels
        assert "'" + text in labels
    assert not any(lab[:1] in ("=", "+", "@", "-") for lab in labels)
    # Parquet is not a spreadsheet format: it keeps the text as it was
    assert set(hostile) <= set(pd.read_parquet(paths["parquet:gaps"])["label"])


# 4. stored values read as Rich markup ------------------------------------------------------
def test_markup_in_data_is_printed_verbatim(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "s.duckdb"
    rows = vacancy_rows(2)
    rows[1]["text"] = "tiny [/x]"  # too short: quarantined with its text
    rows[0]["source"] = "[bold]board[/x]"
    f = write_csv(tmp_path / "[bold]ads.csv", rows)
    res = run_cli("ingest", "vacancies", f, "--store", path)
    assert res.code == 0, res.text
    assert "[bold]ads.csv" in res.text
    res = run_cli("store", "quarantine", "--store", path)
    assert res.code == 0, res.text
    assert "[bold]ads.csv" in res.text
    res = run_cli("store", "info", "--store", path)
    assert res.code == 0, res.text
    assert "[bold]board[/x]" in res.text
    cat = tmp_path / "cat.csv"
    cat.write_text(
        csv_text(
            [{**credential_rows(1)[0], "title": "Welding [/x] [b]basics[/b]"}], CREDENTIAL_COLUMNS
        )
    )
    res = run_cli("credentials", "check", cat, "--profile", "generic")
    assert res.code == 0, res.text
    assert "[/x]" in res.text


def test_error_messages_keep_bracketed_text(tmp_path: Path, data_dir: Path) -> None:
    cfg = tmp_path / "a.toml"
    cfg.write_text(
        '[[inputs.vacancies]]\npath = "x.csv"\nprofile = "generic"\n[analysis]\nbogus = 1\n'
    )
    (tmp_path / "x.csv").write_text(csv_text(vacancy_rows(1)))
    res = run_cli("run", cfg)
    assert res.code == EXIT_DATA, res.text
    assert "[analysis]" in res.text and "Traceback" not in res.text


# 5. summary.md escapes values taken from the data -----------------------------------------
def test_markdown_summary_escapes_variant_names_from_data(tmp_path: Path) -> None:
    from skillgap.gaps.tables import TABLE_COLUMNS
    from skillgap.reports import write_reports
    from tests.test_reports_fixtures import build_analysis, run_meta

    analysis = build_analysis()
    region = "<script>x</script>"

    def swap(v: object) -> object:
        if isinstance(v, str):
            return v.replace("DE21", region)
        if isinstance(v, (list, tuple)) or hasattr(v, "tolist"):
            return [swap(x) for x in list(v)]
        return v

    for name in TABLE_COLUMNS:
        df = getattr(analysis, name).copy()
        for col in df.columns:
            if df[col].dtype == object:
                df[col] = df[col].map(swap)
        setattr(analysis, name, df)
    paths = write_reports(
        analysis,
        tmp_path / "run",
        run_meta=run_meta(),
        variants=[f"region={region}"],
        formats={"md", "html"},
    )
    md = paths["md"].read_text(encoding="utf-8")
    assert "<script" not in md and "&lt;script&gt;" in md
    assert "<script" not in paths[f"md:region={region}"].read_text(encoding="utf-8")


# 7. typed-wrong credential fields, deep JSON, broken archives, map --output DIR ------------
ECTS_FRAMEWORK = "http://data.europa.eu/snb/education-credit/6fcec5c5af"


def _elm(framework: object) -> dict:
    spec = {
        "title": {"en": "Heat pump installer"},
        "learningOutcome": [{"title": {"en": "Install air-source heat pumps"}}],
        "creditPoint": [{"framework": framework, "point": "2"}],
    }
    claim = {"id": "urn:claim:1", "type": "LearningAchievement", "specifiedBy": spec}
    return {
        "id": "urn:credential:1",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "issued": "2024-05-01T00:00:00Z",
        "credentialSubject": {"id": "urn:subject:1", "hasClaim": [claim]},
    }


def _ingest_json(tmp_path: Path, store: Path, doc: dict):
    f = tmp_path / "cred.json"
    f.write_text(json.dumps(doc), encoding="utf-8")
    res = run_cli("ingest", "credentials", f, "--store", store)
    assert res.code == 0 and "Traceback" not in res.text, res.text
    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    rows = con.execute(
        "SELECT provider, country, workload_ects, elem_notional_workload FROM credentials"
    ).fetchall()
    con.close()
    return rows, quarantine_rows(store)


def test_typed_wrong_credential_objects_are_record_errors(tmp_path: Path, store: Path) -> None:
    subject = open_badge()
    subject["credentialSubject"] = 42
    assert _ingest_json(tmp_path, store, subject) == (
        [],
        [
            (
                "cred.json",
                "record 1",
                "field 'credentialSubject' must be an object or an IRI, found int",
            )
        ],
    )


def test_json_ld_references_given_as_iri_strings_are_read(tmp_path: Path, store: Path) -> None:
    # JSON-LD may name a node by its IRI instead of embedding it: not a crash, and the
    # ECTS framework given by IRI still counts
    rows, bad = _ingest_json(tmp_path, store, _elm(ECTS_FRAMEWORK))
    assert bad == [] and rows == [(None, None, 2.0, "present")]


def test_open_badge_with_typed_wrong_parts(tmp_path: Path, store: Path) -> None:
    ach = open_badge(creator={"name": "Academy", "address": "IE"}, creditsAvailable={"value": 5})
    rows, bad = _ingest_json(tmp_path, store, ach)
    assert bad == [] and rows == [("Academy", None, None, "invalid")]
    iri = open_badge()
    iri["id"] = "urn:uuid:badge-2"
    iri["credentialSubject"]["achievement"] = "urn:achievement:7"
    rows, bad = _ingest_json(tmp_path, store, iri)
    assert bad == [("cred.json", "record 1", "missing title")]


def test_elm_credit_framework_of_a_wrong_type_is_a_record_error(
    tmp_path: Path, store: Path
) -> None:
    rows, bad = _ingest_json(tmp_path, store, _elm(5))
    assert rows == []
    assert bad == [
        (
            "cred.json",
            "record 1",
            "field 'creditPoint.framework' must be an object or an IRI, found int",
        )
    ]


def test_deeply_nested_json_is_a_clear_error(tmp_path: Path, store: Path) -> None:
    from tests.badinput import nested_json

    before = store_counts(store)
    f = tmp_path / "deep.json"
    f.write_text(nested_json(100_000), encoding="utf-8")
    res = run_cli("ingest", "credentials", f, "--store", store)
    assert res.code == EXIT_DATA, res.text
    assert f"{f}: JSON nested too deeply" in res.text
    jl = tmp_path / "deep.jsonl"
    jl.write_text(json.dumps(vacancy_rows(1, start=100)[0]) + "\n" + nested_json(100_000) + "\n")
    res = run_cli("ingest", "vacancies", jl, "--store", store)
    assert res.code == 0, res.text
    assert store_counts(store)["vacancies"] == before["vacancies"] + 1
    assert quarantine_rows(store) == [("deep.jsonl", "line 2", "invalid JSON: nested too deeply")]


def test_truncated_xlsx_is_a_clear_error(tmp_path: Path, store: Path) -> None:
    from tests.badinput import write_xlsx

    before = store_counts(store)
    f = truncate(write_xlsx(tmp_path / "ads.xlsx", vacancy_rows(50)))
    res = run_cli("ingest", "vacancies", f, "--store", store)
    assert res.code == EXIT_DATA, res.text
    assert f"{f}: not a readable Excel workbook" in res.text
    assert store_counts(store) == before


def test_map_output_to_a_directory_is_a_usage_error(tmp_path: Path, data_dir: Path) -> None:
    src = write_jsonl(tmp_path / "q.jsonl", [{"id": 1, "text": "Python"}])
    res = run_cli("map", "--input", src, "--output", tmp_path)
    assert res.code == EXIT_USAGE, res.text
    assert "--output" in res.text and "is a directory" in res.text and "Traceback" not in res.text


# 8. usage errors ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["nosuch"], "No such command"),
        (["ingest", "vacancies"], "Missing"),
        (["store", "info", "--bogus"], "No such option"),
        (["map", "--top-k", "0", "--text", "x"], "top-k"),
        (["map"], "exactly one of --text or --input"),
        (["map", "--input", "q.jsonl"], "--output"),
    ],
)
def test_usage_errors_exit_2_without_traceback(data_dir: Path, args: list[str], words: str) -> None:
    res = run_cli(*args)
    assert res.code == EXIT_USAGE, res.text
    assert "Traceback" not in res.text and words in res.text


def test_console_script_exit_codes(tmp_path: Path) -> None:
    """The installed entry point, as a scheduler runs it: usage 2, bad data 3."""
    env = {
        **os.environ,
        "SKILLGAP_DATA_DIR": str(tmp_path / "d"),
        "SKILLGAP_CONFIG": str(tmp_path / "n.toml"),
    }
    exe = [sys.executable, "-m", "skillgap.cli.main"]
    usage = subprocess.run([*exe, "nosuch"], capture_output=True, text=True, env=env, timeout=120)
    assert usage.returncode == EXIT_USAGE and "Traceback" not in usage.stderr
    data = subprocess.run(
        [
            *exe,
            "ingest",
            "vacancies",
            str(tmp_path / "absent.csv"),
            "--store",
            str(tmp_path / "s.duckdb"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert data.returncode == EXIT_DATA and "absent.csv: no such file" in data.stderr


def test_internal_failure_exits_1_with_traceback(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, data_dir: Path
) -> None:
    import skillgap.ingest.api as api

    def broken(*_a: object, **_k: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(api, "ingest_vacancies", broken)
    res = run_cli(
        "ingest",
        "vacancies",
        write_csv(tmp_path / "a.csv", vacancy_rows(1)),
        "--store",
        tmp_path / "s.duckdb",
    )
    assert res.code == EXIT_INTERNAL
    assert "Traceback" in res.err and "ZeroDivisionError: a bug" in res.err
    assert "internal error" in res.err


# 9. absurd values --------------------------------------------------------------------------
def test_absurd_posting_dates_are_quarantined(tmp_path: Path, store: Path) -> None:
    rows = vacancy_rows(5, start=20)
    for r, d in zip(rows, ["0001-01-01", "1900-06-01", "2099-01-01", "9999-12-31"], strict=False):
        r["posted_date"] = d
    res = run_cli("ingest", "vacancies", write_csv(tmp_path / "dates.csv", rows), "--store", store)
    assert res.code == 0, res.text
    reasons = {rec: why for _f, rec, why in quarantine_rows(store)}
    assert sorted(reasons) == ["line 2", "line 3", "line 4", "line 5"]
    assert "posted_date 1900-06-01 is outside" in reasons["line 3"]
    assert "posted_date 2099-01-01 is outside" in reasons["line 4"]
    assert store_counts(store)["vacancies"] == 3 + 1


def test_absurd_workloads_and_levels_are_invalid_not_present(tmp_path: Path, store: Path) -> None:
    import duckdb

    values = [
        ("1e9", "5"),
        ("3", "1e3"),
        ("1,000,000,000", "5"),
        ("-5", "5"),
        ("5 ECTS", "9"),
        ("2,5", "4"),
    ]
    rows = credential_rows(len(values))
    for r, (ects, eqf) in zip(rows, values, strict=True):
        r["workload_ects"], r["eqf_level"] = ects, eqf
    f = tmp_path / "cat.csv"
    f.write_text(csv_text(rows, CREDENTIAL_COLUMNS), encoding="utf-8")
    res = run_cli("ingest", "credentials", f, "--profile", "generic", "--store", store)
    assert res.code == 0, res.text
    con = duckdb.connect(str(store), read_only=True)
    got = con.execute(
        "SELECT credential_id, workload_ects, elem_notional_workload, eqf_level, elem_eqf_level "
        "FROM credentials ORDER BY credential_id"
    ).fetchall()
    con.close()
    assert got == [
        ("c1", None, "invalid", 5, "present"),
        ("c2", 3.0, "present", None, "invalid"),
        ("c3", None, "invalid", 5, "present"),
        ("c4", None, "invalid", 5, "present"),
        ("c5", 5.0, "present", None, "invalid"),
        ("c6", 2.5, "present", 4, "present"),
    ]


# 10. silent ambiguity ----------------------------------------------------------------------
def test_repeated_header_column_is_refused(tmp_path: Path, store: Path) -> None:
    before = store_counts(store)
    f = tmp_path / "dup.csv"
    f.write_text("vacancy_id,text,title,text\nv9,first text here long enough,T,second text\n")
    res = run_cli("ingest", "vacancies", f, "--store", store)
    assert res.code == EXIT_DATA, res.text
    assert f"{f}: column 'text' appears more than once in the header (columns 2 and 4)" in res.text
    assert store_counts(store) == before


def test_vacancy_file_is_not_accepted_as_a_catalogue(tmp_path: Path, store: Path) -> None:
    before = store_counts(store)
    f = write_csv(tmp_path / "ads.csv", vacancy_rows(5))
    res = run_cli("ingest", "credentials", f, "--profile", "generic", "--store", store)
    assert res.code == EXIT_DATA, res.text
    assert "looks like a vacancy file" in res.text and "skillgap ingest vacancies" in res.text
    assert store_counts(store) == before


def test_one_nul_byte_quarantines_its_record_only(tmp_path: Path, store: Path) -> None:
    text = csv_text(vacancy_rows(4, start=30)).replace("Reference v32", "Reference\x00v32")
    f = tmp_path / "nul.csv"
    f.write_bytes(text.encode("utf-8"))
    res = run_cli("ingest", "vacancies", f, "--store", store)
    assert res.code == 0, res.text
    assert store_counts(store)["vacancies"] == 3 + 3
    [(_name, record, reason)] = quarantine_rows(store)
    assert record == "line 4" and "NUL" in reason


# 12. a damaged store; staging folders of killed report steps -------------------------------
def test_truncated_store_is_refused_and_not_written(store: Path, tmp_path: Path) -> None:
    import duckdb

    con = duckdb.connect(str(store))  # grow it past a few blocks so truncation bites data
    con.execute(
        "CREATE TABLE filler AS SELECT range AS i, repeat('x', 300) AS t FROM range(100000)"
    )
    con.close()
    truncate(store)
    before = _sha(store)
    for args in (
        ["ingest", "vacancies", write_csv(tmp_path / "more.csv", vacancy_rows(2, start=50))],
        ["store", "info"],
    ):
        res = run_cli(*args, "--store", store)
        assert res.code == EXIT_DATA, res.text
        assert f"store {store} is damaged" in res.text and "Traceback" not in res.text
    assert _sha(store) == before


def test_staging_folder_of_a_killed_report_step_is_removed(tmp_path: Path) -> None:
    out = tmp_path / "outputs"
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import skillgap.reports.writer as w\n"
        "from tests.test_reports_fixtures import build_analysis, run_meta\n"
        "def die(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "w.write_workbook = die\n"
        "w.write_reports(build_analysis(), Path(sys.argv[1]) / 'run-1', run_meta=run_meta())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script, str(out)], cwd=Path(__file__).parents[1], timeout=300
    )
    assert proc.returncode == -signal.SIGKILL
    [stale] = list(out.iterdir())
    assert stale.name.startswith(".run-1.tmp-")
    from skillgap.reports import write_reports
    from tests.test_reports_fixtures import build_analysis, run_meta

    write_reports(build_analysis(), out / "run-2", run_meta=run_meta(), formats={"md"})
    assert [p.name for p in out.iterdir()] == ["run-2"]


def test_staging_folder_of_a_live_writer_is_kept(tmp_path: Path) -> None:
    from skillgap.reports import write_reports
    from skillgap.reports.writer import stage_dir
    from tests.test_reports_fixtures import build_analysis, run_meta

    out = tmp_path / "outputs"
    out.mkdir()
    live = stage_dir(out / "run-1")  # this process is alive: its staging folder stays
    write_reports(build_analysis(), out / "run-2", run_meta=run_meta(), formats={"md"})
    assert sorted(p.name for p in out.iterdir()) == sorted([live.name, "run-2"])
    shutil.rmtree(live)


# 13. store info and quarantine read the store a run wrote, and create nothing ---------------
def test_store_info_finds_the_single_run_store(data_dir: Path, tmp_path: Path) -> None:
    run_store = data_dir / "stores" / "demo.duckdb"
    run_store.parent.mkdir(parents=True)
    res = run_cli(
        "ingest", "vacancies", write_csv(tmp_path / "a.csv", vacancy_rows(2)), "--store", run_store
    )
    assert res.code == 0, res.text
    res = run_cli("store", "info")
    assert res.code == 0, res.text
    assert f"store {run_store}" in res.text
    assert not (data_dir / "skillgap.duckdb").exists()


def test_store_info_without_any_store_creates_nothing(data_dir: Path) -> None:
    res = run_cli("store", "info")
    assert res.code == EXIT_DATA and "no store" in res.text
    assert not (data_dir / "skillgap.duckdb").exists()
    res = run_cli("store", "quarantine", "--store", data_dir / "absent.duckdb")
    assert res.code == EXIT_DATA and "does not exist" in res.text
    assert not (data_dir / "absent.duckdb").exists()


def test_store_info_with_several_stores_asks_which(data_dir: Path, tmp_path: Path) -> None:
    ads = write_csv(tmp_path / "a.csv", vacancy_rows(2))
    for p in (data_dir / "skillgap.duckdb", data_dir / "stores" / "x.duckdb"):
        p.parent.mkdir(parents=True, exist_ok=True)
        assert run_cli("ingest", "vacancies", ads, "--store", p).code == 0
    res = run_cli("store", "info")
    assert res.code == EXIT_USAGE, res.text
    assert "--store" in res.text and "x.duckdb" in res.text and "skillgap.duckdb" in res.text


# 14. the ingest log line -------------------------------------------------------------------
def test_batch_report_as_json_carries_its_counts(tmp_path: Path, data_dir: Path) -> None:
    from dataclasses import asdict

    from skillgap.ingest.api import ingest_vacancies
    from skillgap.store import Store

    with Store.open(tmp_path / "s.duckdb") as st:
        rep = ingest_vacancies(write_csv(tmp_path / "a.csv", vacancy_rows(3)), "generic", st)
    as_json = json.loads(json.dumps(asdict(rep), default=str))
    assert as_json["counts"] == {
        "read": 3,
        "stored": 3,
        "duplicates": 0,
        "near_duplicates": 0,
        "quarantined": 0,
    }


# Report captions match the figures --------------------------------------------------------
def test_heatmap_caption_names_every_na_cell() -> None:
    import re

    from skillgap.reports.context import _heatmap

    gaps = pd.DataFrame(
        {
            "scope": [
                "sector=I,region=UKH",
                "sector=Q,region=UKH",
                "sector=Q,region=UKI",
                "sector=N,region=UKI",
                "all",
            ],
            "classification": [
                "insufficient_evidence",
                "develop",
                "update",
                "insufficient_evidence",
                "develop",
            ],
            "gap_score": [None, 0.4, 0.2, None, 0.3],
        }
    )
    svg, note = _heatmap({"gaps": gaps}, {})
    assert svg is not None and len(re.findall(r"n/a", svg)) == 4  # I and N in both regions
    assert "too little evidence to classify a skill for I × UKH, N × UKI" in note
    assert "no analysis cell (no or too few vacancies) for I × UKI, N × UKH" in note
    _, all_na = _heatmap({"gaps": gaps.iloc[[0, 3]]}, {})
    assert "no heatmap" in all_na


def test_no_caption_without_its_figure_and_figures_numbered_in_order(tmp_path: Path) -> None:
    import re

    from skillgap.reports import write_reports
    from tests.test_reports_fixtures import build_analysis, run_meta

    analysis = build_analysis()
    analysis.trends = analysis.trends.iloc[0:0]
    html = write_reports(analysis, tmp_path / "run", run_meta=run_meta(), formats={"html"})["html"]
    text = html.read_text(encoding="utf-8")
    assert "fastest-rising" not in text and "no trend to draw" in text
    numbers = [int(n) for n in re.findall(r"<figcaption>Figure (\d+)\.", text)]
    assert numbers == list(range(1, len(numbers) + 1)) and text.count("<figure>") == len(numbers)


def test_interrupted_ingest_exits_130_and_leaves_nothing(tmp_path: Path) -> None:
    script = (
        "import functools, os, signal, sys\n"
        # A shell starts background jobs with SIGINT ignored and Python keeps that, so a
        # suite run with `make test &` would never see the Ctrl-C; restore the terminal's.
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "import skillgap.ingest.api as api\n"
        "def hook(n):\n"
        "    if n == 1:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "api.ingest_vacancies = functools.partial(\n"
        "    api.ingest_vacancies, chunk_size=10, _after_chunk=hook)\n"
        "sys.argv = ['skillgap', 'ingest', 'vacancies', sys.argv[1], '--store', sys.argv[2]]\n"
        "from skillgap.cli.main import main\n"
        "main()\n"
    )
    ads = write_csv(tmp_path / "ads.csv", vacancy_rows(40))
    store = tmp_path / "s.duckdb"
    env = {
        **os.environ,
        "SKILLGAP_DATA_DIR": str(tmp_path / "d"),
        "SKILLGAP_CONFIG": str(tmp_path / "n.toml"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", script, str(ads), str(store)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 130, proc.stderr
    assert "stopped: interrupted" in proc.stderr and "Traceback" not in proc.stderr
    counts = store_counts(store)
    assert counts["vacancies"] == counts["ingest_batches"] == 0
