"""Recording one listing in the store: the diff against what the store holds for a (node, hub),
written as one transaction's worth of driver-level statements, and the per-item summaries the
checks read. This is the hot path of a nightly run over a million tarballs: rows travel as
plain tuples through the driver's executemany, and a complete listing identical to the last
one (by digest) only moves `last_seen`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Connection, and_, select, update
from sqlalchemy.engine.interfaces import DBAPICursor

from tarwatch.errors import StoreError
from tarwatch.history import ItemHistory, Tar, summarize
from tarwatch.records import Ingested, Snapshot
from tarwatch.store.drills import forget_drills
from tarwatch.store.tables import items, marks

_OLD = ("path", "size", "mtime", "digest", "dna_size", "md5", "gone")
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
    (its digest says so) only moves `last_seen`."""
    ph = placeholder(conn)
    cur = conn.connection.cursor()  # the driver's own cursor, inside this transaction
    digest = listing_digest(snap) if snap.complete else None
    if digest is not None and not md5s and digest == _last_digest(cur, ph, hub, node):
        cur.execute(_seen_all(ph), (at, node, hub))
        cur.close()
        _ingest_marks(conn, hub, node, at, snap)
        return Ingested(files=len(snap.tarballs), digest=digest)
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
        inserts.sort(key=_by_path)  # the (node, hub, path) key fills in order: fewer pages touched
        cur.executemany(_insert(ph), inserts)
    if changes:
        cur.executemany(
            f"UPDATE tarballs SET size = {ph}, mtime = {ph}, digest = {ph}, dna_size = {ph}, md5 = {ph},"
            f" gone = NULL WHERE node = {ph} AND hub = {ph} AND path = {ph}",
            changes,
        )
    if gone:
        cur.executemany(
            f"UPDATE tarballs SET gone = {ph} WHERE node = {ph} AND hub = {ph} AND path = {ph}", gone
        )
        forget_drills(cur, ph, gone)
    if snap.complete and not snap.unreadable:  # every row not gone now was listed
        cur.execute(_seen_all(ph), (at, node, hub))
    elif listed:  # only what the listing reached was seen
        cur.executemany(
            f"UPDATE tarballs SET last_seen = {ph} WHERE node = {ph} AND hub = {ph} AND path = {ph}", listed
        )
    if inserts or changes or gone or not _has_summary(conn, hub, node):
        # What the node keeps after this poll: an incomplete listing keeps what it did not reach.
        current: dict[str, tuple[str, Tar]] = {}
        if not snap.complete or snap.unreadable:
            cur.execute(
                "SELECT path, item, stamp, size, revision, digest, dna_size, md5 FROM tarballs"
                f" WHERE node = {ph} AND hub = {ph} AND gone IS NULL",
                (node, hub),
            )
            for p, item, stamp, size, *rest in cur.fetchall():
                current[p] = (item, Tar(stamp, size, p, *rest))
        for t in snap.tarballs:
            current[t.path] = (
                t.item,
                Tar(t.stamp, t.size, t.path, t.revision, t.digest, t.dna_size, hashes.get(t.path)),
            )
        _write_summary(conn, hub, node, summarize(current.values()), at)
    cur.close()
    _ingest_marks(conn, hub, node, at, snap)
    return Ingested(
        new=len(inserts), changed=len(changes), gone=len(gone), files=len(snap.tarballs), digest=digest
    )


def under(path: str, folders: Sequence[str]) -> bool:
    """True when `path` is one of `folders` or lies inside one."""
    return any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)


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
    """ingest() for a node the store holds nothing of: insert, summarize, done."""
    inserts = [
        (node, t.path, hub, t.item, t.stamp, t.size, t.mtime, t.revision, t.digest, t.dna_size, None, at, at)
        for t in snap.tarballs
    ]
    inserts.sort(key=_by_path)
    sql = _insert(ph)
    # The driver inserts in a thread of its own (sqlite3 and psycopg let go of the GIL while the
    # database works) while this one summarizes: two cores, half the wait.
    with ThreadPoolExecutor(max_workers=1) as pool:
        inserted = pool.submit(cur.executemany, sql, inserts)
        kept = [
            (t.item, Tar(t.stamp, t.size, t.path, t.revision, t.digest, t.dna_size)) for t in snap.tarballs
        ]
        summary = summarize(kept)
        inserted.result()
    cur.close()
    _write_summary(conn, hub, node, summary, at)
    _ingest_marks(conn, hub, node, at, snap)
    return Ingested(new=len(inserts), files=len(inserts), digest=digest)


def _by_path(row: tuple[Any, ...]) -> str:
    return str(row[1])


def _insert(ph: str) -> str:
    """The INSERT of one tarball row (the columns of _INSERT), in the driver's placeholders."""
    return f"INSERT INTO tarballs ({', '.join(_INSERT)}) VALUES ({', '.join([ph] * len(_INSERT))})"


def _seen_all(ph: str) -> str:
    """The UPDATE that marks every tarball of a (node, hub) not gone as seen at a time."""
    return f"UPDATE tarballs SET last_seen = {ph} WHERE node = {ph} AND hub = {ph} AND gone IS NULL"


def _last_digest(cur: DBAPICursor, ph: str, hub: str, node: str) -> str | None:
    """The listing digest of the newest successful poll of (hub, node), if it was complete."""
    cur.execute(
        f"SELECT listing_digest FROM polls WHERE hub = {ph} AND node = {ph} AND ok = {ph}"
        " ORDER BY id DESC LIMIT 1",
        (hub, node, True),
    )
    row = cur.fetchone()
    return str(row[0]) if row and row[0] is not None else None


def placeholder(conn: Connection) -> str:
    """The driver's placeholder: ? for sqlite3, %s for psycopg."""
    style = conn.dialect.paramstyle
    if style == "qmark":
        return "?"
    if style in ("format", "pyformat"):
        return "%s"
    raise StoreError(f"unsupported database driver parameter style {style!r}")


def _has_summary(conn: Connection, hub: str, node: str) -> bool:
    q = select(items.c.id).where(and_(items.c.hub == hub, items.c.node == node)).limit(1)
    return conn.execute(q).first() is not None


def _write_summary(
    conn: Connection, hub: str, node: str, summary: Mapping[str, ItemHistory], at: float
) -> None:
    conn.execute(items.delete().where(and_(items.c.hub == hub, items.c.node == node)))
    rows = []
    for item, h in summary.items():
        n, p, b = h.newest, h.previous, h.dna_bad_newest
        rows.append(
            {
                "hub": hub,
                "node": node,
                "item": item,
                "count": h.count,
                "oldest": h.oldest,
                "newest_stamp": n.stamp,
                "newest_size": n.size,
                "newest_path": n.path,
                "newest_revision": n.revision,
                "newest_digest": n.digest,
                "newest_dna_size": n.dna_size,
                "newest_md5": n.md5,
                "prev_stamp": p.stamp if p else None,
                "prev_size": p.size if p else None,
                "prev_path": p.path if p else None,
                "dna_bad": h.dna_bad,
                "dna_bad_stamp": b.stamp if b else None,
                "dna_bad_size": b.size if b else None,
                "dna_bad_claim": b.dna_size if b else None,
                "manifest": h.manifest_json,
                "manifest_hash": h.manifest_hash,
                "updated": at,
            }
        )
    if rows:
        conn.execute(items.insert(), rows)


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
