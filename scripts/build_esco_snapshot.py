"""Convert the official ESCO CSV download into the embedded default (taxonomies/embedded/).

    .venv/bin/python scripts/build_esco_snapshot.py ../shared/esco/v1.1.1

Run once per default ESCO release; the output is committed and ships as package data, so
a fresh install has the complete taxonomy (skills with every label and description, the
hierarchy, occupations, both relation files, every collection) with no download and no
set-up step. It reads the two official zips with the one importer
(``skillgap.taxonomies.esco_csv``) and writes them with the snapshot store's writer, so
the embedded snapshot holds, table for table, what ``skillgap taxonomy import`` of the same
zips stores, and has the same snapshot id; it differs only in:

- ``kind == "embedded"``, which ranks it below any import (see ``taxonomies/store.py``);
- a manifest naming the source files by name and checksum, not by where they sat on the
  converting machine, and carrying no import time (a rebuild of the same zips writes the
  same files);
- zstd at its highest level, to keep the wheel small.

``tests/test_taxonomy_embedded.py`` checks the result against a fresh import of the zips.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from skillgap.taxonomies.esco_csv import read_esco_bundle  # noqa: E402
from skillgap.taxonomies.model import Taxonomy  # noqa: E402
from skillgap.taxonomies.store import (  # noqa: E402
    EMBEDDED_DIR,
    FORMAT_VERSION,
    write_snapshot_folder,
)

ZSTD_LEVEL = 19
PUBLISHER = "European Commission, ESCO classification (https://esco.ec.europa.eu/)"
LICENCE = (
    "reuse under Commission Decision 2011/833/EU on the reuse of Commission documents, "
    "with attribution"
)


def embedded_manifest(tax: Taxonomy) -> dict[str, Any]:
    """The import's manifest without machine paths or times, marked as the embedded one."""
    m = tax.manifest
    sources = [
        {
            "file": Path(src["path"]).name,
            **{k: src[k] for k in ("bytes", "sha256", "md5", "files")},
        }
        for src in m["sources"]
    ]
    ignored = [Path(f.split("!")[0]).name + "!" + f.split("!")[-1] for f in m["ignored_files"]]
    return {
        "snapshot_id": m["snapshot_id"],
        "kind": "embedded",
        "esco_version": m["esco_version"],
        "language": m["language"],
        "file_naming": m["file_naming"],
        "publisher": PUBLISHER,
        "licence": LICENCE,
        "attribution": m["attribution"],
        "converted_by": "scripts/build_esco_snapshot.py",
        "sources": sources,
        "checksums": m["checksums"],
        "counts": tax.counts(),
        "missing": m["missing"],
        "missing_files": m["missing_files"],
        "ignored_files": ignored,
        "dangling": m["dangling"],
        "format_version": FORMAT_VERSION,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "bundle", type=Path, nargs="+", help="the two official ESCO CSV zips, or their folder"
    )
    parser.add_argument("--language", default="en")
    parser.add_argument("--out", type=Path, default=EMBEDDED_DIR, help="default: %(default)s")
    args = parser.parse_args()
    tax = read_esco_bundle(args.bundle, language=args.language, progress=print)
    if tax.missing:
        raise SystemExit(
            f"the bundle lacks {', '.join(tax.missing)}: the embedded default must be complete"
        )
    manifest = embedded_manifest(tax)
    write_snapshot_folder(tax, args.out, manifest, compression_level=ZSTD_LEVEL)
    size = sum(p.stat().st_size for p in args.out.iterdir() if p.is_file())
    print(f"wrote {args.out}: snapshot {manifest['snapshot_id']}, {size / 1e6:.2f} MB")
    for name, n in manifest["counts"].items():
        print(f"  {name}: {n:,}")


if __name__ == "__main__":
    main()
