"""Recording one listing in the store: the diff against what the store holds for a (node, hub),
written as one transaction's worth of driver-level statements, and the per-node summaries the
checks read (`items`, `recent_sizes`). This is the hot path of a nightly run over a million
tarballs: rows travel as plain tuples through the driver's executemany, and a complete listing
identical to the last one (by digest) writes no tarball row at all: its poll row says so."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, and_, select, update
from sqlalchemy.engine.interfaces import DBAPICursor

from tarwatch.errors import StoreError
from tarwatch.history import TAR_ROW, ItemHistory, summarize_rows
from tarwatch.records import Ingested, Snapshot
from tarwatch.store.bulk import insert_listed
from tarwatch.store.drills import forget_drills
from tarwatch.store.listed import listed_rows, summarize_listed
from tarwatch.store.tables import marks

_OLD = ("path", "size", "mtime", "digest", "dna_size", "md5", "gone")
# How far back each poll keeps the (stamp, size)s of a node's tarballs in `recent_sizes`, in days
# before the poll: anomaly's default baseline (anomaly_nights 30 and a week) and a week more.
# A check that needs older ones (a longer anomaly_nights, an earlier --now) reads the tarballs.
RECENT_DAYS = 44
_BY_PATH = itemgetter(1)  # an INSERT row's path
_INSERT = (
    "node", "path", "hub", "item", "stamp", "size", "mtime", "revision", "digest", "dna_size", "md5",
    "first_seen", "last_seen",
)  # fmt: skip


def listing_digest(snap: Snapshot) -> str:
    """Given a complete listing's snapshot, return a digest of everything in it that the store
    keeps, so that an unchanged listing is recognised without reading the node's rows. The
    collector gives one of the raw stream (cheaper); this one is for snapshots made otherwise."""
    if snap.digest:
        return snap.digest
    h = hashlib.blake2b(digest_size=16)
    h.update(snap.root.encode("utf-8", "surrogateescape"))
    for t in snap.tarballs:
        h.update(
            f"\0{t.path}\0{t.item}\0{t.stamp}\0{t.size}\0{t.mtime!r}\0{t.digest}\0{t.dna_size}".encode(
                "utf-8", "surrogateescape"
            )
        )
    return h.hexdigest()


def ingest(
    conn: Connection, hub: str, node: str, at: float, snap: Snapshot, md5s: Mapping[str, str]
) -> Ingested:
    """Diff one listing against what the store holds for (node, hub) and write the difference.
    Rows travel as plain tuples through the driver's executemany: this is the hot path of a
    nightly run over a million tarballs. A complete listing identical to the last one stored
    (its digest says so) writes no tarball row: its poll row records that every tarball kept
    was seen (see `last_seen` in README's "The store")."""
    ph = placeholder(conn)
    cur = conn.connection.cursor()  # the driver's own cursor, inside this transaction
    digest = listing_digest(snap) if snap.complete else None
    last = _last_poll(cur, ph, hub, node)
    if digest is not None and not md5s and last is not None and digest == last[0]:
        cur.close()
        _ingest_marks(conn, hub, node, at, snap)
        return Ingested(files=len(snap.tarballs), digest=digest)
    # The newest poll before this one saw every tarball not gone when it listed everything
    # (an unchanged night writes no tarball row): what it saw, this one may not see again.
    seen_before = last[1] if last is not None and last[2] and not last[3] else None
    cur.execute(f"SELECT {', '.join(_OLD)} FROM tarballs WHERE node = {ph} AND hub = {ph}", (node, hub))
    old = {r[0]: r for r in cur.fetchall()}
    if not old and not md5s:  # the first listing of this node: every tarball is new
        return _first_ingest(conn, cur, ph, hub, node, at, snap, digest)
    inserts: list[tuple[Any, ...]] = []
    changes: list[tuple[Any, ...]] = []
    listed: list[tuple[Any, ...]] = []
    hashes: dict[str, str | None] = {}  # path → md5 after this poll, where one is known
    for t in snap.tarballs:
        path = t.path
        o = old.get(path)
        md5 = md5s.get(path) if md5s else None
        if o is None:
            inserts.append(
                (node, path, hub, t.item, t.stamp, t.size, t.mtime, t.revision, t.digest, t.dna_size, md5,
                 at, at)
            )  # fmt: skip
        else:
            listed.append((at, node, hub, path))
            if md5 is None and o[1] == t.size and o[2] == t.mtime:
                md5 = o[5]  # a hash stays good while the file does
            if (o[1], o[2], o[3], o[4], o[5], o[6]) != (t.size, t.mtime, t.digest, t.dna_size, md5, None):
                changes.append((t.size, t.mtime, t.digest, t.dna_size, md5, node, hub, path))
        if md5 is not None:
            hashes[path] = md5
    if snap.complete:
        listed_paths = {t.path for t in snap.tarballs}
        gone = [
            (at, node, hub, p)
            for p, o in old.items()
            if o[6] is None and p not in listed_paths and not under(p, snap.unreadable)
        ]
    else:
        gone = []
    if inserts:
        inserts.sort(key=_BY_PATH)  # the (node, hub, path) key fills in order: fewer pages touched
        cur.executemany(_insert(ph), inserts)
    if changes:
        cur.executemany(
            f"UPDATE tarballs SET size = {ph}, mtime = {ph}, digest = {ph}, dna_size = {ph}, md5 = {ph},"
            f" gone = NULL WHERE node = {ph} AND hub = {ph} AND path = {ph}",
            changes,
        )
    if gone and seen_before is not None:
        cur.executemany(
            f"UPDATE tarballs SET gone = {ph}, last_seen = CASE WHEN last_seen < {ph} THEN {ph}"
            f" ELSE last_seen END WHERE node = {ph} AND hub = {ph} AND path = {ph}",
            [(g[0], seen_before, seen_before, *g[1:]) for g in gone],
        )
    elif gone:
        cur.executemany(
            f"UPDATE tarballs SET gone = {ph} WHERE node = {ph} AND hub = {ph} AND path = {ph}", gone
        )
    forget_drills(cur, ph, gone)
    if snap.complete and not snap.unreadable:  # every row not gone now was listed
        cur.execute(_seen_all(ph), (at, node, hub))
    else:  # only what the listing reached was seen now
        if seen_before is not None:
            cur.execute(
                f"UPDATE tarballs SET last_seen = {ph} WHERE node = {ph} AND hub = {ph}"
                f" AND gone IS NULL AND last_seen < {ph}",
                (seen_before, node, hub, seen_before),
            )
        if listed:
            cur.executemany(
                f"UPDATE tarballs SET last_seen = {ph} WHERE node = {ph} AND hub = {ph} AND path = {ph}",
                listed,
            )
    if inserts or changes or gone or not _has_summaries(cur, ph, hub, node):
        # What the node keeps after this poll: an incomplete listing keeps what it did not reach.
        current: dict[str, Sequence[Any]] = {}  # path → (item, stamp, size, path, revision, …)
        if not snap.complete or snap.unreadable:
            cur.execute(
                "SELECT item, stamp, size, path, revision, digest, dna_size, md5 FROM tarballs"
                f" WHERE node = {ph} AND hub = {ph} AND gone IS NULL",
                (node, hub),
            )
            for r in cur.fetchall():
                current[r[3]] = r
        for t in snap.tarballs:
            current[t.path] = (
                t.item, t.stamp, t.size, t.path, t.revision, t.digest, t.dna_size, hashes.get(t.path)
            )  # fmt: skip
        _write_summary(cur, ph, hub, node, summarize_rows(current.values(), TAR_ROW), at)
        since = recent_since(at)
        cur.execute(
            f"SELECT item, stamp, size FROM tarballs WHERE node = {ph} AND hub = {ph} AND stamp >= {ph}",
            (node, hub, since),
        )
        _write_recent(cur, ph, hub, node, since, recent_text(cur.fetchall()), at)
    cur.close()
    _ingest_marks(conn, hub, node, at, snap)
    return Ingested(
        new=len(inserts), changed=len(changes), gone=len(gone), files=len(snap.tarballs), digest=digest
    )


def under(path: str, folders: Sequence[str]) -> bool:
    """True when `path` is one of `folders` or lies inside one."""
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


def recent_since(at: float) -> int:
    """Given a poll's time, return the oldest stamp whose tarballs the poll keeps in
    `recent_sizes`: RECENT_DAYS before it."""
    return int(at) - RECENT_DAYS * 86400


def _first_ingest(
    conn: Connection,
    cur: DBAPICursor,
    ph: str,
    hub: str,
    node: str,
    at: float,
    snap: Snapshot,
    digest: str | None,
) -> Ingested:
    """ingest() for a node the store holds nothing of: insert, summarize, done. The rows are
    the parser's records as tuples made in C, inserted in statements of many rows and
    summarized in one pass (store/listed.py, store/bulk.py)."""
    rows = listed_rows(snap.tarballs)
    # One thread: an insert in a thread of its own while this one summarized gained little
    # (the GIL goes back and forth for every row) and a cursor of the connection finalized
    # here meanwhile (the garbage collector) could fail it ("bad parameter or other API misuse").
    insert_listed(cur, conn.dialect.name, node, hub, at, rows)
    since = recent_since(at)
    summary, recent = summarize_listed(rows, since)  # nothing gone yet: the kept ones
    _write_summary(cur, ph, hub, node, summary, at)
    _write_recent(cur, ph, hub, node, since, recent, at)
    cur.close()
    _ingest_marks(conn, hub, node, at, snap)
    return Ingested(new=len(rows), files=len(rows), digest=digest)


def _insert(ph: str) -> str:
    """The INSERT of one tarball row (the columns of _INSERT), in the driver's placeholders."""
    return f"INSERT INTO tarballs ({', '.join(_INSERT)}) VALUES ({', '.join([ph] * len(_INSERT))})"


def _seen_all(ph: str) -> str:
    """The UPDATE that marks every tarball of a (node, hub) not gone as seen at a time."""
    return f"UPDATE tarballs SET last_seen = {ph} WHERE node = {ph} AND hub = {ph} AND gone IS NULL"


def _last_poll(
    cur: DBAPICursor, ph: str, hub: str, node: str
) -> tuple[str | None, float, bool, str | None] | None:
    """The newest successful poll of (hub, node): (its listing digest, if it was complete; its
    time; complete?; its unreadable folders' JSON), or None."""
    cur.execute(
        f"SELECT listing_digest, at, complete, unreadable FROM polls WHERE hub = {ph} AND node = {ph}"
        f" AND ok = {ph} ORDER BY id DESC LIMIT 1",
        (hub, node, True),
    )
    row = cur.fetchone()
    if row is None:
        return None
    return (None if row[0] is None else str(row[0])), float(row[1]), bool(row[2]), row[3]


def placeholder(conn: Connection) -> str:
    """The driver's placeholder: ? for sqlite3, %s for psycopg."""
    style = conn.dialect.paramstyle
    if style == "qmark":
        return "?"
    if style in ("format", "pyformat"):
        return "%s"
    raise StoreError(f"unsupported database driver parameter style {style!r}")


def _has_summaries(cur: DBAPICursor, ph: str, hub: str, node: str) -> bool:
    """True when (hub, node) has its rows in `items` and `recent_sizes`."""
    cur.execute(
        f"SELECT (SELECT count(*) FROM (SELECT 1 FROM items WHERE hub = {ph} AND node = {ph} LIMIT 1) i),"
        f" (SELECT count(*) FROM recent_sizes WHERE hub = {ph} AND node = {ph})",
        (hub, node, hub, node),
    )
    row = cur.fetchone()
    return row is not None and bool(row[0]) and bool(row[1])


_ITEM_COLUMNS = (
    "hub, node, item, count, oldest, newest_stamp, newest_size, newest_path, newest_revision,"
    " newest_digest, newest_dna_size, newest_md5, prev_stamp, prev_size, prev_path, dna_bad,"
    " dna_bad_stamp, dna_bad_size, dna_bad_claim, manifest, manifest_hash, updated"
)


def _write_summary(
    cur: DBAPICursor, ph: str, hub: str, node: str, summary: Mapping[str, ItemHistory], at: float
) -> None:
    """Replace the `items` rows of (hub, node) by `summary`."""
    cur.execute(f"DELETE FROM items WHERE hub = {ph} AND node = {ph}", (hub, node))
    rows = []
    for item, h in summary.items():
        n, p, b = h.newest, h.previous, h.dna_bad_newest
        rows.append(
            (hub, node, item, h.count, h.oldest, n.stamp, n.size, n.path, n.revision, n.digest, n.dna_size,
             n.md5, p.stamp if p else None, p.size if p else None, p.path if p else None, h.dna_bad,
             b.stamp if b else None, b.size if b else None, b.dna_size if b else None, h.manifest_json,
             h.manifest_hash, at)
        )  # fmt: skip
    if rows:
        cur.executemany(
            f"INSERT INTO items ({_ITEM_COLUMNS}) VALUES ({', '.join([ph] * 22)})",
            rows,
        )


def recent_text(pairs: Iterable[tuple[str, int, int]]) -> str:
    """Given (item, stamp, size) of tarballs, return `recent_sizes.sizes`: JSON {item: text},
    each text the JSON [[stamp, size], …] of the item's pairs by stamp (oldest first; the
    reader sorts the pairs of one stamp)."""
    by_item: dict[str, list[tuple[int, int]]] = {}
    for item, stamp, size in pairs:
        got = by_item.get(item)
        if got is None:
            by_item[item] = [(int(stamp), int(size))]
        else:
            got.append((int(stamp), int(size)))
    return json.dumps({item: _pairs_text(v) for item, v in sorted(by_item.items())}, separators=(",", ":"))


def _pairs_text(pairs: Iterable[Sequence[int]]) -> str:
    return json.dumps(sorted(map(tuple, pairs)), separators=(",", ":"))


def _write_recent(
    cur: DBAPICursor,
    ph: str,
    hub: str,
    node: str,
    since: int,
    sizes: str,
    at: float,
) -> None:
    """Replace the `recent_sizes` row of (hub, node): `sizes` (recent_text) of every tarball
    stamped at or after `since`, gone ones included."""
    cur.execute(f"DELETE FROM recent_sizes WHERE hub = {ph} AND node = {ph}", (hub, node))
    cur.execute(
        f"INSERT INTO recent_sizes (hub, node, since, sizes, updated) VALUES ({ph}, {ph}, {ph}, {ph}, {ph})",
        (hub, node, since, sizes, at),
    )


def _ingest_marks(conn: Connection, hub: str, node: str, at: float, snap: Snapshot) -> None:
    where = and_(marks.c.node == node, marks.c.hub == hub)
    old = {
        (r.path, r.kind): r
        for r in conn.execute(
            select(marks.c.id, marks.c.path, marks.c.kind, marks.c.target, marks.c.mtime, marks.c.gone).where(
                where
            )
        )
    }
    seen = set()
    for m in snap.marks:
        key = (m.path, m.kind)
        seen.add(key)
        o = old.get(key)
        if o is None:
            conn.execute(
                marks.insert().values(
                    node=node,
                    path=m.path,
                    kind=m.kind,
                    hub=hub,
                    item=m.item,
                    target=m.target,
                    mtime=m.mtime,
                    first_seen=at,
                    last_seen=at,
                )
            )
        else:
            conn.execute(
                update(marks)
                .where(marks.c.id == o.id)
                .values(target=m.target, mtime=m.mtime, last_seen=at, gone=None)
            )
    if snap.complete:
        for key, o in old.items():
            if key not in seen and o.gone is None and not under(key[0], snap.unreadable):
                conn.execute(update(marks).where(marks.c.id == o.id).values(gone=at))
