"""`skillgap map`: the readable table and the JSONL contract the evaluation reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests import test_nlp_fixtures as _fx

nlp_data_dir = _fx.nlp_data_dir


@pytest.fixture
def cli_env(nlp_data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    from skillgap.config import get_settings

    monkeypatch.setenv("SKILLGAP_DATA_DIR", str(nlp_data_dir))
    monkeypatch.setenv("SKILLGAP_CONFIG", str(tmp_path / "none.toml"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _bundled() -> list[str]:
    from skillgap.nlp.embed import bundled_model_dir

    return ["--model-path", str(bundled_model_dir())]


def _app():
    from skillgap.cli.main import app

    return app


def test_map_text_prints_table(cli_env: Path) -> None:
    res = CliRunner().invoke(
        _app(),
        ["map", "--text", "Python and SQL developer", "-k", "3", *_bundled()],
        env={"COLUMNS": "300"},
    )
    assert res.exit_code == 0, res.output
    assert "Python (computer programming)" in res.output
    assert "http://data.europa.eu/esco/skill/" in res.output


def test_map_jsonl_contract_and_bad_lines(cli_env: Path) -> None:
    src = cli_env / "queries.jsonl"
    src.write_bytes(
        b'{"id": "q1", "text": "Experience with Java and SQL"}\n'
        b'{"id": 2, "text": "   "}\n'
        b"not json\n"
        b'{"id": "q4", "text": "caf\xff"}\n'
        b'{"id": "q5", "text": "Provide first aid to injured staff"}\n'
    )
    out = cli_env / "out" / "ranked.jsonl"
    res = CliRunner().invoke(
        _app(), ["map", "--input", str(src), "--output", str(out), "--top-k", "4", *_bundled()]
    )
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(lines) == 5
    assert lines[0]["id"] == "q1" and len(lines[0]["skills"]) == 4
    first = lines[0]["skills"][0]
    # the evidence a reader needs to check a mapping travels with it (issue: auditable output)
    assert set(first) == {"uri", "label", "score", "method", "evidence", "sentence", "phrase"}
    scores = [s["score"] for s in lines[0]["skills"]]
    assert scores == sorted(scores, reverse=True)
    assert lines[1]["id"] == 2 and lines[1]["skills"] == [] and "empty" in lines[1]["error"]
    assert "line 3" in lines[2]["error"] and "JSON" in lines[2]["error"]
    assert "UTF-8" in lines[3]["error"]
    assert "provide first aid" in [s["label"] for s in lines[4]["skills"]]


def test_map_needs_exactly_one_source(cli_env: Path) -> None:
    res = CliRunner().invoke(_app(), ["map"])
    assert res.exit_code != 0
