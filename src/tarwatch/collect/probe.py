"""The doctor's probe: one shell command per node that says, without listing anything, how a
nightly listing would go there: whether `find` has `-printf` (GNU) or the stat fallback will be
used (BusyBox, BSD), whether md5sum (or BSD's md5) is there, whether each root can be entered
and read, and the node's clock (`date +%s`), all in the same round trip. Its output is
NUL-terminated records (a root may hold a newline):

    F <tab> gnu|fallback        find's kind
    M <tab> md5sum|md5|none     the hashing tool
    T <tab> gzip|tar            a restore drill's tool on its PATH (one record each)
    R <tab> ok|unreadable|missing <tab> root    one per root, in the order given (ok: as resolved)
    C <tab> seconds             the node's clock
"""

from __future__ import annotations

import asyncio
import os
import shlex
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from tarwatch.collect.listing import GUARD, root_argument
from tarwatch.collect.transport import NodeError, Transport

SCRIPT = (
    GUARD + "if find . -maxdepth 0 -printf '' >/dev/null 2>&1; then f=gnu; else f=fallback; fi;"
    " if command -v md5sum >/dev/null 2>&1; then m=md5sum;"
    " elif command -v md5 >/dev/null 2>&1; then m=md5; else m=none; fi;"
    " printf 'F\\t%s\\000M\\t%s\\000' \"$f\" \"$m\";"
    " for t in gzip tar; do command -v \"$t\" >/dev/null 2>&1 && printf 'T\\t%s\\000' \"$t\"; done;"
    ' for r do ( if cd -- "$r" 2>/dev/null && [ -r . ]; then printf \'R\\tok\\t%s\\000\' "$PWD";'
    " elif [ -d \"$r\" ]; then printf 'R\\tunreadable\\t%s\\000' \"$r\";"
    " else printf 'R\\tmissing\\t%s\\000' \"$r\"; fi ); done;"
    " printf 'C\\t%s\\000' \"$(date +%s)\";"
    ' kill "$g" 2>/dev/null || :'
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class RootState:
    """One root as the node sees it: `state` is ok, unreadable or missing; `path` is the folder
    the node resolved (ok) or the root as expanded by its shell."""

    root: str
    state: str
    path: str


@dataclass(frozen=True, slots=True)
class Probe:
    """What a node said: find's kind, its hashing tool (None: neither md5sum nor md5), each root,
    and its clock minus the hub's in seconds (None: it printed no clock)."""

    gnu_find: bool
    md5: str | None
    roots: list[RootState]
    skew: float | None
    tools: frozenset[str] = frozenset()  # of the restore drills' tools (gzip, tar), those on its PATH


def probe_command(roots: list[str]) -> str:
    """Given the roots to look at, return the one command that probes a node."""
    words = " ".join(root_argument(r) for r in roots)
    return f"exec sh -c {shlex.quote(SCRIPT)} sh {words}".rstrip()


def parse_probe(out: bytes, roots: list[str], hub_clock: float) -> Probe:
    """Given the probe's output, the roots asked for and the hub's clock when the node answered,
    return the Probe; raise NodeError when the output is not a probe's."""
    fields: dict[str, str] = {}
    states: list[RootState] = []
    tools: set[str] = set()
    for raw in out.split(b"\0"):
        if not raw:
            continue
        kind, _, rest = raw.decode("utf-8", "backslashreplace").partition("\t")
        if kind == "T":
            tools.add(rest)
        elif kind == "R" and len(states) < len(roots):
            state, _, path = rest.partition("\t")
            states.append(RootState(roots[len(states)], state, path))
        else:
            fields[kind] = rest
    if "F" not in fields or len(states) != len(roots):
        raise NodeError("the node's shell did not run the probe to its end (is its login shell sh-like?)")
    md5 = fields.get("M", "none")
    try:
        skew: float | None = int(fields["C"]) - hub_clock
    except (KeyError, ValueError):
        skew = None
    return Probe(fields["F"] == "gnu", None if md5 == "none" else md5, states, skew, frozenset(tools))


async def probe(transport: Transport, roots: list[str], timeout: timedelta) -> Probe:
    """Given a node's transport and the roots it holds, connect, run the probe and return what
    the node said; raise NodeError (the reason a person can act on) when it cannot."""
    secs = timeout.total_seconds()
    try:
        async with asyncio.timeout(secs):
            session = await transport.open()
    except TimeoutError:
        raise NodeError(f"no SSH answer within {secs:g} s (connection timed out)") from None
    out = bytearray()
    try:
        t0 = time.time()
        async with asyncio.timeout(secs):
            fin = await session.run(probe_command(roots), out.extend)
        t1 = time.time()
    except TimeoutError:
        raise NodeError(f"the probe did not finish within {secs:g} s") from None
    finally:
        await session.close()
    if fin.status != 0:
        raise NodeError(f"the probe failed (exit status {fin.status}): {fin.stderr.strip()[:200]}")
    return parse_probe(bytes(out), roots, (t0 + t1) / 2)


IDENTITIES = ("id_ed25519", "id_ecdsa", "id_rsa", "id_ed448", "id_dsa")


def locked_keys() -> list[Path]:
    """Return the default identity files (~/.ssh/id_*) that are protected by a passphrase: a
    nightly run without an ssh-agent cannot use them (nothing may prompt)."""
    import asyncssh

    found = []
    for name in IDENTITIES:
        path = Path(os.path.expanduser("~/.ssh")) / name
        if not path.is_file():
            continue
        try:
            asyncssh.read_private_key(path)
        except asyncssh.KeyEncryptionError:
            found.append(path)
        except (asyncssh.KeyImportError, OSError) as e:
            if "passphrase" in str(e).lower():
                found.append(path)
    return found


def has_agent() -> bool:
    """True when an ssh-agent is reachable (SSH_AUTH_SOCK names a socket)."""
    sock = os.environ.get("SSH_AUTH_SOCK")
    return bool(sock) and os.path.exists(sock or "")
