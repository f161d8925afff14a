"""The bad-input corpus: hostile inputs for every command that reads files, each with the
exact outcome it must have.

A case writes its inputs into an empty folder (generators in ``tests.badinput``), runs one
``skillgap`` command line against a copy of a small store, and states the outcome:

- the exit status (``skillgap.errors``: 0 done, 2 usage error, 3 bad data or config);
- the words the message must hold, naming the file (``{dir}`` is the case's folder), the
  record and the reason;
- for accepted input, how many rows each store table gains and the exact quarantine rows
  (record, words of the reason); for refused input, that no table changed at all.

``run_case`` returns what went wrong (an empty list when the case passes); the test suite
(``tests/test_bad_input_corpus.py``) and the reliability benchmark
(``python -m benchmarks.reliability``) both run every case through it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from skillgap.errors import EXIT_DATA, EXIT_OK, EXIT_USAGE
from tests.badinput import (
    CREDENTIAL_COLUMNS,
    CliResult,
    credential_rows,
    csv_text,
    gzip_file,
    nested_json,
    open_badge,
    quarantine_rows,
    run_cli,
    store_counts,
    truncate,
    vacancy_rows,
    write_csv,
    write_jsonl,
    write_xlsx,
    zip_with,
)

STORE = "STORE"  # stands for the case's store copy in ``args``
BASELINE_FOLDER = "baseline"  # beside the case folders: make_baseline_store(root / this)
HOSTILE = (
    '=HYPERLINK("http://evil.example","open") <script>alert(1)</script> [/x] [bold]b[/bold] '
    "{{7*7}} ${7*7} @SUM(A1) +1+1 -2+3 | pipe | `tick` **bold** ![img](javascript:x)"
)


@dataclass(frozen=True)
class Case:
    """One hostile input and the exact outcome it must have."""

    name: str
    command: str  # the command under test, for the tables
    kind: str  # what is hostile about it
    make: Callable[[Path], list[object]]  # writes inputs into the folder, returns the args
    code: int
    says: tuple[str, ...] = ()
    # accepted input: rows added per table, and the new quarantine rows (record, words)
    added: dict[str, int] = field(default_factory=dict)
    quarantined: tuple[tuple[str, str], ...] = ()
    check: Callable[[Path, CliResult], str | None] | None = None  # extra check -> problem


# Stores ------------------------------------------------------------------------------------
def make_baseline_store(folder: Path) -> Path:
    """A store holding three vacancies (v1-v3) and two credentials (c1, c2)."""
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "baseline.duckdb"
    for args in (
        ["ingest", "vacancies", write_csv(folder / "base-ads.csv", vacancy_rows(3))],
        ["ingest", "credentials", _catalogue(folder / "base-cat.csv", credential_rows(2))],
    ):
        res = run_cli(*args, "--profile", "generic", "--store", store)
        if res.code != 0:
            raise RuntimeError(f"baseline store: {res.text}")
    return store


def _catalogue(path: Path, rows: list[dict]) -> Path:
    path.write_text(csv_text(rows, CREDENTIAL_COLUMNS), encoding="utf-8")
    return path


def _sql(store: Path, query: str) -> list[tuple]:
    con = duckdb.connect(str(store), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


# Input makers ------------------------------------------------------------------------------
def _ads(name: str, rows: list[dict], encoding: str = "utf-8") -> Callable[[Path], list[object]]:
    def make(d: Path) -> list[object]:
        return ["ingest", "vacancies", write_csv(d / name, rows, encoding), "--store", STORE]

    return make


def _ads_bytes(name: str, data: Callable[[], bytes], *extra: str) -> Callable[[Path], list]:
    def make(d: Path) -> list[object]:
        (d / name).write_bytes(data())
        return ["ingest", "vacancies", d / name, *extra, "--store", STORE]

    return make


def _accented(n: int = 3, start: int = 100) -> list[dict]:
    rows = vacancy_rows(n, start=start)
    for r in rows:
        r["title"] = "Ingénieur Rhône café"
    return rows


def _mixed_latin1() -> bytes:
    lines = csv_text(_accented(3)).encode("utf-8").split(b"\n")
    lines[2] = lines[2].decode("utf-8").encode("latin-1")
    return b"\n".join(lines)


def _with_nul() -> bytes:
    rows = vacancy_rows(3, start=100)
    rows[1]["text"] = rows[1]["text"].replace("Reference", "Reference\x00")
    return csv_text(rows).encode("utf-8")


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20


def _xlsx_bytes(d: Path) -> bytes:
    return write_xlsx(d / "tmp.xlsx", vacancy_rows(3, start=100)).read_bytes()


def _extra_field() -> bytes:
    text = csv_text(vacancy_rows(3, start=100)).splitlines()
    text[2] += ",surplus"
    return ("\n".join(text) + "\n").encode("utf-8")


def _unclosed_quote() -> bytes:
    """Line 3 opens a quote that never closes: the reader runs on to the end of the file."""
    lines = ["vacancy_id,title,text"]
    for i, r in enumerate(vacancy_rows(4, start=100)):
        quote = '"' if i == 1 else ""
        lines.append(f"v{100 + i},{quote}Job {100 + i},{r['text'].replace(',', '')}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _dup_ids() -> list[dict]:
    rows = vacancy_rows(2, start=100)
    twin = dict(rows[0], text=rows[1]["text"] + " Another text.")
    return [rows[0], twin, dict(rows[1]), dict(rows[1])]  # v100 twice, v101 twice (same)


def _reused_store_id() -> list[dict]:
    rows = vacancy_rows(2, start=100)
    rows[0]["vacancy_id"] = "v1"  # the baseline's v1 has other content
    return rows


def _absurd_dates() -> list[dict]:
    rows = vacancy_rows(5, start=100)
    for r, d in zip(rows, ["0001-01-01", "1900-01-01", "2099-06-30", "9999-12-31"], strict=False):
        r["posted_date"] = d
    return rows


def _long_texts() -> list[dict]:
    rows = vacancy_rows(2, start=100)
    rows[0]["text"] = (rows[0]["text"] + " ") * (100_000 // (len(rows[0]["text"]) + 1))
    rows[0]["text"] = rows[0]["text"].strip()[:100_000]
    rows[1]["text"] = "x" * 150_000
    return rows


def _hostile_ads() -> list[dict]:
    rows = vacancy_rows(1, start=100)
    for key in ("title", "region", "sector"):
        rows[0][key] = HOSTILE
    rows[0]["text"] = rows[0]["text"] + " " + HOSTILE
    return rows


def _run_config(body: str, with_input: bool = True) -> Callable[[Path], list[object]]:
    def make(d: Path) -> list[object]:
        if with_input:
            write_csv(d / "ads.csv", vacancy_rows(3, start=100))
        (d / "analysis.toml").write_text(body, encoding="utf-8")
        return ["run", d / "analysis.toml"]

    return make


_INPUT = '[[inputs.vacancies]]\npath = "ads.csv"\nprofile = "generic"\n'


def _store_is(kind: str) -> Callable[[Path], list[object]]:
    def make(d: Path) -> list[object]:
        ads = write_csv(d / "ads.csv", vacancy_rows(2, start=100))
        if kind == "dir":
            target = d / "folder"
            target.mkdir()
        elif kind == "csv":
            target = write_csv(d / "existing.csv", vacancy_rows(1, start=200))
        else:  # a copy of the baseline store, cut to half (done in run_case)
            target = d / "cut.duckdb"
        return ["ingest", "vacancies", ads, "--store", target]

    return make


def _taxonomy(kind: str) -> Callable[[Path], list[object]]:
    def make(d: Path) -> list[object]:
        if kind == "truncated-zip":
            big = "conceptUri,preferredLabel\n" + "".join(
                f"http://data.europa.eu/esco/skill/{i},skill {i}\n" for i in range(5000)
            )
            target = truncate(
                zip_with(
                    d / "ESCO dataset - v1.1.1 - classification - en - csv.zip",
                    {"skills_en.csv": big},
                )
            )
        elif kind == "empty-folder":
            target = d / "esco"
            target.mkdir()
        else:
            target = write_csv(d / "skills_en.csv", vacancy_rows(2))
        return ["taxonomy", "import", target]

    return make


def _credential_elements(store: Path, _res: CliResult) -> str | None:
    got = _sql(
        store,
        "SELECT credential_id, workload_ects, elem_notional_workload, eqf_level, "
        "elem_eqf_level FROM credentials WHERE credential_id LIKE 'x%' ORDER BY 1",
    )
    want = [
        ("x1", None, "invalid", None, "invalid"),
        ("x2", None, "invalid", None, "invalid"),
        ("x3", 3.0, "present", 8, "present"),
    ]
    return None if got == want else f"credential columns {got}, want {want}"


def _absurd_catalogue(d: Path) -> list[object]:
    rows = credential_rows(3, start=100)
    for r, (cid, ects, eqf) in zip(
        rows, [("x1", "-5", "9"), ("x2", "1e9", "1e3"), ("x3", "3", "8")], strict=True
    ):
        r.update(credential_id=cid, workload_ects=ects, eqf_level=eqf)
    return [
        "ingest",
        "credentials",
        _catalogue(d / "cat.csv", rows),
        "-p",
        "generic",
        "--store",
        STORE,
    ]


def _text_kept(words: str) -> Callable[[Path, CliResult], str | None]:
    def check(store: Path, _res: CliResult) -> str | None:
        texts = [r[0] for r in _sql(store, "SELECT title || ' ' || text FROM vacancies")]
        return None if any(words in t for t in texts) else f"no stored text holds {words!r}"

    return check


def _hostile_stored(store: Path, _res: CliResult) -> str | None:
    """Kept as the words they are (HTML tags stripped from text), shown verbatim."""
    res = run_cli("store", "info", "--store", store)
    if res.code != 0 or "[/x]" not in res.text or "[bold]b[/bold]" not in res.text:
        return f"store info on the hostile values: exit {res.code}: {res.text[-300:]}"
    (title,) = _sql(store, "SELECT title FROM vacancies WHERE vacancy_id = 'v100'")[0]
    if "<script" in title or "=HYPERLINK" not in title or "[/x]" not in title:
        return f"stored title {title!r}"
    return None


def _check_lists(store: Path, res: CliResult) -> str | None:
    """The title column is cut to 28 characters: its start shows, as text."""
    return None if '=HYPERLINK("http' in res.text else res.text[-300:]


CASES: tuple[Case, ...] = (
    # ingest vacancies: encodings
    Case(
        "utf16-bom",
        "ingest vacancies",
        "encoding",
        _ads("a.csv", _accented(), "utf-16"),
        EXIT_OK,
        added={"vacancies": 3},
        check=_text_kept("Ingénieur Rhône café"),
    ),
    Case(
        "utf16le-no-bom",
        "ingest vacancies",
        "encoding",
        _ads("a.csv", _accented(), "utf-16-le"),
        EXIT_OK,
        added={"vacancies": 3},
        check=_text_kept("Ingénieur Rhône café"),
    ),
    Case(
        "utf8-bom",
        "ingest vacancies",
        "encoding",
        _ads("a.csv", _accented(), "utf-8-sig"),
        EXIT_OK,
        added={"vacancies": 3},
        check=_text_kept("Ingénieur Rhône café"),
    ),
    Case(
        "latin1",
        "ingest vacancies",
        "encoding",
        _ads("a.csv", _accented(), "latin-1"),
        EXIT_OK,
        added={"vacancies": 3},
        check=_text_kept("Ingénieur Rhône café"),
    ),
    Case(
        "utf8-one-latin1-line",
        "ingest vacancies",
        "encoding",
        _ads_bytes("a.csv", _mixed_latin1),
        EXIT_OK,
        added={"vacancies": 2, "quarantine": 1},
        quarantined=(("line 3", "line 3 is not valid UTF-8 (byte 0xe9"),),
        check=_text_kept("Ingénieur Rhône café"),
    ),
    Case(
        "nul-byte",
        "ingest vacancies",
        "encoding",
        _ads_bytes("a.csv", _with_nul),
        EXIT_OK,
        added={"vacancies": 2, "quarantine": 1},
        quarantined=(("line 3", "contains a NUL byte"),),
    ),
    # ingest vacancies: containers and file types
    Case(
        "empty-file",
        "ingest vacancies",
        "empty",
        _ads_bytes("empty.csv", lambda: b""),
        EXIT_DATA,
        says=("{dir}/empty.csv: file is empty",),
    ),
    Case(
        "header-only",
        "ingest vacancies",
        "empty",
        _ads_bytes("h.csv", lambda: b"vacancy_id,title,text\n"),
        EXIT_DATA,
        says=("{dir}/h.csv: no records",),
    ),
    Case(
        "gzip",
        "ingest vacancies",
        "container",
        lambda d: [
            "ingest",
            "vacancies",
            gzip_file(d / "a.csv.gz", csv_text(vacancy_rows(3, start=100))),
            "--store",
            STORE,
        ],
        EXIT_OK,
        added={"vacancies": 3},
    ),
    Case(
        "gzip-truncated",
        "ingest vacancies",
        "container",
        lambda d: [
            "ingest",
            "vacancies",
            truncate(gzip_file(d / "a.csv.gz", csv_text(vacancy_rows(400, start=100)))),
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("{dir}/a.csv.gz: the gzip data is truncated or corrupt",),
    ),
    Case(
        "xlsx-truncated",
        "ingest vacancies",
        "container",
        lambda d: [
            "ingest",
            "vacancies",
            truncate(write_xlsx(d / "a.xlsx", vacancy_rows(50, start=100))),
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("{dir}/a.xlsx: not a readable Excel workbook",),
    ),
    Case(
        "binary-as-csv",
        "ingest vacancies",
        "container",
        _ads_bytes("photo.csv", _png),
        EXIT_DATA,
        says=("{dir}/photo.csv: not a text file (a PNG image)",),
    ),
    Case(
        "xlsx-as-csv",
        "ingest vacancies",
        "container",
        lambda d: [
            "ingest",
            "vacancies",
            _rename(d, _xlsx_bytes(d), "sheet.csv"),
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("{dir}/sheet.csv: not a text file (a zip archive",),
    ),
    Case(
        "json-array-as-jsonl",
        "ingest vacancies",
        "structure",
        _ads_bytes("a.jsonl", lambda: json.dumps(vacancy_rows(3, start=100), indent=1).encode()),
        EXIT_DATA,
        says=("{dir}/a.jsonl: holds a JSON array, not JSON Lines",),
    ),
    Case(
        "jsonl-as-json",
        "ingest vacancies",
        "structure",
        _ads_bytes(
            "a.json",
            lambda: "".join(json.dumps(r) + "\n" for r in vacancy_rows(3, start=100)).encode(),
        ),
        EXIT_DATA,
        says=("{dir}/a.json: invalid JSON at line 2", "looks like JSON Lines"),
    ),
    Case(
        "broken-jsonl-line",
        "ingest vacancies",
        "structure",
        _ads_bytes("a.jsonl", lambda: _broken_jsonl()),
        EXIT_OK,
        added={"vacancies": 2, "quarantine": 1},
        quarantined=(("line 2", "invalid JSON: Invalid control character"),),
    ),
    Case(
        "csv-extra-field",
        "ingest vacancies",
        "structure",
        _ads_bytes("a.csv", _extra_field),
        EXIT_OK,
        added={"vacancies": 2, "quarantine": 1},
        quarantined=(("line 3", "expected 6 fields, found 7"),),
    ),
    Case(
        "csv-unclosed-quote",
        "ingest vacancies",
        "structure",
        _ads_bytes("a.csv", _unclosed_quote),
        EXIT_OK,
        added={"vacancies": 1, "quarantine": 1},
        quarantined=(("line 3", "in lines 3-5 (an unclosed quote?)"),),
    ),
    Case(
        "deep-jsonl-line",
        "ingest vacancies",
        "structure",
        _ads_bytes(
            "a.jsonl",
            lambda: (
                json.dumps(vacancy_rows(1, start=100)[0]) + "\n" + nested_json(50_000) + "\n"
            ).encode(),
        ),
        EXIT_OK,
        added={"vacancies": 1, "quarantine": 1},
        quarantined=(("line 2", "invalid JSON: nested too deeply"),),
    ),
    # ingest vacancies: columns and ids
    Case(
        "missing-column",
        "ingest vacancies",
        "columns",
        _ads_bytes("a.csv", lambda: b"vacancy_id,title\nv1,Job\n"),
        EXIT_DATA,
        says=("file {dir}/a.csv has no column 'text'",),
    ),
    Case(
        "repeated-column",
        "ingest vacancies",
        "columns",
        _ads_bytes(
            "a.csv",
            lambda: f"vacancy_id,text,text\nv100,{vacancy_rows(1)[0]['text']},other\n".encode(),
        ),
        EXIT_DATA,
        says=("{dir}/a.csv: column 'text' appears more than once in the header (columns 2 and 3)",),
    ),
    Case(
        "duplicate-ids-within",
        "ingest vacancies",
        "duplicates",
        _ads("a.csv", _dup_ids()),
        EXIT_OK,
        added={"vacancies": 2, "quarantine": 1, "duplicates": 1},
        quarantined=(
            (
                "line 3",
                "duplicate id 'v100' with different content (first seen in line 2)",
            ),
        ),
    ),
    Case(
        "duplicate-id-across-files",
        "ingest vacancies",
        "duplicates",
        _ads("a.csv", _reused_store_id()),
        EXIT_OK,
        added={"vacancies": 1, "quarantine": 1},
        quarantined=(("line 2", "duplicate id 'v1' with different content (first seen in batch"),),
    ),
    Case(
        "same-file-twice",
        "ingest vacancies",
        "duplicates",
        lambda d: ["ingest", "vacancies", _copy_base(d), "--store", STORE],
        EXIT_OK,
        says=("skipped", "already ingested"),
        added={},
    ),
    # ingest vacancies: values
    Case(
        "absurd-dates",
        "ingest vacancies",
        "absurd values",
        _ads("a.csv", _absurd_dates()),
        EXIT_OK,
        added={"vacancies": 1, "quarantine": 4},
        quarantined=tuple(
            (f"line {i}", f"posted_date {d} is outside the plausible range 1990-01-01")
            for i, d in ((2, "0001-01-01"), (3, "1900-01-01"), (4, "2099-06-30"), (5, "9999-12-31"))
        ),
    ),
    Case(
        "unparseable-date",
        "ingest vacancies",
        "absurd values",
        _ads("a.csv", [dict(vacancy_rows(1, start=100)[0], posted_date="31/02/2024")]),
        EXIT_OK,
        added={"quarantine": 1},
        quarantined=(("line 2", "unparseable date '31/02/2024' (column ['posted_date'])"),),
    ),
    Case(
        "long-texts",
        "ingest vacancies",
        "size",
        _ads("a.csv", _long_texts()),
        EXIT_OK,
        added={"vacancies": 1, "quarantine": 1},
        quarantined=(("line 3", "text too long (150000 chars > 100000)"),),
    ),
    Case(
        "markup-and-formulas",
        "ingest vacancies",
        "injection",
        _ads("a.csv", _hostile_ads()),
        EXIT_OK,
        added={"vacancies": 1},
        check=_hostile_stored,
    ),
    Case(
        "unknown-profile",
        "ingest vacancies",
        "config",
        lambda d: [
            "ingest",
            "vacancies",
            write_csv(d / "a.csv", vacancy_rows(1)),
            "-p",
            "../../etc/nope",
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("unknown vacancies profile '../../etc/nope'",),
    ),
    Case(
        "profile-unknown-key",
        "ingest vacancies",
        "config",
        lambda d: [
            "ingest",
            "vacancies",
            write_csv(d / "a.csv", vacancy_rows(1)),
            "-p",
            _profile(d),
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("profile {dir}/p.toml: unknown key(s) ['colums']",),
    ),
    Case(
        "no-such-file",
        "ingest vacancies",
        "missing",
        lambda d: ["ingest", "vacancies", d / "absent.csv", "--store", STORE],
        EXIT_DATA,
        says=("{dir}/absent.csv: no such file",),
    ),
    # ingest credentials
    Case(
        "vacancies-as-catalogue",
        "ingest credentials",
        "wrong file",
        lambda d: [
            "ingest",
            "credentials",
            write_csv(d / "ads.csv", vacancy_rows(3)),
            "-p",
            "generic",
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("{dir}/ads.csv: none of the credential columns", "use `skillgap ingest vacancies`"),
    ),
    Case(
        "absurd-ects-eqf",
        "ingest credentials",
        "absurd values",
        _absurd_catalogue,
        EXIT_OK,
        added={"credentials": 3},
        check=_credential_elements,
    ),
    Case(
        "elm-wrong-type",
        "ingest credentials",
        "typed-wrong fields",
        lambda d: [
            "ingest",
            "credentials",
            _json(d / "b.json", {**open_badge(), "credentialSubject": 7}),
            "--store",
            STORE,
        ],
        EXIT_OK,
        added={"quarantine": 1},
        quarantined=(
            ("record 1", "field 'credentialSubject' must be an object or an IRI, found int"),
        ),
    ),
    Case(
        "deep-json-document",
        "ingest credentials",
        "structure",
        lambda d: [
            "ingest",
            "credentials",
            _write(d / "deep.json", nested_json(100_000)),
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("{dir}/deep.json: JSON nested too deeply",),
    ),
    Case(
        "invalid-json-document",
        "ingest credentials",
        "structure",
        lambda d: [
            "ingest",
            "credentials",
            _write(d / "bad.json", '{"type": ["VerifiableCredential"'),
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("{dir}/bad.json: invalid JSON at line 1",),
    ),
    Case(
        "json-not-a-credential",
        "ingest credentials",
        "wrong file",
        lambda d: [
            "ingest",
            "credentials",
            _json(d / "x.json", {"hello": "world"}),
            "--store",
            STORE,
        ],
        EXIT_DATA,
        says=("{dir}/x.json record 1: not a European Learning Model",),
    ),
    Case(
        "duplicate-credential-id",
        "ingest credentials",
        "duplicates",
        lambda d: [
            "ingest",
            "credentials",
            _catalogue(d / "c.csv", [dict(credential_rows(1)[0], title="Another course")]),
            "-p",
            "generic",
            "--store",
            STORE,
        ],
        EXIT_OK,
        added={"quarantine": 1},
        quarantined=(("line 2", "duplicate id 'c1' with different content (first seen in batch"),),
    ),
    Case(
        "catalogue-formulas",
        "credentials check",
        "injection",
        lambda d: [
            "credentials",
            "check",
            _catalogue(d / "c.csv", [dict(credential_rows(1, start=100)[0], title=HOSTILE)]),
            "-p",
            "generic",
        ],
        EXIT_OK,
        check=_check_lists,
    ),
    # map
    Case(
        "map-output-is-dir",
        "map",
        "usage",
        lambda d: [
            "map",
            "--input",
            write_jsonl(d / "q.jsonl", [{"id": 1, "text": "x"}]),
            "--output",
            d,
        ],
        EXIT_USAGE,
        says=("is a directory",),
    ),
    Case(
        "map-top-k-0",
        "map",
        "usage",
        lambda d: ["map", "--text", "Python", "--top-k", "0"],
        EXIT_USAGE,
        says=("--top-k",),
    ),
    Case(
        "map-no-source",
        "map",
        "usage",
        lambda d: ["map"],
        EXIT_USAGE,
        says=("give exactly one of --text or --input",),
    ),
    Case(
        "map-both-sources",
        "map",
        "usage",
        lambda d: ["map", "--text", "x", "--input", d / "q.jsonl", "--output", d / "o.jsonl"],
        EXIT_USAGE,
        says=("give exactly one of --text or --input",),
    ),
    Case(
        "map-input-missing",
        "map",
        "missing",
        lambda d: ["map", "--input", d / "absent.jsonl", "--output", d / "o.jsonl"],
        EXIT_DATA,
        says=("{dir}/absent.jsonl: no such input file",),
    ),
    # run: hostile config values
    Case(
        "run-name-traversal",
        "run",
        "config",
        _run_config('[run]\nname = "../../etc"\n' + _INPUT),
        EXIT_DATA,
        says=("{dir}/analysis.toml: run.name: Value error, use letters, digits",),
    ),
    Case(
        "run-wrong-type",
        "run",
        "config",
        _run_config(_INPUT + '[analysis]\nmin_evidence = "ten"\n'),
        EXIT_DATA,
        says=("[analysis]: min_evidence",),
    ),
    Case(
        "run-unknown-key",
        "run",
        "config",
        _run_config(_INPUT + "[reprot]\nvariants = []\n"),
        EXIT_DATA,
        says=("{dir}/analysis.toml: reprot: unknown key",),
    ),
    Case(
        "run-not-toml",
        "run",
        "config",
        _run_config("[run\nname=", with_input=False),
        EXIT_DATA,
        says=("{dir}/analysis.toml: not valid TOML",),
    ),
    Case(
        "run-missing-input",
        "run",
        "config",
        _run_config(_INPUT, with_input=False),
        EXIT_DATA,
        says=("input file(s) not found: {dir}/ads.csv",),
    ),
    Case(
        "run-bad-variant",
        "run",
        "config",
        _run_config(
            _INPUT + '[report]\nvariants = ["region=<script>"]\nformats = ["html", "exe"]\n'
        ),
        EXIT_DATA,
        says=("unknown format(s) ['exe']",),
    ),
    # the store
    Case(
        "store-is-directory",
        "ingest vacancies",
        "store",
        _store_is("dir"),
        EXIT_DATA,
        says=("store {dir}/folder is a directory",),
    ),
    Case(
        "store-is-csv",
        "ingest vacancies",
        "store",
        _store_is("csv"),
        EXIT_DATA,
        says=("store {dir}/existing.csv is not a DuckDB database file",),
    ),
    Case(
        "store-truncated",
        "ingest vacancies",
        "store",
        _store_is("truncated"),
        EXIT_DATA,
        says=("store {dir}/cut.duckdb is damaged", "nothing was written"),
    ),
    Case(
        "store-info-absent",
        "store info",
        "store",
        lambda d: ["store", "info", "--store", d / "absent.duckdb"],
        EXIT_DATA,
        says=("store {dir}/absent.duckdb does not exist yet",),
    ),
    # taxonomy import
    Case(
        "taxonomy-truncated-zip",
        "taxonomy import",
        "container",
        _taxonomy("truncated-zip"),
        EXIT_DATA,
        says=("classification - en - csv.zip: not a readable zip",),
    ),
    Case(
        "taxonomy-empty-folder",
        "taxonomy import",
        "empty",
        _taxonomy("empty-folder"),
        EXIT_DATA,
        says=("{dir}/esco",),
    ),
    Case(
        "taxonomy-not-esco",
        "taxonomy import",
        "wrong file",
        _taxonomy("not-esco"),
        EXIT_DATA,
        says=("{dir}/skills_en.csv",),
    ),
)


def _broken_jsonl() -> bytes:
    rows = [json.dumps(r) for r in vacancy_rows(3, start=100)]
    rows[1] = rows[1][: len(rows[1]) // 2]
    return ("\n".join(rows) + "\n").encode("utf-8")


def _rename(d: Path, data: bytes, name: str) -> Path:
    (d / name).write_bytes(data)
    return d / name


def _copy_base(d: Path) -> Path:
    target = d / "base-ads.csv"
    shutil.copy(Path(d).parent / BASELINE_FOLDER / "base-ads.csv", target)
    return target


def _profile(d: Path) -> Path:
    (d / "p.toml").write_text(
        'kind = "vacancies"\ncolums = "x"\n[fields]\nid = "vacancy_id"\ntext = "text"\n'
    )
    return d / "p.toml"


def _json(path: Path, doc: object) -> Path:
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# Running a case ----------------------------------------------------------------------------
def _taxonomy_state(data_dir: Path) -> list[str]:
    root = data_dir / "taxonomies"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.is_dir() else []


def run_case(case: Case, folder: Path, baseline: Path, data_dir: Path) -> list[str]:
    """Run ``case`` in the empty ``folder`` on a copy of ``baseline``; return the problems."""
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / "store.duckdb"
    shutil.copy(baseline, store)
    args = [store if a == STORE else a for a in case.make(folder)]
    if case.name == "store-truncated":
        shutil.copy(baseline, folder / "cut.duckdb")
        con = duckdb.connect(str(folder / "cut.duckdb"))
        con.execute(
            "CREATE TABLE filler AS SELECT range AS i, repeat('x', 300) AS t FROM range(50000)"
        )
        con.close()
        truncate(folder / "cut.duckdb")
    watched = [p for p in (store, folder / "cut.duckdb", folder / "existing.csv") if p.is_file()]
    before = {p: p.read_bytes() for p in watched}
    counts = store_counts(store)
    q_before = len(quarantine_rows(store))
    tax_before = _taxonomy_state(data_dir)

    res = run_cli(*args)
    problems: list[str] = []
    text = res.text
    if res.code != case.code:
        problems.append(f"exit {res.code}, want {case.code}: {text[-400:]}")
    if "Traceback" in text and case.code != 1:
        problems.append("printed a traceback")
    for words in case.says:
        want = words.replace("{dir}", str(folder))
        if want not in text:
            problems.append(f"message lacks {want!r}: {text[-400:]}")
    if case.code != EXIT_OK:
        # refused: nothing changed anywhere
        for p, data in before.items():
            if p.read_bytes() != data and p != store:
                problems.append(f"{p.name} was changed")
        if store_counts(store) != counts:
            problems.append(f"store rows changed: {counts} -> {store_counts(store)}")
        if _taxonomy_state(data_dir) != tax_before:
            problems.append("the taxonomy snapshots changed")
        return problems
    after = store_counts(store)
    added = {t: after[t] - counts.get(t, 0) for t in after if after[t] != counts.get(t, 0)}
    expect = dict(case.added)
    if expect.get("vacancies"):
        expect.setdefault("vacancy_signatures", expect["vacancies"])
    if case.command.startswith("ingest") and "skipped" not in case.says:
        expect["ingest_batches"] = 1
    if added != expect:
        problems.append(f"rows added {added}, want {expect}")
    new_q = quarantine_rows(store)[q_before:]
    if len(new_q) != len(case.quarantined) or any(
        rec != want_rec or words not in why
        for (_f, rec, why), (want_rec, words) in zip(new_q, case.quarantined, strict=False)
    ):
        problems.append(f"quarantine rows {new_q}, want {list(case.quarantined)}")
    if case.check is not None:
        why = case.check(store, res)
        if why:
            problems.append(why)
    return problems
