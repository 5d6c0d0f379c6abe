"""`df` in the listing's one command on real sshd nodes: a GNU node and a node whose whole
userland is Debian's BusyBox both give the disk under their root (as the kernel counts it), kept
per poll; a node without df still lists, its disk figures missing with a warning."""

from __future__ import annotations

import os

import pytest

from e2e.test_faults_collect import BUSYBOX_TOOLS, busybox_path, env_of, lines_by_node, write_config
from e2e.test_metrics import check_metrics
from support.cli import tarwatch
from support.tree import seed_tree
from tarwatch.store import Store
from unit.cli.test_capacity_output import NOW, make_world

pytestmark = pytest.mark.e2e


def test_gnu_and_busybox_df_give_the_disk_under_the_root_and_a_missing_df_only_a_warning(ssh_lab, tmp_path):
    folds = {}
    for name in ("gnu", "bb", "nodf"):
        folds[name] = tmp_path / f"fold-{name}"
        seed_tree(folds[name] / "backup" / "cms02")
    ssh_lab.add_node("gnu", env={"SCM_FOLD": str(folds["gnu"])})
    ssh_lab.add_node(
        "bb",
        env={"SCM_FOLD": str(folds["bb"]), "PATH": busybox_path(tmp_path / "bb", (*BUSYBOX_TOOLS, "df"))},
    )
    ssh_lab.add_node("nodf", env={"SCM_FOLD": str(folds["nodf"]), "PATH": busybox_path(tmp_path / "nd")})
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"gnu": "", "bb": "", "nodf": ""})

    for _ in range(2):
        r = tarwatch("--config", str(config), "collect", env=env)
        assert r.code == 0, r.err
    lines = lines_by_node(r.out)
    assert "6 tarballs" in lines["nodf"] and "with warnings" in lines["nodf"], r.out
    assert "with warnings" not in lines["gnu"] and "with warnings" not in lines["bb"], r.out
    assert "no disk figures: df failed (exit status 127)" in r.err, r.err

    vfs = os.statvfs(tmp_path)
    total = vfs.f_blocks * vfs.f_frsize
    store = Store.open(f"sqlite:///{tmp_path / 'tw.db'}")
    got = store.disks.history(["C2"], 0)
    assert set(got) == {("C2", "gnu"), ("C2", "bb")}
    kept = sum(p.stat().st_size for p in (folds["gnu"] / "backup/cms02").rglob("*.tar.gz"))
    for node in ("gnu", "bb"):
        points = got[("C2", node)]
        assert len(points) == 2, points
        p = points[-1]
        assert p.root == str(folds[node] / "backup/cms02") and p.kept == kept
        # df counts 1 KiB blocks; the kernel's figures, rounded to them (others write meanwhile)
        assert abs(p.total - total) < 1024 * 1024, (p, total)
        assert abs(p.free - vfs.f_bavail * vfs.f_frsize) < total * 0.02 + 2**30
        assert abs(p.used - (vfs.f_blocks - vfs.f_bfree) * vfs.f_frsize) < total * 0.02 + 2**30
    store.close()


def test_promtool_accepts_the_disk_metrics(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "cfg"))
    r = tarwatch("--config", str(make_world(tmp_path)), "--now", NOW, "metrics", env=env)
    assert r.code == 0 and "tarwatch_node_disk_fill_seconds{" in r.out, r.err
    check_metrics(r.out)
