"""ESCO taxonomy layer: the embedded default, import, versioned snapshot store, accessors.

Public entry points (import the submodule you need; this package only exposes the model):

- ``store.load_taxonomy(snapshot=None, settings=None)``: the active taxonomy (configured
  ``Settings.taxonomy``, else the last imported bundle, else the embedded default: the
  official ESCO v1.1.1 English data in ``embedded/``, converted once by
  ``scripts/build_esco_snapshot.py``); ``store.import_taxonomy(paths, settings=None)``,
  ``store.list_snapshots(settings=None)``.
- ``esco_csv.read_esco_bundle(paths)``: the official CSV download (zips, their folder or
  an extracted folder; any language; v1.1 and v1.2 namings) into a ``Taxonomy`` in memory.
- ``download.download_bundle(version, language)``: the official zips from the EC.
- ``search.search_skills(taxonomy, text)``.
"""

from skillgap.taxonomies.model import COLLECTIONS, Taxonomy, normalise_label

__all__ = ["COLLECTIONS", "Taxonomy", "normalise_label"]
