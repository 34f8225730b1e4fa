"""The store: canonical records, sync bookkeeping and engine results (SQLite or PostgreSQL)."""

from cbe_bridge.store.database import Store, open_store, utc_now

__all__ = ["Store", "open_store", "utc_now"]
