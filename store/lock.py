"""One writer per store: an advisory lock held by whichever process writes a store file.

DuckDB locks a database file only while a connection is open, and a run opens and closes
its store many times (ingest, each mapping partition, analysis, bookkeeping). Between two
of those moments a second ``skillgap run`` or ``ingest`` on the same store could slip in
and interleave its writes: double-counted batches, a mapping log that no longer matches
the mentions. So a writer takes this lock for as long as it works on the store, and a
second process is refused at once with a message naming the holder.

The lock is ``flock`` on ``<store>.lock`` beside the store file: the kernel releases it
when the holding process dies, however it dies (SIGKILL included), so a killed run never
leaves a stale lock behind. Within one process it is re-entrant (the run holds it, and
every ``Store.open`` inside the run takes it again), counted per store file.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from skillgap.errors import SkillgapError

try:  # POSIX; the tool's supported platforms
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class StoreLockedError(SkillgapError):
    """Another process is writing the store; the message names it."""


_HELD: dict[str, tuple[int, int]] = {}  # lock file -> (fd, count)
_GUARD = threading.Lock()


def lock_path(store_path: Path) -> Path:
    return Path(store_path).with_name(Path(store_path).name + ".lock")


def _describe_holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        info = {}
    if not info:
        return "another process"
    since = str(info.get("since", ""))[11:19]
    return (
        f"`{info.get('command', '?')}` (pid {info.get('pid', '?')} on {info.get('host', '?')}"
        + (f", since {since}" if since else "")
        + ")"
    )


def _command() -> str:
    argv = [Path(sys.argv[0]).name, *sys.argv[1:]] if sys.argv and sys.argv[0] else ["python"]
    text = " ".join(argv)
    return text if len(text) <= 200 else text[:199] + "…"


def acquire(store_path: Path, *, wait_s: float = 0.0) -> None:
    """Take the store's lock (or count one more use of it in this process).

    ``wait_s`` > 0 waits that long for another holder to finish before giving up.
    Raises ``StoreLockedError`` naming the holder when the lock stays taken.
    """
    path = lock_path(store_path)
    key = str(path.resolve())
    with _GUARD:
        held = _HELD.get(key)
        if held is not None:
            _HELD[key] = (held[0], held[1] + 1)
            return
        if fcntl is None:  # pragma: no cover - no advisory locks: DuckDB's own lock only
            _HELD[key] = (-1, 1)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise StoreLockedError(
                        f"store {store_path} is in use by {_describe_holder(path)}; one run "
                        "or ingest at a time per store: wait until it finishes, or give this "
                        "analysis its own store ([run] store)"
                    ) from None
                time.sleep(0.2)
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": _command(),
            "since": datetime.now().isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        _HELD[key] = (fd, 1)


def release(store_path: Path) -> None:
    """Give back one use; the last one in this process unlocks the file."""
    key = str(lock_path(store_path).resolve())
    with _GUARD:
        held = _HELD.get(key)
        if held is None:
            return
        fd, count = held
        if count > 1:
            _HELD[key] = (fd, count - 1)
            return
        del _HELD[key]
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the descriptor drops the flock


@contextlib.contextmanager
def hold(store_path: Path, *, wait_s: float = 0.0) -> Iterator[None]:
    """The store's lock for the duration of a ``with`` block."""
    acquire(store_path, wait_s=wait_s)
    try:
        yield
    finally:
        release(store_path)


def held_here(store_path: Path) -> bool:
    """Whether this process holds the store's lock (then no other process can write it)."""
    with _GUARD:
        return str(lock_path(store_path).resolve()) in _HELD
