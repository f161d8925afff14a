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


@pytest.fixture(scope="session")
def esco_builtin_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the built-in default taxonomy, built here from the wheels that
    `make setup` (`skillgap taxonomy build-default`) cached; skips when they are absent.
    Never downloads. Treat it as read-only."""
    import shutil

    from skillgap.config import Settings
    from skillgap.taxonomies.builtin import WHEELS, build_default, wheels_dir

    cached = wheels_dir(Settings())
    if not all((cached / w.filename).is_file() for w in WHEELS):
        pytest.skip(
            f"built-in taxonomy wheels not cached in {cached}: run `make setup` "
            "(or `skillgap taxonomy build-default`) once while online"
        )
    d = tmp_path_factory.mktemp("esco-builtin") / "skillgap-data"
    settings = Settings(data_dir=d, taxonomy=None)
    wheels_dir(settings).mkdir(parents=True)
    for w in WHEELS:
        shutil.copy2(cached / w.filename, wheels_dir(settings) / w.filename)

    def no_network(*_args, **_kwargs):
        raise AssertionError("the built-in build must not run pip once its wheels are cached")

    # A built-in of an earlier recipe, which the build must replace.
    stale = settings.taxonomies_dir / "builtin-esco-stale"
    stale.mkdir(parents=True)
    (stale / "manifest.json").write_text('{"snapshot_id": "builtin-esco-stale", "kind": "builtin"}')
    with pytest.MonkeyPatch.context() as mp:  # proves the build is offline after set-up
        mp.setattr("skillgap.taxonomies.builtin.subprocess.run", no_network)
        build_default(settings)
    return d


@pytest.fixture(scope="session")
def esco_builtin(esco_builtin_data_dir: Path):
    """The built-in default Taxonomy (skills, groups; no occupations); do not mutate."""
    from skillgap.config import Settings
    from skillgap.taxonomies.store import load_taxonomy

    return load_taxonomy("builtin", Settings(data_dir=esco_builtin_data_dir, taxonomy=None))
