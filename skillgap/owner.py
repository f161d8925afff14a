"""Which process owns a piece of unfinished work, and whether that process still runs.

An ingest batch and a report's staging folder are both left behind when their process is
killed outright (SIGKILL, power loss): nothing in the process can clean up. Recording the
owner as ``host:pid`` lets the next process tell abandoned work (owner gone: remove it)
from work in progress (owner alive, or on another host: leave it alone).
"""

from __future__ import annotations

import os
import socket


def current_owner() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str | None) -> bool:
    """Whether the process ``owner`` names may still be working (True when unknowable)."""
    if not owner or ":" not in owner:
        return False
    host, _, pid_text = owner.rpartition(":")
    if host != socket.gethostname():
        return True  # another machine: cannot tell, so do not touch its work
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True
