"""The DuckDB store every stage reads from and writes to (see ``db.Store``)."""

from skillgap.store.db import Store, StoreError

__all__ = ["Store", "StoreError"]
