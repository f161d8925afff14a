"""Built-in default taxonomy: build time and agreement with the official ESCO v1.1.1.

Run from the repo root: ``.venv/bin/python -m benchmarks.taxonomy_builtin``. Uses the
wheels cached by ``make setup`` (``skillgap taxonomy build-default``) and builds into a
temporary data dir, so the user's snapshots are not touched.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from skillgap.config import Settings
from skillgap.taxonomies.builtin import WHEELS, build_default, wheels_dir
from skillgap.taxonomies.compare import compare_taxonomies
from skillgap.taxonomies.esco_csv import read_esco_bundle


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    bundle = root.parent / "shared" / "esco" / "v1.1.1"
    cached = wheels_dir(Settings())
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), taxonomy=None)
        wheels_dir(settings).mkdir(parents=True)
        for w in WHEELS:
            if (cached / w.filename).is_file():
                shutil.copy2(cached / w.filename, wheels_dir(settings))
        t0 = time.perf_counter()
        builtin, _ = build_default(settings)
        built = time.perf_counter() - t0
        t0 = time.perf_counter()
        _, again = build_default(settings)
        noop = time.perf_counter() - t0
    print(f"build (wheels cached): {built:.2f} s; second call (no-op: {not again}): {noop:.2f} s")
    print("build stats:", json.dumps(builtin.manifest["build_stats"], sort_keys=True))
    print("counts:", json.dumps(builtin.counts()))
    if not bundle.exists():
        sys.exit(f"official bundle not found at {bundle}: no agreement figures")
    official = read_esco_bundle([bundle])
    for key, value in compare_taxonomies(builtin, official).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
