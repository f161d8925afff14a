"""Import time, snapshot load time and peak memory for the full official ESCO bundle, and
the load time and size of the embedded default (the same bundle, shipped in the package).

Run from the repo root: ``.venv/bin/python -m benchmarks.taxonomy_import [BUNDLE]``
(default ``../shared/esco/v1.1.1``). Each phase runs in a fresh subprocess so that peak
RSS is that phase's alone (an import after a load would inherit the load's memory).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

PHASE = """
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from skillgap.config import Settings
from skillgap.taxonomies.store import import_bundle, load_taxonomy
settings = Settings(data_dir=Path(sys.argv[2]), taxonomy=None)
t1 = time.perf_counter()
if sys.argv[1] == "import":
    tax, written = import_bundle([Path(sys.argv[3])], settings)
    extra = {"written": written}
elif sys.argv[1] == "embedded":
    tax = load_taxonomy("default", settings)
    extra = {}
else:
    tax = load_taxonomy(settings=settings)
    extra = {}
if sys.argv[1] == "load+index":
    tax.skills_by_label("manage staff"); tax.groups_of_skill(tax.skills["uri"].iloc[0])
t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - t1, "with_imports": t2 - t0,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "counts": tax.counts(), **extra}))
"""


def run(phase: str, data_dir: Path, bundle: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PHASE, phase, str(data_dir), str(bundle)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    root = Path(__file__).resolve().parent.parent
    bundle = Path(sys.argv[1]) if len(sys.argv) > 1 else root.parent / "shared" / "esco" / "v1.1.1"
    if not bundle.exists():
        sys.exit(f"bundle not found: {bundle}")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        imp = run("import", data, bundle)
        noop = run("import", data, bundle)
        loads = [run("load", data, bundle) for _ in range(3)]
        indexed = run("load+index", data, bundle)
        size = sum(p.stat().st_size for p in (data / "taxonomies").rglob("*") if p.is_file())
        embedded = [run("embedded", data, bundle) for _ in range(3)]
    best = min(loads, key=lambda r: r["seconds"])
    print(f"bundle: {bundle}")
    print(f"rows: {imp['counts']}")
    print(f"import (parse + write snapshot): {imp['seconds']:.2f} s")
    print(f"import peak RSS: {imp['peak_rss_mib']:.0f} MiB")
    print(
        f"re-import of the same files (no-op): {noop['seconds']:.2f} s (written={noop['written']})"
    )
    print(
        "snapshot load: best {:.2f} s / worst {:.2f} s of 3 (with library imports {:.2f} s), "
        "peak RSS {:.0f} MiB".format(
            best["seconds"],
            max(r["seconds"] for r in loads),
            best["with_imports"],
            best["peak_rss_mib"],
        )
    )
    print(f"load + label and group indexes: {indexed['seconds']:.2f} s")
    print(f"snapshot size on disk: {size / 2**20:.1f} MiB")
    from skillgap.taxonomies.store import EMBEDDED_DIR

    emb_size = sum(p.stat().st_size for p in EMBEDDED_DIR.iterdir() if p.is_file())
    print(
        "embedded default load: best {:.2f} s of 3 (with library imports {:.2f} s), "
        "peak RSS {:.0f} MiB; size {:.2f} MB".format(
            min(r["seconds"] for r in embedded),
            min(r["with_imports"] for r in embedded),
            min(r["peak_rss_mib"] for r in embedded),
            emb_size / 1e6,
        )
    )


if __name__ == "__main__":
    main()
