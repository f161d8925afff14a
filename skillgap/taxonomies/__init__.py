"""ESCO taxonomy layer: import, built-in default, versioned snapshot store, accessors."""

from skillgap.taxonomies.model import COLLECTIONS, Taxonomy, normalise_label

__all__ = ["COLLECTIONS", "Taxonomy", "normalise_label"]
