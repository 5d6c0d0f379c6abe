"""collector_paused: no collection inside the block, the collector as it was after it (also
after an exception), what the block made left in the oldest generation, not walked by the
next young collection, and cycles among it still freed by a full one."""

from __future__ import annotations

import gc
import weakref

import pytest

from tarwatch.gcpause import collector_paused


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_no_collection_runs_inside_and_the_collector_is_as_it_was_after() -> None:
    collections: list[int] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    assert gc.isenabled()
    gc.callbacks.append(seen)
    try:
        with collector_paused():
            assert not gc.isenabled()
            kept = [Node() for _ in range(50_000)]  # far past the young generation's threshold
        assert collections == []
        assert gc.isenabled()
        assert gc.get_count()[0] < 1000  # what the block made is not waiting in the young one
    finally:
        gc.callbacks.remove(seen)
    assert len(kept) == 50_000


def test_it_restores_a_disabled_collector_and_survives_an_exception() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # nested in another pause: still paused
    finally:
        gc.enable()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_cycle_made_inside_is_freed_by_a_full_collection() -> None:
    with collector_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        gone = weakref.ref(a)
        del a, b
    assert gone() is not None  # a cycle: reference counting alone does not free it
    gc.collect()
    assert gone() is None
