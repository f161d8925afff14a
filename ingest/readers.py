"""Streaming readers for tabular exports: CSV, JSONL, JSON, Parquet and Excel.

Every reader yields one item per record, either a ``RawRecord`` (field name -> value) or a
``BadRecord`` (where and why it could not be read), so one malformed line ends up in
quarantine while the rest of the file proceeds. Problems with the file as a whole (it
cannot be decoded, parsed or opened) raise ``InputError`` naming the file.

Files are never read whole, except JSON documents (an array cannot be parsed in pieces
without a streaming JSON parser; use JSONL for big exports): CSV and JSONL go line by line
through a decoder, Parquet by record batch, Excel row by row in read-only mode. Text files
may be gzip-compressed (``ads.csv.gz``).

UTF-8 is decoded line by line: one line in another encoding (a Latin-1 row pasted into a
UTF-8 export) makes its record a ``BadRecord`` with the byte and line, instead of making
the whole file look like some other code page and garbling every accented letter.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

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
GZIP_MAGIC = b"\x1f\x8b"
# Bytes that open a binary file someone may have renamed to .csv or .json.
_BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive (an Excel workbook is one)",
    b"PAR1": "a Parquet file",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"SQLite format 3": "an SQLite database",
}
_NUL_REASON = "contains a NUL byte (\\x00), which no text field holds"
_LINE_BREAKS = re.compile(r"(?<=\r)(?!\n)")  # after a lone CR (old Mac line ends)


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
    suffixes = [x.lower() for x in path.suffixes]
    inner = suffixes[-2] if len(suffixes) >= 2 and suffixes[-1] == ".gz" else None
    fmt = _EXT.get(inner or path.suffix.lower())
    if fmt:
        return fmt
    head = read_head(path, 4096)
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


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_binary(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip (whatever its name says)."""
    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of the (decompressed) file."""
    try:
        with open_binary(path) as fh:
            return fh.read(size)
    except (EOFError, OSError, zlib.error) as exc:
        raise InputError(f"{path}: the gzip data is truncated or corrupt ({exc})") from exc


def _binary_kind(head: bytes) -> str | None:
    """What a binary file is, or None when the bytes look like text."""
    for magic, kind in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return kind
    sample = head[:65536]
    if not sample:
        return None
    controls = sum(1 for b in sample if b < 9 or (13 < b < 32 and b != 27))
    return "binary data, not text" if controls > max(8, len(sample) // 50) else None


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16/32 without a byte-order mark, from where the zero bytes of ASCII text fall."""
    n = len(head) - len(head) % 4
    if n < 8 or head.count(0) < n // 3:
        return None
    at = [head[i:n:4].count(0) for i in range(4)]
    quarter = n // 4
    if at[1] + at[2] + at[3] > 2.4 * quarter and at[0] < 0.5 * quarter:
        return "utf-32-le"
    if at[0] + at[1] + at[2] > 2.4 * quarter and at[3] < 0.5 * quarter:
        return "utf-32-be"
    odd, even = at[1] + at[3], at[0] + at[2]
    if odd > 1.6 * quarter and even < 0.4 * quarter:
        return "utf-16-le"
    if even > 1.6 * quarter and odd < 0.4 * quarter:
        return "utf-16-be"
    return None


def _mostly_utf8(head: bytes) -> bool:
    """Whether UTF-8 is the file's encoding although some lines are not valid UTF-8.

    True when at least one line has valid multi-byte UTF-8: such text is rarely anything
    else, so the invalid lines are the odd ones out (they become bad records), rather than
    evidence for a single-byte code page that would garble every valid line.
    """
    lines = head.split(b"\n")[:-1] or [head]
    for line in lines:
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def detect_encoding(path: Path, declared: str | None = None, sample_size: int = 1 << 20) -> str:
    """Text encoding of ``path``: declared, else BOM, else UTF-8 if it decodes, else guessed.

    UTF-8 also wins when only some lines fail to decode (see ``_mostly_utf8``); those lines
    are reported record by record. A stray NUL byte does not make a file binary; zero
    bytes in the pattern of UTF-16/32 text without a BOM do make it that encoding. The
    guess (charset-normalizer) only looks at the first ``sample_size`` bytes.
    """
    if declared:
        try:
            return codecs.lookup(declared).name
        except LookupError as exc:
            raise InputError(f"{path}: unknown encoding '{declared}' in profile") from exc
    head = read_head(path, sample_size)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    wide = _utf16_without_bom(head)
    if wide:
        try:
            codecs.getincrementaldecoder(wide)().decode(head, final=False)
            return wide
        except UnicodeDecodeError:
            pass
    kind = _binary_kind(head)
    if kind:
        raise InputError(f"{path}: not a text file ({kind}); give the file its real format")
    text_bytes = head.replace(b"\x00", b"")  # stray NULs: reported per record later
    try:
        codecs.getincrementaldecoder("utf-8")().decode(text_bytes, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if _mostly_utf8(text_bytes):
        return "utf-8"
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    # Western European exports are mostly Windows-1252 / Latin-1; on short samples
    # charset-normalizer often prefers a Baltic or DOS code page that decodes the
    # same few accented bytes differently. Take cp1252 when it reads cleanly.
    try:
        if mess_ratio(text_bytes.decode("cp1252"), maximum_threshold=0.2) < 0.05:
            return "cp1252"
    except UnicodeDecodeError:
        pass
    best = from_bytes(text_bytes).best()
    if best is None:
        raise InputError(
            f"{path}: cannot determine the text encoding (not UTF-8/UTF-16 and no confident "
            "guess); set `encoding` in the profile or pass --encoding"
        )
    return best.encoding


class _Utf8Lines:
    """Lines of a UTF-8 file decoded one by one; undecodable lines are remembered.

    ``bad`` maps a line number to the reason, for the reader to turn the record holding
    that line into a ``BadRecord``; the line itself is passed on with U+FFFD in place of
    the bad bytes so that CSV parsing stays in step.
    """

    def __init__(self, path: Path, bom: bool) -> None:
        self.path = path
        self.bom = bom
        self.bad: dict[int, str] = {}

    def __iter__(self) -> Iterator[str]:
        with open_binary(self.path) as fh:
            for n, raw in enumerate(fh, start=1):
                if n == 1 and self.bom and raw.startswith(codecs.BOM_UTF8):
                    raw = raw[len(codecs.BOM_UTF8) :]
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    self.bad[n] = (
                        f"line {n} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                        f"{exc.start + 1}) although the rest of the file is; fix the encoding "
                        "of that line"
                    )
                    line = raw.decode("utf-8", errors="replace")
                if "\r" in line and not line.endswith("\r\n"):
                    yield from (part for part in _LINE_BREAKS.split(line) if part)
                else:
                    yield line

    def pop_bad(self, first: int, last: int) -> str | None:
        """The reason for the first bad line in ``first..last`` (forgetting those up to last)."""
        if not self.bad:
            return None
        hits = sorted(n for n in self.bad if n <= last)
        reasons = [self.bad.pop(n) for n in hits]
        return next((r for n, r in zip(hits, reasons, strict=True) if n >= first), None)


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
        elif is_gzip(self.path):
            raise InputError(
                f"{self.path}: a gzip-compressed {self.format} file; decompress it first "
                "(only CSV, JSONL and JSON may be gzip-compressed)"
            )
        self.columns = self._columns()
        # Header names that occur more than once: their values would silently be taken
        # from the last such column, so a profile that reads one is refused (see
        # ``check_unique``).
        self.repeated: dict[str, list[int]] = {}
        for i, name in enumerate(self.columns, start=1):
            if name:
                self.repeated.setdefault(name, []).append(i)
        self.repeated = {k: v for k, v in self.repeated.items() if len(v) > 1}

    def check_unique(self, columns: list[str]) -> None:
        """Refuse the file when one of ``columns`` (those a profile reads) is repeated."""
        for col in columns:
            if col in self.repeated:
                where = " and ".join(str(i) for i in self.repeated[col])
                raise InputError(
                    f"{self.path}: column '{col}' appears more than once in the header "
                    f"(columns {where}); rename or remove one so it is clear which to read"
                )

    # Header -------------------------------------------------------------------------
    @property
    def _line_by_line(self) -> bool:
        return self.encoding in ("utf-8", "utf-8-sig")

    def _text_lines(self) -> tuple[Any, _Utf8Lines | None]:
        """(iterable of lines, the UTF-8 line decoder or None) for a text format."""
        if self._line_by_line:
            lines = _Utf8Lines(self.path, self.encoding == "utf-8-sig")
            return lines, lines
        raw = open_binary(self.path)
        return io.TextIOWrapper(raw, encoding=self.encoding, newline=""), None

    def _open_text(self) -> IO[str]:
        if is_gzip(self.path):
            return io.TextIOWrapper(
                gzip.open(self.path, "rb"),
                encoding=self.encoding,
                errors="replace" if self._line_by_line else "strict",
                newline="",
            )
        errors = "replace" if self._line_by_line else "strict"
        return self.path.open("r", encoding=self.encoding, errors=errors, newline="")

    def _columns(self) -> list[str]:
        try:
            if self.format == "csv":
                with self._open_text() as fh:
                    sample = fh.read(64 * 1024)
                if not sample.replace("\x00", "").strip():
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
        except (EOFError, zlib.error) as exc:
            raise InputError(f"{self.path}: the gzip data is truncated or corrupt ({exc})") from exc
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
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(
                f"{self.path}: the gzip data is truncated or corrupt ({exc}); nothing from "
                "this file was stored"
            ) from exc

    def _csv(self) -> Iterator[RawRecord | BadRecord]:
        lines, decoder = self._text_lines()
        with contextlib.closing(lines) if hasattr(lines, "close") else contextlib.nullcontext():
            reader = csv.reader(lines, delimiter=self.delimiter or ",", quotechar=self.quotechar)
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
                    if decoder is not None:
                        decoder.pop_bad(start, last_line)
                    why = f"malformed CSV line: {exc}"
                    yield BadRecord(f"line {start}", _NUL_REASON if "NUL" in why else why, "")
                    continue
                last_line = reader.line_num
                undecodable = decoder.pop_bad(start, last_line) if decoder is not None else None
                if header is None:
                    if undecodable:
                        raise InputError(f"{self.path}: header {undecodable}")
                    header = [h.strip() for h in row]
                    width = len(header)
                    continue
                if undecodable:
                    raw = (self.delimiter or ",").join(row)
                    yield BadRecord(f"line {start}", undecodable, raw[:RAW_LIMIT])
                    continue
                if any("\x00" in field for field in row):
                    raw = (self.delimiter or ",").join(row).replace("\x00", "\\x00")
                    yield BadRecord(f"line {start}", _NUL_REASON, raw[:RAW_LIMIT])
                    continue
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != width:
                    raw = self.delimiter.join(row) if self.delimiter else ",".join(row)
                    why = f"malformed CSV line: expected {width} fields, found {len(row)}"
                    if last_line > start:  # an unclosed quote runs on over the next lines
                        why += f" in lines {start}-{last_line} (an unclosed quote?)"
                    yield BadRecord(f"line {start}", why, raw[:RAW_LIMIT])
                    continue
                yield RawRecord(f"line {start}", dict(zip(header, row, strict=True)))

    def _jsonl(self) -> Iterator[RawRecord | BadRecord]:
        lines, decoder = self._text_lines()
        with contextlib.closing(lines) if hasattr(lines, "close") else contextlib.nullcontext():
            seen_record = False
            for n, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                if not seen_record and line.lstrip().startswith("["):
                    raise InputError(
                        f"{self.path}: holds a JSON array, not JSON Lines (one object per "
                        "line); name the file .json"
                    )
                seen_record = True
                undecodable = decoder.pop_bad(n, n) if decoder is not None else None
                if undecodable:
                    yield BadRecord(f"line {n}", undecodable, line[:RAW_LIMIT])
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield BadRecord(f"line {n}", f"invalid JSON: {exc.msg}", line[:RAW_LIMIT])
                    continue
                except RecursionError:
                    yield BadRecord(
                        f"line {n}", "invalid JSON: nested too deeply", line[:RAW_LIMIT]
                    )
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
                text = fh.read()
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputError(f"{self.path}: the gzip data is truncated or corrupt ({exc})") from exc
        if self._line_by_line and "\ufffd" in text:
            n = text[: text.index("\ufffd")].count("\n") + 1
            raise InputError(f"{self.path}: line {n} is not valid UTF-8; fix the file's encoding")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            hint = ""
            if exc.msg == "Extra data" and text.lstrip().startswith("{"):
                hint = "; it looks like JSON Lines (one object per line): name the file .jsonl"
            raise InputError(
                f"{self.path}: invalid JSON at line {exc.lineno} column {exc.colno}: "
                f"{exc.msg}{hint}"
            ) from exc
        except RecursionError as exc:
            raise InputError(
                f"{self.path}: JSON nested too deeply to read (more than about "
                f"{sys.getrecursionlimit()} levels); no credential or vacancy export is nested "
                "that deep"
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
        import pyarrow as pa
        import pyarrow.parquet as pq

        n = 0
        try:
            for batch in pq.ParquetFile(self.path).iter_batches(batch_size=self.chunk_size):
                for row in batch.to_pylist():
                    n += 1
                    yield RawRecord(f"row {n}", row)
        except (pa.ArrowException, OSError) as exc:
            raise InputError(f"{self.path}: cannot read Parquet after row {n}: {exc}") from exc

    def _excel_rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        import zipfile

        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        broken = (zipfile.BadZipFile, InvalidFileException, KeyError, EOFError, zlib.error)
        try:
            wb = load_workbook(self.path, read_only=True, data_only=True)
        except broken as exc:
            raise InputError(
                f"{self.path}: not a readable Excel workbook ({type(exc).__name__}: {exc}); "
                "is it truncated, or not an .xlsx file?"
            ) from exc
        try:
            if self.sheet and self.sheet not in wb.sheetnames:
                raise InputError(
                    f"{self.path}: no sheet '{self.sheet}'; sheets are {wb.sheetnames}"
                )
            ws = wb[self.sheet] if self.sheet else wb.worksheets[0]
            yield from enumerate(ws.iter_rows(values_only=True), start=1)
        except broken as exc:
            raise InputError(
                f"{self.path}: the Excel workbook is damaged ({type(exc).__name__}: {exc})"
            ) from exc
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
