"""The Prefect API a run reports to: a configured server (checked), or a temporary one.

Without ``SKILLGAP_PREFECT_API_URL`` Prefect would start its own temporary server as a
child process and stop it at exit; a ``skillgap run`` killed with SIGKILL never gets to
that, and the server (about 200 MB) kept running with no parent. So the command starts
the same temporary server itself, with the kernel told to end it when its parent dies
(Linux ``PR_SET_PDEATHSIG``, set before the server's program starts), and stops it in a
``finally`` on every ordinary exit.

A configured server that does not answer is a clear error before any work, not a hang.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from skillgap.errors import ConfigError

HEALTH_TIMEOUT_S = 5.0

# Runs in the server's process before the server itself: ask for SIGTERM when the parent
# dies (no-op where prctl does not exist), exit at once if the parent is already gone,
# then become the uvicorn server (execv keeps the death signal).
_GUARD = r"""
import ctypes, os, signal, sys
parent = int(sys.argv[1])
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass
if os.getppid() != parent:
    sys.exit(0)
os.execv(sys.executable, [sys.executable, "-m", "uvicorn", *sys.argv[2:]])
"""


def check_server(api_url: str, timeout: float = HEALTH_TIMEOUT_S) -> None:
    """Raise ``ConfigError`` unless the Prefect API at ``api_url`` answers its health check."""
    import httpx

    url = api_url.rstrip("/") + "/health"
    try:
        response = httpx.get(url, timeout=timeout)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        raise ConfigError(
            f"the Prefect server at {api_url} does not answer ({exc.__class__.__name__}: "
            f"{exc}); start it with `prefect server start` or unset SKILLGAP_PREFECT_API_URL "
            "to run with a temporary local server"
        ) from None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(proc: subprocess.Popen[bytes], api_url: str, timeout: float, log: Path) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ConfigError(
                f"the temporary Prefect server exited with code {proc.returncode} while "
                f"starting: {_tail(log)}"
            )
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(api_url + "/health", timeout=2.0).status_code == 200:
                return
        time.sleep(0.2)
    raise ConfigError(
        f"the temporary Prefect server did not answer within {timeout:.0f} s "
        f"(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS); last output: {_tail(log)}"
    )


def _tail(log: Path, n: int = 800) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "(no output)"
    return text[-n:] or "(no output)"


@contextlib.contextmanager
def temporary_server(home: Path) -> Iterator[str]:
    """Start a Prefect API server on 127.0.0.1 for the duration of the block; yield its URL.

    The server uses Prefect's own app (the one Prefect's temporary server runs), with its
    database under ``home`` (PREFECT_HOME), and dies with this process however it ends.
    """
    import prefect

    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    log = home / "temporary-server.log"
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
    }
    env.pop("PREFECT_API_URL", None)
    args = [
        "--app-dir",
        str(Path(prefect.__file__).resolve().parent.parent),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]
    timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180"))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", _GUARD, str(os.getpid()), *args],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        _wait_healthy(proc, api_url, timeout, log)
        yield api_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def prefect_api(api_url: str | None, home: Path) -> Iterator[str]:
    """The API for this run: ``api_url`` after a health check, else a temporary server.

    Inside the block Prefect's settings point at it (``PREFECT_API_URL`` for this process
    and every worker process it starts).
    """
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with contextlib.ExitStack() as stack:
        if api_url:
            check_server(api_url)
            url = api_url
        else:
            url = stack.enter_context(temporary_server(home))
        previous = os.environ.get("PREFECT_API_URL")
        os.environ["PREFECT_API_URL"] = url
        try:
            with temporary_settings(updates={PREFECT_API_URL: url}):
                try:
                    yield url
                finally:
                    _drain_to_api()
        finally:
            if previous is None:
                os.environ.pop("PREFECT_API_URL", None)
            else:
                os.environ["PREFECT_API_URL"] = previous


def _drain_to_api(timeout: float = 10.0) -> None:
    """Send Prefect's queued logs and events while the server is still there to take them."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for service in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            service.drain_all(timeout=timeout)
