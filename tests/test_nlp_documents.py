"""Whole-document extraction: requirement detection, context, corrections (real encoder,
real ESCO subset; see test_nlp_fixtures). The ad lines are written for these tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from skillgap.errors import ConfigError, MissingDataError
from skillgap.nlp.requirements import SURFACE_FEATURES, load_requirement_model, surface_features
from tests import test_nlp_fixtures as _fx

nlp_data_dir = _fx.nlp_data_dir
small_taxonomy = _fx.small_taxonomy
small_mapper = _fx.small_mapper

AD = (
    "Junior data analyst - Leeds\n"
    "We are a leading retailer with 200 stores and a friendly team.\n"
    "You will need strong Python and SQL skills to build our weekly sales reports.\n"
    "Salary: 25,000 per annum plus pension and 25 days holiday.\n"
    "To apply, send your CV to jobs@example.com before Friday."
)


def test_surface_features_describe_each_sentence() -> None:
    sents = ["Requirements:", "Salary 25,000 per annum, call +44 113 496 0000", "Python"]
    f = surface_features(sents)
    assert f.shape == (3, len(SURFACE_FEATURES))
    col = {name: i for i, name in enumerate(SURFACE_FEATURES)}
    assert f[0, col["colon"]] == 1 and f[0, col["position"]] == 0 and f[2, col["position"]] == 1
    assert f[1, col["address"]] == 1 and f[1, col["digits"]] > 0.2
    assert f[2, col["short"]] == 1 and f[1, col["short"]] == 0


def test_unknown_encoder_has_no_requirement_model() -> None:
    with pytest.raises(MissingDataError, match="fit_requirements"):
        load_requirement_model("some-other-encoder@0123456789ab")


def test_requirement_sentences_give_skills_and_boilerplate_does_not(small_mapper) -> None:
    from skillgap.nlp.documents import extract_documents

    assert small_mapper.requirements is not None, small_mapper.requirements_problem
    (doc,) = extract_documents(small_mapper, [AD])
    req = dict(zip(doc.sentences, doc.requirement, strict=True))
    skills_line = next(s for s in doc.sentences if "Python" in s)
    salary_line = next(s for s in doc.sentences if s.startswith("Salary"))
    apply_line = next(s for s in doc.sentences if s.startswith("To apply"))
    assert req[skills_line] > max(req[salary_line], req[apply_line])
    labels = {h.label for h in doc.hits}
    assert {"Python (computer programming)", "SQL"} <= labels
    assert "negotiate salaries" not in labels  # the salary line is not a requirement
    for h in doc.hits:
        assert 0 <= h.validity <= 1 and h.score == pytest.approx(h.match * h.validity)
        assert h.sentence in doc.sentences


def test_credential_text_maps_every_sentence(small_mapper) -> None:
    """Learning outcomes state what is taught: no requirement gate, no keyword filter."""
    outcomes = "Provide first aid to injured visitors.\nBuild spreadsheets to track a budget."
    (vac,) = small_mapper.extract([outcomes])
    (cred,) = small_mapper.extract([outcomes], requirements=False)
    assert {"provide first aid", "use spreadsheets software"} <= {h.label for h in cred}
    assert all(h.validity == 1.0 and h.requirement == 1.0 for h in cred)
    assert len(cred) >= len(vac)


def test_mentions_record_field_and_score_parts(small_mapper) -> None:
    df = small_mapper.mentions(
        ["a", "b"],
        [AD, "Provide first aid to injured staff."],
        "credential",
        field=["description", "learning_outcomes"],
    )
    assert {"field", "match_score", "requirement", "context"} <= set(df.columns)
    assert set(df["field"]) <= {"description", "learning_outcomes"}
    assert (df["score"] <= df["match_score"] + 1e-9).all()


def _corrections(tmp_path: Path, text: str, taxonomy) -> object:
    from skillgap.nlp.corrections import load_corrections

    path = tmp_path / "corrections.toml"
    path.write_text(text, encoding="utf-8")
    return load_corrections(path, taxonomy)


def test_corrections_map_ignore_and_never(small_mapper, small_taxonomy, tmp_path: Path) -> None:
    fixes = _corrections(
        tmp_path,
        '[[map]]\nphrase = "number crunching"\nskill = "use spreadsheets software"\n'
        '[[ignore]]\nphrase = "weekly sales reports"\n'
        '[[never]]\nskill = "SQL"\nnote = "not in this analysis"\n',
        small_taxonomy,
    )
    small_mapper.corrections = fixes
    try:
        (hits,) = small_mapper.extract(
            [AD + "\nYou enjoy number crunching and are strong in SQL and Python."]
        )
    finally:
        small_mapper.corrections = None
    by_label = {h.label: h for h in hits}
    assert by_label["use spreadsheets software"].method == "corrected"
    assert "SQL" not in by_label  # never in this analysis
    # the ignored sentence gave nothing; Python still comes from the last line
    assert all("weekly sales reports" not in h.sentence for h in hits)
    assert "Python (computer programming)" in by_label
    notes = small_mapper.method_notes()
    assert notes["corrections"] == []  # the mapper's corrections were reset
    assert {c["kind"] for c in fixes.describe()} == {"map", "ignore", "never"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[map]]\nphrase = "x"\nskill = "no such skill label"\n', "no ESCO skill is labelled"),
        ('[[map]]\nphrase = ""\nskill = "SQL"\n', "'phrase' must be a non-empty string"),
        ('[[never]]\nskill = "SQL"\ncolour = "red"\n', "unknown key"),
        ("[[often]]\nskill = 'SQL'\n", "unknown section"),
        ('[[never]]\nskill = "http://data.europa.eu/esco/skill/nope"\n', "is not in taxonomy"),
        ("[[never\n", "not valid TOML"),
    ],
)
def test_bad_corrections_are_clear_errors(
    small_taxonomy, tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as exc:
        _corrections(tmp_path, text, small_taxonomy)
    assert "corrections.toml" in str(exc.value)


def test_mapping_id_follows_the_fitted_files_and_corrections() -> None:
    from skillgap.nlp.documents import mapping_id

    base = mapping_id("enc@1")
    assert base.startswith("enc@1+x") and base == mapping_id("enc@1")
    assert mapping_id("enc@1", b"corrections-a") != base
    assert mapping_id("enc@1", b"corrections-a") != mapping_id("enc@1", b"corrections-b")


def test_occupation_names_are_not_read_as_skills() -> None:
    """The word that names the ad's occupation is not a skill outside its family."""
    from skillgap.nlp.occupations import OccupationFamilies
    from skillgap.taxonomies.model import Taxonomy

    occ = pd.DataFrame(
        {
            "uri": ["o:cook", "o:admin"],
            "preferred_label": ["chef", "ICT system administrator"],
            "alt_labels": [["sous chef", "head cook"], ["sysadmin"]],
            "hidden_labels": [[], []],
            "description": ["", ""],
            "isco_group": ["3434", "2522"],
            "code": ["3434.1", "2522.1"],
        }
    )
    rel = pd.DataFrame(
        {
            "occupation_uri": ["o:cook", "o:admin"],
            "skill_uri": ["s:hygiene", "s:chef-tool"],
            "relation_type": ["essential", "optional"],
            "skill_type": ["knowledge", "knowledge"],
        }
    )
    fam = OccupationFamilies(Taxonomy({"occupations": occ, "occupation_skills": rel}))
    label = "Chef (tools for software configuration management)"
    assert fam.names_occupation("o:cook", label) and not fam.in_family("o:cook", "s:chef-tool")
    assert not fam.names_occupation("o:admin", label) and fam.in_family("o:admin", "s:chef-tool")
    assert not fam.names_occupation("o:cook", "food hygiene rules")
    assert np.array([fam.in_family("o:cook", "s:hygiene")]).all()


def test_mapping_id_reads_only_this_encoders_fitted_numbers(tmp_path, monkeypatch) -> None:
    import json

    import skillgap.nlp.requirements as req
    from skillgap.nlp.documents import mapping_id

    entry = {"weights": [0.1, 0.2], "bias": 0.0, "validity_threshold": 0.4}
    path = tmp_path / "requirements.json"
    monkeypatch.setattr(req, "REQUIREMENTS_FILE", path)

    def write(models: dict) -> str:
        path.write_text(json.dumps({"models": models}), encoding="utf-8")
        return mapping_id("enc@1")

    base = write({"enc": entry})
    # recorded figures beside the model, and another encoder's entry, change nothing
    assert write({"enc": {**entry, "audit": {"strict_precision": 0.7}}}) == base
    assert write({"enc": entry, "other": {"bias": 1.0}}) == base
    # a refitted number does
    assert write({"enc": {**entry, "validity_threshold": 0.36}}) != base
