"""The doctor's probe, run by /bin/sh on this machine through the local transport: find's kind,
md5sum, each root's state (names with a newline too), the clock; and its parser's refusals."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import timedelta

import pytest

from tarwatch.collect.local import LocalTransport
from tarwatch.collect.probe import parse_probe, probe
from tarwatch.collect.transport import NodeError


def test_the_probe_says_each_root_find_md5sum_and_the_clock(tmp_path):
    ok = tmp_path / "ok\nroot"
    ok.mkdir()
    closed = tmp_path / "closed"
    closed.mkdir(mode=0)
    roots = [str(ok), str(tmp_path / "missing"), str(closed)]
    try:
        got = asyncio.run(probe(LocalTransport(), roots, timedelta(seconds=10)))
    finally:
        closed.chmod(0o755)
    assert got.gnu_find and got.md5 == "md5sum" and got.tools == {"gzip", "tar"}
    states = [(r.root, r.state) for r in got.roots]
    unreadable = "ok" if os.geteuid() == 0 else "unreadable"  # root enters any folder
    assert states == [(roots[0], "ok"), (roots[1], "missing"), (roots[2], unreadable)]
    assert got.roots[0].path == str(ok)
    assert got.skew is not None and abs(got.skew) < 2


def test_a_cut_or_foreign_output_is_not_a_probe():
    with pytest.raises(NodeError, match="did not run the probe to its end"):
        parse_probe(b"F\tgnu\0M\tmd5sum\0", ["/a"], time.time())
    with pytest.raises(NodeError):
        parse_probe(b"Welcome to the node!\n", [], time.time())


def test_a_node_without_a_clock_or_md5sum_says_so():
    got = parse_probe(b"F\tfallback\0M\tnone\0R\tok\t/a\0", ["/a"], 0.0)
    assert (got.gnu_find, got.md5, got.skew) == (False, None, None)
    got = parse_probe(b"F\tgnu\0M\tmd5\0R\tmissing\t/a\0C\t1000\0", ["/a"], 400.0)
    assert (got.md5, got.skew, got.roots[0].state) == ("md5", 600.0, "missing")


def test_the_drills_tools_the_node_lacks_are_not_in_its_probe():
    got = parse_probe(b"F\tfallback\0M\tnone\0T\ttar\0R\tok\t/a\0C\t0\0", ["/a"], 0.0)
    assert got.tools == {"tar"} and got.md5 is None and not got.gnu_find
