"""The listing under faults: numbers the store cannot keep, a find killed half way, folders it
could not read (GNU and BusyBox wording, and for real as an unprivileged user), and commands that
end with their channel (the local transport kills the whole process group)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from support.deps import need_executable
from support.listing import parse_listing
from support.tree import tarball
from tarwatch.app.progress import Quiet
from tarwatch.collect.listing import ListingParser, find_errors, listing_command
from tarwatch.collect.local import LocalTransport
from tarwatch.collect.poll import Job, _judge, poll_node
from tarwatch.collect.snapshot import snapshot
from tarwatch.collect.transport import Finished

TZ = ZoneInfo("UTC")
JOB = Job("ZZ", "SDU", "/r", TZ)
OK = "a/b/2012/01/01/000000/b.tar.gz"


def test_sizes_and_mtimes_the_store_cannot_keep_are_malformed_records_and_the_rest_is_kept():
    records = [
        f"T\t12\t1.5\t{OK}",
        f"T\t{2**63}\t1.5\ta/b/2012/01/02/000000/b.tar.gz",  # past a signed 64-bit integer
        "T\t5\tinf\ta/b/2012/01/03/000000/b.tar.gz",
        "T\t5\tnan\ta/b/2012/01/04/000000/b.tar.gz",
        "T\t5\t1e300\ta/b/2012/01/05/000000/b.tar.gz",
        "T\t-1\t1\ta/b/2012/01/06/000000/b.tar.gz",
        "K\t1e400\tLOCKED",
    ]
    lst = parse_listing(b"R\t/r\0" + b"\0".join(r.encode() for r in records) + b"\0\0E\t0\0")
    assert lst.tarballs == [(OK, 12, 1.5)]
    assert lst.malformed == 6 and lst.locked == [] and lst.complete


def test_two_names_alike_once_escaped_keep_one_and_count_the_other():
    data = (
        b"R\t/r\0T\t1\t1\ta/coll\xff/2012/01/01/000000/coll\xff.tar.gz\0"
        b"T\t2\t1\ta/coll\\xff/2012/01/01/000000/coll\\xff.tar.gz\0"
        b"L\t2012\ta/x\xff/last\0L\t2013\ta/x\\xff/last\0\0E\t0\0"
    )
    snap = snapshot(parse_listing(data), TZ)
    assert len(snap.tarballs) == 1 and len(snap.marks) == 1
    assert snap.malformed == 2 and "non-UTF-8" in snap.notes[0]


def test_a_dna_size_past_64_bits_is_a_malformed_sidecar_and_the_tarball_is_kept():
    dna = "{'dig': '" + "0" * 32 + "', 'size': 123456789012345678901234L}"
    data = f"R\t/r\0T\t1\t1\t{OK}\0C\t{OK}.dna\0{dna}\0\0E\t0\0".encode()
    snap = snapshot(parse_listing(data), TZ)
    [t] = snap.tarballs
    assert (t.digest, t.dna_size) == (None, None) and snap.malformed == 1


# -- a find killed half way -----------------------------------------------------------------


def test_a_find_killed_mid_record_is_said_killed_not_ended_early():
    # find died writing a record (SIGKILL: status 137); the shell went on and told its status.
    p = ListingParser()
    p.feed(b"R\t/r\0T\t12\t1.5\t" + OK.encode() + b"\0T\t99\t2.0\ta/b/20")
    p.feed(b"\0E\t137\0")
    out = _judge(JOB, p, Finished(0, ""), 0.1)
    assert not out.ok and out.reason == "find was killed by signal 9 (SIGKILL) while listing /r"


def test_a_listing_cut_before_its_end_still_says_ended_early():
    p = ListingParser()
    p.feed(b"R\t/r\0T\t12\t1.5\t" + OK.encode() + b"\0")
    out = _judge(JOB, p, Finished(None, "killed by signal KILL\n"), 0.1)
    assert not out.ok and out.reason == "listing ended early (no exit status): killed by signal KILL"


# -- folders find could not read ------------------------------------------------------------


def test_find_errors_reads_gnu_and_busybox_wordings_and_counts_the_rest():
    stderr = "\n".join(
        [
            "find: './nl\\nx': Permission denied",  # GNU, C locale
            "find: './b\\'q': Permission denied",
            "find: \u2018./a/x y\u2019: Permission denied",  # GNU, UTF-8 locale
            "find: ./c: Permission denied",  # BusyBox
            "find: './o\\377': Permission denied",  # not UTF-8: cannot be read back exactly
            "stat: cannot stat './gone': No such file or directory",
            "find: ‘./c’: Permission denied",  # the same folder again
        ]
    )
    assert find_errors(stderr) == (["nl\nx", "b'q", "a/x y", "c"], 2)


def test_a_listing_with_only_unreadable_folders_is_complete_elsewhere():
    lst = parse_listing(f"R\t/r\0T\t1\t1\t{OK}\0\0E\t1\0".encode())
    assert not lst.complete
    lst.note_errors("find: './a/c': Permission denied\n", cut=False)
    assert lst.complete and lst.unreadable == ["a/c"]
    lst.note_errors("find: './a/c': Permission denied\nfind: './d': Input/output error\n", cut=False)
    assert not lst.complete
    lst.note_errors("find: './a/c': Permission denied\n", cut=True)
    assert not lst.complete


@pytest.fixture
def shared_tree() -> Iterator[Path]:
    """A tree every user can enter (pytest's tmp_path is its owner's only)."""
    d = Path(tempfile.mkdtemp(prefix="tarwatch-listing-"))
    d.chmod(0o755)
    root = d / "cms02"
    tarball(root, OK, 5)
    tarball(root, "a/c/2012/01/01/000000/c.tar.gz", 6)
    tarball(root, "a/d/2012/01/01/000000/d.tar.gz", 7)
    for p in [root, *root.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    (root / "a/c/2012").chmod(0)
    try:
        yield root
    finally:
        (root / "a/c/2012").chmod(0o755)
        shutil.rmtree(d, ignore_errors=True)


def run_as_nobody(argv: list[str]) -> bytes:
    if os.geteuid() == 0:  # root reads everything: list as an unprivileged user
        argv = [need_executable("setpriv", "install util-linux"), "--reuid=nobody", "--regid=nogroup",
                "--clear-groups", "--", *argv]  # fmt: skip
    p = subprocess.run(argv, capture_output=True, stdin=subprocess.PIPE, timeout=30)
    return p.stdout + b"\0STDERR\0" + p.stderr


@pytest.mark.parametrize("shell", ["sh", "busybox"])
def test_an_unreadable_folder_is_named_by_the_real_find_of_gnu_and_busybox(shared_tree, tmp_path, shell):
    if shell == "busybox":
        bb = need_executable("busybox", "run scripts/install-system-deps.sh (Debian package busybox)")
        bin_dir = Path(tempfile.mkdtemp(prefix="tarwatch-bb-"))
        bin_dir.chmod(0o755)
        for tool in ("sh", "find", "stat", "xargs", "tr", "readlink", "mktemp", "cat", "rm"):
            (bin_dir / tool).symlink_to(bb)
        argv = ["env", f"PATH={bin_dir}", "sh", "-c", listing_command(str(shared_tree))]
    else:
        argv = ["sh", "-c", listing_command(str(shared_tree))]
    out, err = run_as_nobody(argv).split(b"\0STDERR\0")
    lst = parse_listing(out)
    lst.note_errors(err.decode(), cut=False)
    assert sorted(p for p, _, _ in lst.tarballs) == [OK, "a/d/2012/01/01/000000/d.tar.gz"]
    assert lst.unreadable == ["a/c/2012"] and lst.status == 1 and lst.complete, err


# -- commands end with their channel --------------------------------------------------------


def test_a_local_listing_past_its_timeout_is_killed_with_all_it_started(tmp_path: Path):
    root = tmp_path / "r"
    root.mkdir()
    marker = f"tarwatch-test-{os.getpid()}-{time.monotonic_ns()}"

    class Slow(LocalTransport):
        async def open(self):  # type: ignore[no-untyped-def]
            session = await super().open()
            run = session.run

            async def slow_run(command, sink):  # type: ignore[no-untyped-def]
                # a listing that never ends, and leaves a child of its own running in root
                return await run(f"cd {root} && (sleep 30; echo {marker}) & sleep 30 # {marker}", sink)

            session.run = slow_run  # type: ignore[method-assign]
            return session

    t0 = time.monotonic()
    [out] = asyncio.run(poll_node(Slow(), [Job("ZZ", "SDU", str(root), TZ)], timedelta(seconds=0.5), Quiet()))
    assert not out.ok and "did not finish within" in (out.reason or "")
    assert time.monotonic() - t0 < 5
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and _running_in(root):
        time.sleep(0.05)
    assert _running_in(root) == []


def _running_in(folder: Path) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cwd = os.readlink(entry / "cwd")
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if cwd == str(folder) and state != "Z":
                found.append(int(entry.name))
    return found


def test_a_listing_run_with_its_input_closed_lists_all_the_same(tmp_path: Path):
    root = tmp_path / "cms02"
    tarball(root, OK, 5)
    tarball(root, "a/d/2012/01/01/000000/d.tar.gz", 7)
    p = subprocess.run(["sh", "-c", f"{listing_command(str(root))} <&-"], capture_output=True, timeout=30)
    lst = parse_listing(p.stdout)
    assert lst.root == str(root) and len(lst.tarballs) == 2 and lst.status == 0
    assert p.stderr == b""
