"""From a parsed listing to what the store keeps: tarballs with item, stamp and revision, the
`.dna` each carries, LOCKED folders and `last` links. Pure; paths that do not fit are counted."""

from __future__ import annotations

import hashlib
from zoneinfo import ZoneInfo

from tarwatch import __version__
from tarwatch.collect.listing import MAX_INT, Listing
from tarwatch.layout import LayoutError, item_of_mark, parse_dna, parse_tarball_path
from tarwatch.records import Mark, MarkKind, Snapshot, Tarball


def snapshot(listing: Listing, tz: ZoneInfo) -> Snapshot:
    """Given a listing and the time zone of its dated folders, return its snapshot."""
    root = (listing.root or "").rstrip("/") or "/"
    prefix = root if root.endswith("/") else root + "/"
    snap = Snapshot(root=root, complete=listing.complete, malformed=listing.malformed)
    snap.disk, snap.disk_note = listing.disk, listing.disk_note
    snap.unreadable = [root if rel == "." else prefix + rel for rel in listing.unreadable]
    if listing.complete and listing.digest:
        snap.digest = f"{listing.digest}:{tz.key}:{__version__}"
        if snap.unreadable:
            snap.digest += (
                ":"
                + hashlib.blake2b(
                    "\0".join(snap.unreadable).encode("utf-8", "surrogateescape"), digest_size=8
                ).hexdigest()
            )
    snap.notes.extend(listing.malformed_samples)

    def bad(what: str, why: str) -> None:
        snap.malformed += 1
        if len(snap.notes) < 10:
            snap.notes.append(f"{what!r}: {why}")

    seen: set[str] = set()
    for rel, size, mtime in listing.tarballs:
        try:
            p = parse_tarball_path(rel, tz)
        except LayoutError as e:
            snap.unfit += 1
            if len(snap.notes) < 10:
                snap.notes.append(f"{rel!r}: {e}")
            continue
        if p.revision is not None and p.revision > MAX_INT:
            bad(rel, "revision too large to keep")
            continue
        if rel in seen:
            # Names that differ only in bytes that are not UTF-8 can read the same once escaped.
            bad(rel, "another name reads the same once its non-UTF-8 bytes are escaped")
            continue
        seen.add(rel)
        t = Tarball(prefix + rel, p.item, p.stamp, size, mtime, p.revision)
        dna_text = listing.dna.get(rel + ".dna")
        if dna_text is not None:
            try:
                dna = parse_dna(dna_text)
                if dna.size > MAX_INT:
                    raise ValueError(f"'size' too large to keep: {dna.size}")
                t.digest, t.dna_size = dna.digest, dna.size
            except ValueError as e:
                bad(rel + ".dna", str(e))
        snap.tarballs.append(t)
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
