"""Credential ingest: ELM/OB3 JSON-LD, tabular catalogues, EU element check, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from skillgap.errors import InputError
from skillgap.ingest.api import ParsedCredential, ingest_credentials, read_credentials
from skillgap.ingest.elements import check_elements
from skillgap.store import Store
from tests.shared_data import shared_path

ELM = ("data", "credentials", "elm-samples")


@pytest.fixture
def store(data_dir: Path):
    with Store.open() as st:
        yield st


def _elm(name: str) -> Path:
    return shared_path(*ELM, name)


def _parsed(path: Path, **kw) -> list[ParsedCredential]:
    _, items = read_credentials(path, **kw)
    return [i for i in items if isinstance(i, ParsedCredential)]


def test_elm_annex1_sample_is_complete(data_dir: Path) -> None:
    (cred,) = _parsed(_elm("ec_elm_v3_Sample-MC-Annex1-unsigned.jsonld"))
    row = cred.row
    assert row["title"] == "Digital micro-credential creation"
    assert row["provider"] == "University of Zed" and row["country"] == "IRL"
    assert str(row["issue_date"]) == "2022-12-31"
    assert row["learning_outcomes"] == [
        "Communication, collaboration and creativity",
        "Developing digital content",
    ]
    assert len(row["esco_skills"]) == 4
    assert all(u.startswith("http://data.europa.eu/esco/skill/") for u in row["esco_skills"])
    assert (row["workload_ects"], row["workload_hours"], row["eqf_level"]) == (2.0, 60.0, 6)
    assert row["participation_form"] == "Blended" and row["language"] == "en"
    assert {row[c] for c in row if c.startswith("elem_")} == {"present"}


def test_signed_file_is_unwrapped_and_duplicates_the_unsigned_one(store: Store) -> None:
    signed = ingest_credentials(_elm("ec_elm_v3_Sample-MC-Annex1-signed.jsonld"), store)
    unsigned = ingest_credentials(_elm("ec_elm_v3_Sample-MC-Annex1-unsigned.jsonld"), store)
    assert signed.profile == "elm" and signed.stored == 1
    # Same credential content under another credential id: linked, not stored twice.
    assert unsigned.stored == 0 and unsigned.duplicates == 1
    dup = store.read("duplicates").iloc[0]
    assert dup["doc_type"] == "credential" and dup["kept_id"].startswith("urn:credential:")
    stored = store.read("credentials").iloc[0]
    assert len(stored["esco_skills"]) == 4 and stored["elem_eqf_level"] == "present"


def test_certificate_of_participation_without_outcomes_is_quarantined(store: Store) -> None:
    rep = ingest_credentials(_elm("ec_elm_v3_Sample-CertOfPart-unsigned.jsonld"), store)
    assert (rep.read, rep.stored, rep.quarantined) == (1, 0, 1)
    q = store.read("quarantine").iloc[0]
    assert q["reason"].startswith("no learning outcomes in ELM credential")
    assert q["record"] == "record 1" and "EDC Updates Webinar" in q["raw"]


def test_open_badge_and_mynextid_edc(data_dir: Path) -> None:
    (badge,) = _parsed(_elm("mynextid_open-badge-mc-example.json"), fmt="elm")
    assert badge.row["title"] == "Data Science Fundamentals"
    assert len(badge.row["esco_skills"]) == 2 and badge.row["workload_ects"] == 5.0
    assert badge.row["elem_eqf_level"] == "missing" and badge.row["elem_country"] == "missing"
    (edc,) = _parsed(_elm("mynextid_edc-mc-example.json"))
    # its relatedESCOSkill ids are urn:epass placeholders, not ESCO URIs: not kept as gold
    assert edc.row["esco_skills"] == [] and len(edc.row["learning_outcomes"]) == 2
    assert edc.row["country"] == "SVN" and edc.row["workload_hours"] == 45.0


def test_invalid_json_and_non_credentials_stop_the_file(tmp_path: Path, store: Store) -> None:
    bad = tmp_path / "broken.jsonld"
    bad.write_text('{"type": ["VerifiableCredential"], "credentialSubject": ', encoding="utf-8")
    with pytest.raises(InputError, match=r"broken.jsonld: invalid JSON at line 1"):
        ingest_credentials(bad, store)
    other = tmp_path / "form.json"
    other.write_text(json.dumps({"credentialTitle": {"en": "x"}}), encoding="utf-8")
    with pytest.raises(InputError, match="not a European Learning Model"):
        ingest_credentials(other, store)
    assert store.count("credentials") == 0 and store.count("ingest_batches") == 0


def test_generic_catalogue_with_invalid_elements(tmp_path: Path, store: Store) -> None:
    rows = [
        {
            "credential_id": "c1",
            "title": "Heat pump installation",
            "provider": "Green Skills Academy",
            "country": "DE",
            "issue_date": "2024-05-01",
            "learning_outcomes": json.dumps(["Install air-source heat pumps", "Size a system"]),
            "esco_skills": "http://data.europa.eu/esco/skill/abc; http://data.europa.eu/esco/skill/def",
            "workload_ects": "3",
            "eqf_level": "9",
            "assessment_type": "practical exam",
            "participation_form": "on-site",
            "quality_assurance": "ISO 21001 certified provider",
        },
        {
            "credential_id": "c2",
            "title": "Solar PV basics",
            "provider": "Green Skills Academy",
            "issue_date": "sometime in May",
            "learning_outcomes": "Explain how PV cells work\nRead a datasheet",
            "workload_hours": "-4",
        },
        {"credential_id": "c3", "title": "", "learning_outcomes": "Something"},
    ]
    f = tmp_path / "catalogue.jsonl"
    f.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    rep = ingest_credentials(f, store, profile="generic")
    assert (rep.stored, rep.quarantined) == (2, 1)
    assert rep.quarantine_reasons == {"missing title": 1}
    df = store.read("credentials").set_index("credential_id")
    c1, c2 = df.loc["c1"], df.loc["c2"]
    assert list(c1["learning_outcomes"]) == ["Install air-source heat pumps", "Size a system"]
    assert len(c1["esco_skills"]) == 2
    assert c1["elem_eqf_level"] == "invalid" and pd.isna(c1["eqf_level"])
    assert c1["elem_learner_identification"] == "not_applicable"
    assert c2["elem_date_of_issuing"] == "invalid" and c2["elem_notional_workload"] == "invalid"
    assert c2["elem_country"] == "missing" and c2["elem_learning_outcomes"] == "present"


def test_excel_catalogue_with_generic_profile(tmp_path: Path, store: Store) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["credential_id", "title", "provider", "learning_outcomes", "workload_hours"])
    ws.append(["x1", "Welding basics", "Trade School", "Weld steel plates; Read drawings", 30])
    ws.append([None, None, None, None, None])  # blank rows are not records
    ws.append(["x2", "Forklift safety", "Trade School", "Operate a forklift safely", "PT8H"])
    f = tmp_path / "catalogue.xlsx"
    wb.save(f)
    rep = ingest_credentials(f, store, profile="generic")
    assert (rep.read, rep.stored) == (2, 2)
    df = store.read("credentials").set_index("credential_id")
    assert list(df.loc["x1", "learning_outcomes"]) == ["Weld steel plates", "Read drawings"]
    assert df.loc["x2", "workload_hours"] == 8.0


def test_check_elements_rules() -> None:
    ok = {
        "title": "t",
        "country": "IE",
        "provider": "p",
        "issue_date": "2024-01-01",
        "learning_outcomes": ["x"],
        "workload_ects": 1.0,
        "eqf_level": 4,
        "assessment_type": "exam",
        "participation_form": "online",
        "quality_assurance": "internal",
        "learner_id": "Ana",
    }
    assert check_elements(ok).complete
    assert check_elements({**ok, "eqf_level": 0}).status["eqf_level"] == "invalid"
    catalogue = check_elements({**ok, "learner_id": None})
    assert catalogue.status["learner_identification"] == "not_applicable" and catalogue.complete
    assert check_elements({**ok, "quality_assurance": " "}).status["quality_assurance"] == "missing"


# Coursera (real, messy) -----------------------------------------------------------------
@pytest.fixture(scope="module")
def coursera(tmp_path_factory: pytest.TempPathFactory):
    path = shared_path("data", "credentials", "coursera-2024", "Coursera_Data_Cleaned1.csv")
    with Store.open(tmp_path_factory.mktemp("coursera") / "s.duckdb") as st:
        yield st, ingest_credentials(path, st, profile="coursera"), path


def test_coursera_counts_and_quarantine(coursera) -> None:
    st, rep, _ = coursera
    # 5,585 rows; 249 have shifted fields (SOURCES.md); 7 URLs repeat with changed
    # content or identical title/provider/outcomes.
    assert rep.read == 5585
    assert rep.quarantine_reasons["malformed CSV line"] == 249
    assert rep.stored + rep.duplicates + rep.quarantined == 5585
    assert 5300 <= rep.stored <= 5336
    q = st.read("quarantine")
    assert q["record"].iloc[0] == "line 4"  # the first shifted row of the file
    assert "idea-empresa" in q["raw"].iloc[0]


def test_coursera_elements_name_what_is_lacking(coursera) -> None:
    st, _, _ = coursera
    df = st.read("credentials")
    assert (df["elem_learner_identification"] == "not_applicable").all()
    for elem in ("country", "date_of_issuing", "eqf_level", "assessment_type", "quality_assurance"):
        assert (df[f"elem_{elem}"] == "missing").all(), elem
    for elem in ("title", "awarding_body", "notional_workload", "participation_form"):
        assert (df[f"elem_{elem}"] == "present").all(), elem
    # "Not specified" outcomes are missing; the rest are split into statements
    with_lo = df[df["elem_learning_outcomes"] == "present"]
    assert 2800 <= len(with_lo) <= 2942
    assert with_lo["learning_outcomes"].map(len).mean() > 2
    leiden = df[df["title"].str.startswith("A Circular Economy of Metals")].iloc[0]
    assert leiden["provider"] == "Universiteit Leiden" and leiden["workload_hours"] == 40
    assert any(s.startswith("learn about the potential") for s in leiden["learning_outcomes"])


def test_coursera_reingest_is_skipped(coursera) -> None:
    st, _rep, path = coursera
    again = ingest_credentials(path, st, profile="coursera")
    assert again.skipped and st.count("ingest_batches") == 1


def test_cli_credentials_check_and_store_info(data_dir: Path) -> None:
    from skillgap.cli.main import app

    runner = CliRunner()
    elm = _elm("ec_elm_v3_Sample-MC-Annex1-unsigned.jsonld")
    res = runner.invoke(app, ["credentials", "check", str(elm)])
    assert res.exit_code == 0, res.output
    assert "1 credential(s), 1 complete" in res.output
    res = runner.invoke(app, ["ingest", "credentials", str(elm)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["store", "info"])
    assert res.exit_code == 0 and "credentials" in res.output and "elm" in res.output
    cop = _elm("ec_elm_v3_Sample-CertOfPart-unsigned.jsonld")
    assert runner.invoke(app, ["ingest", "credentials", str(cop), "--format", "elm"]).exit_code == 0
    res = runner.invoke(app, ["store", "quarantine", "--reason", "no learning"])
    assert res.exit_code == 0, res.output
    assert "1 record(s)" in res.output and "CertOfPart" in res.output


def test_catalogue_skill_tags_and_description_are_kept(tmp_path: Path) -> None:
    """A Coursera-shaped row: the skill-gain tags and the module titles are stored (they
    are mapped to ESCO too), and they count as content for the hash."""
    import csv

    cols = [
        "Course Title",
        "Rating",
        "Level",
        "Schedule",
        "What you will learn",
        "Skill gain",
        "Modules",
        "Instructor",
        "Offered By",
        "Keyword",
        "Course Url",
        "Duration to complete (Approx.)",
        "Number of Review",
    ]
    row = [
        "Dementia care",
        "4.8",
        "Beginner level",
        "Flexible schedule",
        "Not specified",
        "Dementia Care, Empathy; Communication",
        "Living with dementia, Talking with families",
        "A. Teacher",
        "Some University",
        "Health",
        "https://www.coursera.org/learn/dementia",
        "12",
        "100",
    ]
    path = tmp_path / "coursera.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        w.writerow(row)
    (rec,) = _parsed(path, profile="coursera")
    assert rec.row["skill_tags"] == ["Dementia Care", "Empathy", "Communication"]
    assert rec.row["description"] == "Living with dementia, Talking with families"
    assert rec.row["learning_outcomes"] == []
