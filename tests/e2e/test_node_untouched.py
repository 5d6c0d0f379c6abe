"""What tarwatch runs on a node only reads: after a collect with `verify = "md5"` over a real
sshd, every file, folder, link and sidecar of the node's tree is as it was (content, size,
mode, owner, mtime and ctime: a chmod or a touch would show), and the one temporary file the
GNU listing notes its sidecars in is gone from the node's TMPDIR. With GNU find and with
Debian's BusyBox as the node's whole userland; and with `verify = "gzip"` (restore drills:
`gzip -t` of each item's newest tarball) the same."""

from __future__ import annotations

import gzip
import hashlib
import os
import sqlite3
from pathlib import Path

import pytest

from support.cli import tarwatch
from support.tree import seed_tree, tarball

from .test_faults_collect import busybox_path, env_of, write_config

pytestmark = pytest.mark.e2e

DNA = "{'dig': '%s', 'size': %d}"


def state_of(root: Path) -> dict[str, tuple[object, ...]]:
    """Everything a write would change, per entry below root (atime left out: reading moves it)."""
    out: dict[str, tuple[object, ...]] = {}
    for p in [root, *sorted(root.rglob("*"))]:
        st = p.lstat()
        digest = hashlib.md5(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else None
        target = os.readlink(p) if p.is_symlink() else None
        out[str(p.relative_to(root))] = (
            st.st_mode, st.st_uid, st.st_gid, st.st_size, st.st_mtime_ns, st.st_ctime_ns, digest, target
        )  # fmt: skip
    return out


@pytest.mark.parametrize(("userland", "verify"), [("gnu", "md5"), ("busybox", "md5"), ("gnu", "gzip")])
def test_a_collect_with_md5_or_drills_leaves_the_nodes_tree_as_it_was(ssh_lab, tmp_path, userland, verify):
    fold = tmp_path / "fold"
    root = fold / "backup" / "cms02"
    seed_tree(root)
    body = b"\0" * 4096 if verify == "md5" else gzip.compress(b"\0" * 4096, mtime=0)
    p = tarball(root, "repos/env/2012/08/05/010000/env-3600.tar.gz", len(body))
    p.write_bytes(body)
    Path(f"{p}.dna").write_text(DNA % (hashlib.md5(body).hexdigest(), len(body)))
    (root / "LOCKED").mkdir()
    scratch = tmp_path / "node-tmp"
    scratch.mkdir()
    env = {"SCM_FOLD": str(fold), "TMPDIR": str(scratch)}
    if userland == "busybox":
        env["PATH"] = busybox_path(tmp_path / "bb-bin")
    ssh_lab.add_node("n", env=env)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"n": ""}, f'verify = "{verify}"')
    before = state_of(root)

    r = tarwatch("--config", str(config), "collect", env=env_of(ssh_lab, tmp_path))

    assert r.code == 0, r.out + r.err
    assert "7 tarballs" in r.out, r.out
    db = sqlite3.connect(tmp_path / "tw.db")
    if verify == "md5":
        hashed = db.execute("SELECT md5 FROM tarballs WHERE path LIKE '%/env-3600.tar.gz'")
        assert hashed.fetchone() == (hashlib.md5(body).hexdigest(),)  # md5sum did run on the node
    else:  # gzip -t did run on the node: the good one passed (the seed's empty ones fail)
        drilled = db.execute("SELECT ok FROM drills WHERE path LIKE '%/env-3600.tar.gz'")
        assert drilled.fetchone() == (1,)
    assert state_of(root) == before
    assert list(scratch.iterdir()) == []
