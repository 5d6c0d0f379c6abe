"""A second comer that finds the SQLite run lock taken but its holder not yet noted (the moment
between the holder's flock and its note) waits for the note, so as to name the holder."""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from pathlib import Path

import pytest

from tarwatch.store.lock import Busy, acquire, lock_path


def taken_unnoted(tmp_path: Path) -> tuple[str, int]:
    """Return a store's URL and a descriptor holding its hub ZZ's lock, its holder not noted."""
    url = f"sqlite:///{tmp_path / 'tw.db'}"
    path = lock_path(url, "ZZ")
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return url, fd


def test_a_holder_noted_just_after_its_flock_is_named(tmp_path: Path) -> None:
    url, fd = taken_unnoted(tmp_path)

    def note() -> None:
        time.sleep(0.5)
        me = {"command": "run", "hub": "ZZ", "pid": 4711, "host": "hub1", "since": time.time()}
        os.pwrite(fd, (json.dumps(me) + "\n").encode(), 0)

    writer = threading.Thread(target=note)
    writer.start()
    try:
        with pytest.raises(Busy) as e:
            acquire(url, "run", 0, ["ZZ"])
    finally:
        writer.join()
        os.close(fd)
    assert "pid 4711 on hub1" in str(e.value), e.value


def test_a_holder_that_never_notes_itself_is_still_a_clear_busy(tmp_path: Path) -> None:
    url, fd = taken_unnoted(tmp_path)
    try:
        with pytest.raises(Busy) as e:
            acquire(url, "run", 0, ["ZZ"])
    finally:
        os.close(fd)
    assert "pid unknown" in str(e.value) and "giving up" in str(e.value), e.value
