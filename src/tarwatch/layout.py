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

_PATH = re.compile(r"^([^/]+)/([^/]+)/(\d{4})/(\d{2})/(\d{2})/(\d{6})/([^/]+)$")
_TAIL = re.compile(r"^(?:-(\d+)(?:-(\d+))?)?\.tar\.gz$")
_ANY_REV = re.compile(r"-(\d+)(?:-\d+)?\.tar\.gz$")
_DNA_LONG = re.compile(r"(?<=\d)[lL]\b")


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
    "dyb-svn-21500.tar.gz" (name "dyb-svn") → 21500, "env.tar.gz" → None."""
    if fname.startswith(name):
        m = _TAIL.match(fname[len(name) :])
        if m is not None:
            return int(m.group(1)) if m.group(1) else None
    m = _ANY_REV.search(fname)
    return int(m.group(1)) if m else None


def folder_epoch(y: str, mo: str, d: str, hms: str, tz: ZoneInfo) -> int:
    """Given the dated folders and the time zone they were written in, return the stamp in epoch
    seconds (UTC). The day's UTC offset is looked up once per day.

    In a daylight-saving change an ambiguous time is read as the first of the two (fold=0) and
    a time in the gap as if the clock had not moved yet. Raise LayoutError on an impossible date."""
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
    return it; raise ValueError if it is anything else."""
    src = _DNA_LONG.sub("", text.strip())
    try:
        value = ast.literal_eval(src)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as e:
        raise ValueError(f"not a dict literal: {text.strip()[:80]!r}") from e
    if not isinstance(value, dict):
        raise ValueError(f"not a dict literal: {text.strip()[:80]!r}")
    dig, size = value.get("dig"), value.get("size")
    if not isinstance(dig, str) or not re.fullmatch(r"[0-9a-fA-F]{32}", dig):
        raise ValueError(f"'dig' is not an md5 hex digest: {dig!r}")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ValueError(f"'size' is not a number of bytes: {size!r}")
    return Dna(dig.lower(), size)
