"""digest: a `.dna` sidecar disagrees with its tarball: another size, or (verify = "md5") another
md5 than the one computed on the node for the newest tarball."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tarwatch.checks.model import Finding
from tarwatch.history import ItemHistory
from tarwatch.human import exact_size
from tarwatch.records import Status

NAME = "digest"
UTC_ZONE = ZoneInfo("UTC")


def check(h: ItemHistory | None, verify: str, tz: ZoneInfo = UTC_ZONE) -> Finding | None:
    """Given an item's history, the verify setting and the backups' time zone, return an alarm
    when a .dna sidecar's size (or, with "md5", the newest tarball's md5) disagrees; else None."""
    if h is None:
        return None
    problems = []
    b = h.dna_bad_newest
    if h.dna_bad and b is not None and b.dna_size is not None:
        problems.append(
            f"the .dna of the {day(b.stamp, tz)} tarball says {exact_size(b.dna_size)}, "
            f"the tarball has {exact_size(b.size)}"
            + (f" ({h.dna_bad - 1} more disagree)" if h.dna_bad > 1 else "")
        )
    n = h.newest
    if verify == "md5" and n.md5 and n.digest and n.md5 != n.digest:
        problems.append(f"the newest tarball's md5 is {n.md5}, its .dna says {n.digest}")
    if not problems:
        return None
    return Finding(NAME, Status.ALARM, "; ".join(problems))


def day(stamp: int, tz: ZoneInfo) -> str:
    """Given a stamp, return its date as the dated folders show it ("2026/03/09"); one that no
    datetime can hold (see formats.document.iso) as the number it is."""
    try:
        return datetime.fromtimestamp(stamp, UTC).astimezone(tz).strftime("%Y/%m/%d")
    except (ValueError, OverflowError, OSError):
        return f"(stamp {stamp})"
