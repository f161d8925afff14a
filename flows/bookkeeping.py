"""The ``runs`` table: what each run was, and how it ended (set by the flow's state hooks).

A run is recorded ``running`` when it starts and gets its final status from Prefect's
flow-state hooks: ``completed``, ``failed``, ``cancelled`` or ``crashed`` (interrupted by
a signal or Ctrl-C). A run killed outright (SIGKILL, power loss) runs no hook; the next
run on the same store finds it still ``running`` and marks it ``interrupted``. That is
safe because runs hold the store's lock (``skillgap.store.lock``) for their whole life: a
``running`` row seen by the lock's holder cannot belong to a live run.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from skillgap import __version__


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def jsonable(obj: Any) -> Any:
    if is_dataclass(obj) and not isinstance(obj, type):
        obj = asdict(obj)
    if hasattr(obj, "model_dump"):
        obj = obj.model_dump()
    return json.loads(json.dumps(obj, default=str))


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except OSError:
        sha = ""
    return f"{__version__}+{sha}" if sha else __version__


@dataclass
class RunRecord:
    """One row of ``runs`` in the making; the flow fills it as it learns more."""

    run_id: str
    store_path: Path
    started: datetime
    inputs: list[dict[str, Any]]
    taxonomy_version: str
    thresholds: Any
    model_id: str = ""
    out_dir: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def row(self, status: str, finished: datetime | None) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "run_id": self.run_id,
                    "started_at": self.started,
                    "finished_at": finished,
                    "status": status,
                    "inputs": json.dumps(self.inputs),
                    "taxonomy_version": self.taxonomy_version,
                    "model_id": self.model_id,
                    "thresholds": json.dumps(jsonable(self.thresholds)),
                    "code_version": code_version(),
                }
            ]
        )


def write_status(record: RunRecord, status: str, *, gaps: pd.DataFrame | None = None) -> None:
    """Record ``status`` for the run (and, for a completed run, its gap classes)."""
    from skillgap.store import Store

    finished = None if status == "running" else now()
    with Store.open(record.store_path) as store, store.transaction():
        store.replace_where("runs", "run_id = ?", record.row(status, finished), [record.run_id])
        if gaps is not None:
            snapshot = run_gaps_rows(record.run_id, gaps)
            store.replace_where("run_gaps", "run_id = ?", snapshot, [record.run_id])


def mark_interrupted(store: Any) -> list[str]:
    """Runs left ``running`` by a process that died without a word: now ``interrupted``.

    Call only while holding the store's lock (then no live run can be ``running``).
    """
    rows = store.con.execute("SELECT run_id FROM runs WHERE status = 'running'").fetchall()
    ids = [str(r[0]) for r in rows]
    if ids:
        store.con.execute(
            "UPDATE runs SET status = 'interrupted' WHERE status = 'running' "
            "AND run_id IN (SELECT unnest(?))",
            [ids],
        )
    return ids


RUN_GAPS_COLUMNS = [
    "scope",
    "skill_uri",
    "label",
    "n_vacancies",
    "n_mentioning",
    "share",
    "gap_score",
    "classification",
]


def run_gaps_rows(run_id: str, gaps: pd.DataFrame) -> pd.DataFrame:
    """The narrow copy of a run's ``gaps`` table that the next run compares itself with."""
    out = gaps[RUN_GAPS_COLUMNS].copy() if len(gaps) else pd.DataFrame(columns=RUN_GAPS_COLUMNS)
    for col in ("n_vacancies", "n_mentioning"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("Int64")
    for col in ("share", "gap_score"):
        out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
    for col in ("scope", "skill_uri", "label", "classification"):
        out[col] = out[col].astype(object).where(out[col].notna(), None)
    out.insert(0, "run_id", run_id)
    return out.reset_index(drop=True)


def previous_completed(store: Any, run_id: str) -> tuple[str, str, pd.DataFrame] | None:
    """(run id, finished at, its ``run_gaps``) of the latest completed run before this one."""
    row = store.con.execute(
        "SELECT r.run_id, r.finished_at FROM runs r WHERE r.status = 'completed' "
        "AND r.run_id <> ? AND EXISTS (SELECT 1 FROM run_gaps g WHERE g.run_id = r.run_id) "
        "ORDER BY r.finished_at DESC, r.run_id DESC LIMIT 1",
        [run_id],
    ).fetchone()
    if row is None:
        return None
    gaps = store.read("run_gaps", where="run_id = ?", params=[row[0]])
    finished = row[1].isoformat(timespec="seconds") if row[1] is not None else ""
    return str(row[0]), finished, gaps.drop(columns=["run_id"])


# State hooks ---------------------------------------------------------------------------
# The flow registers its record under its flow-run id; the hooks (called by Prefect in the
# flow's process when the run reaches a final state) look it up there.
_ACTIVE: dict[str, RunRecord] = {}
_RESULTS: dict[str, pd.DataFrame] = {}


def register(flow_run_id: str, record: RunRecord) -> None:
    _ACTIVE[flow_run_id] = record


def set_result_gaps(flow_run_id: str, gaps: pd.DataFrame) -> None:
    _RESULTS[flow_run_id] = gaps


def _finish(flow_run: Any, status: str) -> None:
    from skillgap.flows.progress import reporter
    from skillgap.store import lock as store_lock

    key = str(flow_run.id)
    record = _ACTIVE.pop(key, None)
    gaps = _RESULTS.pop(key, None)
    if record is None:
        return
    try:
        write_status(record, status, gaps=gaps if status == "completed" else None)
    except Exception as exc:  # the run's own outcome must not be hidden by bookkeeping
        reporter().warning(f"could not record run {record.run_id} as {status}: {exc}")
    finally:
        store_lock.release(record.store_path)
        reporter().close_log()


def on_completion(flow: Any, flow_run: Any, state: Any) -> None:
    _finish(flow_run, "completed")


def on_failure(flow: Any, flow_run: Any, state: Any) -> None:
    _finish(flow_run, "failed")


def on_crashed(flow: Any, flow_run: Any, state: Any) -> None:
    _finish(flow_run, "crashed")


def on_cancellation(flow: Any, flow_run: Any, state: Any) -> None:
    _finish(flow_run, "cancelled")
