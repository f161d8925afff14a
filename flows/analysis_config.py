"""The analysis config: one TOML file that says everything a scheduled run needs.

It is validated completely before any work starts: an unknown key, a missing input file
or a bad value is one clear error naming the file and the key. Relative paths are taken
relative to the config file, so a config and its data can move together.

Example (see ``demo/data/demo.toml`` for a complete one)::

    [run]
    name = "construction-2024"
    workers = 1                 # >1: map on a local Dask cluster of that many processes
    partition_size = 1000       # documents per mapping partition (each committed alone)

    [[inputs.vacancies]]
    path = "vacancies.csv"
    profile = "generic"

    [[inputs.credentials]]
    path = "catalogue.jsonl"
    profile = "generic"          # or: format = "elm"

    [analysis]                  # fields of skillgap.gaps.AnalysisParams
    breakdowns = ["sector", "region", "sector+region"]
    min_evidence = 10

    [report]
    variants = ["sector=F"]
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from skillgap.errors import ConfigError

REPORT_FORMATS = ("html", "md", "xlsx", "csv", "parquet", "json")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RunSection(_Strict):
    name: str = Field(
        "analysis", description="Short name; used in run ids and the store file name."
    )
    outputs_dir: Path | None = Field(
        None, description="Where outputs/<run-id>/ go; default: Settings.outputs_dir."
    )
    store: Path | None = Field(
        None,
        description="DuckDB file of this analysis; default <data_dir>/stores/<name>.duckdb, so "
        "each analysis config works on its own store.",
    )

    workers: int = Field(
        1,
        ge=1,
        le=256,
        description="Mapping workers: 1 maps in-process; more start a local Dask cluster with "
        "that many single-threaded worker processes.",
    )
    dask_address: str | None = Field(
        None,
        description="Scheduler of an existing Dask cluster (tcp://HOST:PORT) to map on; its "
        "workers need skillgap installed, the same data directory and the spool folder.",
    )
    partition_size: int = Field(
        1000,
        ge=1,
        le=1_000_000,
        description="Documents per mapping partition; each partition is committed on its own.",
    )
    spool: Path | None = Field(
        None,
        description="Folder where workers leave finished partitions for the store's writer; "
        "default <store>.spool beside the store (must be shared with remote workers).",
    )

    @field_validator("name")
    @classmethod
    def _safe_name(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", v):
            raise ValueError("use letters, digits, '.', '_' or '-' (at most 64 characters)")
        return v


class InputFile(_Strict):
    path: Path
    profile: str | None = Field(None, description="Source profile name or path to a profile file.")
    format: Literal["elm"] | None = Field(
        None, description="'elm' for European Learning Model JSON-LD."
    )


class Inputs(_Strict):
    vacancies: list[InputFile] = Field(default_factory=list)
    credentials: list[InputFile] = Field(default_factory=list)

    @model_validator(mode="after")
    def _need_vacancies(self) -> Inputs:
        if not self.vacancies:
            raise ValueError("at least one [[inputs.vacancies]] entry is required")
        for v in self.vacancies:
            if not v.profile:
                raise ValueError(
                    f"vacancy input {v.path} needs a profile (e.g. profile = 'generic')"
                )
        for c in self.credentials:
            if not (c.profile or c.format):
                raise ValueError(f"credential input {c.path} needs a profile or format = 'elm'")
        return self


class TaxonomySection(_Strict):
    snapshot: str | None = Field(None, description="Snapshot id; default: the active taxonomy.")


class ModelSection(_Strict):
    path: Path | None = Field(None, description="Local sentence-transformers model directory.")
    corrections: Path | None = Field(
        None,
        description="Analyst corrections (TOML: [[map]], [[ignore]], [[never]]; see "
        "skillgap.nlp.corrections), applied at extraction; may be shared by analyses.",
    )


class ReportSection(_Strict):
    variants: list[str] = Field(
        default_factory=list, description="Extra reports filtered to 'sector=X' or 'region=Y'."
    )
    formats: list[str] = Field(default_factory=lambda: list(REPORT_FORMATS))

    @field_validator("variants")
    @classmethod
    def _variant_syntax(cls, v: list[str]) -> list[str]:
        for item in v:
            if not re.fullmatch(r"(sector|region)=[^=\s]+", item):
                raise ValueError(f"variant {item!r} must look like 'sector=F' or 'region=DE21'")
        return v

    @field_validator("formats")
    @classmethod
    def _known_formats(cls, v: list[str]) -> list[str]:
        unknown = sorted(set(v) - set(REPORT_FORMATS))
        if unknown:
            raise ValueError(f"unknown format(s) {unknown}; choose from {list(REPORT_FORMATS)}")
        return v


class AnalysisConfig(_Strict):
    """The whole config; ``analysis`` is validated against ``AnalysisParams`` in ``load``."""

    run: RunSection = Field(default_factory=RunSection)
    inputs: Inputs
    taxonomy: TaxonomySection = Field(default_factory=TaxonomySection)
    model: ModelSection = Field(default_factory=ModelSection)
    analysis: dict[str, Any] = Field(default_factory=dict)
    report: ReportSection = Field(default_factory=ReportSection)
    source: Path | None = Field(None, description="The TOML file this config came from.")


def _resolve(base: Path, p: Path | None) -> Path | None:
    if p is None:
        return None
    p = p.expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def load_config(path: Path) -> AnalysisConfig:
    """Read, validate and resolve a config; raise ``ConfigError`` before any work starts."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    try:
        cfg = AnalysisConfig.model_validate({**raw, "source": path.resolve()})
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_explain(exc)}") from None

    base = path.resolve().parent

    def fix(f: InputFile) -> InputFile:
        resolved = _resolve(base, f.path)
        assert resolved is not None
        profile = f.profile
        if profile and (profile.endswith(".toml") or "/" in profile):
            profile = str(_resolve(base, Path(profile)))
        return f.model_copy(update={"path": resolved, "profile": profile})

    inputs = Inputs(
        vacancies=[fix(f) for f in cfg.inputs.vacancies],
        credentials=[fix(f) for f in cfg.inputs.credentials],
    )
    missing = [
        str(f.path) for f in [*inputs.vacancies, *inputs.credentials] if not f.path.is_file()
    ]
    if missing:
        raise ConfigError(f"{path}: input file(s) not found: {', '.join(missing)}")
    _check_profiles(path, inputs)
    run = cfg.run.model_copy(
        update={
            "outputs_dir": _resolve(base, cfg.run.outputs_dir),
            "store": _resolve(base, cfg.run.store),
            "spool": _resolve(base, cfg.run.spool),
        }
    )
    model = cfg.model.model_copy(
        update={
            "path": _resolve(base, cfg.model.path),
            "corrections": _resolve(base, cfg.model.corrections),
        }
    )
    if model.path is not None and not model.path.is_dir():
        raise ConfigError(f"{path}: [model] path is not a directory: {model.path}")
    if model.corrections is not None and not model.corrections.is_file():
        raise ConfigError(f"{path}: [model] corrections file not found: {model.corrections}")
    cfg = cfg.model_copy(update={"inputs": inputs, "run": run, "model": model})
    analysis_params(cfg)  # validate [analysis] now, not after ingest and mapping
    return cfg


def _check_profiles(path: Path, inputs: Inputs) -> None:
    """Every source profile named must exist and parse, before anything is ingested."""
    from skillgap.ingest.profiles import load_profile

    for kind, files in (("vacancies", inputs.vacancies), ("credentials", inputs.credentials)):
        for f in files:
            if not f.profile:
                continue
            try:
                load_profile(f.profile, kind)
            except ConfigError as exc:
                raise ConfigError(f"{path}: [[inputs.{kind}]] {f.path.name}: {exc}") from None


def analysis_params(cfg: AnalysisConfig) -> Any:
    """``[analysis]`` as ``skillgap.gaps.AnalysisParams`` (unknown keys are an error)."""
    from skillgap.gaps import AnalysisParams

    try:
        return AnalysisParams(**cfg.analysis)
    except (TypeError, ValueError) as exc:
        where = cfg.source or "config"
        text = _explain(exc) if isinstance(exc, ValidationError) else str(exc)
        raise ConfigError(f"{where}: [analysis]: {text}") from None


def _explain(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"]) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)
