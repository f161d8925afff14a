"""The DuckDB store every stage reads from and writes to (see ``db.Store``)."""

from skillgap.store.db import Store, StoreError
from skillgap.store.lock import StoreLockedError

__all__ = ["Store", "StoreError", "StoreLockedError"]
