"""The layout of backups on disk: path → item, stamp, revision; `.dna` sidecars.

<root>/<category>/<name>/<YYYY>/<MM>/<DD>/<HHMMSS>/<name>[-<rev>[-<n>]].tar.gz
<root>/<category>/<name>/<YYYY>/<MM>/<DD>/<HHMMSS>/<name>[-<rev>].tar.gz.dna
<root>/<category>/<name>/last -> YYYY/MM/DD/HHMMSS
<root>/…/LOCKED/                                  (a transfer in progress)
"""

from __future__ import annotations

import ast
import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

TARBALL_SUFFIX = ".tar.gz"
DNA_SUFFIX = ".tar.gz.dna"

# ASCII digits only: \d would take any script's digits, which int() reads as well.
_PATH = re.compile(r"^([^/]+)/([^/]+)/([0-9]{4})/([0-9]{2})/([0-9]{2})/([0-9]{6})/([^/]+)$")
_TAIL = re.compile(r"^(?:-([0-9]+)(?:-([0-9]+))?)?\.tar\.gz$")
_ANY_REV = re.compile(r"-([0-9]+)(?:-[0-9]+)?\.tar\.gz$")
_DNA_LONG = re.compile(r"(?<=\d)[lL]\b")

# The stamps tarwatch accepts: from 1970-01-01 up to, not including, 3000-01-01 (UTC). Every
# consumer handles them: datetime in any time zone (a day either side stays inside years
# 1-9999), the server-drawn charts' time axes (tests/unit/publish/test_chart.py), JavaScript's
# Date, 64-bit integers in the store. A dated folder outside them is an unfit path, counted and
# noted like any other.
FIRST_YEAR, LAST_YEAR = 1970, 2999
STAMP_MIN = 0  # 1970-01-01T00:00:00Z
STAMP_END = calendar.timegm((LAST_YEAR + 1, 1, 1, 0, 0, 0))  # 3000-01-01T00:00:00Z
# A .dna sidecar is one short line ({'dig': '<32 hex>', 'size': <bytes>}); a longer text is not one.
DNA_MAX_CHARS = 1000
# Revisions and sizes are kept as signed 64-bit integers.
REVISION_MAX = SIZE_MAX = 2**63 - 1


class LayoutError(ValueError):
    """A path that does not fit the layout; the message says why."""


@dataclass(frozen=True, slots=True)
class TarballPath:
    """What a tarball's path says: its item ("repos/env"), stamp (epoch seconds, UTC) and revision
    (or None)."""

    item: str
    stamp: int
    revision: int | None

    @property
    def when(self) -> datetime:
        """The stamp as an aware datetime in UTC."""
        return datetime.fromtimestamp(self.stamp, UTC)


@dataclass(frozen=True, slots=True)
class Dna:
    """A `.dna` sidecar: the md5 digest and size in bytes the hub recorded."""

    digest: str
    size: int


def parse_tarball_path(rel: str, tz: ZoneInfo) -> TarballPath:
    """Given a path relative to the root and the backups' time zone, return what it says.

    Raise LayoutError if it is not `<cat>/<name>/YYYY/MM/DD/HHMMSS/<file>.tar.gz`."""
    m = _PATH.match(rel)
    if m is None:
        raise LayoutError("not <category>/<name>/YYYY/MM/DD/HHMMSS/<file>.tar.gz")
    cat, name, y, mo, d, hms, fname = m.groups()
    if not fname.endswith(TARBALL_SUFFIX):
        raise LayoutError("file name does not end in .tar.gz")
    stamp = folder_epoch(y, mo, d, hms, tz)
    return TarballPath(f"{cat}/{name}", stamp, revision_of(fname, name))


def revision_of(fname: str, name: str) -> int | None:
    """Given a tarball file name and its item's name, return the revision, or None.

    "env-3538.tar.gz" → 3538, "env-3538-2.tar.gz" → 3538 (the second backup that day),
    "dyb-svn-21500.tar.gz" (name "dyb-svn") → 21500, "env.tar.gz" → None. Raise LayoutError
    for a revision above REVISION_MAX."""
    if fname.startswith(name):
        m = _TAIL.match(fname[len(name) :])
        if m is not None:
            return _revision(m.group(1)) if m.group(1) else None
    m = _ANY_REV.search(fname)
    return _revision(m.group(1)) if m else None


def _revision(digits: str) -> int:
    """Given a revision's digits, return it; raise LayoutError when it does not fit the store's
    64-bit integers."""
    if len(digits.lstrip("0")) > len(str(REVISION_MAX)) or int(digits) > REVISION_MAX:
        raise LayoutError(f"revision {digits[:40]}{'…' if len(digits) > 40 else ''} does not fit in 64 bits")
    return int(digits)


def folder_epoch(y: str, mo: str, d: str, hms: str, tz: ZoneInfo) -> int:
    """Given the dated folders and the time zone they were written in, return the stamp in epoch
    seconds (UTC). The day's UTC offset is looked up once per day.

    In a daylight-saving change an ambiguous time is read as the first of the two (fold=0) and
    a time in the gap as if the clock had not moved yet. Raise LayoutError on an impossible date,
    or one outside the years tarwatch accepts (see STAMP_MIN, STAMP_END)."""
    if not FIRST_YEAR - 1 <= int(y) <= LAST_YEAR + 1:
        raise LayoutError(_out_of_range(y, mo, d))  # before datetime could overflow in a far zone
    stamp = _epoch(y, mo, d, hms, tz)
    if not STAMP_MIN <= stamp < STAMP_END:
        raise LayoutError(_out_of_range(y, mo, d))
    return stamp


def _out_of_range(y: str, mo: str, d: str) -> str:
    return f"date {y}/{mo}/{d} is outside the years tarwatch accepts ({FIRST_YEAR}–{LAST_YEAR}, UTC)"


def _epoch(y: str, mo: str, d: str, hms: str, tz: ZoneInfo) -> int:
    h, mi, s = int(hms[:2]), int(hms[2:4]), int(hms[4:])
    offset = _day_offset(y, mo, d, tz)
    if offset is None or h > 23 or mi > 59 or s > 59:
        # A day with a daylight-saving change (or a bad time): ask the time zone itself.
        try:
            local = datetime(int(y), int(mo), int(d), h, mi, s, tzinfo=tz)
        except ValueError as e:
            raise LayoutError(f"no such date or time {y}/{mo}/{d}/{hms}: {e}") from None
        return int(local.timestamp())
    return offset + h * 3600 + mi * 60 + s


@lru_cache(maxsize=16384)
def _day_offset(y: str, mo: str, d: str, tz: ZoneInfo) -> int | None:
    """Given a local date, return the epoch of its midnight when its UTC offset is the same all
    day (so that epoch + seconds since midnight is exact), None on a day the offset changes.
    Raise LayoutError for a date that does not exist."""
    try:
        start = datetime(int(y), int(mo), int(d), tzinfo=tz)
    except ValueError as e:
        raise LayoutError(f"no such date {y}/{mo}/{d}: {e}") from None
    end = start.replace(hour=23, minute=59, second=59)
    if start.utcoffset() != end.utcoffset():
        return None
    return calendar.timegm(start.timetuple()) - int(start.utcoffset().total_seconds())  # type: ignore[union-attr]


def item_of_mark(rel: str) -> str | None:
    """Given the path of a `last` link or LOCKED folder, return the item it belongs to, or None."""
    parts = rel.split("/")
    return f"{parts[0]}/{parts[1]}" if len(parts) >= 3 else None


def parse_dna(text: str) -> Dna:
    """Given a `.dna` sidecar's text, `{'dig': '<md5>', 'size': <bytes>}` (a trailing L allowed),
    return it; raise ValueError if it is anything else (a text longer than DNA_MAX_CHARS, a
    size above SIZE_MAX included)."""
    text = text.strip()
    if len(text) > DNA_MAX_CHARS:
        raise ValueError(f"not a dict literal: {len(text)} characters, {text[:80]!r}…")
    src = _DNA_LONG.sub("", text)
    try:
        value = ast.literal_eval(src)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as e:
        # TypeError: an unhashable key ("{[]: 1}"); ValueError: also an int of too many digits
        raise ValueError(f"not a dict literal: {text[:80]!r}") from e
    if not isinstance(value, dict):
        raise ValueError(f"not a dict literal: {text.strip()[:80]!r}")
    dig, size = value.get("dig"), value.get("size")
    if not isinstance(dig, str) or not re.fullmatch(r"[0-9a-fA-F]{32}", dig):
        raise ValueError(f"'dig' is not an md5 hex digest: {dig!r}")
    if not isinstance(size, int) or isinstance(size, bool) or not 0 <= size <= SIZE_MAX:
        raise ValueError(f"'size' is not a number of bytes: {size!r}")
    return Dna(dig.lower(), size)
