"""From a parsed listing to what the store keeps: tarballs with item, stamp and revision, the
`.dna` each carries, LOCKED folders and `last` links. Pure; paths that do not fit are counted."""

from __future__ import annotations

import hashlib
import re
from zoneinfo import ZoneInfo

from tarwatch import __version__
from tarwatch.collect.listing import MAX_INT, Listing
from tarwatch.layout import LayoutError, folder_epoch, item_of_mark, parse_dna, parse_tarball_path
from tarwatch.records import Mark, MarkKind, Snapshot, Tarball


def snapshot(listing: Listing, tz: ZoneInfo) -> Snapshot:
    """Given a listing and the time zone of its dated folders, return its snapshot."""
    return Builder(tz).finish(listing)


# The common form of a tarball's path, `<cat>/<name>/YYYY/MM/DD/HHMMSS/<name>[-<rev>[-<n>]].tar.gz`
# with a revision that fits 64 bits: what parse_tarball_path makes of it, read in one match. Any
# other path goes through parse_tarball_path itself.
_COMMON = re.compile(
    r"([^/]+)/([^/]+)/([0-9]{4})/([0-9]{2})/([0-9]{2})/([0-9]{6})/\2(?:-([0-9]{1,18})(?:-[0-9]+)?)?\.tar\.gz"
)


class Builder:
    """A listing's snapshot, built while the listing arrives: take() the tarballs parsed so far
    (they leave the listing: a tarball is held once), finish() when the listing is complete
    (what it still holds stays there)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.count = 0  # tarballs taken from the listing
        self._tarballs: list[Tarball] = []
        self._rels: set[str] = set()
        self._notes: list[str] = []
        self._malformed = self._unfit = 0
        self._prefix: str | None = None
        self._days: dict[str, int | None] = {}  # "YYYY/MM/DD" → its midnight (see _midnight)
        self._items: dict[str, str] = {}  # one string per item

    def take(self, listing: Listing) -> None:
        """Given the listing so far, turn its tarballs into the snapshot's (once its root is
        known: the stream gives it first)."""
        if listing.root is None or not listing.tarballs:
            return
        if self._prefix is None:
            self._prefix = _prefix(listing)
        for rel, size, mtime in listing.tarballs:
            self._one(rel, size, mtime)
        self.count += len(listing.tarballs)
        listing.tarballs.clear()

    def finish(self, listing: Listing) -> Snapshot:
        """Given the whole listing, return its snapshot."""
        if listing.tarballs:
            if self._prefix is None:
                self._prefix = _prefix(listing)
            for rel, size, mtime in listing.tarballs:
                self._one(rel, size, mtime)
            self.count += len(listing.tarballs)  # left in the listing: snapshot() keeps it whole
        root = _root(listing)
        prefix = self._prefix or (root if root.endswith("/") else root + "/")
        snap = Snapshot(root=root, complete=listing.complete, malformed=listing.malformed + self._malformed)
        snap.unfit = self._unfit
        snap.disk, snap.disk_note = listing.disk, listing.disk_note
        snap.unreadable = [root if rel == "." else prefix + rel for rel in listing.unreadable]
        if listing.complete and listing.digest:
            snap.digest = f"{listing.digest}:{self.tz.key}:{__version__}"
            if snap.unreadable:
                snap.digest += (
                    ":"
                    + hashlib.blake2b(
                        "\0".join(snap.unreadable).encode("utf-8", "surrogateescape"), digest_size=8
                    ).hexdigest()
                )
        snap.notes.extend(listing.malformed_samples)
        snap.notes.extend(self._notes[: max(0, 10 - len(snap.notes))])

        def bad(what: str, why: str) -> None:
            snap.malformed += 1
            if len(snap.notes) < 10:
                snap.notes.append(f"{what!r}: {why}")

        if listing.dna:
            cut = len(prefix)
            for t in self._tarballs:
                rel = t.path[cut:]
                dna_text = listing.dna.get(rel + ".dna")
                if dna_text is not None:
                    try:
                        dna = parse_dna(dna_text)
                        if dna.size > MAX_INT:
                            raise ValueError(f"'size' too large to keep: {dna.size}")
                        t.digest, t.dna_size = dna.digest, dna.size
                    except ValueError as e:
                        bad(rel + ".dna", str(e))
        snap.tarballs = self._tarballs
        found: list[tuple[MarkKind, str, float | None, str | None]] = [
            (MarkKind.LOCKED, rel, mtime, None) for rel, mtime in listing.locked
        ]
        found += [(MarkKind.LAST, rel, None, target) for rel, target in listing.links]
        kept: set[tuple[MarkKind, str]] = set()
        for kind, rel, marked, target in found:
            if (kind, rel) in kept:
                bad(rel, "another name reads the same once its non-UTF-8 bytes are escaped")
                continue
            kept.add((kind, rel))
            snap.marks.append(Mark(prefix + rel, kind, item_of_mark(rel), target, marked))
        return snap

    def _one(self, rel: str, size: int, mtime: float) -> None:
        m = _COMMON.fullmatch(rel)
        stamp = None
        if m is not None:
            day = rel[m.start(3) : m.end(5)]
            midnight = self._days[day] if day in self._days else self._midnight(day, m[3], m[4], m[5])
            h, ms = divmod(int(m[6]), 10000)
            if midnight is not None and h <= 23 and ms < 6000 and ms % 100 <= 59:
                stamp = midnight + h * 3600 + ms // 100 * 60 + ms % 100
        if m is not None and stamp is not None:
            item = rel[: m.end(2)]
            item = self._items.setdefault(item, item)
            revision = int(m[7]) if m[7] else None
        else:
            try:
                p = parse_tarball_path(rel, self.tz)
            except LayoutError as e:
                self._unfit += 1
                self._note(f"{rel!r}: {e}")
                return
            if p.revision is not None and p.revision > MAX_INT:
                self._bad(rel, "revision too large to keep")
                return
            item, stamp, revision = p.item, p.stamp, p.revision
        if rel in self._rels:
            # Names that differ only in bytes that are not UTF-8 can read the same once escaped.
            self._bad(rel, "another name reads the same once its non-UTF-8 bytes are escaped")
            return
        self._rels.add(rel)
        assert self._prefix is not None
        self._tarballs.append(Tarball(self._prefix + rel, item, stamp, size, mtime, revision))

    def _midnight(self, day: str, y: str, mo: str, d: str) -> int | None:
        """Given a day, return the stamp of its midnight when the day's UTC offset is the same
        at its start and its end (as folder_epoch reads such a day: midnight + the seconds) and
        the whole day is within the stamps tarwatch accepts; None otherwise (parse_tarball_path
        then reads each of its paths)."""
        try:
            start, end = (folder_epoch(y, mo, d, hms, self.tz) for hms in ("000000", "235959"))
        except LayoutError:
            start = end = 0
        self._days[day] = start if end - start == 86399 else None
        return self._days[day]

    def _bad(self, what: str, why: str) -> None:
        self._malformed += 1
        self._note(f"{what!r}: {why}")

    def _note(self, note: str) -> None:
        if len(self._notes) < 10:
            self._notes.append(note)


def _root(listing: Listing) -> str:
    return (listing.root or "").rstrip("/") or "/"


def _prefix(listing: Listing) -> str:
    root = _root(listing)
    return root if root.endswith("/") else root + "/"
