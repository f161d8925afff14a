"""Source profiles: how one data provider's export maps onto the ``vacancies`` or
``credentials`` contract.

A profile is a small TOML file (format in ``profiles/README.md``). Shipped profiles live
beside this module and are named by their file stem (``adzuna-uk``); a user's own profile
is given by path. Keeping provider quirks in data rather than code means a new export
format needs a text file, not a release.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from skillgap.errors import ConfigError, InputError

PROFILES_DIR = Path(__file__).parent / "profiles"

VACANCY_FIELDS = (
    "id",
    "source",
    "title",
    "text",
    "posted_date",
    "location",
    "region",
    "sector",
    "sector_raw",
    "occupation",
    "language",
)
CREDENTIAL_FIELDS = (
    "id",
    "source",
    "title",
    "provider",
    "country",
    "issue_date",
    "learning_outcomes",
    "esco_skills",
    "skill_tags",
    "workload_ects",
    "workload_hours",
    "eqf_level",
    "assessment_type",
    "participation_form",
    "quality_assurance",
    "language",
    "description",
)
_TOP_KEYS = {
    "name",
    "kind",
    "description",
    "source",
    "format",
    "encoding",
    "delimiter",
    "quotechar",
    "sheet",
    "fields",
    "required",
    "dates",
    "mappings",
    "constants",
    "null_values",
    "limits",
    "validate",
    "options",
}


@dataclass
class Profile:
    """A parsed profile. ``fields`` maps a contract field to one or more source columns."""

    name: str
    kind: str  # vacancies | credentials
    source: str
    path: Path | None = None
    description: str = ""
    format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    quotechar: str = '"'
    sheet: str | None = None
    fields: dict[str, list[str]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    date_formats: list[str] = field(default_factory=list)
    region_map: Path | None = None
    sector_map: Path | None = None
    country_map: Path | None = None
    constants: dict[str, Any] = field(default_factory=dict)
    null_values: set[str] = field(default_factory=set)
    min_text_chars: int = 20
    max_text_chars: int = 100_000
    # Posting dates outside earliest_date .. today + max_days_ahead are quarantined.
    earliest_date: date = date(1990, 1, 1)
    max_days_ahead: int = 31
    validate: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)

    def latest_date(self) -> date:
        """The latest posting date a record may carry (ads are not posted in the future)."""
        return date.today() + timedelta(days=self.max_days_ahead)

    def columns_needed(self) -> list[tuple[str, str]]:
        """(field, column) pairs for the required fields; checked against the file header."""
        out = []
        for f in self.required:
            for col in self.fields.get(f, []):
                out.append((f, col))
        return out


def shipped_profiles(kind: str | None = None) -> dict[str, Path]:
    """Name -> path of the profiles shipped with skillgap (``kind`` filters)."""
    out = {}
    for p in sorted(PROFILES_DIR.glob("*.toml")):
        if kind is not None:
            with p.open("rb") as fh:
                if tomllib.load(fh).get("kind") != kind:
                    continue
        out[p.stem.removeprefix(f"{kind}-") if kind else p.stem] = p
    return out


def resolve_profile_path(profile: str | Path, kind: str) -> Path:
    """A shipped profile name (``generic``, ``adzuna-uk``) or a path to a TOML file."""
    p = Path(profile)
    if p.suffix == ".toml" or p.exists():
        if not p.is_file():
            raise ConfigError(f"profile file {p} does not exist")
        return p
    # Shipped profiles are stored as ``<kind>-<name>.toml`` so `generic` exists per kind.
    for candidate in (PROFILES_DIR / f"{kind}-{profile}.toml", PROFILES_DIR / f"{profile}.toml"):
        if candidate.is_file():
            return candidate
    names = sorted(shipped_profiles(kind))
    raise ConfigError(
        f"unknown {kind} profile '{profile}'; shipped: {', '.join(names)}; "
        "or give the path of a .toml profile"
    )


def _as_list(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{where}: expected a column name or a list of column names")


def _limit_date(value: Any, path: Path) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ConfigError(f"profile {path}: [limits] earliest_date must be YYYY-MM-DD") from exc


def load_profile(profile: str | Path, kind: str) -> Profile:
    """Parse and validate a profile; every mistake names the profile file and key."""
    path = resolve_profile_path(profile, kind)
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"profile {path}: invalid TOML: {exc}") from exc
    unknown = set(raw) - _TOP_KEYS
    if unknown:
        raise ConfigError(f"profile {path}: unknown key(s) {sorted(unknown)}")
    pkind = raw.get("kind", kind)
    if pkind != kind:
        raise ConfigError(f"profile {path} is for {pkind}, not {kind}")
    allowed = VACANCY_FIELDS if kind == "vacancies" else CREDENTIAL_FIELDS
    fields_raw = raw.get("fields", {})
    bad = set(fields_raw) - set(allowed)
    if bad:
        raise ConfigError(
            f"profile {path}: unknown field(s) {sorted(bad)} in [fields]; allowed {allowed}"
        )
    fields = {k: _as_list(v, f"profile {path} [fields].{k}") for k, v in fields_raw.items()}
    required = raw.get("required", ["id", "text"] if kind == "vacancies" else ["title"])
    for r in required:
        if r not in fields:
            raise ConfigError(f"profile {path}: required field '{r}' has no column in [fields]")
    mappings = raw.get("mappings", {})
    limits = raw.get("limits", {})

    def map_path(key: str) -> Path | None:
        value = mappings.get(key)
        if not value:
            return None
        mp = Path(value)
        return mp if mp.is_absolute() else (path.parent / mp)

    return Profile(
        name=raw.get("name", path.stem),
        kind=kind,
        source=raw.get("source", raw.get("name", path.stem)),
        path=path,
        description=raw.get("description", ""),
        format=raw.get("format"),
        encoding=raw.get("encoding"),
        delimiter=raw.get("delimiter"),
        quotechar=raw.get("quotechar", '"'),
        sheet=raw.get("sheet"),
        fields=fields,
        required=list(required),
        date_formats=list(raw.get("dates", {}).get("formats", [])),
        region_map=map_path("region"),
        sector_map=map_path("sector"),
        country_map=map_path("country"),
        constants=dict(raw.get("constants", {})),
        null_values={str(v) for v in raw.get("null_values", [])},
        min_text_chars=int(limits.get("min_text_chars", 20)),
        max_text_chars=int(limits.get("max_text_chars", 100_000)),
        earliest_date=_limit_date(limits.get("earliest_date", "1990-01-01"), path),
        max_days_ahead=int(limits.get("max_days_ahead", 31)),
        validate=dict(raw.get("validate", {})),
        options=dict(raw.get("options", {})),
    )


class CodeMap:
    """A user-supplied ``raw_value,code`` table (NUTS regions, NACE sectors, countries).

    Lookup is case- and space-insensitive. For places, ``lookup_place`` also tries each
    comma-separated part of the value, most specific first, so "Dorking, Surrey" can
    match a row for "Surrey".
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.table: dict[str, str] = {}
        if not path.is_file():
            raise ConfigError(f"mapping file {path} does not exist")
        with path.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or [h.strip().lower() for h in header[:2]] != ["raw_value", "code"]:
                raise InputError(
                    f"mapping file {path}: first line must be the header 'raw_value,code'"
                )
            for n, row in enumerate(reader, start=2):
                if not row or not "".join(row).strip() or row[0].startswith("#"):
                    continue
                if len(row) < 2 or not row[1].strip():
                    raise InputError(f"mapping file {path} line {n}: expected 'raw_value,code'")
                self.table[self._key(row[0])] = row[1].strip()

    @staticmethod
    def _key(value: str) -> str:
        return " ".join(value.casefold().split())

    def lookup(self, value: str | None) -> str | None:
        if not value:
            return None
        return self.table.get(self._key(value))

    def lookup_place(self, value: str | None) -> str | None:
        if not value:
            return None
        hit = self.lookup(value)
        if hit:
            return hit
        for part in value.split(","):
            hit = self.lookup(part)
            if hit:
                return hit
        return None
