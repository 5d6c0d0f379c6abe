"""The remote listing: the one shell command run per (node, hub root), and its parser.

The command is `sh -c SCRIPT sh ROOT`. ROOT is the only part the node's login shell expands
(its `$VARS`); everything else is shell-quoted. SCRIPT probes once whether `find` has
`-printf` (GNU) and falls back to batched `stat` (busybox, BSD) when it has not. Its output is
a stream of NUL-terminated records, because file names may hold newlines and tabs:

    F <tab> status <tab> output             `df -P -k .` under the root, first (its output's
                                            newlines kept; not part of the listing's digest)
    R <tab> <absolute root>                 the root, as the node resolved it
    T <tab> size <tab> mtime <tab> path     a tarball (path relative to the root)
    t <sp> size <sp> mtime <sp> ./path      a tarball, from the stat fallback
    D <tab> size <tab> mtime <tab> path     a .dna sidecar (its content follows in a C record)
    K <tab> mtime <tab> path                a LOCKED folder (k <sp> mtime <sp> ./path: fallback)
    L <tab> target <tab> path               a `last` link
    C <tab> path, then <content>            the first line of a .dna sidecar (two fields)
    E <tab> status                          the listing ended; find's exit status (a NUL
                                            before it ends any record a killed find cut)
    X <tab> message                         the root is not there, or cannot be entered

Every command is guarded: it runs only while its standard input stays open. When tarwatch gives
up on it (a timeout, a cancel, a lost connection), the channel closes, a watchdog of the command
reads the end of its input and kills the command's process group, so nothing is left running
on the node.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from dataclasses import dataclass, field

from tarwatch.config.models import SHELL_VAR
from tarwatch.records import Disk

# GNU find: one process and one walk of the whole tree; the .dna sidecars it meets are noted in
# a temporary file (-fprint0) and read afterwards by one shell loop, without a second walk.
_DNA_LOOP = 'for f do l=; IFS= read -r l < "$f"; printf "C\\t%s\\000%s\\000" "${f#./}" "$l"; done'
_GNU_FIND = (
    "find . \\( -name LOCKED -type d -printf 'K\\t%T@\\t%P\\0' -prune \\)"
    " -o \\( -name '*.tar.gz' -type f -printf 'T\\t%s\\t%T@\\t%P\\0' \\)"
    " -o \\( -name '*.tar.gz.dna' -type f -printf 'D\\t%s\\t%T@\\t%P\\0' DNA_NOTE \\)"
    " -o \\( -name last -type l -printf 'L\\t%l\\t%P\\0' \\); s=$?"
)
# find without -printf (busybox, BSD): batched stat, a handful of processes per tree. BusyBox's
# find runs no `-exec … {} +` inside `\( … \)`, so the walk has no groups; find's own exit status
# is carried out of the pipe to tr through fd 6.
_FALLBACK = (
    "if stat -c %s . >/dev/null 2>&1; then st='stat -c'; ft='t %s %Y %n'; fk='k %Y %n';"
    " else st='stat -f'; ft='t %z %m %N'; fk='k %m %N'; fi; exec 5>&1;"
    ' s=$( { { find . -name LOCKED -type d -prune -exec $st "$fk" {} +'
    " -o -name '*.tar.gz' -type f -exec $st \"$ft\" {} +"
    " -o -name last -type l -exec sh -c"
    ' \'for f do printf "L\\t%s\\t%s\\000" "$(readlink "$f")" "${f#./}"; done\' sh {} +'
    " || echo $? >&6; } | tr '\\n' '\\000' >&5; } 6>&1 ); s=${s:-0}"
)
# A second walk for the sidecars, where the first could not note them.
_DNA = (
    "find . -name LOCKED -prune -o -name '*.tar.gz.dna' -type f -size -4k -exec sh -c '"
    + _DNA_LOOP
    + "' sh {} +"
)
_GNU = (
    "if t=$(mktemp 2>/dev/null); then "
    + _GNU_FIND.replace("DNA_NOTE", '-size -4k -fprint0 "$t"')
    + "; xargs -0 -r sh -c '" + _DNA_LOOP + "' sh < \"$t\"; rm -f -- \"$t\";"
    + " else " + _GNU_FIND.replace(" DNA_NOTE", "") + "; " + _DNA + "; fi"
)  # fmt: skip
# The disk under the root, in the same command: df's status and its output as one record (a df
# that fails or is missing says so there; the listing goes on).
_DF = 'd=$(df -P -k . 2>&1); printf \'F\\t%s\\t%s\\000\' "$?" "$d";'
# The guard: the command's input is the channel; when it ends, the whole process group dies.
# `kill -9 -$$` signals only a group that the command's shell leads (sshd and the local
# transport start each command as one): run by hand, it never reaches anything else. Without
# an input to watch (stdin closed), there is no guard.
GUARD = (
    "g=; if { command exec 3<&0; } 2>/dev/null; then"
    " ( while read -r _ <&3; do :; done; kill -9 -$$ ) >/dev/null 2>&1 & g=$!; fi; exec </dev/null; "
)
UNGUARD = ' kill "$g" 2>/dev/null || :'
SCRIPT = (
    GUARD + 'if cd -- "$1" 2>/dev/null; then ' + _DF + ' printf \'R\\t%s\\000\' "$PWD";'
    " if find . -maxdepth 0 -printf '' >/dev/null 2>&1; then " + _GNU
    + "; else " + _FALLBACK + "; " + _DNA + "; fi;"
    " printf '\\000E\\t%s\\000' \"$s\";"
    " elif [ -d \"$1\" ]; then printf 'X\\t%s\\000' \"cannot enter folder: $1 (permission denied)\";"
    " else printf 'X\\t%s\\000' \"no such folder: $1\"; fi;" + UNGUARD
)  # fmt: skip


def root_argument(root: str) -> str:
    """Given a root such as "$SCM_FOLD/backup/dayabay", return it as a shell word in which only
    the `$VARS` (and a leading `~/`) are left for the node's shell to expand; all else is quoted."""
    out: list[str] = []
    if root == "~" or root.startswith("~/"):
        out.append('"$HOME"')
        root = root[1:]
    pos = 0
    for m in SHELL_VAR.finditer(root):
        if m.start() > pos:
            out.append(shlex.quote(root[pos : m.start()]))
        out.append('"${%s}"' % (m.group(1) or m.group(2)))
        pos = m.end()
    if pos < len(root) or not out:
        out.append(shlex.quote(root[pos:]))
    return "".join(out)


def listing_command(root: str) -> str:
    """Given a node's root for one hub, return the one command that lists it."""
    # exec: the node's login shell becomes this sh, which so leads the session's process group
    # (sshd starts each session as one), the group its guard kills.
    return f"exec sh -c {shlex.quote(SCRIPT)} sh {root_argument(root)}"


@dataclass(slots=True)
class Listing:
    """What one listing returned, parsed; paths are relative to `root`."""

    root: str | None = None
    tarballs: list[tuple[str, int, float]] = field(default_factory=list)  # path, size, mtime
    dna: dict[str, str] = field(default_factory=dict)  # path of the .dna → first line
    locked: list[tuple[str, float]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # path, target
    status: int | None = None  # find's exit status; None: the listing did not finish
    missing_root: str | None = None
    malformed: int = 0
    malformed_samples: list[str] = field(default_factory=list)
    digest: str = ""  # of the raw stream: the same bytes, the same listing
    # Folders find could not read (relative to the root, "." for the root itself), from its
    # errors; `explained`: every error find reported was one of those.
    unreadable: list[str] = field(default_factory=list)
    explained: bool = False
    # The disk under the root (df); None with `disk_note` saying why (a df that failed).
    disk: Disk | None = None
    disk_note: str | None = None

    @property
    def complete(self) -> bool:
        """True when the listing ran to its end and reached everything but the `unreadable`
        folders, so that absence elsewhere means gone."""
        return self.status == 0 or (self.status == 1 and self.explained and bool(self.unreadable))

    def note_errors(self, stderr: str, cut: bool) -> None:
        """Given what the listing wrote to stderr (and whether it was cut short), note the
        folders find could not read, and whether they explain every error."""
        self.unreadable, others = find_errors(stderr)
        self.explained = not others and not cut


class ListingParser:
    """Parse the listing stream incrementally: feed() bytes as they arrive, then close()."""

    def __init__(self) -> None:
        self.listing = Listing()
        self._buf = b""
        self._pending_c: str | None = None
        self._hash = hashlib.blake2b(digest_size=16)
        self._lead: bytes | None = b""  # the stream until its first record ends

    def feed(self, chunk: bytes) -> None:
        """Given the next bytes of the stream, parse every complete record in it."""
        self._digest(chunk)
        buf = self._buf + chunk if self._buf else chunk
        *records, self._buf = buf.split(b"\0")
        tarballs = self.listing.tarballs
        for raw in records:
            # The tarball records, nearly all of the stream, on a path of their own; whatever
            # it does not take (a value out of range, a malformed record) goes the long way.
            if raw[:2] == b"T\t" and self._pending_c is None:
                parts = raw.split(b"\t", 3)
                if len(parts) == 4:
                    try:
                        size, mtime = int(parts[1]), float(parts[2])
                    except ValueError:
                        size, mtime = -1, 0.0
                    if 0 <= size <= MAX_INT and MIN_MTIME <= mtime <= MAX_MTIME:
                        tarballs.append((parts[3].decode("utf-8", "backslashreplace"), size, mtime))
                        continue
            self._record(raw)

    def _digest(self, chunk: bytes) -> None:
        """Hash the stream but its leading df record: free space changes every night, the
        listing's digest must not."""
        if self._lead is None:
            self._hash.update(chunk)
            return
        self._lead += chunk
        end = self._lead.find(b"\0")
        if end >= 0:
            head, rest, self._lead = self._lead[: end + 1], self._lead[end + 1 :], None
            if not head.startswith(b"F\t"):
                self._hash.update(head)
            self._hash.update(rest)

    def close(self) -> Listing:
        """Return the listing; a trailing partial record counts as malformed."""
        if self._lead:
            self._hash.update(self._lead)
        self._lead = None
        if self._buf:
            self._bad(self._buf, "truncated record")
            self._buf = b""
        self.listing.digest = self._hash.hexdigest()
        return self.listing

    def _record(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "backslashreplace")
        lst = self.listing
        if self._pending_c is not None:
            lst.dna[self._pending_c] = text
            self._pending_c = None
            return
        tag = text[:1]
        try:
            if tag == "T":
                _, size, mtime, path = text.split("\t", 3)
                lst.tarballs.append((path, _size(size), _mtime(mtime)))
            elif tag == "t":
                _, size, mtime, path = text.split(" ", 3)
                lst.tarballs.append((_strip_dot(path), _size(size), _mtime(mtime)))
            elif tag == "D":
                # The sidecar itself: its content follows in a C record; only its form is checked.
                _, size, mtime, _path = text.split("\t", 3)
                _size(size), _mtime(mtime)
            elif tag == "C":
                self._pending_c = text.split("\t", 1)[1]
            elif tag == "K":
                _, mtime, path = text.split("\t", 2)
                lst.locked.append((path, _mtime(mtime)))
            elif tag == "k":
                _, mtime, path = text.split(" ", 2)
                lst.locked.append((_strip_dot(path), _mtime(mtime)))
            elif tag == "L":
                _, target, path = text.split("\t", 2)
                lst.links.append((path, target))
            elif tag == "F":
                _, status, out = text.split("\t", 2)
                lst.disk, lst.disk_note = parse_df(int(status), out)
            elif tag == "R":
                lst.root = text.split("\t", 1)[1]
            elif tag == "E":
                lst.status = int(text.split("\t", 1)[1])
            elif tag == "X":
                lst.missing_root = text.split("\t", 1)[1]
            elif text:
                self._bad(raw, "unknown record")
        except (ValueError, IndexError):
            self._bad(raw, "malformed record")

    def _bad(self, raw: bytes, why: str) -> None:
        self.listing.malformed += 1
        if len(self.listing.malformed_samples) < 5:
            self.listing.malformed_samples.append(f"{why}: {raw[:200]!r}")


# What the store can keep: a size in a signed 64-bit integer, an mtime within years 1 to 9999.
MAX_INT = 2**63 - 1
MIN_MTIME, MAX_MTIME = -62135596800.0, 253402300799.0


def _size(text: str) -> int:
    n = int(text)
    if not 0 <= n <= MAX_INT:
        raise ValueError(f"size {text} out of range")
    return n


def _mtime(text: str) -> float:
    t = float(text)
    if not MIN_MTIME <= t <= MAX_MTIME:  # also false for nan
        raise ValueError(f"mtime {text} out of range")
    return t


_BLOCKS = re.compile(r"(\d+)-blocks")
_PERCENT = re.compile(r"^(\d+%|-)$")


def parse_df(status: int, output: str) -> tuple[Disk | None, str | None]:
    """Given `df -P -k`'s exit status and output (GNU, BusyBox, BSD), return the disk it shows
    (bytes) and None, or None and why not. Defensive: the header's block size is used when it
    has one; a long filesystem name wrapped onto a line of its own (a df without -P) is joined
    to the figures after it; the figures are the first run of three numbers and a percentage
    after the name, so a mount point may hold spaces."""
    lines = [line for line in output.splitlines() if line.strip()]
    first = " ".join(lines[0].split())[:200] if lines else "no output"
    if status != 0:
        return None, f"df failed (exit status {status}): {first}"
    block = 1024
    if lines and lines[0].startswith("Filesystem"):
        m = _BLOCKS.search(lines[0])
        block = int(m.group(1)) if m else block
        lines = lines[1:]
    words = " ".join(lines).split()
    for i in range(1, len(words) - 3):
        total, used, free, pct = words[i : i + 4]
        if total.isdigit() and used.isdigit() and free.isdigit() and _PERCENT.match(pct):
            try:
                figures = [_size(str(int(n) * block)) for n in (total, used, free)]
            except ValueError:
                break
            mount = " ".join(words[i + 4 :]) or "?"
            return Disk(" ".join(words[:i]), mount, *figures), None
    return None, f"df printed no figures: {first}"


_DENIED = re.compile(r"^find: (.*): Permission denied$")
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|(.))", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def find_errors(stderr: str) -> tuple[list[str], int]:
    """Given find's stderr, return the folders it could not read, relative to the root ("."
    for the root itself), and how many other error lines there were. GNU find quotes the path
    ('./a' or ‘./a’, with C escapes), BusyBox prints it as it is; a path that cannot be read
    back exactly counts as another error."""
    unreadable: list[str] = []
    others = 0
    for line in stderr.splitlines():
        if not line.strip():
            continue
        m = _DENIED.match(line)
        path = _unquote(m.group(1)) if m else None
        if path is None or not (path == "." or path.startswith("./")):
            others += 1
            continue
        rel = "." if path == "." else path[2:]
        if rel not in unreadable:
            unreadable.append(rel)
    return unreadable, others


def _unquote(text: str) -> str | None:
    if len(text) >= 2 and (text[0], text[-1]) in (("'", "'"), ("\u2018", "\u2019")):
        inner = text[1:-1]
        ok = True

        def one(m: re.Match[str]) -> str:
            nonlocal ok
            if m.group(1):
                ok = False  # an octal escape: bytes that are not UTF-8; not read back exactly
                return ""
            c = m.group(2)
            return _ESCAPES.get(c, c if c in "'\"\\ " else "\0")

        out = _ESCAPE.sub(one, inner)
        return out if ok and "\0" not in out else None
    return text


def _strip_dot(path: str) -> str:
    return path[2:] if path.startswith("./") else path


_NOT_UTF8 = re.compile(r"\\x([89a-f][0-9a-f])")  # how the listing wrote a byte that is not UTF-8


def node_word(name: str) -> str:
    """Given a name as the listing stored it (a byte that is not UTF-8 written `\\xNN`), return
    a shell word that gives the node's shell the name's own bytes: each such byte is made on the
    node by printf, so the command itself stays UTF-8."""
    parts = _NOT_UTF8.split(name)
    words = [
        shlex.quote(p) if k % 2 == 0 else f"\"$(printf '\\{int(p, 16):03o}')\""
        for k, p in enumerate(parts)
        if p
    ]
    return "".join(words) or "''"


def md5_command(root: str, rels: list[str]) -> str:
    """Given a root and paths relative to it, return the one command that hashes them all
    (md5sum, or BSD's `md5 -r`), printing "<hex>  <path>" lines."""
    files = " ".join(node_word(r) for r in rels)
    script = (
        GUARD + 'cd -- "$1" || exit 3; shift; '
        'if command -v md5sum >/dev/null 2>&1; then md5sum -- "$@"; else md5 -r -- "$@"; fi;'
        " s=$?;" + UNGUARD + '; exit "$s"'
    )
    return f"exec sh -c {shlex.quote(script)} sh {root_argument(root)} {files}"


_MD5_ESCAPES = {b"n": b"\n", b"r": b"\r"}  # what GNU md5sum writes for a newline, a carriage return


def parse_md5(out: bytes) -> dict[str, str]:
    """Given md5sum's output, return path → md5, each path written as the listing writes it (a
    byte that is not UTF-8 as `\\xNN`). GNU md5sum escapes a name holding a newline or backslash
    with a leading backslash; that is undone on the bytes, before they are decoded."""
    result = {}
    for raw in out.split(b"\n"):
        escaped = raw.startswith(b"\\")
        line = raw[1:] if escaped else raw
        m = re.match(rb"^([0-9a-fA-F]{32}) [ *]?(.*)$", line, re.DOTALL)
        if not m:
            continue
        path = m.group(2)
        if escaped:
            path = re.sub(
                rb"\\(.)", lambda e: b"\n" if e.group(1) == b"n" else e.group(1), path, flags=re.DOTALL
            )
        result[path.decode("utf-8", "backslashreplace")] = m.group(1).decode("ascii").lower()
    return result
