"""The history store: tables, queries and migrations."""

from tarwatch.store.store import Ingested, PollInfo, Store

__all__ = ["Ingested", "PollInfo", "Store"]
