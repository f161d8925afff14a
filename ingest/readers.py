"""Streaming readers for tabular exports: CSV, JSONL, JSON, Parquet and Excel.

Every reader yields one item per record, either a ``RawRecord`` (field name -> value) or a
``BadRecord`` (where and why it could not be read), so one malformed line ends up in
quarantine while the rest of the file proceeds. Problems with the file as a whole (it
cannot be decoded, parsed or opened) raise ``InputError`` naming the file.

Files are never read whole, except JSON documents (an array cannot be parsed in pieces
without a streaming JSON parser; use JSONL for big exports): CSV and JSONL go line by line
through a decoder, Parquet by record batch, Excel row by row in read-only mode.
"""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from skillgap.errors import InputError

FORMATS = ("csv", "jsonl", "json", "parquet", "excel")
_EXT = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".jsonld": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
}
RAW_LIMIT = 10_000  # characters of a bad record kept in quarantine
csv.field_size_limit(64 * 1024 * 1024)


@dataclass(slots=True)
class RawRecord:
    """One record as read: ``record`` says where (``line 12``, ``row 3``, ``record 7``)."""

    record: str
    data: dict[str, Any]


@dataclass(slots=True)
class BadRecord:
    """A record that could not be read; goes to quarantine with ``reason`` and ``raw``."""

    record: str
    reason: str
    raw: str


def guess_format(path: Path, declared: str | None = None) -> str:
    """The reader to use: the declared one, else from the extension, else by sniffing."""
    if declared:
        if declared not in FORMATS:
            raise InputError(f"{path}: unknown format '{declared}'; use one of {FORMATS}")
        return declared
    fmt = _EXT.get(path.suffix.lower())
    if fmt:
        return fmt
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"PK"):
        return "excel"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") and b"\n{" in stripped:
        return "jsonl"
    if stripped.startswith((b"{", b"[")):
        return "json"
    return "csv"


def detect_encoding(path: Path, declared: str | None = None, sample_size: int = 1 << 20) -> str:
    """Text encoding of ``path``: declared, else BOM, else UTF-8 if it decodes, else guessed.

    The guess (charset-normalizer) only looks at the first ``sample_size`` bytes; a file that
    turns out not to decode later fails with an error naming the line, and the batch is
    rolled back.
    """
    if declared:
        try:
            return codecs.lookup(declared).name
        except LookupError as exc:
            raise InputError(f"{path}: unknown encoding '{declared}' in profile") from exc
    with path.open("rb") as fh:
        head = fh.read(sample_size)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" not in head:
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    if b"\x00" not in head:
        # Western European exports are mostly Windows-1252 / Latin-1; on short samples
        # charset-normalizer often prefers a Baltic or DOS code page that decodes the
        # same few accented bytes differently. Take cp1252 when it reads cleanly.
        try:
            if mess_ratio(head.decode("cp1252"), maximum_threshold=0.2) < 0.05:
                return "cp1252"
        except UnicodeDecodeError:
            pass
    best = from_bytes(head).best()
    if best is None or (
        b"\x00" in head and "16" not in best.encoding and "32" not in best.encoding
    ):
        raise InputError(
            f"{path}: cannot determine the text encoding (not UTF-8/UTF-16 and no confident "
            "guess); set `encoding` in the profile or pass --encoding"
        )
    return best.encoding


class TabularSource:
    """A file opened for reading records; ``columns`` is known before any record is read."""

    def __init__(
        self,
        path: Path,
        fmt: str | None = None,
        *,
        encoding: str | None = None,
        delimiter: str | None = None,
        quotechar: str = '"',
        sheet: str | None = None,
        chunk_size: int = 5000,
    ) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise InputError(f"{self.path}: no such file")
        self.format = guess_format(self.path, fmt)
        self.chunk_size = chunk_size
        self.sheet = sheet
        self.encoding: str | None = None
        self.delimiter = delimiter
        self.quotechar = quotechar
        if self.format in ("csv", "jsonl", "json"):
            self.encoding = detect_encoding(self.path, encoding)
        self.columns = self._columns()

    # Header -------------------------------------------------------------------------
    def _open_text(self):
        return self.path.open("r", encoding=self.encoding, newline="")

    def _columns(self) -> list[str]:
        try:
            if self.format == "csv":
                with self._open_text() as fh:
                    sample = fh.read(64 * 1024)
                if not sample.strip():
                    raise InputError(f"{self.path}: file is empty")
                if self.delimiter is None:
                    try:
                        self.delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
                    except csv.Error:
                        self.delimiter = ","
                header = next(
                    csv.reader(
                        sample.splitlines(), delimiter=self.delimiter, quotechar=self.quotechar
                    )
                )
                return [h.strip() for h in header]
            if self.format == "parquet":
                import pyarrow.parquet as pq

                return list(pq.ParquetFile(self.path).schema_arrow.names)
            if self.format == "excel":
                rows = self._excel_rows()
                header = next(rows, None)
                if header is None:
                    raise InputError(f"{self.path}: the sheet is empty")
                return [str(h).strip() if h is not None else "" for h in header[1]]
            # JSON-like: the union of keys of the first records.
            keys: dict[str, None] = {}
            for n, item in enumerate(self.records()):
                if isinstance(item, RawRecord):
                    keys.update(dict.fromkeys(item.data))
                if n >= 1000:
                    break
            return list(keys)
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.path}: not valid {self.encoding} text: {exc}") from exc
        except (OSError, ValueError) as exc:
            if isinstance(exc, InputError):
                raise
            raise InputError(f"{self.path}: cannot read as {self.format}: {exc}") from exc

    # Records ------------------------------------------------------------------------
    def records(self) -> Iterator[RawRecord | BadRecord]:
        """Every record of the file in order; decoding failures raise ``InputError``."""
        reader = {
            "csv": self._csv,
            "jsonl": self._jsonl,
            "json": self._json,
            "parquet": self._parquet,
            "excel": self._excel,
        }[self.format]
        try:
            yield from reader()
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self.path}: not valid {self.encoding} text ({exc.reason} at byte "
                f"{exc.start} of a read block); set `encoding` in the profile"
            ) from exc

    def _csv(self) -> Iterator[RawRecord | BadRecord]:
        with self._open_text() as fh:
            reader = csv.reader(fh, delimiter=self.delimiter or ",", quotechar=self.quotechar)
            header: list[str] | None = None
            width = 0
            last_line = 0
            while True:
                start = last_line + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    last_line = reader.line_num
                    yield BadRecord(f"line {start}", f"malformed CSV line: {exc}", "")
                    continue
                last_line = reader.line_num
                if header is None:
                    header = [h.strip() for h in row]
                    width = len(header)
                    continue
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != width:
                    raw = self.delimiter.join(row) if self.delimiter else ",".join(row)
                    yield BadRecord(
                        f"line {start}",
                        f"malformed CSV line: expected {width} fields, found {len(row)}",
                        raw[:RAW_LIMIT],
                    )
                    continue
                yield RawRecord(f"line {start}", dict(zip(header, row, strict=True)))

    def _jsonl(self) -> Iterator[RawRecord | BadRecord]:
        with self._open_text() as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield BadRecord(f"line {n}", f"invalid JSON: {exc.msg}", line[:RAW_LIMIT])
                    continue
                if not isinstance(obj, dict):
                    yield BadRecord(
                        f"line {n}",
                        f"invalid JSON: expected an object, found {type(obj).__name__}",
                        line[:RAW_LIMIT],
                    )
                    continue
                yield RawRecord(f"line {n}", obj)

    def load_json(self) -> Any:
        """The whole JSON document (file-level error when it does not parse)."""
        try:
            with self._open_text() as fh:
                return json.load(fh)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{self.path}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
            ) from exc

    def _json(self) -> Iterator[RawRecord | BadRecord]:
        doc = self.load_json()
        if isinstance(doc, dict):
            for key in ("records", "data", "items", "@graph"):
                if isinstance(doc.get(key), list):
                    doc = doc[key]
                    break
            else:
                doc = [doc]
        if not isinstance(doc, list):
            raise InputError(f"{self.path}: expected a JSON array or object of records")
        for n, obj in enumerate(doc, start=1):
            if isinstance(obj, dict):
                yield RawRecord(f"record {n}", obj)
            else:
                yield BadRecord(
                    f"record {n}",
                    f"invalid JSON record: expected an object, found {type(obj).__name__}",
                    json.dumps(obj)[:RAW_LIMIT],
                )

    def _parquet(self) -> Iterator[RawRecord | BadRecord]:
        import pyarrow.parquet as pq

        n = 0
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=self.chunk_size):
            for row in batch.to_pylist():
                n += 1
                yield RawRecord(f"row {n}", row)

    def _excel_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        from openpyxl import load_workbook

        wb = load_workbook(self.path, read_only=True, data_only=True)
        try:
            ws = wb[self.sheet] if self.sheet else wb.worksheets[0]
            yield from enumerate(ws.iter_rows(values_only=True), start=1)
        finally:
            wb.close()

    def _excel(self) -> Iterator[RawRecord | BadRecord]:
        rows = self._excel_rows()
        first = next(rows, None)
        if first is None:
            return
        header = [str(h).strip() if h is not None else "" for h in first[1]]
        for n, row in rows:
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            values = list(row) + [None] * (len(header) - len(row))
            yield RawRecord(f"row {n}", dict(zip(header, values[: len(header)], strict=True)))
