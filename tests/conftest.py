"""Shared fixtures: an isolated data directory per test and the ../shared locator."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from tests.shared_data import shared_path


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point SKILLGAP_DATA_DIR at a fresh temp dir so tests never touch the user's data."""
    from skillgap.config import get_settings

    d = tmp_path / "skillgap-data"
    monkeypatch.setenv("SKILLGAP_DATA_DIR", str(d))
    monkeypatch.setenv("SKILLGAP_CONFIG", str(tmp_path / "no-config.toml"))
    get_settings.cache_clear()
    yield d
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def shared() -> Path:
    """Root of ../shared; skips the test with a clear reason when it is absent."""
    return shared_path()
