"""A node's chart series read from a real PostgreSQL: the driver's own rows (no SQLAlchemy row
objects) give the same series and document as SQLite's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarwatch.publish.series import item_series, node_document
from tarwatch.records import Snapshot, Tarball
from tarwatch.store import Store

pytestmark = pytest.mark.e2e
DAY = 86400
T0 = 1_700_000_000


def listing(days: range) -> Snapshot:
    tarballs = [
        Tarball(
            f"/b/{item}/{d}/{item.split('/')[1]}-{d}.tar.gz",
            item,
            T0 + d * DAY,
            1000 + d,
            float(T0 + d * DAY),
            d,
        )
        for item in ("svn/a", "tracs/b")
        for d in days
    ]
    return Snapshot(root="/b", complete=True, tarballs=tarballs)


def series_document(store: Store) -> dict:
    for days, at in ((range(4), T0 + 4 * DAY), (range(2, 5), T0 + 5 * DAY)):  # days 0 and 1 purged
        run = store.begin_run(at, "test", ["H"])
        store.record_poll(run, "H", "N", at, ok=True, reason=None, duration=0.1, snap=listing(days))
    return node_document("H", "N", item_series(store.series_rows("H", "N")), None)


def test_the_series_read_from_postgresql_is_the_one_read_from_sqlite(postgres, tmp_path: Path) -> None:
    pg = Store.open(postgres.fresh_database("tw_publish_series"))
    doc = series_document(pg)
    pg.close()
    assert doc == series_document(Store.open(f"sqlite:///{tmp_path / 's.db'}"))
    (a, b) = doc["items"]
    assert (a["item"], a["gone"], a["rev"], "files" not in a) == ("svn/a", [[0, 2]], [0, 1, 1, 1, 1], True)
    assert b["s"] == [1000, 1, 1, 1, 1] and doc["days"] == [2, 2, 2, 2, 2]
