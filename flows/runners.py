"""Where mapping partitions run: in this process, on a local Dask cluster, or on a given one.

One worker maps in a thread of the flow's process (no cluster to start). More than one
starts a ``distributed.LocalCluster`` with one single-threaded worker process per core
asked for, through prefect-dask's ``DaskTaskRunner``; ``--dask-address`` connects to a
running scheduler instead. Either way each worker loads the taxonomy and skill index once
and writes partition results as files that the flow's process loads into the store.

A cluster that cannot be reached is a clear error before any work, not a hang: the
address is probed with a bounded TCP connect and the client is given a connect timeout.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from skillgap.errors import ConfigError

CONNECT_TIMEOUT_S = 10


@dataclass(frozen=True)
class Execution:
    """How the map stage runs: ``workers`` local processes, or the cluster at ``address``."""

    workers: int = 1
    address: str | None = None

    @property
    def in_process(self) -> bool:
        return self.address is None and self.workers <= 1

    def describe(self) -> str:
        if self.address:
            return f"Dask cluster at {self.address}"
        if self.workers > 1:
            return f"local Dask cluster, {self.workers} worker processes"
        return "in-process (1 worker)"

    def in_flight(self) -> int:
        """Partitions handed out at once: one queued behind each busy worker."""
        return 2 if self.in_process else 2 * max(self.workers, 1)


def check_address(address: str, timeout: float = 5.0) -> None:
    """Raise ``ConfigError`` unless a scheduler answers TCP at ``address`` within ``timeout``."""
    parsed = urlparse(address if "://" in address else f"tcp://{address}")
    if parsed.scheme not in ("tcp", "tls") or not parsed.hostname or not parsed.port:
        raise ConfigError(
            f"Dask address {address!r} must look like tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)"
        )
    try:
        with socket.create_connection((parsed.hostname, parsed.port), timeout=timeout):
            pass
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Dask scheduler at {address} within {timeout:.0f} s ({exc}); "
            "start it (`dask scheduler`) or drop --dask-address to run locally"
        ) from None


def task_runner(execution: Execution) -> Any:
    """The Prefect task runner for the map stage."""
    if execution.in_process:
        from prefect.task_runners import ThreadPoolTaskRunner

        # One mapping thread; the flow's thread loads finished partitions meanwhile.
        return ThreadPoolTaskRunner(max_workers=1)
    from prefect_dask import DaskTaskRunner

    client_kwargs = {"timeout": f"{CONNECT_TIMEOUT_S}s"}
    if execution.address:
        check_address(execution.address)
        return DaskTaskRunner(address=execution.address, client_kwargs=client_kwargs)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": execution.workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "host": "127.0.0.1",
            # The mapper holds the skill index (several hundred MB) per worker; no pause
            # or spill thresholds that would stall a worker for using what it needs.
            "memory_limit": 0,
        },
        client_kwargs=client_kwargs,
    )
