"""Transfer and digest checks: the hub's own copy (read locally) against a node behind sshd."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from support.cli import tarwatch
from support.sshd import SshLab
from support.tree import tarball

pytestmark = pytest.mark.e2e

# Nightly backups at 01:00 UTC, 2026-03-05 … 2026-03-10; "now" is 2026-03-10 09:00 UTC, so the
# 03/10 tarball is 8 hours old: inside a 12 h grace.
NOW = "2026-03-10T09:00:00+00:00"
DAYS = [f"2026/03/{d:02d}/010000" for d in range(5, 11)]
ITEMS = {"svn/dybsvn": 40_000, "tracs/dybsvn": 30_000, "svn/dybaux": 20_000, "tracs/dybaux": 10_000}


def dna_of(size: int, digest: str = "0" * 32) -> str:
    return f"{{'dig': '{digest}', 'size': {size}L}}\n"


def build(hub_root: Path, node_root: Path) -> None:
    for day_no, day in enumerate(DAYS):
        for item, base in ITEMS.items():
            name = item.split("/")[1]
            rel = f"{item}/{day}/{name}-{100 + day_no}.tar.gz"
            size = base + day_no
            tarball(hub_root, rel, size, dna_of(size))
            if item == "svn/dybsvn" and day == DAYS[-2]:
                continue  # 03/09 never arrived on the node
            if day == DAYS[-1] and item in ("tracs/dybsvn", "svn/dybaux"):
                continue  # 03/10 still in flight for these: inside the grace
            cut = item == "tracs/dybsvn" and day == DAYS[-3]  # 03/08 arrived cut short
            lie = item == "svn/dybaux" and day == DAYS[-2]  # 03/09's .dna lies on the node
            tarball(node_root, rel, size // 2 if cut else size, dna_of(size + 1 if lie else size))


@pytest.fixture
def world(ssh_lab: SshLab, tmp_path: Path):
    hub_root = tmp_path / "hub" / "dayabay"
    fold = tmp_path / "sdu"
    build(hub_root, fold / "backup" / "dayabay")
    ssh_lab.add_node("SDU", env={"SCM_FOLD": str(fold)})
    config = tmp_path / "tarwatch.toml"
    config.write_text(
        f"""
[store]
url = "sqlite:///{tmp_path / "tw.db"}"
[defaults]
transfer_grace = "12h"
stale_warn = "36h"
timeout = "5s"
[hubs.ZZ]
srvnode = "dayabay"
source = "hub"
nodes = ["SDU"]
[nodes.hub]
transport = "local"
root = "{tmp_path / "hub"}/{{srvnode}}"
[nodes.SDU]
"""
    )
    env = ssh_lab.env() | {"XDG_DATA_HOME": str(tmp_path / "data")}
    return ssh_lab, env, config, fold / "backup" / "dayabay"


def findings(doc: dict, node: str) -> dict[str, list[tuple[str, str, str]]]:
    n = next(n for n in doc["hubs"][0]["nodes"] if n["node"] == node)
    return {i["item"]: [(f["check"], f["status"], f["message"]) for f in i["findings"]] for i in n["items"]}


def test_transfer_and_digest_alarms_fall_on_exactly_the_broken_items(world):
    _lab, env, config, _root = world
    assert tarwatch("--config", str(config), "collect", env=env).code == 0
    r = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env)
    doc = r.json()
    assert r.code == 2
    hub = findings(doc, "hub")
    assert all(f == [] for f in hub.values()), hub
    sdu = findings(doc, "SDU")
    assert [(c, s) for c, s, _ in sdu["svn/dybsvn"]] == [("transfer", "alarm")]
    assert "2026/03/09 tarball never arrived on SDU (on the hub for 32 hours)" in sdu["svn/dybsvn"][0][2]
    # cut short: the transfer check sees it against the hub, the digest check against its .dna
    assert [(c, s) for c, s, _ in sdu["tracs/dybsvn"]] == [("transfer", "alarm"), ("digest", "alarm")]
    assert (
        "2026/03/08 tarball differs on SDU: 14.6 KiB (15,001 bytes) there, 29.3 KiB (30,003 bytes) on the hub"
        in (sdu["tracs/dybsvn"][0][2])
    )
    assert [(c, s) for c, s, _ in sdu["svn/dybaux"]] == [("digest", "alarm")]
    assert "the .dna of the 2026/03/09 tarball says 19.5 KiB (20,005 bytes)" in sdu["svn/dybaux"][0][2]
    assert sdu["tracs/dybaux"] == []  # its 03/10 arrived; nothing in flight or missing


def test_nagios_output_says_the_same_and_exits_critical(world):
    _lab, env, config, _root = world
    tarwatch("--config", str(config), "collect", env=env)
    r = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "nagios", env=env)
    assert r.code == 2
    first, *rest = r.out.splitlines()
    assert first.startswith("TARWATCH CRITICAL - 4 alarms: ")
    assert any(line.startswith("ZZ/SDU svn/dybsvn ALARM transfer:") for line in rest)


def test_with_verify_md5_the_newest_tarball_is_hashed_on_the_node(world, tmp_path):
    _lab, env, config, node_root = world
    config.write_text(
        config.read_text().replace('transfer_grace = "12h"', 'transfer_grace = "12h"\nverify = "md5"')
    )
    # tracs/dybaux's newest on the node: real content, and a .dna whose digest is wrong
    rel = "tracs/dybaux/2026/03/10/010000/dybaux-105.tar.gz"
    data = os.urandom(10_005)
    (node_root / rel).write_bytes(data)
    real = hashlib.md5(data).hexdigest()
    (node_root / f"{rel}.dna").write_text(dna_of(10_005, "f" * 32))
    assert tarwatch("--config", str(config), "collect", env=env).code == 0
    doc = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env).json()
    sdu = findings(doc, "SDU")
    assert [(c, s) for c, s, _ in sdu["tracs/dybaux"]] == [("digest", "alarm")]
    assert f"the newest tarball's md5 is {real}, its .dna says {'f' * 32}" in sdu["tracs/dybaux"][0][2]
    # a second run does not hash again what is hashed already
    t0 = time.monotonic()
    r = tarwatch("--config", str(config), "collect", env=env, timeout=60)
    assert r.code == 0 and "(no change)" in r.out and time.monotonic() - t0 < 30
