"""Run mypy on skillgap from a checkout, where the layers live in root folders.

Why: the editable install maps ``skillgap.<layer>`` onto the root folders with an import
hook, which static checkers cannot follow. This script lays out a throw-away view,
``build/typecheck/skillgap/``, whose entries are symlinks to the real files and folders as
``[tool.setuptools] package-dir`` in pyproject.toml maps them (read from there, so the
view can never disagree with the install), then runs mypy with that view on its path.
Folders are linked whole, so a new module is seen without reinstalling.

    python scripts/typecheck.py              # mypy -p skillgap
    python scripts/typecheck.py FILE ...     # mypy on other files that import skillgap
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VIEW = REPO / "build" / "typecheck"


def build_view() -> Path:
    """(Re)create the symlink view of the ``skillgap`` package; return its root."""
    mapping = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-dir"
    ]
    if VIEW.exists():
        shutil.rmtree(VIEW)
    pkg = VIEW / "skillgap"
    pkg.mkdir(parents=True)
    for module in sorted((REPO / mapping["skillgap"]).glob("*.py")):
        (pkg / module.name).symlink_to(module)
    for name, folder in mapping.items():
        if name == "skillgap":
            continue
        sub = name.split(".", 1)[1]
        if "." in sub:
            continue  # nested mappings follow their parent folder
        (pkg / sub).symlink_to(REPO / folder, target_is_directory=True)
    return VIEW


def main(argv: list[str]) -> int:
    view = build_view()
    env = {**os.environ, "MYPYPATH": str(view)}
    targets = argv or ["-p", "skillgap"]
    cmd = [sys.executable, "-m", "mypy", *targets]
    return subprocess.run(cmd, env=env, cwd=REPO, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
