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


# --- ESCO taxonomy (taxonomy layer) ------------------------------------------------------
@pytest.fixture(scope="session")
def esco_official_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding one snapshot of the official ESCO v1.1.1 bundle from ../shared.

    Imported once per session (about 3 s); treat it as read-only. Point a test at it with
    ``monkeypatch.setenv("SKILLGAP_DATA_DIR", str(esco_official_data_dir))`` plus
    ``get_settings.cache_clear()``, or pass ``Settings(data_dir=...)``.
    """
    from skillgap.config import Settings
    from skillgap.taxonomies.store import import_taxonomy

    bundle = shared_path("esco", "v1.1.1")
    d = tmp_path_factory.mktemp("esco-official") / "skillgap-data"
    import_taxonomy([bundle], Settings(data_dir=d, taxonomy=None))
    return d


@pytest.fixture(scope="session")
def esco_official(esco_official_data_dir: Path):
    """The official ESCO v1.1.1 Taxonomy (skips when ../shared is absent); do not mutate."""
    from skillgap.config import Settings
    from skillgap.taxonomies.store import load_taxonomy

    return load_taxonomy(settings=Settings(data_dir=esco_official_data_dir, taxonomy=None))
