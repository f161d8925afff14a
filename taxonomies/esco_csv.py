"""Read the official ESCO CSV download into the normalised :class:`Taxonomy`.

The European Commission publishes ESCO as two zips per version: a language zip
(``ESCO dataset - v1.1.1 - classification - en - csv.zip``: skills, occupations, hierarchy,
groups, collections) and a language-independent relations zip
(``ESCO dataset - v1.1.1 - classification -  - csv.zip``). Users hand us the zips, a folder
holding them, or a folder where they were extracted, so discovery works on file *names*
wherever they sit, and tolerates both namings seen in the wild:

- v1.1.x: relation files without language suffix or label columns
  (``occupationSkillRelations.csv``, ``broaderRelationsSkillPillar.csv``, ...);
- v1.2.x: relation files with a ``_xx`` suffix and extra label columns
  (``occupationSkillRelations_en.csv``).

Everything happens in memory: this module never writes to disk (the snapshot store does),
so a failed read cannot damage an existing snapshot. Every problem is raised as one
:class:`~skillgap.errors.InputError` naming the file and the reason.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from skillgap.errors import InputError
from skillgap.taxonomies.model import ESCO_ATTRIBUTION, TABLE_COLUMNS, Taxonomy

# Canonical file stems (case-insensitive on input) -> whether the file carries a language
# suffix in every ESCO version. Relation files gained a suffix only in v1.2.
LANGUAGE_FILES = (
    "skills",
    "occupations",
    "skillGroups",
    "skillsHierarchy",
    "ISCOGroups",
    "conceptSchemes",
    "greenSkillsCollection",
    "digitalSkillsCollection",
    "digCompSkillsCollection",
    "transversalSkillsCollection",
    "languageSkillsCollection",
    "researchSkillsCollection",
    "researchOccupationsCollection",
)
RELATION_FILES = (
    "occupationSkillRelations",
    "broaderRelationsSkillPillar",
    "broaderRelationsOccPillar",
    "skillSkillRelations",
)
_STEM_BY_LOWER = {s.lower(): s for s in (*LANGUAGE_FILES, *RELATION_FILES)}

COLLECTION_FILES: dict[str, str] = {
    "greenSkillsCollection": "green",
    "digitalSkillsCollection": "digital",
    "digCompSkillsCollection": "digcomp",
    "transversalSkillsCollection": "transversal",
    "languageSkillsCollection": "language",
    "researchSkillsCollection": "research",
}

# Columns each file must have for us to use it. Others are optional (filled with "").
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "skills": (
        "conceptUri",
        "preferredLabel",
        "altLabels",
        "skillType",
        "reuseLevel",
        "description",
    ),
    "occupations": ("conceptUri", "preferredLabel", "altLabels", "iscoGroup", "description"),
    "skillGroups": ("conceptUri", "preferredLabel"),
    "skillsHierarchy": tuple(
        c for i in range(4) for c in (f"Level {i} URI", f"Level {i} preferred term")
    ),
    "broaderRelationsSkillPillar": ("conceptType", "conceptUri", "broaderType", "broaderUri"),
    "occupationSkillRelations": ("occupationUri", "relationType", "skillUri"),
    "skillSkillRelations": ("originalSkillUri", "relationType", "relatedSkillUri"),
    **{stem: ("conceptUri",) for stem in COLLECTION_FILES},
}

_NAME_RE = re.compile(r"^(?P<stem>[A-Za-z]+?)(?:_(?P<lang>[A-Za-z]{2,3}(?:-[A-Za-z]+)?))?\.csv$")
_VERSION_RE = re.compile(r"(?:^|[^A-Za-z0-9])v(\d+\.\d+(?:\.\d+)?)(?![\d.]*\d)")

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SourceFile:
    """One CSV of the bundle: a file on disk or a member of a zip on disk."""

    name: str
    stem: str
    language: str | None
    origin: Path
    member: str | None = None
    sha256: str | None = None  # known when the zip check already read the member

    @property
    def where(self) -> str:
        """How error messages name the file: ``zip!member`` or the CSV path."""
        return f"{self.origin}!{self.member}" if self.member else str(self.origin)

    def read_bytes(self) -> bytes:
        if self.member is None:
            try:
                return self.origin.read_bytes()
            except OSError as exc:
                raise InputError(f"{self.where}: cannot read ({exc.strerror or exc})") from None
        try:
            with zipfile.ZipFile(self.origin) as zf:
                return zf.read(self.member)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
            raise InputError(
                f"{self.where}: the zip is corrupt or truncated ({exc}); download it again"
            ) from None


@dataclass
class Bundle:
    """What discovery found: the usable CSVs plus facts for the manifest."""

    files: dict[str, SourceFile]
    language: str
    version: str
    origins: list[Path]
    ignored: list[str] = field(default_factory=list)

    @property
    def file_naming(self) -> str | None:
        rel = [self.files[s] for s in RELATION_FILES if s in self.files]
        if not rel:
            return None
        return "v1.2" if any(f.language for f in rel) else "v1.1"


def _file_digests(path: Path) -> dict[str, Any]:
    """Size, SHA-256 and MD5 of a source file (the EC publishes MD5s of its zips)."""
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
            md5.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": sha.hexdigest(), "md5": md5.hexdigest()}


def _classify(name: str) -> tuple[str, str | None] | None:
    """(canonical stem, language or None) for an ESCO CSV name, None for other files."""
    m = _NAME_RE.match(name)
    if not m:
        return None
    stem = _STEM_BY_LOWER.get(m["stem"].lower())
    if stem is None:
        return None
    return stem, (m["lang"].lower() if m["lang"] else None)


def _zip_members(path: Path) -> list[tuple[str, str, str]]:
    """(basename, member, SHA-256) of the CSVs in a zip, each read once in full.

    Reading a member to its end makes :mod:`zipfile` check its CRC, so a corrupt download
    is caught here; the checksum computed on the way gives the snapshot id without a
    second pass.
    """
    out: list[tuple[str, str, str]] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                name = Path(info.filename).name
                if (
                    info.is_dir()
                    or not name.lower().endswith(".csv")
                    or name.startswith(".")
                    or "__MACOSX" in info.filename
                ):
                    continue
                digest = hashlib.sha256()
                try:
                    with zf.open(info) as fh:
                        for chunk in iter(lambda fh=fh: fh.read(1 << 20), b""):
                            digest.update(chunk)
                except zipfile.BadZipFile as exc:
                    if "CRC" not in str(exc):
                        raise
                    raise InputError(
                        f"{path}: member {info.filename} fails its CRC check (corrupt "
                        "download); download the zip again"
                    ) from None
                out.append((name, info.filename, digest.hexdigest()))
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(
            f"{path}: not a readable zip archive ({exc}); the download is truncated or "
            "corrupt: download it again"
        ) from None
    return out


def _candidates(path: Path) -> Iterable[tuple[str, Path, str | None, str | None]]:
    """(file name, file on disk, zip member or None, SHA-256 if known) per CSV a path gives."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        entries = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        if not any(p.suffix.lower() in (".zip", ".csv") for p in entries):
            raise InputError(f"{path}: folder holds no ESCO .zip or .csv files")
        for p in entries:
            yield from _candidates_file(p, explicit=False)
    else:
        yield from _candidates_file(path, explicit=True)


def _candidates_file(
    path: Path, *, explicit: bool
) -> Iterable[tuple[str, Path, str | None, str | None]]:
    suffix = path.suffix.lower()
    if suffix == ".zip":
        for name, member, sha in _zip_members(path):
            yield name, path, member, sha
    elif suffix == ".csv":
        yield path.name, path, None, None
    elif explicit:
        raise InputError(f"{path}: not an ESCO .zip or .csv file")


def discover(
    paths: Iterable[Path | str], *, language: str | None = None, version: str | None = None
) -> Bundle:
    """Find the ESCO CSVs under ``paths`` and check they form one bundle.

    One language only: a file whose ``_xx`` suffix disagrees with the bundle's language
    (that of ``skills_xx.csv``, or ``language`` when given) is an error, because mixing
    languages would silently pair English skills with, say, French occupations.
    """
    origins = [Path(p).expanduser() for p in paths]
    if not origins:
        raise InputError("no ESCO files given: pass the two official zips or their folder")
    files: dict[str, SourceFile] = {}
    ignored: list[str] = []
    for origin in origins:
        for name, disk, member, sha in _candidates(origin):
            kind = _classify(name)
            where = f"{disk}!{member}" if member else str(disk)
            if kind is None:
                ignored.append(where)
                continue
            stem, lang = kind
            src = SourceFile(
                name=name, stem=stem, language=lang, origin=disk, member=member, sha256=sha
            )
            if stem in files:
                raise InputError(
                    f"{where}: {stem} is given twice (also {files[stem].where}); pass one "
                    "copy of each ESCO file"
                )
            files[stem] = src

    if "skills" not in files:
        found = ", ".join(sorted(f.name for f in files.values())) or "no ESCO CSV"
        raise InputError(
            f"{', '.join(map(str, origins))}: no skills_xx.csv in this bundle (found: {found}); "
            "skillgap needs the ESCO skills pillar: pass the official language zip "
            "('ESCO dataset - vX - classification - xx - csv.zip') or its skills_xx.csv"
        )
    bundle_lang = (language or files["skills"].language or "").lower()
    reference = files["skills"].where if not language else f"--language {language}"
    for src in files.values():
        if src.stem in LANGUAGE_FILES and src.language is None:
            raise InputError(
                f"{src.where}: file name lacks the language suffix (expected "
                f"{src.stem}_{bundle_lang or 'xx'}.csv)"
            )
        if src.language is not None and bundle_lang and src.language != bundle_lang:
            raise InputError(
                f"{src.where}: wrong language suffix '_{src.language}': this bundle is "
                f"'_{bundle_lang}' (from {reference}); pass files of one language only"
            )

    # The version is in the official zip names; failing that, in the folder names
    # (".../esco/v1.2.0-partial/"), nearest first.
    versions = {m.group(1) for f in files.values() if (m := _VERSION_RE.search(f.origin.name))}
    if not versions:
        for origin in origins:
            for part in reversed(origin.parts[-3:]):
                if m := _VERSION_RE.search(part):
                    versions.add(m.group(1))
                    break
    if version:
        esco_version = version.lstrip("v")
    elif len(versions) > 1:
        raise InputError(
            f"{', '.join(map(str, origins))}: files of different ESCO versions "
            f"({', '.join(sorted(versions))}); import one version at a time"
        )
    else:
        esco_version = versions.pop() if versions else "unknown"
    return Bundle(
        files=files,
        language=bundle_lang or "unknown",
        version=esco_version,
        origins=origins,
        ignored=ignored,
    )


# ---------------------------------------------------------------------------------------
# CSV parsing


def _read_csv(src: SourceFile, raw: bytes) -> pd.DataFrame:
    """Parse one ESCO CSV as all-string columns and check the columns we need."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{src.where}: not UTF-8 text (byte {exc.start}: {exc.reason}); ESCO CSVs are UTF-8"
        ) from None
    try:
        # object dtype: plain Python strings, cheap to walk; the model tables built from
        # them get pandas' string dtype, as a loaded snapshot has.
        df = pd.read_csv(io.StringIO(text), dtype=object, keep_default_na=False, na_filter=False)
    except pd.errors.EmptyDataError:
        raise InputError(f"{src.where}: file is empty (no header row)") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{src.where}: malformed CSV ({exc})") from None
    df.columns = [str(c).strip() for c in df.columns]
    required = REQUIRED_COLUMNS.get(src.stem, ())
    absent = [c for c in required if c not in df.columns]
    if absent:
        raise InputError(
            f"{src.where}: missing column(s) {', '.join(absent)} (found: {', '.join(df.columns)})"
        )
    return df


def split_labels(value: str, *, sep: str = "\n") -> list[str]:
    """Split an ESCO label list, dropping blanks and repeats but keeping ESCO's order.

    The main files separate alt labels with newlines inside a quoted field; the collection
    files use `` | ``. Callers pass the separator of the file at hand.
    """
    out: list[str] = []
    seen: set[str] = set()
    if not value:
        return out
    for part in value.split(sep):
        label = part.strip()
        if label and label not in seen:
            seen.add(label)
            out.append(label)
    return out


def _check_uris(src: SourceFile, uris: pd.Series, what: str = "conceptUri") -> None:
    """Refuse empty or duplicate URIs: they would make every by-URI lookup ambiguous."""
    empty = uris.index[uris.str.strip() == ""]
    if len(empty):
        rows = ", ".join(str(i + 1) for i in empty[:5])
        raise InputError(f"{src.where}: empty {what} in record(s) {rows}")
    dup = uris[uris.duplicated(keep=False)]
    if len(dup):
        first = dup.iloc[0]
        rows = [str(i + 1) for i in dup.index[dup == first]]
        raise InputError(
            f"{src.where}: duplicate {what} {first} (records {', '.join(rows)}; "
            f"{dup.nunique()} URI(s) repeated in all)"
        )


def _col(df: pd.DataFrame, name: str) -> list[str]:
    """Column as stripped strings; '' when an optional column is absent."""
    if name not in df.columns:
        return [""] * len(df)
    return [v.strip() for v in df[name].tolist()]


def _skills_table(src: SourceFile, df: pd.DataFrame) -> pd.DataFrame:
    uris = pd.Series(_col(df, "conceptUri"))
    _check_uris(src, uris)
    blank = [i + 1 for i, v in enumerate(_col(df, "preferredLabel")) if not v]
    if blank:
        raise InputError(
            f"{src.where}: empty preferredLabel in record(s) {', '.join(map(str, blank[:5]))}"
        )
    return pd.DataFrame(
        {
            "uri": uris.tolist(),
            "preferred_label": _col(df, "preferredLabel"),
            "alt_labels": [split_labels(v) for v in df["altLabels"].tolist()],
            "hidden_labels": [split_labels(v) for v in _col(df, "hiddenLabels")],
            "description": _col(df, "description"),
            "skill_type": _col(df, "skillType"),
            "reuse_level": _col(df, "reuseLevel"),
            "status": _col(df, "status"),
        }
    )


def _occupations_table(src: SourceFile, df: pd.DataFrame) -> pd.DataFrame:
    uris = pd.Series(_col(df, "conceptUri"))
    _check_uris(src, uris)
    return pd.DataFrame(
        {
            "uri": uris.tolist(),
            "preferred_label": _col(df, "preferredLabel"),
            "alt_labels": [split_labels(v) for v in df["altLabels"].tolist()],
            "hidden_labels": [split_labels(v) for v in _col(df, "hiddenLabels")],
            "description": _col(df, "description"),
            "isco_group": _col(df, "iscoGroup"),
            "code": _col(df, "code"),
        }
    )


def _groups_table(
    hierarchy: tuple[SourceFile, pd.DataFrame] | None,
    skill_groups: tuple[SourceFile, pd.DataFrame] | None,
    broader: pd.DataFrame | None,
) -> pd.DataFrame:
    """Skills-pillar groups with code, label, level and parents.

    ``skillsHierarchy`` gives level and code (its ``skillGroups`` twin lacks the code of a
    third of the groups); ``skillGroups`` and the group-to-group broader relations add
    groups the hierarchy file leaves out and any second parent.
    """
    rows: dict[str, dict[str, Any]] = {}
    if hierarchy is not None:
        src, h = hierarchy
        for rec in h.to_dict("records"):
            levels = [i for i in range(4) if str(rec.get(f"Level {i} URI", "")).strip()]
            if not levels:
                continue
            lvl = levels[-1]
            uri = rec[f"Level {lvl} URI"].strip()
            parent = rec[f"Level {lvl - 1} URI"].strip() if lvl > 0 else ""
            row = rows.setdefault(
                uri,
                {
                    "uri": uri,
                    "code": str(rec.get(f"Level {lvl} code", "")).strip() or _isced_code(uri),
                    "label": rec[f"Level {lvl} preferred term"].strip(),
                    "level": lvl,
                    "parents": [],
                    "description": str(rec.get("Description", "")).strip(),
                },
            )
            if parent and parent not in row["parents"]:
                row["parents"].append(parent)
    if skill_groups is not None:
        src, g = skill_groups
        _check_uris(src, pd.Series(_col(g, "conceptUri")))
        for uri, label, code, desc in zip(
            _col(g, "conceptUri"),
            _col(g, "preferredLabel"),
            _col(g, "code"),
            _col(g, "description"),
            strict=True,
        ):
            row = rows.setdefault(
                uri,
                {
                    "uri": uri,
                    "code": code,
                    "label": label,
                    "level": -1,
                    "parents": [],
                    "description": desc,
                },
            )
            row["code"] = row["code"] or code or _isced_code(uri)
            row["label"] = row["label"] or label
            row["description"] = row["description"] or desc
    if broader is not None and len(broader):
        gg = broader[
            (broader["conceptType"] == "SkillGroup") & (broader["broaderType"] == "SkillGroup")
        ]
        for child, parent in zip(gg["conceptUri"], gg["broaderUri"], strict=True):
            if child in rows and parent not in rows[child]["parents"]:
                rows[child]["parents"].append(parent)
    # Levels of groups known only from skillGroups: one below their shallowest parent.
    for _ in range(4):
        for row in rows.values():
            if row["level"] < 0:
                plevels = [rows[p]["level"] for p in row["parents"] if p in rows]
                if not row["parents"]:
                    row["level"] = 0
                elif plevels and min(plevels) >= 0:
                    row["level"] = min(plevels) + 1
    for row in rows.values():
        row["level"] = max(row["level"], 0)
    out = pd.DataFrame(
        list(rows.values()), columns=["uri", "code", "label", "level", "parents", "description"]
    )
    out["level"] = out["level"].astype("int64")
    return out


def _isced_code(uri: str) -> str:
    """ISCED-F field code of a knowledge group URI ('0613'), which ESCO leaves uncoded."""
    prefix = "http://data.europa.eu/esco/isced-f/"
    return uri[len(prefix) :] if uri.startswith(prefix) else ""


def _skill_groups_table(
    skill_uris: set[str], group_uris: set[str], broader: pd.DataFrame
) -> pd.DataFrame:
    """Each skill's direct groups: the first group met on every upward broader path.

    Narrower skills (e.g. a programming language under "use programming languages") have
    only a broader *skill*; walking up until a group is met gives them the groups of
    their parent skill, so every skill can be placed in the hierarchy.
    """
    up: dict[str, list[str]] = {}
    for child, parent in zip(broader["conceptUri"], broader["broaderUri"], strict=True):
        up.setdefault(child, []).append(parent)
    memo: dict[str, list[str]] = {}

    def groups_of(uri: str, trail: frozenset[str]) -> list[str]:
        if uri in memo:
            return memo[uri]
        found: list[str] = []
        for parent in up.get(uri, []):
            if parent in group_uris:
                hits = [parent]
            elif parent in skill_uris and parent not in trail:
                hits = groups_of(parent, trail | {uri})
            else:
                hits = []
            found.extend(h for h in hits if h not in found)
        memo[uri] = found
        return found

    pairs = [(s, g) for s in sorted(skill_uris) for g in groups_of(s, frozenset())]
    return pd.DataFrame(pairs, columns=["skill_uri", "group_uri"])


def read_esco_bundle(
    paths: list[Path] | list[str] | Path | str,
    *,
    language: str | None = None,
    version: str | None = None,
    progress: Progress | None = None,
) -> Taxonomy:
    """Parse an official ESCO CSV download into a :class:`Taxonomy`, in memory.

    ``paths``: the two zips, a folder holding them, or a folder of extracted CSVs (any
    mix). ``language``/``version`` override what the file names say. ``progress`` is
    called with a short message before each file is parsed (the CLI drives a bar with it).
    The manifest carries the ESCO version, language, file naming, per-file SHA-256
    checksums, row counts and the list of parts the bundle lacks; ``snapshot_id`` is
    derived from the CSV checksums, so the zips and their extracted files give one id.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    bundle = discover(paths, language=language, version=version)
    return read_bundle(bundle, progress=progress)


def _snapshot_id(bundle: Bundle, checksums: dict[str, str]) -> str:
    digest = hashlib.sha256(
        "\n".join(f"{k}:{v}" for k, v in sorted(checksums.items())).encode()
    ).hexdigest()
    return f"esco-v{bundle.version}-{bundle.language}-{digest[:12]}"


def bundle_snapshot_id(bundle: Bundle) -> str:
    """The snapshot id ``read_bundle`` would give, from checksums alone (no parsing).

    Lets the store recognise a re-import of stored files in a fraction of a parse.
    """
    checksums = {
        src.name: src.sha256 or hashlib.sha256(src.read_bytes()).hexdigest()
        for src in bundle.files.values()
    }
    return _snapshot_id(bundle, checksums)


def read_bundle(bundle: Bundle, *, progress: Progress | None = None) -> Taxonomy:
    """Parse the files :func:`discover` found (see :func:`read_esco_bundle`)."""
    say = progress or (lambda _msg: None)

    frames: dict[str, tuple[SourceFile, pd.DataFrame]] = {}
    checksums: dict[str, str] = {}
    for stem, src in sorted(bundle.files.items()):
        if stem in (
            "ISCOGroups",
            "conceptSchemes",
            "broaderRelationsOccPillar",
            "researchOccupationsCollection",
        ):
            # Not part of the model; still checksummed so the snapshot id covers them.
            checksums[src.name] = src.sha256 or hashlib.sha256(src.read_bytes()).hexdigest()
            continue
        say(f"reading {src.name}")
        raw = src.read_bytes()
        checksums[src.name] = hashlib.sha256(raw).hexdigest()
        frames[stem] = (src, _read_csv(src, raw))
        del raw

    say("building tables")
    skills_src, skills_df = frames["skills"]
    skills = _skills_table(skills_src, skills_df)
    skill_uris = set(skills["uri"])
    tables: dict[str, pd.DataFrame] = {"skills": skills}
    # Rows that point at URIs the bundle does not define (kept, but counted).
    dangling: dict[str, int] = {}

    broader = None
    if "broaderRelationsSkillPillar" in frames:
        _, broader = frames["broaderRelationsSkillPillar"]
        broader = broader.assign(
            conceptUri=broader["conceptUri"].str.strip(),
            broaderUri=broader["broaderUri"].str.strip(),
        )
        tables["skill_broader"] = pd.DataFrame(
            {"uri": broader["conceptUri"].tolist(), "broader_uri": broader["broaderUri"].tolist()}
        )

    if "skillsHierarchy" in frames or "skillGroups" in frames:
        groups = _groups_table(frames.get("skillsHierarchy"), frames.get("skillGroups"), broader)
        overlap = skill_uris & set(groups["uri"])
        if overlap:
            raise InputError(
                f"{skills_src.where}: URI {sorted(overlap)[0]} is both a skill and a skill "
                f"group ({len(overlap)} such URIs); the files come from different bundles"
            )
        tables["groups"] = groups
        if broader is not None:
            group_uris = set(groups["uri"]) | set(
                broader.loc[broader["broaderType"] == "SkillGroup", "broaderUri"]
            )
            tables["skill_groups"] = _skill_groups_table(skill_uris, group_uris, broader)

    coll_rows: list[tuple[str, str]] = []
    for stem, name in COLLECTION_FILES.items():
        if stem not in frames:
            continue
        _, cdf = frames[stem]
        uris = list(dict.fromkeys(u.strip() for u in cdf["conceptUri"].tolist()))
        unknown = sum(u not in skill_uris for u in uris)
        if unknown:
            dangling[f"collection_{name}_unknown_skill"] = unknown
        coll_rows.extend((u, name) for u in uris)
    if coll_rows:
        tables["collections"] = pd.DataFrame(coll_rows, columns=["skill_uri", "collection"])

    occ_uris: set[str] = set()
    if "occupations" in frames:
        osrc, odf = frames["occupations"]
        tables["occupations"] = _occupations_table(osrc, odf)
        occ_uris = set(tables["occupations"]["uri"])

    if "occupationSkillRelations" in frames:
        rsrc, rdf = frames["occupationSkillRelations"]
        rel = pd.DataFrame(
            {
                "occupation_uri": _col(rdf, "occupationUri"),
                "skill_uri": _col(rdf, "skillUri"),
                "relation_type": _col(rdf, "relationType"),
                "skill_type": _col(rdf, "skillType"),
            }
        )
        bad_types = sorted(set(rel["relation_type"]) - {"essential", "optional"})
        if bad_types:
            raise InputError(
                f"{rsrc.where}: unknown relationType value(s) {', '.join(map(repr, bad_types))} "
                "(expected essential or optional)"
            )
        # ESCO's own files are not closed: v1.1.1 relates 67 skills absent from
        # skills_en.csv. Rows are kept (the published counts hold) and counted here.
        unknown_skill = sum(u not in skill_uris for u in rel["skill_uri"].tolist())
        if unknown_skill:
            dangling["occupation_skills_unknown_skill"] = unknown_skill
        if occ_uris:
            unknown_occ = sum(u not in occ_uris for u in rel["occupation_uri"].tolist())
            if unknown_occ:
                dangling["occupation_skills_unknown_occupation"] = unknown_occ
        tables["occupation_skills"] = rel

    if "skillSkillRelations" in frames:
        _, sdf = frames["skillSkillRelations"]
        rel = pd.DataFrame(
            {
                "skill_uri": _col(sdf, "originalSkillUri"),
                "related_skill_uri": _col(sdf, "relatedSkillUri"),
                "relation_type": _col(sdf, "relationType"),
            }
        )
        unknown = sum(
            a not in skill_uris or b not in skill_uris
            for a, b in zip(
                rel["skill_uri"].tolist(), rel["related_skill_uri"].tolist(), strict=True
            )
        )
        if unknown:
            dangling["skill_relations_unknown_skill"] = unknown
        tables["skill_relations"] = rel

    tax = Taxonomy(tables={n: tables[n] for n in TABLE_COLUMNS if n in tables})
    missing = sorted(name for name, df in tax.tables.items() if df.empty)
    present_files = set(bundle.files)
    missing_files = [s for s in (*LANGUAGE_FILES, *RELATION_FILES) if s not in present_files]
    tax.manifest = {
        "snapshot_id": _snapshot_id(bundle, checksums),
        "kind": "official",
        "esco_version": bundle.version,
        "language": bundle.language,
        "file_naming": bundle.file_naming,
        "given_paths": [str(p.resolve()) for p in bundle.origins],
        # One entry per file read from disk (a zip or a CSV), with the ESCO files it held.
        "sources": [
            {
                "path": str(disk.resolve()),
                **_file_digests(disk),
                "files": sorted(f.name for f in bundle.files.values() if f.origin == disk),
            }
            for disk in sorted({f.origin for f in bundle.files.values()})
        ],
        "checksums": checksums,
        "counts": tax.counts(),
        "missing": missing,
        "missing_files": missing_files,
        "ignored_files": bundle.ignored,
        "dangling": dangling,
        "attribution": ESCO_ATTRIBUTION,
    }
    return tax
