"""The console script's end: it keeps the interpreter's shutdown from walking every object once
more (gc.freeze), and closes its stores itself, so that an SQLite store is left whole in its
file, its write-ahead log checkpointed into it and removed, as when the last connection closes."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

from support.cli import tarwatch

CONFIG = """\
[store]
url = "sqlite:///{store}"

[hubs.H]
srvnode = "h"
source = "local"

[nodes.local]
transport = "local"
root = "{root}"
"""


def test_a_collect_leaves_its_store_whole_in_its_file(tmp_path: Path) -> None:
    (tmp_path / "backup" / "db" / "main" / "2026" / "11" / "24" / "120000").mkdir(parents=True)
    (tmp_path / "backup" / "db" / "main" / "2026" / "11" / "24" / "120000" / "main.tar.gz").write_bytes(b"x")
    store = tmp_path / "tarwatch.db"
    config = tmp_path / "tarwatch.toml"
    config.write_text(CONFIG.format(store=store, root=tmp_path / "backup"))
    env = dict(os.environ, HOME=str(tmp_path), NO_COLOR="1")
    got = tarwatch("--config", str(config), "--now", "2026-11-25T12:00:00", "collect", env=env)
    assert got.code == 0, got.err
    assert not Path(f"{store}-wal").exists() and not Path(f"{store}-shm").exists()
    copy = tmp_path / "copy.db"  # the file alone, as a backup of it would be
    copy.write_bytes(store.read_bytes())
    with sqlite3.connect(copy) as db:
        assert db.execute("SELECT item, size FROM tarballs").fetchall() == [("db/main", 1)]
    got = tarwatch("--config", str(config), "--now", "2026-11-25T13:00:00", "check", env=env)
    assert got.code == 0 and "OK" in got.out, got.err
    assert not Path(f"{store}-wal").exists()


def test_the_console_script_freezes_what_it_made_before_the_interpreter_ends(tmp_path: Path) -> None:
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: sys.stderr.write(f'frozen {gc.get_freeze_count()}'))\n"
        "from tarwatch.cli import main\n"
        "sys.argv = ['tarwatch', '--version']\n"
        "main()\n"
    )
    import subprocess

    p = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=False)
    assert p.returncode == 0, p.stderr
    assert int(p.stderr.split("frozen ")[1]) > 10_000  # click's and tarwatch's objects, at least
