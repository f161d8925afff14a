"""`skillgap taxonomy` commands through Typer's runner and, for the error path, the real
console script (one-line message, exit code 3)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from skillgap.cli.main import app
from skillgap.config import get_settings
from skillgap.errors import EXIT_DATA, InputError
from tests.test_taxonomy_bad_input import mini_bundle

runner = CliRunner()


@pytest.fixture
def use_data_dir(monkeypatch, tmp_path: Path):
    def point(d: Path) -> None:
        monkeypatch.setenv("SKILLGAP_DATA_DIR", str(d))
        monkeypatch.setenv("SKILLGAP_CONFIG", str(tmp_path / "none.toml"))
        monkeypatch.setenv("COLUMNS", "200")
        get_settings.cache_clear()

    yield point
    get_settings.cache_clear()


def test_import_list_info_and_reimport(use_data_dir, tmp_path: Path) -> None:
    use_data_dir(tmp_path / "d")
    bundle = mini_bundle(tmp_path / "b")
    first = runner.invoke(app, ["taxonomy", "import", str(bundle), "--version", "1.1.1"])
    assert first.exit_code == 0, first.output
    assert "imported in" in first.output
    again = runner.invoke(app, ["taxonomy", "import", str(bundle), "--version", "1.1.1"])
    assert again.exit_code == 0, again.output
    assert "already stored" in again.output
    listed = runner.invoke(app, ["taxonomy", "list"])
    assert listed.exit_code == 0
    assert "esco-v1.1.1-en-" in listed.output and "official" in listed.output
    info = runner.invoke(app, ["taxonomy", "info"])
    assert info.exit_code == 0, info.output
    assert "lacks collections, groups, occupation_skills" in " ".join(info.output.split())
    assert "loaded in" in info.output


def test_import_bad_input_raises_input_error(use_data_dir, tmp_path: Path) -> None:
    use_data_dir(tmp_path / "d")
    result = runner.invoke(app, ["taxonomy", "import", str(tmp_path / "absent.zip")])
    assert isinstance(result.exception, InputError)
    assert "absent.zip: no such file or folder" in str(result.exception)


def test_search_and_info_on_official(use_data_dir, esco_official_data_dir: Path) -> None:
    use_data_dir(esco_official_data_dir)
    result = runner.invoke(app, ["taxonomy", "search", "manage musical staff", "-n", "3"])
    assert result.exit_code == 0, result.output
    assert "http://data.europa.eu/esco/skill/0005c151-5b5a-4a66-8aac-60e734beb1ab" in result.output
    assert "S4.8.1" in result.output  # its hierarchy group
    none = runner.invoke(app, ["taxonomy", "search", "zzqqxx"])
    assert none.exit_code == 1
    info = runner.invoke(app, ["taxonomy", "info"])
    assert "123,855" in info.output and "1.1.1" in info.output


def test_info_on_a_fresh_data_dir_shows_the_embedded_default(use_data_dir, tmp_path) -> None:
    use_data_dir(tmp_path / "fresh")
    info = runner.invoke(app, ["taxonomy", "info"])
    assert info.exit_code == 0, info.output
    text = " ".join(info.output.split())
    assert "kind embedded" in text and "ESCO 1.1.1" in text and "the embedded default" in text
    assert "123,855" in text and "2,279" in text  # occupation-skill relations, collections
    assert "lacks" not in text
    assert "ESCO dataset - v1.1.1 - classification - en - csv.zip" in text
    assert "This service uses the ESCO classification of the European Commission." in text
    listed = runner.invoke(app, ["taxonomy", "list"])
    assert listed.exit_code == 0 and "embedded" in listed.output
    old = runner.invoke(app, ["taxonomy", "build-default"])  # kept for earlier scripts
    assert old.exit_code == 0, old.output
    assert "nothing to build" in old.output
    assert not (tmp_path / "fresh").exists()


def test_console_script_error_is_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SKILLGAP_DATA_DIR": str(tmp_path / "d"),
        "SKILLGAP_CONFIG": str(tmp_path / "none.toml"),
        "SKILLGAP_TAXONOMY": "gone",
        "COLUMNS": "300",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "skillgap.cli.main", "taxonomy", "info"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == EXIT_DATA  # missing data, not a usage error (that is 2)
    assert "Traceback" not in proc.stderr
    assert "configured taxonomy" in proc.stderr and "'gone'" in proc.stderr
    assert "skillgap taxonomy import PATH" in proc.stderr


def test_search_ranking(esco_official) -> None:
    from skillgap.taxonomies.search import search_skills

    hits = search_skills(esco_official, "Manage Staff", limit=5)
    assert hits[0].preferred_label == "manage staff" and hits[0].rank == 0
    assert [h.rank for h in hits] == sorted(h.rank for h in hits)
    assert all(h.groups for h in hits)
