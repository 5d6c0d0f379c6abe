"""`doctor`: everything a first nightly run needs, checked without writing to the store or the
site: the configuration, the store (read-only), `publish.out`, each node (SSH, its roots, find,
md5sum, its clock: one probe per node, all nodes at once) and each hub's channels (parsed by
Apprise; with `send_test`, one test message each). Returns Checks; prints nothing."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tarwatch.checks.stale import FUTURE_SLACK
from tarwatch.collect.poll import Job
from tarwatch.collect.probe import Probe, has_agent, locked_keys, probe
from tarwatch.collect.run import plan, transport_for
from tarwatch.collect.transport import NodeError
from tarwatch.config import Config
from tarwatch.config.models import ssh_destination
from tarwatch.human import duration
from tarwatch.notify.channels import hub_channels, validate_channels
from tarwatch.notify.trial import send_test
from tarwatch.store import Store

# A node's clock this far from the hub's is a problem: its tarballs' times drift toward (and,
# at FUTURE_SLACK, past) "stamped in the future". Not a configuration key (yet).
CLOCK_SKEW = 300.0


@dataclass(frozen=True, slots=True)
class Check:
    """One thing doctor looked at: where (`hub`/`node`: None for the hub's own things or for
    the configuration, store and site), what, whether it is ready, what was found, and for a
    problem the fix."""

    what: str
    ok: bool
    said: str
    fix: str | None = None
    hub: str | None = None
    node: str | None = None


def examine(config: Config, source: str, hubs: Sequence[str], *, test_send: bool = False) -> list[Check]:
    """Given the configuration (loaded from `source`), the hubs to look at and whether to send
    test messages, return every Check: the configuration, the store, the site's folder, then
    hub by hub its nodes and its channels."""
    out = [Check("configuration", True, f"loaded from {source}")]
    out += store_checks(config.store.url)
    out.append(site_check(config.publish.out))
    jobs = plan(config, hubs)
    probes = asyncio.run(_probe_all(config, jobs))
    for hub in hubs:
        for node in config.hub_nodes(hub):
            mine = [j for j in jobs[node] if j.hub == hub]
            out += node_checks(config, node, mine, probes[node])
        out += channel_checks(config, hub, test_send)
    return out


def store_checks(url: str) -> list[Check]:
    """Given the store's URL, return what it is, looked at read-only."""
    s = Store.inspect(url)
    if s.problem:
        return [
            Check("store", False, s.problem, "check store.url, and that the database is up and reachable")
        ]
    out: list[Check] = []
    if not s.exists:
        out.append(
            Check("store", True, f"{s.where}: not there yet; the first run creates it (schema {s.head})")
        )
    elif s.current:
        out.append(Check("store", True, f"{s.where}: schema {s.revision}, current"))
    elif s.revision is not None and s.revision < s.head:
        out.append(
            Check(
                "store",
                True,
                f"{s.where}: schema {s.revision}; the next run migrates it to {s.head}"
                " (an SQLite store is copied first)",
            )
        )
    else:
        out.append(
            Check(
                "store",
                False,
                f"{s.where}: schema {s.revision}, newer than this tarwatch knows ({s.head})",
                "upgrade tarwatch",
            )
        )
    if s.writable is False:
        out.append(
            Check(
                "store",
                False,
                f"{s.where}: tarwatch cannot write there",
                "run tarwatch as the store's owner, or give that user write permission (file and folder)",
            )
        )
    return out


def site_check(out: Path) -> Check:
    """Given `publish.out`, say whether the site can be written there (nothing is written)."""
    if out.exists():
        if not out.is_dir():
            return Check("publish.out", False, f"{out} is not a folder", "point publish.out at a folder")
        if os.access(out, os.W_OK | os.X_OK):
            return Check("publish.out", True, f"{out}: writable")
        return Check(
            "publish.out",
            False,
            f"{out}: not writable",
            "give the user running tarwatch write permission on it",
        )
    parent = next((p for p in out.parents if p.exists()), Path("/"))
    if parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
        return Check("publish.out", True, f"{out}: not there yet; publish creates it (in {parent})")
    return Check(
        "publish.out",
        False,
        f"{out}: cannot be created ({parent} is not writable)",
        f"create {out} for the user running tarwatch, or point publish.out elsewhere",
    )


async def _probe_all(config: Config, jobs: dict[str, list[Job]]) -> dict[str, Probe | NodeError]:
    async def one(node: str, js: list[Job]) -> Probe | NodeError:
        roots = list(dict.fromkeys(j.root for j in js))
        try:
            return await probe(transport_for(config, node), roots, config.node_timeout(node))
        except NodeError as e:
            return e

    got = await asyncio.gather(*(one(n, js) for n, js in jobs.items()))
    return dict(zip(jobs, got, strict=True))


def node_checks(config: Config, node: str, jobs: list[Job], got: Probe | NodeError) -> list[Check]:
    """Given a node, its listings for one hub and what its probe found, return its Checks."""
    hub = jobs[0].hub

    def check(what: str, ok: bool, said: str, fix: str | None = None) -> Check:
        return Check(what, ok, said, fix, hub, node)

    n = config.nodes[node]
    if isinstance(got, NodeError):
        return [check("connection", False, *_connection_problem(config, node, str(got)))]
    if n.transport == "local":
        out = [check("connection", True, "local folder (no SSH)")]
    else:
        host, port, user = ssh_destination(node, n)
        where = f"{user + '@' if user else ''}{host}{f':{port}' if port else ''}"
        out = [check("connection", True, f"SSH to {where}: host key known, key accepted")]
    by_root = {r.root: r for r in got.roots}
    for j in jobs:
        r = by_root[j.root]
        if r.state == "ok":
            out.append(check("root", True, f"{r.path}: readable"))
        elif r.state == "unreadable":
            out.append(
                check(
                    "root",
                    False,
                    f"{r.path}: cannot be entered or read",
                    "give the login user read and execute permission on it (and on the folders above)",
                )
            )
        else:
            out.append(
                check(
                    "root",
                    False,
                    f"{r.path or j.root}: no such folder",
                    f"create it, or correct root in [nodes.{node}] (it is {j.root!r})",
                )
            )
    if got.gnu_find:
        out.append(check("find", True, "find has -printf (GNU): one walk per root"))
    else:
        out.append(check("find", True, "find has no -printf: the stat fallback (BusyBox/BSD) will be used"))
    if any(j.verify_md5 for j in jobs):
        if got.md5:
            out.append(check("md5", True, f'{got.md5} present (verify = "md5")'))
        else:
            out.append(
                check(
                    "md5",
                    False,
                    'verify = "md5" but the node has neither md5sum nor md5 on its PATH',
                    'install md5sum (coreutils) on the node, or set verify = "size"',
                )
            )
    methods = sorted({m for j in jobs for m in (j.drill, *(m for _, m in j.drill_items)) if m})
    for m in methods:
        if m in got.tools:
            out.append(check("drill", True, f'{m} present (verify = "{m}")'))
        else:
            out.append(
                check(
                    "drill",
                    False,
                    f'verify = "{m}" but the node has no {m} on its PATH: its restore drills would fail',
                    f'install {m} on the node, or set verify = "size" for its items',
                )
            )
    out.append(_clock(got.skew, hub, node))
    return out


def _clock(skew: float | None, hub: str, node: str) -> Check:
    if skew is None:
        return Check(
            "clock", False, "the node did not say its time (date +%s)", "install date on the node", hub, node
        )
    ahead = "ahead of" if skew > 0 else "behind"
    said = f"{duration(abs(skew))} {ahead} the hub's" if abs(skew) >= 1 else "agrees with the hub's"
    if abs(skew) <= CLOCK_SKEW:
        return Check("clock", True, said, None, hub, node)
    return Check(
        "clock",
        False,
        f"{said} (more than {duration(CLOCK_SKEW)}; at {duration(FUTURE_SLACK)} its tarballs are "
        '"stamped in the future")',
        "synchronise the clocks (systemd-timesyncd or chrony on the node and the hub)",
        hub,
        node,
    )


def _connection_problem(config: Config, node: str, reason: str) -> tuple[str, str]:
    """Given a node and why it could not be probed, return (what was found, the fix)."""
    marker = "Check the key, then add it: "
    if marker in reason:
        said, line = reason.split(marker, 1)
        return said.rstrip(". "), f"check the key with the node's admin, then run: {line}"
    if "authentication failed" in reason:
        locked = locked_keys()
        if locked and not has_agent():
            keys = ", ".join(str(k) for k in locked)
            return (
                f"{reason}; {keys} is protected by a passphrase and no ssh-agent runs",
                f"start an agent and add the key (eval $(ssh-agent) && ssh-add {locked[0]}), "
                "or give the nightly run a key without a passphrase",
            )
        return reason, "add the hub's public key to the node's ~/.ssh/authorized_keys (ssh-copy-id)"
    if "CHANGED" in reason:
        return reason, "ask the node's admin for its new key before replacing the old one in known_hosts"
    if "refused" in reason:
        return reason, f"start sshd on the node, or correct host and port in [nodes.{node}]"
    return reason, f"check host, port and user in [nodes.{node}], then try `ssh` to it by hand"


def channel_checks(config: Config, hub: str, test_send: bool) -> list[Check]:
    """Given a hub, return a Check per channel: understood by Apprise (a channel it cannot use
    is named by its key), and with `test_send` whether a test message was accepted."""
    refused = validate_channels(config, [hub])
    out = [
        Check("channel", False, f"{p.key} = {p.label}: {p.problem}", "correct the URL", hub) for p in refused
    ]
    bad = {p.label for p in refused}
    for channel in hub_channels(config, hub):
        if channel.label in bad:
            continue
        if not test_send:
            out.append(Check("channel", True, f"{channel.label}: understood by Apprise", None, hub))
        elif (failed := send_test(channel, hub)) is None:
            out.append(Check("channel", True, f"{channel.label}: test message sent (accepted)", None, hub))
        else:
            fix = "check the server, port and credentials in the URL ([notify.mail] for email)"
            out.append(Check("channel", False, f"{channel.label}: test message NOT sent: {failed}", fix, hub))
    if not out:
        out.append(Check("channel", True, "no channels: problems are only shown, never sent", None, hub))
    return out
