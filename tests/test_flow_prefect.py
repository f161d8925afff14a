"""Prefect as its users expect: no input hashing, retries for transient errors only, and
progress as plain lines when nobody watches a terminal."""

from __future__ import annotations

import errno
from pathlib import Path

import duckdb
import pytest

from skillgap.errors import ConfigError, InputError


def test_only_transient_failures_count_as_transient() -> None:
    from skillgap.flows.gap_flow import is_transient

    assert is_transient(ConnectionResetError())
    assert is_transient(TimeoutError())
    assert is_transient(OSError(errno.EBUSY, "busy"))
    assert is_transient(duckdb.IOException('Could not set lock on file "s.duckdb"'))
    assert not is_transient(InputError("bad record"))
    assert not is_transient(ConfigError("bad config"))
    assert not is_transient(FileNotFoundError(errno.ENOENT, "gone"))
    assert not is_transient(ValueError("a bug"))
    assert not is_transient(None)


def test_no_task_hashes_its_inputs() -> None:
    from prefect.cache_policies import NO_CACHE

    from skillgap.flows import gap_flow

    for t in (
        gap_flow.ingest_task,
        gap_flow.map_partition_task,
        gap_flow.analyse_task,
        gap_flow.report_task,
    ):
        assert t.cache_policy is NO_CACHE, t.name


def test_bad_input_is_not_retried_but_a_dropped_connection_is(data_dir: Path) -> None:
    from skillgap.config import get_settings
    from skillgap.flows.prefect_env import configure_prefect

    configure_prefect(get_settings())
    from prefect import flow, task

    from skillgap.flows.gap_flow import transient

    calls: list[str] = []

    @task(retries=2, retry_delay_seconds=0, retry_condition_fn=transient)
    def flaky(kind: str) -> str:
        calls.append(kind)
        if kind == "bad input":
            raise InputError("line 3: no text")
        if len(calls) == 1:
            raise ConnectionResetError("peer went away")
        return "ok"

    @flow
    def run(kind: str) -> str:
        return flaky(kind)

    assert run("network") == "ok"
    assert calls == ["network", "network"]
    calls.clear()
    with pytest.raises(InputError):
        run("bad input")
    assert calls == ["bad input"]


def test_plain_progress_lines_say_rate_and_eta(capsys: pytest.CaptureFixture[str], monkeypatch):
    from skillgap.flows import progress

    monkeypatch.setattr(progress, "PLAIN_EVERY_S", 0.0)
    rep = progress.Reporter(rich=False)
    with rep.stage("map 40 vacancies", total=40, unit="docs") as stage:
        stage.advance(10)
        stage.advance(30)
    err = capsys.readouterr().err
    assert "map 40 vacancies: started (40 docs)" in err
    assert "map 40 vacancies: 10/40 docs (25%)" in err and "docs/s, ETA" in err
    assert "map 40 vacancies: done, 40 docs in" in err
    assert "\x1b[" not in err  # no terminal control codes when not on a terminal
