"""What a run tells its user while it works: labelled stage progress and a run log.

On a terminal each long stage gets a labelled Rich progress bar (documents done, rate,
ETA); elsewhere (a scheduler, a pipe, a Prefect worker) the same facts come as plain
lines, at most one every few seconds, so logs stay readable. Every line also goes to the
run's log file (``outputs/<run-id>/run.log``) and to the Prefect run logger, so a run
looked at later, or in the Prefect UI, tells the same story.

The reporter is chosen once per process by the command line (``use_reporter``); a flow
run started by a Prefect worker gets the plain default.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LOGGER_NAME = "skillgap.run"
PLAIN_EVERY_S = 10.0
_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"


class Stage:
    """One stage in progress: ``advance`` as units complete."""

    def __init__(
        self, reporter: Reporter, label: str, total: int | None, unit: str, task: Any = None
    ) -> None:
        self.reporter = reporter
        self.label = label
        self.total = total
        self.unit = unit
        self.done = 0
        self.started = time.monotonic()
        self._task = task
        self._last_line = self.started

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def eta_s(self) -> float | None:
        rate = self.rate()
        if not self.total or rate <= 0:
            return None
        return max(self.total - self.done, 0) / rate

    def advance(self, n: int = 1) -> None:
        self.done += n
        progress = self.reporter._rich
        if progress is not None and self._task is not None:
            progress.update(self._task, completed=self.done)
            return
        now = time.monotonic()
        if now - self._last_line >= PLAIN_EVERY_S or (self.total and self.done >= self.total):
            self._last_line = now
            self.reporter.info(self.status())

    def status(self) -> str:
        if self.total:
            eta = self.eta_s()
            return (
                f"{self.label}: {self.done:,}/{self.total:,} {self.unit} "
                f"({self.done / self.total:.0%}), {self.rate():.1f} {self.unit}/s"
                + (f", ETA {_clock(eta)}" if eta is not None and self.done < self.total else "")
            )
        return f"{self.label}: {self.done:,} {self.unit}"


def _clock(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


class Reporter:
    """Progress display plus log lines; ``rich`` decides bars (terminal) or plain lines."""

    def __init__(self, *, rich: bool | None = None, verbose: bool = False) -> None:
        self.rich = sys.stderr.isatty() if rich is None else rich
        self.verbose = verbose
        self.logger = logging.getLogger(LOGGER_NAME)
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False
        self._rich: Any = None
        self._console: Any = None
        self._file_handler: logging.Handler | None = None
        self._console_handler: logging.Handler | None = None
        self._install_console()

    def _install_console(self) -> None:
        if self._console_handler is not None:
            return
        if self.rich:
            from rich.console import Console
            from rich.logging import RichHandler

            self._console = Console(stderr=True)
            handler: logging.Handler = RichHandler(
                console=self._console,
                show_path=False,
                show_time=False,
                markup=False,
                rich_tracebacks=False,
            )
            handler.setFormatter(logging.Formatter("%(message)s"))
        else:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(_FORMAT, "%H:%M:%S"))
        handler.setLevel(logging.DEBUG if self.verbose else logging.INFO)
        self.logger.addHandler(handler)
        self._console_handler = handler

    # Log file -------------------------------------------------------------------------
    def open_log(self, path: Path) -> None:
        """Also write every line (and Prefect's own log, tracebacks included) to ``path``."""
        self.close_log()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FORMAT, "%Y-%m-%d %H:%M:%S"))
        handler.setLevel(logging.DEBUG)
        handler.addFilter(_Ours())  # our lines reach it directly, not again via Prefect
        self.logger.addHandler(handler)
        logging.getLogger("prefect").addHandler(handler)
        self._file_handler = handler

    def close_log(self) -> None:
        if self._file_handler is not None:
            self.logger.removeHandler(self._file_handler)
            logging.getLogger("prefect").removeHandler(self._file_handler)
            self._file_handler.close()
            self._file_handler = None

    # Lines ----------------------------------------------------------------------------
    def _emit(self, level: int, message: str) -> None:
        self.logger.log(level, message)
        _to_prefect(level, message)

    def info(self, message: str) -> None:
        self._emit(logging.INFO, message)

    def warning(self, message: str) -> None:
        self._emit(logging.WARNING, message)

    def debug(self, message: str) -> None:
        self.logger.debug(message)

    # Stages ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def stage(self, label: str, total: int | None = None, unit: str = "docs") -> Iterator[Stage]:
        """A labelled stage: a bar on a terminal, start/progress/end lines elsewhere."""
        if self.rich:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            columns: list[Any] = [SpinnerColumn(), TextColumn("[bold]{task.description}")]
            if total:
                columns += [
                    BarColumn(bar_width=24),
                    MofNCompleteColumn(),
                    TextColumn(f"{unit}"),
                    TextColumn("{task.fields[rate]}"),
                    TextColumn("ETA"),
                    TimeRemainingColumn(),
                ]
            columns.append(TimeElapsedColumn())
            progress = Progress(*columns, console=self._console, transient=False)
            task = progress.add_task(label, total=total or None, rate="")
            stage = Stage(self, label, total, unit, task)
            self._rich = progress
            progress.start()
            try:
                yield _RichRate(stage, progress, task)
            finally:
                progress.stop()
                self._rich = None
            self._file_line(_done_line(stage))
        else:
            stage = Stage(self, label, total, unit)
            self.info(f"{label}: started" + (f" ({total:,} {unit})" if total else ""))
            yield stage
            self.info(_done_line(stage))

    def _file_line(self, message: str) -> None:
        """A line for the log file and Prefect only (the bar already showed it on screen)."""
        if self._file_handler is not None:
            self._file_handler.handle(
                self.logger.makeRecord(LOGGER_NAME, logging.INFO, __file__, 0, message, (), None)
            )
        _to_prefect(logging.INFO, message)


class _Ours(logging.Filter):
    """Drops our own lines where they would be written a second time."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "skillgap", False)


def _to_prefect(level: int, message: str) -> None:
    """The line in the Prefect run's log too (the UI), marked so no handler repeats it."""
    try:
        from prefect import get_run_logger

        run_logger = get_run_logger()
    except Exception:  # outside a flow or task run there is no run logger
        return
    for handler in logging.getLogger().handlers:  # Prefect's console handler sits on root
        if not any(isinstance(f, _Ours) for f in handler.filters):
            handler.addFilter(_Ours())
    run_logger.log(level, message, extra={"skillgap": True})


class _RichRate(Stage):
    """A stage whose bar also shows the rate in units per second."""

    def __init__(self, stage: Stage, progress: Any, task: Any) -> None:
        self.__dict__.update(stage.__dict__)
        self._progress = progress

    def advance(self, n: int = 1) -> None:
        self.done += n
        self._progress.update(self._task, completed=self.done, rate=f"{self.rate():.1f}/s")


def _done_line(stage: Stage) -> str:
    elapsed = time.monotonic() - stage.started
    if stage.total or stage.done:
        return f"{stage.label}: done, {stage.done:,} {stage.unit} in {elapsed:.1f} s" + (
            f" ({stage.rate():.1f} {stage.unit}/s)" if stage.done else ""
        )
    return f"{stage.label}: done in {elapsed:.1f} s"


_REPORTER: Reporter | None = None


def use_reporter(reporter: Reporter) -> None:
    """Make ``reporter`` the one this process's runs report through (the CLI sets it)."""
    global _REPORTER
    _REPORTER = reporter


def reporter() -> Reporter:
    """The process's reporter; plain lines unless the command line chose otherwise."""
    global _REPORTER
    if _REPORTER is None:
        _REPORTER = Reporter(rich=False)
    return _REPORTER
