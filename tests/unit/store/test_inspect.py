"""Store.inspect: a store looked at without being created, stamped or migrated."""

from __future__ import annotations

import sqlite3

from tarwatch.store import Store
from tarwatch.store.schema import HEAD


def test_a_store_not_there_yet_is_said_and_not_created(tmp_path):
    path = tmp_path / "sub" / "tw.db"
    s = Store.inspect(f"sqlite:///{path}")
    assert (s.exists, s.revision, s.head, s.writable, s.problem) == (False, None, HEAD, True, None)
    assert not path.parent.exists()


def test_a_current_store_is_read_and_its_bytes_stay(tmp_path):
    path = tmp_path / "tw.db"
    Store.open(f"sqlite:///{path}").close()
    before = path.read_bytes()
    s = Store.inspect(f"sqlite:///{path}")
    assert (s.exists, s.current, s.writable, s.problem) == (True, True, True, None)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tw.db"]


def test_an_older_store_is_reported_not_migrated_and_a_foreign_file_is_a_problem(tmp_path):
    path = tmp_path / "tw.db"
    Store.open(f"sqlite:///{path}").close()
    db = sqlite3.connect(path)
    db.execute("UPDATE alembic_version SET version_num = '0001'")
    db.commit()  # kept open: the change is in the -wal file only, as while a run writes
    s = Store.inspect(f"sqlite:///{path}")
    assert (s.exists, s.revision, s.current) == (True, "0001", False)
    db.close()
    before = path.read_bytes()
    s = Store.inspect(f"sqlite:///{path}")
    assert (s.exists, s.revision, s.current) == (True, "0001", False)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tw.db"]
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    assert "not a tarwatch store" in (Store.inspect(f"sqlite:///{other}").problem or "")
    (tmp_path / "junk.db").write_text("not a database at all, " * 100)
    assert "cannot read" in (Store.inspect(f"sqlite:///{tmp_path / 'junk.db'}").problem or "")
