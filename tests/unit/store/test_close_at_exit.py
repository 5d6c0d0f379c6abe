"""A store's connections are closed as its process exits (store._close_at_exit, an atexit hook),
not left to the garbage collector: an SQLite store's write-ahead log checkpointed and removed.
A forked child that exits leaves its parent's connections alone."""

from __future__ import annotations

import os
from pathlib import Path

from tarwatch.store import store as store_module
from tarwatch.store.store import Store


def test_the_hook_closes_the_store_and_its_write_ahead_log_goes(tmp_path: Path) -> None:
    db = tmp_path / "tw.db"
    st = Store.open(f"sqlite:///{db}")
    st.begin_run(1_764_072_000.0, "collect", ["H"])
    assert Path(f"{db}-wal").exists()  # a connection is open, in WAL mode
    store_module._close_at_exit()
    assert not Path(f"{db}-wal").exists()
    assert st.last_runs(["H"]) == {}  # still usable: a closed store opens new connections


def test_a_forked_child_leaves_its_parents_connections_open(tmp_path: Path) -> None:
    db = tmp_path / "tw.db"
    st = Store.open(f"sqlite:///{db}")
    st.begin_run(1_764_072_000.0, "collect", ["H"])
    pool = st._engine.pool
    before = pool.checkedin()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its exit hook runs, and must not touch the parent's connections
        os.close(r)
        store_module._close_at_exit()
        os.write(w, str(pool.checkedin()).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        in_child = int(f.read())
    os.waitpid(pid, 0)
    assert before >= 1 and in_child == before
    assert Path(f"{db}-wal").exists()  # the parent's connection still holds the log open
