"""Pausing Python's cyclic garbage collector around work whose objects live on after it: a
short command's imports, a report being built."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the block runs; after it, as it was. What the
    block made is moved to the oldest generation as it is (gc.freeze, then gc.unfreeze), so that
    the first collection after it does not walk it all again; a full collection, when one comes,
    still frees any cycles among it."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_on:
            gc.enable()
