"""Generators of bad input for the reliability tests, and an in-process CLI runner.

Every hostile file of the bad-input corpus is made here, in a temporary folder, from a
few lines of code: nothing big is committed, and each case says in one place what it
feeds the product. ``run_cli`` calls the real console-script entry point
(``skillgap.cli.main:main``) in this process, so a case sees the exit code and the
messages a user or a scheduler sees, without paying a Python start-up per case.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
import zipfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

TEXTS = (
    "We are looking for a registered nurse to join our friendly ward team in Leeds. "
    "You will plan and deliver patient care, administer medication and keep records.",
    "Our software company seeks a Python developer to build data pipelines with SQL and "
    "cloud services. You will review code, write tests and mentor junior colleagues.",
    "Chef de partie required for a busy hotel restaurant in the Lake District. Prepare "
    "fresh seasonal dishes, run your section during service and train commis chefs.",
    "An electrician is needed to install and maintain heat pumps and solar panels on "
    "residential sites. You will test circuits and certify installations for customers.",
)
# Words of job ads, for texts that differ enough not to be near-duplicates of each other.
_WORD_LIST = (
    "experience team customer service manage plan deliver support develop maintain "
    "install repair design build test review report train lead coordinate schedule "
    "budget safety quality standards clients suppliers equipment systems software data "
    "analysis network security cloud database kitchen menu patients care medication "
    "records vehicles warehouse stock orders sales marketing accounts invoices payroll "
    "contracts legal electrical plumbing heating ventilation solar panels batteries "
    "welding drawings site construction materials machinery production maintenance "
    "inspection audit compliance research laboratory samples teaching students "
    "curriculum languages translation"
)
WORDS = tuple(_WORD_LIST.split())
VACANCY_COLUMNS = ["vacancy_id", "title", "text", "posted_date", "region", "sector"]
CREDENTIAL_COLUMNS = [
    "credential_id",
    "title",
    "provider",
    "country",
    "learning_outcomes",
    "workload_ects",
    "eqf_level",
]


# Records -----------------------------------------------------------------------------------
def ad_text(seed: int) -> str:
    """An English ad text of its own: no two seeds give near-duplicates."""
    import random

    rng = random.Random(seed)
    words = " ".join(rng.sample(WORDS, 30))
    return f"{TEXTS[seed % len(TEXTS)]} You will work with {words} every week."


def vacancy_rows(n: int = 3, start: int = 1, prefix: str = "v") -> list[dict[str, str]]:
    """``n`` distinct, valid vacancy records (ids ``v1``, ``v2``, ...)."""
    return [
        {
            "vacancy_id": f"{prefix}{start + i}",
            "title": f"Job {start + i}",
            "text": f"{ad_text(start + i)} Reference {prefix}{start + i}.",
            "posted_date": f"2024-0{1 + i % 9}-15",
            "region": "UKE",
            "sector": "Q",
        }
        for i in range(n)
    ]


def credential_rows(n: int = 2, start: int = 1) -> list[dict[str, str]]:
    """``n`` distinct, valid catalogue records (ids ``c1``, ``c2``, ...)."""
    topics = ("heat pump installation", "data pipelines in Python", "food hygiene", "first aid")
    return [
        {
            "credential_id": f"c{start + i}",
            "title": f"Course {start + i}: {topics[i % len(topics)]}",
            "provider": "Skills Academy",
            "country": "IE",
            "learning_outcomes": f"Explain {topics[i % len(topics)]}; Apply it on site {i}",
            "workload_ects": "3",
            "eqf_level": "5",
        }
        for i in range(n)
    ]


def csv_text(rows: list[dict[str, Any]], columns: list[str] | None = None) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, rows: list[dict[str, Any]], encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(rows).encode(encoding))
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_xlsx(path: Path, rows: list[dict[str, Any]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(list(rows[0]))
    for r in rows:
        ws.append(list(r.values()))
    wb.save(path)
    return path


def truncate(path: Path, fraction: float = 0.5) -> Path:
    """Cut ``path`` to ``fraction`` of its size, as an interrupted copy or download does."""
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def gzip_file(path: Path, text: str) -> Path:
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    return path


def nested_json(depth: int) -> str:
    """A JSON document nested ``depth`` levels deep (deeper than any parser's stack)."""
    return '{"a":' * depth + "1" + "}" * depth


def open_badge(**achievement: Any) -> dict[str, Any]:
    """An Open Badges 3.0 credential; ``achievement`` overrides fields of its achievement."""
    ach: dict[str, Any] = {
        "type": ["Achievement"],
        "name": "Heat pump installer",
        "creator": {"name": "Green Skills Academy", "address": {"addressCountry": "IE"}},
        "alignment": [
            {"targetName": "install heat pumps", "targetDescription": "Install heat pumps"}
        ],
        "creditsAvailable": 2,
    }
    ach.update(achievement)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": "urn:uuid:badge-1",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://example.org/issuer", "name": "Green Skills Academy"},
        "validFrom": "2024-05-01T00:00:00Z",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": ach},
    }


def zip_with(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


# Running the command line ------------------------------------------------------------------
@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def text(self) -> str:
        """stdout and stderr with line wrapping undone, for matching messages."""
        return " ".join((self.out + "\n" + self.err).split())


def run_cli(*args: object) -> CliResult:
    """Run ``skillgap ARGS`` through the console-script entry point, in this process."""
    from skillgap.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["skillgap", *(str(a) for a in args)]
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = argv
    return CliResult(code, out.getvalue(), err.getvalue())


def store_counts(path: Path) -> dict[str, int]:
    """Rows per table of a store file, read with plain DuckDB (no skillgap code involved)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        names = [r[0] for r in con.execute("SHOW TABLES").fetchall()]
        return {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]) for t in names}
    finally:
        con.close()


def quarantine_rows(path: Path) -> list[tuple[str, str, str]]:
    """(file name, record, reason) of every quarantine row, in insertion order."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        rows = con.execute("SELECT source_file, record, reason FROM quarantine").fetchall()
    finally:
        con.close()
    return [(Path(f).name, r, why) for f, r, why in rows]
