"""Value-level normalisation: dates, durations, lists, outcome splitting, near-duplicates.

Text cleaning and content hashes are tested in test_text.py, languages in test_language.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from skillgap.ingest.dedup import NearDuplicateIndex, from_bytes, signature, to_bytes
from skillgap.ingest.values import parse_date, parse_hours, parse_list, split_outcomes


def test_parse_date_iso_and_profile_formats() -> None:
    assert parse_date("2023-05-05T07:00:00Z") == dt.date(2023, 5, 5)
    assert parse_date("05/06/2021", ["%d/%m/%Y"]) == dt.date(2021, 6, 5)
    assert parse_date("") is None
    with pytest.raises(ValueError, match="unparseable date"):
        parse_date("next tuesday")


def test_parse_hours_accepts_iso_durations_and_numbers() -> None:
    assert parse_hours("PT60H") == 60.0
    assert parse_hours("PT1H30M") == 1.5
    assert parse_hours("40") == 40.0
    with pytest.raises(ValueError, match="calendar time"):
        parse_hours("P1M")


def test_parse_list_json_and_separated() -> None:
    assert parse_list('["a b", "c"]') == ["a b", "c"]
    assert parse_list("a; b\nc") == ["a", "b", "c"]
    with pytest.raises(ValueError, match="invalid JSON list"):
        parse_list('["a", ')


def test_split_outcomes_of_run_together_coursera_text() -> None:
    # Verbatim shapes from the Coursera catalogue: glued after a full stop, glued with a
    # capitalised verb, glued with a repeated lowercase lead word.
    assert split_outcomes(
        "Comprender los fenómenos de red.Conocer las herramientas utilizadas para modelar."
    ) == ["Comprender los fenómenos de red.", "Conocer las herramientas utilizadas para modelar."]
    assert split_outcomes(
        "automate tasks using Jenkins and GitHub actionsDefine Continuous Integration (CI) "
        "and list tools used for CIDescribe the process of Continuous Deployment"
    ) == [
        "automate tasks using Jenkins and GitHub actions",
        "Define Continuous Integration (CI) and list tools used for CI",
        "Describe the process of Continuous Deployment",
    ]
    assert split_outcomes(
        "learn about the challenges of metals production and usagelearn about the solutions"
    ) == ["learn about the challenges of metals production and usage", "learn about the solutions"]
    # Brand names are not cut.
    assert split_outcomes("Write JavaScript and PowerPoint decks") == [
        "Write JavaScript and PowerPoint decks"
    ]


def test_minhash_signatures_survive_storage_and_find_reposts() -> None:
    base = " ".join(f"word{i}" for i in range(120))
    repost = base.replace("word50", "changed") + " posted 2021-07-14"
    other = " ".join(f"term{i}" for i in range(120))
    index = NearDuplicateIndex()
    sig = signature(base)
    assert sig is not None
    index.add("a", from_bytes(to_bytes(sig)))
    match = index.match(signature(repost))
    assert match is not None and match[0] == "a" and match[1] >= 0.8
    assert index.match(signature(other)) is None
    assert signature("too short") is None
