"""The history store: tables, queries and migrations, every SQL statement of tarwatch. `Store`
is its one public face; every database failure leaves it as a StoreError.

`Store` is imported on first use (PEP 562), so that importing tarwatch.store does not
pay for SQLAlchemy: the collector imports SQLAlchemy in a thread while it waits for the nodes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tarwatch.store.store import Store

__all__ = ["Store"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from tarwatch.store.store import Store

        return Store
    raise AttributeError(name)
