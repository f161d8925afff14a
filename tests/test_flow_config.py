"""The analysis config is validated in full before any work starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from skillgap.errors import EXIT_DATA, ConfigError
from skillgap.flows.analysis_config import load_config


def _write(tmp_path: Path, body: str) -> Path:
    (tmp_path / "ads.csv").write_text("vacancy_id,title,text\n1,a,b\n", encoding="utf-8")
    (tmp_path / "cat.jsonl").write_text('{"credential_id": "c1"}\n', encoding="utf-8")
    cfg = tmp_path / "analysis.toml"
    cfg.write_text(body, encoding="utf-8")
    return cfg


GOOD = """
[run]
name = "t1"

[[inputs.vacancies]]
path = "ads.csv"
profile = "generic"

[[inputs.credentials]]
path = "cat.jsonl"
profile = "generic"

[report]
variants = ["sector=F", "region=DE21"]
"""


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path, GOOD))
    assert cfg.inputs.vacancies[0].path == (tmp_path / "ads.csv").resolve()
    assert cfg.inputs.credentials[0].path == (tmp_path / "cat.jsonl").resolve()
    assert cfg.report.variants == ["sector=F", "region=DE21"]
    assert "html" in cfg.report.formats


def test_unknown_key_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace('name = "t1"', 'name = "t1"\ncolour = "red"'))
    with pytest.raises(ConfigError, match=r"run\.colour: unknown key"):
        load_config(path)


def test_unknown_analysis_key_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "\n[analysis]\nno_such_threshold = 3\n")
    with pytest.raises(ConfigError, match="no_such_threshold"):
        load_config(path)


def test_missing_input_file_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace('"ads.csv"', '"nope.csv"'))
    with pytest.raises(ConfigError, match=r"nope\.csv"):
        load_config(path)


def test_bad_variant_and_missing_profile(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="variant"):
        load_config(_write(tmp_path, GOOD.replace('"sector=F"', '"sectorF"')))
    with pytest.raises(ConfigError, match="needs a profile"):
        load_config(
            _write(
                tmp_path, GOOD.replace('profile = "generic"\n\n[[inputs.cred', "\n[[inputs.cred", 1)
            )
        )


def test_missing_config_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[run\nname=", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)


def test_cli_reports_a_bad_config_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from skillgap.cli.main import main

    path = _write(tmp_path, GOOD.replace('"ads.csv"', '"nope.csv"'))
    monkeypatch.setattr("sys.argv", ["skillgap", "run", str(path)])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == EXIT_DATA  # bad configuration (2 is a usage error)
    err = capsys.readouterr().err
    assert "nope.csv" in err and "Traceback" not in err


def test_an_unknown_source_profile_fails_before_any_work(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace('profile = "generic"', 'profile = "adzuna-ukk"', 1))
    with pytest.raises(ConfigError, match=r"ads\.csv: unknown vacancies profile 'adzuna-ukk'"):
        load_config(path)
    broken = tmp_path / "mine.toml"
    broken.write_text('kind = "vacancies"\n[fields]\nnot_a_field = "x"\n', encoding="utf-8")
    path = _write(tmp_path, GOOD.replace('profile = "generic"', f'profile = "{broken}"', 1))
    with pytest.raises(ConfigError, match=r"mine\.toml: unknown field"):
        load_config(path)


def test_run_section_scale_settings(tmp_path: Path) -> None:
    body = GOOD.replace('name = "t1"', 'name = "t1"\nworkers = 2\npartition_size = 500')
    cfg = load_config(_write(tmp_path, body))
    assert (cfg.run.workers, cfg.run.partition_size, cfg.run.dask_address) == (2, 500, None)
    with pytest.raises(ConfigError, match=r"run\.workers"):
        load_config(_write(tmp_path, GOOD.replace('name = "t1"', 'name = "t1"\nworkers = 0')))


def test_prefect_home_is_created_on_a_fresh_data_dir(tmp_path: Path, monkeypatch) -> None:
    """A fresh install writes nothing before the first run, so the flow's set-up must
    create Prefect's home itself (its temporary server cannot open a database otherwise)."""
    from skillgap.config import Settings
    from skillgap.flows.prefect_env import configure_prefect

    fresh = tmp_path / "fresh-data"
    monkeypatch.setenv("PREFECT_HOME", str(fresh / "prefect"))  # restored after the test
    configure_prefect(Settings(data_dir=fresh))
    assert (fresh / "prefect").is_dir()
