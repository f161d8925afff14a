"""Ingest one file of vacancies or credentials into the store, as one batch.

A batch is all-or-nothing. Its rows are committed chunk by chunk, tagged with the batch
id (DuckDB holds an open transaction's rows in memory, so one transaction per file would
make memory grow with the file); if anything fails, Ctrl-C included, every row the batch
wrote is removed before the error propagates, and a batch whose process died outright is
removed the next time the store is opened for writing (``Store.recover``). Only a batch
marked ``done`` counts. The file's sha256 is the batch key: ingesting the same bytes
again is a no-op that reports ``skipped``.

Record-level problems (a malformed line, an empty text, an unparseable date, an id reused
with different content) go to ``quarantine`` with file, record and reason, and the rest of
the batch proceeds. File-level problems (cannot decode, missing required columns, not
JSON) raise ``InputError`` and leave the store unchanged.

Memory: records are processed in chunks of ``chunk_size``; duplicate look-ups against
earlier chunks and earlier batches go to the store, so only the near-duplicate index
(one 256-byte signature per kept vacancy plus LSH buckets) grows with the data.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from skillgap.errors import InputError
from skillgap.fileutil import sha256_file
from skillgap.ingest import dedup
from skillgap.ingest.elements import check_elements
from skillgap.ingest.profiles import CodeMap, Profile, load_profile
from skillgap.ingest.readers import RAW_LIMIT, BadRecord, RawRecord, TabularSource
from skillgap.ingest.values import (
    check_date,
    check_range,
    is_blank,
    parse_date,
    parse_hours,
    parse_list,
    parse_number,
    parse_tags,
    split_outcomes,
)
from skillgap.language import language_of
from skillgap.owner import current_owner
from skillgap.schemas import SCHEMAS
from skillgap.store import Store
from skillgap.text import clean_line, clean_text, content_hash, hash_normalised, normalise_for_hash

# Plausible workloads: more than 360 ECTS (a five-year programme and more) or the hours
# of 360 ECTS at 30 hours each is a typo or a unit mix-up, not a micro-credential.
MAX_ECTS = 360.0
MAX_HOURS = 360.0 * 30
EARLIEST_ISSUE = date(1950, 1, 1)


class RecordProblem(Exception):
    """A record that cannot be stored; the message is the quarantine reason."""


@dataclass
class BatchReport:
    """What one ingest did; ``counts`` sums to ``read`` (stored + duplicates + quarantined)."""

    batch_id: str
    kind: str
    file: str
    checksum: str
    profile: str
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    quarantined: int = 0
    skipped: bool = False
    quarantine_reasons: dict[str, int] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)
    elapsed_s: float = 0.0
    # The five counters in one mapping, filled when the batch ends (``seal``). A field,
    # not a property, so that ``dataclasses.asdict`` (how the flow logs and stores a
    # report) carries it.
    counts: dict[str, int] = field(default_factory=dict)

    def seal(self) -> BatchReport:
        self.counts = {
            "read": self.read,
            "stored": self.stored,
            "duplicates": self.duplicates,
            "near_duplicates": self.near_duplicates,
            "quarantined": self.quarantined,
        }
        return self


def file_checksum(path: Path) -> str:
    return sha256_file(path)


def _reason_key(reason: str) -> str:
    """The reason without its specifics, for counting ("unparseable date 'x'" -> ...)."""
    return re.split(r"[:'(]", reason, maxsplit=1)[0].strip()


# Shared batch machinery ------------------------------------------------------------------
class _Batch:
    """Bookkeeping of one batch: counters, quarantine rows, the ingest_batches row."""

    def __init__(self, store: Store, kind: str, path: Path, profile: str, checksum: str) -> None:
        self.store = store
        self.started = datetime.now()
        self.report = BatchReport(
            batch_id=f"{self.started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}",
            kind=kind,
            file=str(path),
            checksum=checksum,
            profile=profile,
        )
        self.quarantine: list[dict[str, Any]] = []
        self.duplicates: list[dict[str, Any]] = []
        self.reasons: Counter[str] = Counter()
        self.t0 = time.perf_counter()
        self.done = False
        store.append("ingest_batches", _frame([self._row("running")], "ingest_batches"))

    def _row(self, status: str) -> dict[str, Any]:
        r = self.report
        return {
            "batch_id": r.batch_id,
            "kind": r.kind,
            "source_file": r.file,
            "checksum": r.checksum,
            "profile": r.profile,
            "status": status,
            "started_at": self.started,
            "finished_at": datetime.now() if status == "done" else None,
            "n_read": r.read,
            "n_stored": r.stored,
            "n_duplicates": r.duplicates,
            "n_near_duplicates": r.near_duplicates,
            "n_quarantined": r.quarantined,
            "owner": current_owner(),
        }

    def __enter__(self) -> _Batch:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        """Any failure, Ctrl-C included, removes what the batch had committed so far."""
        if exc_type is not None and not self.done:
            self.store.discard_batch(self.report.batch_id)

    def bad(self, record: str, reason: str, raw: Any) -> None:
        if not isinstance(raw, str):
            try:
                raw = json.dumps(raw, ensure_ascii=False, default=str)
            except (TypeError, ValueError, RecursionError):
                try:
                    raw = repr(raw)
                except RecursionError:
                    raw = "(nested too deeply to keep)"
        self.quarantine.append(
            {
                "batch_id": self.report.batch_id,
                "source_file": self.report.file,
                "record": record,
                "reason": reason,
                "raw": raw[:RAW_LIMIT],
            }
        )
        self.reasons[_reason_key(reason)] += 1
        self.report.quarantined += 1

    def duplicate(
        self,
        doc_type: str,
        doc_id: str,
        kept_id: str,
        kind: str,
        sim: float,
        record: str,
        posted: date | None = None,
    ) -> None:
        self.duplicates.append(
            {
                "batch_id": self.report.batch_id,
                "doc_type": doc_type,
                "doc_id": doc_id,
                "kept_id": kept_id,
                "kind": kind,
                "similarity": sim,
                "source_file": self.report.file,
                "record": record,
                "posted_date": posted,
            }
        )
        if kind == "near":
            self.report.near_duplicates += 1
        else:
            self.report.duplicates += 1

    def flush(self) -> None:
        if self.quarantine:
            self.store.append("quarantine", pd.DataFrame(self.quarantine))
            self.quarantine = []
        if self.duplicates:
            self.store.append("duplicates", _frame(self.duplicates, "duplicates"))
            self.duplicates = []

    def finish(self) -> BatchReport:
        """Write what is pending and mark the batch done, in one transaction."""
        r = self.report
        if r.read == 0:
            raise InputError(
                f"{r.file}: no records (the file holds only a header or blank lines); "
                "nothing was stored"
            )
        r.quarantine_reasons = dict(self.reasons.most_common())
        r.elapsed_s = time.perf_counter() - self.t0
        r.seal()
        with self.store.transaction():
            self.flush()
            self.store.replace_where(
                "ingest_batches",
                "batch_id = ?",
                _frame([self._row("done")], "ingest_batches"),
                [r.batch_id],
            )
        self.done = True
        return r


def _frame(rows: list[dict[str, Any]], table: str) -> pa.Table:
    schema = SCHEMAS[table]
    return pa.Table.from_pylist(rows, schema=schema)


def _already_ingested(store: Store, kind: str, checksum: str) -> dict[str, Any] | None:
    df = store.read(
        "ingest_batches", "kind = ? AND checksum = ? AND status = 'done'", [kind, checksum]
    )
    return None if df.empty else df.iloc[0].to_dict()


def _skipped_report(
    prev: dict[str, Any], kind: str, path: Path, profile: str, checksum: str
) -> BatchReport:
    return BatchReport(
        batch_id=str(prev["batch_id"]),
        kind=kind,
        file=str(path),
        checksum=checksum,
        profile=profile,
        read=0,
        skipped=True,
    ).seal()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _progress(enabled: bool, path: Path) -> Any:
    """A rich progress display (records read, elapsed time) or a do-nothing context."""
    from contextlib import nullcontext

    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(f"ingest {path.name}"),
        BarColumn(),
        TextColumn("{task.fields[records]:,} records"),
        TimeElapsedColumn(),
        transient=True,
    )


def _existing(store: Store, table: str, key: str, values: list[str], cols: str) -> dict[str, Any]:
    """``key`` -> row (as tuple of ``cols``) for stored rows whose ``key`` is in ``values``."""
    if not values:
        return {}
    rows = store.con.execute(
        f"SELECT {key}, {cols} FROM {table} WHERE {key} IN (SELECT unnest(?::VARCHAR[]))",
        [values],
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def _where(batch_id: str | None, batch: _Batch) -> str:
    """Where a stored record came from, for a quarantine reason."""
    if batch_id == batch.report.batch_id:
        return "an earlier part of this file"
    return f"batch {batch_id}" if batch_id else "the store"


def _field(data: dict[str, Any], cols: list[str], nulls: set[str], sep: str) -> Any:
    """Value of a contract field: one column as is, several joined with ``sep``."""
    if not cols:
        return None
    if len(cols) == 1:
        v = _plain(data.get(cols[0]))
        return None if is_blank(v, nulls) else v
    parts = [str(v) for c in cols if not is_blank(v := _plain(data.get(c)), nulls)]
    return sep.join(parts) if parts else None


def _plain(value: Any) -> Any:
    """Language maps ({"en": "..."}) found in JSON exports become their (English) text."""
    if isinstance(value, dict):
        from skillgap.ingest.elm import lang_text

        return lang_text(value)
    return value


def _language(declared: Any, text: str, profile: Any = None) -> str | None:
    """The stored language: the record's own, else the detected one when the detection can
    be trusted, else the profile's constant; None (unknown) when none of them says."""
    found = language_of(
        text,
        declared=None if is_blank(declared) else declared,
        profile=None if is_blank(profile) else str(profile),
    )
    return found.language if found.source != "guess" and found.language else None


def _validate(prof: Profile, data: dict[str, Any]) -> None:
    for col, pattern in prof.validate.items():
        v = data.get(col)
        if v is None or not re.search(pattern, str(v)):
            raise RecordProblem(f"column '{col}' value '{str(v)[:60]}' does not match {pattern}")


def _check_columns(prof: Profile, src: TabularSource) -> None:
    have = set(src.columns)
    for fld, col in prof.columns_needed():
        if col not in have:
            raise InputError(
                f"profile '{prof.name}' ({prof.path}): file {src.path} has no column '{col}' "
                f"(needed for field '{fld}'); columns are {src.columns[:30]}"
            )
    read = [c for cols in prof.fields.values() for c in cols] + list(prof.validate)
    src.check_unique(read)


# Columns that only a vacancy file has: a catalogue holding them and none of the
# credential columns is a vacancy file given to the wrong command.
_VACANCY_ONLY = {"vacancy_id", "text", "posted_date", "location_raw", "region", "sector"}
_CREDENTIAL_ONLY = (
    "learning_outcomes",
    "provider",
    "esco_skills",
    "workload_ects",
    "workload_hours",
    "eqf_level",
    "assessment_type",
    "participation_form",
    "quality_assurance",
    "issue_date",
)


def _check_is_catalogue(prof: Profile, src: TabularSource) -> None:
    """Refuse a file that has none of the credential columns the profile reads."""
    have = set(src.columns)
    cols = [c for f in _CREDENTIAL_ONLY for c in prof.fields.get(f, [])]
    if not cols or have & set(cols):
        return
    vacancy_like = sorted(have & _VACANCY_ONLY)
    hint = (
        f"; it looks like a vacancy file (columns {vacancy_like}): use `skillgap ingest vacancies`"
        if vacancy_like
        else ""
    )
    raise InputError(
        f"{src.path}: none of the credential columns of profile '{prof.name}' "
        f"({', '.join(cols)}) is in the file, so it is not a credential catalogue{hint}"
    )


# Vacancies --------------------------------------------------------------------------------
def _vacancy(
    rec: RawRecord,
    prof: Profile,
    region_map: CodeMap | None,
    sector_map: CodeMap | None,
    unmapped: Counter[str],
) -> dict[str, Any]:
    d, f, nulls = rec.data, prof.fields, prof.null_values
    _validate(prof, d)
    raw_id = _field(d, f.get("id", []), nulls, "/")
    if raw_id is None:
        raise RecordProblem(f"missing id (column {f.get('id')})")
    vid = f"{prof.options.get('id_prefix', '')}{clean_line(raw_id)}"
    text = clean_text(_field(d, f.get("text", []), nulls, "\n\n"))
    if not text:
        raise RecordProblem("empty text")
    if len(text) < prof.min_text_chars:
        raise RecordProblem(f"text too short ({len(text)} chars < {prof.min_text_chars})")
    if len(text) > prof.max_text_chars:
        raise RecordProblem(f"text too long ({len(text)} chars > {prof.max_text_chars})")
    title = clean_line(_field(d, f.get("title", []), nulls, " "))
    if not title and prof.options.get("title_from_first_line"):
        title = text.split("\n", 1)[0][:200]
    date_raw = _field(d, f.get("posted_date", []), nulls, " ")
    try:
        posted = parse_date(date_raw, prof.date_formats)
        if posted is None and "posted_date" in prof.constants:
            posted = parse_date(prof.constants["posted_date"])
        check_date(posted, prof.earliest_date, prof.latest_date(), "posted_date")
    except ValueError as exc:
        raise RecordProblem(f"{exc} (column {f.get('posted_date')})") from exc
    location = clean_line(_field(d, f.get("location", []), nulls, ", ")) or None
    region = _field(d, f.get("region", []), nulls, " ")
    if region_map is not None:
        region = region_map.lookup_place(location) or region_map.lookup_place(
            clean_line(region) if region else None
        )
        if region is None and location:
            unmapped["region"] += 1
    sector = _field(d, f.get("sector", []), nulls, " ")
    if sector_map is not None:
        raw = _field(d, f.get("sector_raw", []), nulls, " ") or sector
        sector = sector_map.lookup(clean_line(raw) if raw else None)
        if sector is None and raw:
            unmapped["sector"] += 1
    occupation = _field(d, f.get("occupation", []), nulls, " ")
    lang_raw = _field(d, f.get("language", []), nulls, " ")
    return {
        "vacancy_id": vid,
        "source": clean_line(_field(d, f.get("source", []), nulls, " ")) or prof.source,
        "title": title or None,
        "text": text,
        "posted_date": posted,
        "location_raw": location,
        "region": clean_line(region) or None if region is not None else None,
        "sector": clean_line(sector) or None if sector is not None else None,
        "occupation": clean_line(occupation) or None if occupation is not None else None,
        "language": _language(lang_raw, text, prof.constants.get("language")),
        "content_hash": hash_normalised(norm := normalise_for_hash(title, text)),
        "_norm": norm,
    }


def ingest_vacancies(
    path: Path,
    profile: str | Path,
    store: Store,
    *,
    near_duplicates: bool = True,
    progress: bool = False,
    region_map: Path | None = None,
    sector_map: Path | None = None,
    encoding: str | None = None,
    chunk_size: int = 2000,
    near_threshold: float = dedup.THRESHOLD,
    _after_chunk: Callable[[int], None] | None = None,
) -> BatchReport:
    """Read ``path`` with ``profile`` into ``store.vacancies`` as one batch.

    ``region_map``/``sector_map`` (CSV ``raw_value,code``) override the profile's mapping
    files. ``_after_chunk`` is a test hook called after each chunk is written.
    """
    path = Path(path)
    prof = load_profile(profile, "vacancies")
    if encoding:
        prof.encoding = encoding
    rmap = (
        CodeMap(Path(region_map))
        if region_map
        else (CodeMap(prof.region_map) if prof.region_map else None)
    )
    smap = (
        CodeMap(Path(sector_map))
        if sector_map
        else (CodeMap(prof.sector_map) if prof.sector_map else None)
    )
    src = TabularSource(
        path,
        prof.format,
        encoding=prof.encoding,
        delimiter=prof.delimiter,
        quotechar=prof.quotechar,
        sheet=prof.sheet,
    )
    _check_columns(prof, src)
    checksum = file_checksum(path)
    prev = _already_ingested(store, "vacancies", checksum)
    if prev is not None:
        return _skipped_report(prev, "vacancies", path, prof.name, checksum)

    unmapped: Counter[str] = Counter()
    index = dedup.NearDuplicateIndex(near_threshold) if near_duplicates else None
    if index is not None:
        for vid, blob in store.con.execute(
            "SELECT vacancy_id, minhash FROM vacancy_signatures"
        ).fetchall():
            index.add(vid, dedup.from_bytes(blob))
    # Each chunk commits on its own (DuckDB keeps an open transaction's rows in memory);
    # the batch context removes everything the batch wrote if anything fails.
    with _Batch(store, "vacancies", path, prof.name, checksum) as batch:
        with _progress(progress, path) as bar:
            task = bar.add_task("ingest", total=None, records=0) if bar else None
            for n_chunk, chunk in enumerate(_chunks(src.records(), chunk_size)):
                with store.transaction():
                    _vacancy_chunk(chunk, prof, rmap, smap, unmapped, batch, index)
                    batch.flush()
                if bar is not None:
                    bar.update(task, records=batch.report.read)
                if _after_chunk is not None:
                    _after_chunk(n_chunk)
        batch.report.unmapped = dict(unmapped)
        return batch.finish()


def _vacancy_chunk(
    chunk: list[RawRecord | BadRecord],
    prof: Profile,
    rmap: CodeMap | None,
    smap: CodeMap | None,
    unmapped: Counter[str],
    batch: _Batch,
    index: dedup.NearDuplicateIndex | None,
) -> None:
    store = batch.store
    rows: list[tuple[RawRecord, dict[str, Any]]] = []
    for rec in chunk:
        batch.report.read += 1
        if isinstance(rec, BadRecord):
            batch.bad(rec.record, rec.reason, rec.raw)
            continue
        try:
            rows.append((rec, _vacancy(rec, prof, rmap, smap, unmapped)))
        except RecordProblem as exc:
            batch.bad(rec.record, str(exc), rec.data)
        except RecursionError:
            batch.bad(rec.record, "a field is nested too deeply to read", rec.data)

    ids = list({r["vacancy_id"] for _, r in rows})
    hashes = list({r["content_hash"] for _, r in rows})
    stored_ids = _existing(store, "vacancies", "vacancy_id", ids, "content_hash, batch_id")
    stored_hashes = _existing(store, "vacancies", "content_hash", hashes, "vacancy_id")
    seen_ids: dict[str, tuple[str, str]] = {
        k: (v[0], _where(v[1], batch)) for k, v in stored_ids.items()
    }
    seen_hashes: dict[str, str] = {k: v[0] for k, v in stored_hashes.items()}
    keep: list[dict[str, Any]] = []
    sigs: list[tuple[str, bytes]] = []
    for rec, row in rows:
        vid, h = row["vacancy_id"], row["content_hash"]
        if vid in seen_ids:
            prev_hash, where = seen_ids[vid]
            if prev_hash == h:
                batch.duplicate("vacancy", vid, vid, "exact", 1.0, rec.record, row["posted_date"])
            else:
                batch.bad(
                    rec.record,
                    f"duplicate id '{vid}' with different content (first seen in {where})",
                    rec.data,
                )
            continue
        if h in seen_hashes:
            batch.duplicate(
                "vacancy", vid, seen_hashes[h], "exact", 1.0, rec.record, row["posted_date"]
            )
            continue
        if index is not None:
            sig = dedup.signature(row.pop("_norm"), normalised=True)
            if sig is not None:
                match = index.match(sig)
                if match is not None:
                    batch.duplicate(
                        "vacancy", vid, match[0], "near", match[1], rec.record, row["posted_date"]
                    )
                    continue
                index.add(vid, sig)
                sigs.append((vid, dedup.to_bytes(sig)))
        seen_ids[vid] = (h, rec.record)
        seen_hashes[h] = vid
        row.pop("_norm", None)
        row["batch_id"] = batch.report.batch_id
        keep.append(row)
    if keep:
        store.append("vacancies", _frame_with_batch(keep, "vacancies"))
        batch.report.stored += len(keep)
    if sigs:
        store.append(
            "vacancy_signatures",
            pa.table(
                {
                    "vacancy_id": [s[0] for s in sigs],
                    "minhash": pa.array([s[1] for s in sigs], pa.binary()),
                    "batch_id": [batch.report.batch_id] * len(sigs),
                }
            ),
        )


def _frame_with_batch(rows: list[dict[str, Any]], table: str) -> pa.Table:
    schema = SCHEMAS[table].append(pa.field("batch_id", pa.string()))
    return pa.Table.from_pylist(rows, schema=schema)


# Credentials -------------------------------------------------------------------------------
@dataclass
class ParsedCredential:
    """One credential after normalisation, with its element check (for ``check``)."""

    record: str
    row: dict[str, Any]
    notes: dict[str, str]


def _credential(
    values: dict[str, Any],
    *,
    source: str,
    id_prefix: str,
    date_formats: list[str],
    require_outcomes: bool,
    country_map: CodeMap | None = None,
) -> ParsedCredential:
    problems: dict[str, str] = {}
    title = clean_line(values.get("title"))
    if not title:
        raise RecordProblem("missing title")
    outcomes = split_outcomes(values.get("learning_outcomes"))
    if require_outcomes and not outcomes:
        raise RecordProblem("no learning outcomes")
    try:
        esco = [u for u in parse_list(values.get("esco_skills")) if u.startswith("http")]
    except ValueError as exc:
        raise RecordProblem(f"esco_skills: {exc}") from exc
    try:
        issue = parse_date(values.get("issue_date"), date_formats)
        check_date(issue, EARLIEST_ISSUE, date.today() + timedelta(days=366), "issue date")
    except ValueError as exc:
        issue, problems["issue_date"] = None, str(exc)
    nums: dict[str, float | None] = {}
    for key, parser, high in (
        ("workload_ects", parse_number, MAX_ECTS),
        ("workload_hours", parse_hours, MAX_HOURS),
    ):
        try:
            nums[key] = check_range(parser(values.get(key)), 0, high, key)
        except ValueError as exc:
            # Invalid is not present: the column stays empty and the element says why.
            nums[key], problems[key] = None, f"{key}: {exc}"
    eqf: int | None = None
    raw_eqf = values.get("eqf_level")
    if not is_blank(raw_eqf):
        try:
            eqf_f = parse_number(raw_eqf)
            eqf = int(eqf_f) if eqf_f is not None and eqf_f == int(eqf_f) else None
            if eqf is None:
                problems["eqf_level"] = f"EQF level '{raw_eqf}' is not a whole number"
        except ValueError:
            problems["eqf_level"] = f"EQF level '{str(raw_eqf)[:30]}' is not a number"
    try:
        tags = parse_tags(values.get("skill_tags"))
    except ValueError as exc:
        raise RecordProblem(f"skill_tags: {exc}") from exc
    description = clean_text(values.get("description")) or None
    provider = clean_line(values.get("provider")) or None
    country = clean_line(values.get("country")) or None
    if country is None and country_map is not None and provider:
        country = country_map.lookup(provider)
    row: dict[str, Any] = {
        "title": title,
        "provider": provider,
        "country": country,
        "issue_date": issue,
        "learning_outcomes": outcomes,
        "esco_skills": esco,
        "description": description,
        "skill_tags": tags,
        "workload_ects": nums["workload_ects"],
        "workload_hours": nums["workload_hours"],
        "eqf_level": eqf,
        "assessment_type": clean_line(values.get("assessment_type")) or None,
        "participation_form": clean_line(values.get("participation_form")) or None,
        "quality_assurance": clean_line(values.get("quality_assurance")) or None,
    }
    check = check_elements({**row, "learner_id": values.get("learner_id")}, problems)
    if row["eqf_level"] is not None and check.status["eqf_level"] != "present":
        row["eqf_level"] = None  # keep the column honest; the element says invalid
    body = "\n".join([title, *outcomes, description or ""])
    row["language"] = _language(values.get("language"), body)
    # description and tags are mapped, so they are content; absent, the hash is as before
    extra = [x for x in (description, *tags) if x]
    row["content_hash"] = content_hash(title, provider or "", *outcomes, *extra)
    raw_id = values.get("id")
    cid = clean_line(raw_id) if not is_blank(raw_id) else row["content_hash"][:16]
    source = clean_line(values.get("source")) or source
    row = {"credential_id": f"{id_prefix}{cid}", "source": source, **row, **check.columns()}
    return ParsedCredential(record="", row=row, notes=check.notes)


def _tabular_credentials(
    src: TabularSource, prof: Profile, country_map: CodeMap | None
) -> Iterator[ParsedCredential | BadRecord]:
    f, nulls = prof.fields, prof.null_values
    for rec in src.records():
        if isinstance(rec, BadRecord):
            yield rec
            continue
        try:
            _validate(prof, rec.data)
            values: dict[str, Any] = {
                k: _field(rec.data, cols, nulls, "\n") for k, cols in f.items()
            }
            for key, value in prof.constants.items():
                if is_blank(values.get(key)):
                    values[key] = value
            if "learning_outcomes" in values and len(f.get("learning_outcomes", [])) > 1:
                values["learning_outcomes"] = [
                    v for c in f["learning_outcomes"] if not is_blank(v := rec.data.get(c), nulls)
                ]
            values["learner_id"] = None
            pc = _credential(
                values,
                source=prof.source,
                id_prefix=prof.options.get("id_prefix", ""),
                date_formats=prof.date_formats,
                require_outcomes=bool(prof.options.get("require_learning_outcomes", False)),
                country_map=country_map,
            )
        except RecordProblem as exc:
            yield BadRecord(
                rec.record, str(exc), json.dumps(rec.data, ensure_ascii=False, default=str)
            )
            continue
        except RecursionError:
            yield BadRecord(rec.record, "a field is nested too deeply to read", "")
            continue
        pc.record = rec.record
        yield pc


def _elm_credentials(src: TabularSource) -> Iterator[ParsedCredential | BadRecord]:
    from skillgap.ingest.elm import iter_credentials

    doc = src.load_json()
    for label, values in iter_credentials(doc, str(src.path)):
        if isinstance(values, Exception):
            try:
                raw = json.dumps(getattr(values, "record", None), ensure_ascii=False, default=str)
            except (TypeError, ValueError, RecursionError):
                raw = ""
            yield BadRecord(label, str(values), raw[:RAW_LIMIT])
            continue
        try:
            pc = _credential(
                values,
                source="elm",
                id_prefix="",
                date_formats=[],
                require_outcomes=True,
                country_map=None,
            )
        except RecordProblem as exc:
            reason = str(exc)
            if reason == "no learning outcomes":
                claim = values.get("_claim_type")
                reason = f"no learning outcomes in ELM credential (claim type {claim})"
            raw = {k: v for k, v in values.items() if not k.startswith("_")}
            yield BadRecord(label, reason, json.dumps(raw, ensure_ascii=False, default=str))
            continue
        except RecursionError:
            yield BadRecord(label, "a field is nested too deeply to read", "")
            continue
        pc.record = label
        yield pc


def read_credentials(
    path: Path,
    *,
    profile: str | Path | None = None,
    fmt: str | None = None,
    encoding: str | None = None,
) -> tuple[str, Iterator[ParsedCredential | BadRecord]]:
    """(profile name, parsed credentials) of a catalogue or ELM file, without any store.

    ``fmt="elm"`` reads European Learning Model / Open Badges JSON-LD; with neither a
    profile nor a format, a JSON file that looks like a credential is read as ELM and
    anything else with the ``generic`` profile.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if fmt not in (None, "elm") and profile is None:
        profile = "generic"
    if fmt == "elm" or (fmt is None and profile is None and _looks_like_elm(path)):
        # JSON without a profile is read as ELM/OB3: the reader says clearly when it is not.
        src = TabularSource(path, "json", encoding=encoding)
        return "elm", _elm_credentials(src)
    prof = load_profile(profile or "generic", "credentials")
    if encoding:
        prof.encoding = encoding
    src = TabularSource(
        path,
        fmt if fmt not in (None, "elm") else prof.format,
        encoding=prof.encoding,
        delimiter=prof.delimiter,
        quotechar=prof.quotechar,
        sheet=prof.sheet,
    )
    _check_columns(prof, src)
    _check_is_catalogue(prof, src)
    cmap = CodeMap(prof.country_map) if prof.country_map else None
    return prof.name, _tabular_credentials(src, prof, cmap)


def _looks_like_elm(path: Path) -> bool:
    """JSON and JSON-LD documents without a profile are credentials in ELM or OB3 form."""
    return path.suffix.lower() in (".jsonld", ".json")


def ingest_credentials(
    path: Path,
    store: Store,
    *,
    profile: str | Path | None = None,
    fmt: str | None = None,
    progress: bool = False,
    encoding: str | None = None,
    chunk_size: int = 2000,
) -> BatchReport:
    """Read a credential catalogue (profile) or ELM/OB3 JSON-LD file into ``store``."""
    path = Path(path)
    name, items = read_credentials(path, profile=profile, fmt=fmt, encoding=encoding)
    checksum = file_checksum(path)
    prev = _already_ingested(store, "credentials", checksum)
    if prev is not None:
        return _skipped_report(prev, "credentials", path, name, checksum)
    with _Batch(store, "credentials", path, name, checksum) as batch:
        with _progress(progress, path) as bar:
            task = bar.add_task("ingest", total=None, records=0) if bar else None
            for chunk in _chunks(items, chunk_size):
                with store.transaction():
                    _credential_chunk(chunk, batch)
                    batch.flush()
                if bar is not None:
                    bar.update(task, records=batch.report.read)
        return batch.finish()


def _credential_chunk(chunk: list[ParsedCredential | BadRecord], batch: _Batch) -> None:
    store = batch.store
    good = [c for c in chunk if isinstance(c, ParsedCredential)]
    ids = list({c.row["credential_id"] for c in good})
    hashes = list({c.row["content_hash"] for c in good})
    seen_ids = {
        k: (v[0], _where(v[1], batch))
        for k, v in _existing(
            store, "credentials", "credential_id", ids, "content_hash, batch_id"
        ).items()
    }
    seen_hashes = {
        k: v[0]
        for k, v in _existing(store, "credentials", "content_hash", hashes, "credential_id").items()
    }
    keep = []
    for item in chunk:
        batch.report.read += 1
        if isinstance(item, BadRecord):
            batch.bad(item.record, item.reason, item.raw)
            continue
        row = item.row
        cid, h = row["credential_id"], row["content_hash"]
        if cid in seen_ids:
            if seen_ids[cid][0] == h:
                batch.duplicate("credential", cid, cid, "exact", 1.0, item.record)
            else:
                batch.bad(
                    item.record,
                    f"duplicate id '{cid}' with different content "
                    f"(first seen in {seen_ids[cid][1]})",
                    {k: v for k, v in row.items() if not k.startswith("elem_")},
                )
            continue
        if h in seen_hashes:
            batch.duplicate("credential", cid, seen_hashes[h], "exact", 1.0, item.record)
            continue
        seen_ids[cid] = (h, item.record)
        seen_hashes[h] = cid
        keep.append({**row, "batch_id": batch.report.batch_id})
    if keep:
        store.append("credentials", _frame_with_batch(keep, "credentials"))
        batch.report.stored += len(keep)
