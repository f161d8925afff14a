"""Every case of the bad-input corpus (``tests/corpus.py``) has exactly its stated outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.corpus import BASELINE_FOLDER, CASES, Case, make_baseline_store, run_case


@pytest.fixture(scope="module")
def corpus_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(scope="module")
def baseline(corpus_root: Path) -> Path:
    import os

    from skillgap.config import get_settings

    old = os.environ.get("SKILLGAP_DATA_DIR")
    os.environ["SKILLGAP_DATA_DIR"] = str(corpus_root / "data")
    get_settings.cache_clear()
    try:
        return make_baseline_store(corpus_root / BASELINE_FOLDER)
    finally:
        if old is None:
            os.environ.pop("SKILLGAP_DATA_DIR")
        else:
            os.environ["SKILLGAP_DATA_DIR"] = old
        get_settings.cache_clear()


def test_corpus_is_broad() -> None:
    assert len({c.name for c in CASES}) == len(CASES) >= 30
    commands = {
        c.command.split()[0] + (" " + c.command.split()[1] if " " in c.command else "")
        for c in CASES
    }
    assert {"ingest vacancies", "ingest credentials", "map", "run", "taxonomy import"} <= commands


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input_case(case: Case, baseline: Path, corpus_root: Path, data_dir: Path) -> None:
    problems = run_case(case, corpus_root / case.name, baseline, data_dir)
    assert not problems, "\n".join(problems)
