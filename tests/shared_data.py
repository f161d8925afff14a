"""The one place that finds the read-only ../shared folder for tests and benchmarks.

Set SKILLGAP_SHARED to point elsewhere. When it cannot be found, tests that need it are
skipped with a reason that says where it was looked for (CI has it; a bare clone may not).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def find_shared() -> Path | None:
    candidates = []
    if os.environ.get("SKILLGAP_SHARED"):
        candidates.append(Path(os.environ["SKILLGAP_SHARED"]))
    candidates.append(REPO_ROOT.parent / "shared")
    for c in candidates:
        if (c / "DESIGN.md").is_file():
            return c
    return None


def shared_path(*parts: str) -> Path:
    """Path inside ../shared, or skip the calling test when it is unavailable."""
    import pytest

    root = find_shared()
    if root is None:
        pytest.skip(
            "shared data not found: looked for ../shared beside the checkout "
            f"({REPO_ROOT.parent / 'shared'}) and $SKILLGAP_SHARED"
        )
    path = root.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data file missing: {path}")
    return path
