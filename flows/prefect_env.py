"""Prefect environment, set before Prefect is first imported (it reads settings at import)."""

from __future__ import annotations

import os
from pathlib import Path

from skillgap.config import Settings


def static_defaults() -> None:
    """Defaults that do not depend on the settings; applied when ``skillgap.flows`` loads,
    which is before any of its modules imports Prefect."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_RESULTS_PERSIST_BY_DEFAULT", "false")
    # The temporary server starts slowly on a busy 2-core machine (20 s default timeout).
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def configure_prefect(settings: Settings, *, verbose: bool = False) -> None:
    """A temporary local server by default; a configured API URL sends runs to that server.

    Prefect's home (its local database and logs) lives under the data directory so that
    the tool's state stays in one place. It is created here: on a fresh data directory
    (nothing else needs to write there before the first run) Prefect's temporary server
    would otherwise fail to open its database. Prefect logs at INFO (the Prefect UI and
    the run's log file get every line) but prints to the terminal only with ``verbose``:
    a failed run shows one clear line, and its traceback is in ``outputs/<run-id>/run.log``.
    """
    static_defaults()
    home = Path(os.environ.setdefault("PREFECT_HOME", str(settings.data_dir / "prefect")))
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ["PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"] = "INFO" if verbose else "CRITICAL"
    if settings.prefect_api_url:
        os.environ["PREFECT_API_URL"] = settings.prefect_api_url
