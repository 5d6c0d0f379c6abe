"""Restore drills (verify = "gzip" or "tar") on real sshd nodes: a truncated and a bit-flipped
gzip are alarms naming the file, a good one is verified once and not again until it changes,
BusyBox's gzip and tar do it too, the bounds hold, and a drill tarwatch gives up on (drill_time,
or tarwatch killed) leaves nothing running on the node."""

from __future__ import annotations

import gzip
import io
import os
import shutil
import sqlite3
import tarfile
import time
import zlib
from pathlib import Path

import pytest

from e2e.test_faults_collect import (
    BUSYBOX_TOOLS,
    busybox_path,
    env_of,
    gone_within,
    kill_collect_while,
    write_config,
)
from e2e.test_metrics import check_metrics, values
from support.cli import tarwatch

pytestmark = pytest.mark.e2e

NOW = "2012-08-05T08:00:00+00:00"
LATER = "2012-08-06T08:00:00+00:00"
GOOD = "repos/good/2012/08/04/171125/good-1.tar.gz"
TRUNC = "repos/trunc/2012/08/04/171125/trunc-1.tar.gz"
FLIP = "repos/flip/2012/08/04/171125/flip-1.tar.gz"
TAR = "tracs/tarred/2012/08/04/171125/tarred.tar.gz"


def real_tarball(path: Path, seed: int) -> bytes:
    """Write a real .tar.gz of a few files at `path`; return its bytes."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for i in range(3):
            data = (f"file {i} of {seed}\n" * 2000).encode() + os.urandom(2000)
            info = tarfile.TarInfo(f"repo/f{i}.txt")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return buf.getvalue()


def world(root: Path) -> None:
    """A good tarball, a truncated one, one with a flipped CRC bit, and a gzip that is no tar."""
    real_tarball(root / GOOD, 1)
    data = real_tarball(root / TRUNC, 2)
    (root / TRUNC).write_bytes(data[: len(data) // 2])
    data = bytearray(real_tarball(root / FLIP, 3))
    data[-8] ^= 0x01  # a bit of the CRC32 in the trailer
    (root / FLIP).write_bytes(bytes(data))
    (root / TAR).parent.mkdir(parents=True)
    (root / TAR).write_bytes(gzip.compress(b"not a tar archive\n" * 100))


def config_for(tmp_path: Path, nodes: dict[str, str], extra: str = "", db: str = "tw.db") -> Path:
    # drill_share 10: these small runs' drills are bounded by drill_bytes and drill_time alone
    body = 'verify = "gzip"\ndrill_share = 10\n' + extra
    cfg = write_config(tmp_path / "tw.toml", tmp_path / db, nodes, body)
    cfg.write_text(cfg.read_text() + '[hubs.C2.items."tracs/tarred"]\nverify = "tar"\n')
    return cfg


def drills_in(db: Path) -> dict[tuple[str, str], tuple]:
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT node, path, at, method, ok, error, stderr FROM drills").fetchall()
    finally:
        con.close()
    return {(r[0], r[1].split("/cms02/", 1)[1]): r[2:] for r in rows}


def items_of(doc: dict, node: str) -> dict[str, dict]:
    n = next(n for n in doc["hubs"][0]["nodes"] if n["node"] == node)
    return {i["item"]: i for i in n["items"]}


def doc_time(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text).timestamp()


def test_broken_tarballs_are_alarms_naming_the_file_and_a_good_one_is_verified_once(ssh_lab, tmp_path):
    roots = {}
    for name in ("gnu", "bb"):
        fold = tmp_path / f"fold-{name}"
        roots[name] = fold / "backup" / "cms02"
        world(roots[name])
    ssh_lab.add_node("gnu", env={"SCM_FOLD": str(tmp_path / "fold-gnu")})
    ssh_lab.add_node(
        "bb",
        env={
            "SCM_FOLD": str(tmp_path / "fold-bb"),
            "PATH": busybox_path(tmp_path / "bb", (*BUSYBOX_TOOLS, "gzip", "tar")),
        },
    )
    env = env_of(ssh_lab, tmp_path)
    config = config_for(tmp_path, {"gnu": "", "bb": ""})

    r = tarwatch("--config", str(config), "--now", NOW, "collect", env=env)
    assert r.code == 0, r.err
    got = drills_in(tmp_path / "tw.db")
    for node in ("gnu", "bb"):
        assert got[(node, GOOD)][1:4] == ("gzip", 1, None), got
        assert got[(node, TRUNC)][2] == 0 and got[(node, FLIP)][2] == 0, got
        assert got[(node, TAR)][1:3] == ("tar", 0), got  # gzip alone would pass it
        assert "exit status" in got[(node, TRUNC)][3] and got[(node, TRUNC)][4], got
    assert "crc" in got[("gnu", FLIP)][3].lower(), got[("gnu", FLIP)]
    assert "unexpected end of file" in got[("gnu", TRUNC)][3], got[("gnu", TRUNC)]

    r = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env)
    assert r.code == 2, r.out  # alarm
    doc = r.json()
    for node in ("gnu", "bb"):
        items = items_of(doc, node)
        for item, rel in (("repos/trunc", TRUNC), ("repos/flip", FLIP), ("tracs/tarred", TAR)):
            f = next(f for f in items[item]["findings"] if f["check"] == "drill")
            assert f["status"] == "alarm" and rel in f["message"] and "exit status" in f["message"], f
            assert items[item]["verified"]["ok"] is False, items[item]
        good = items["repos/good"]
        assert not good["findings"], good
        assert good["verified"]["ok"] is True and good["verified"]["path"].endswith(GOOD), good
        assert good["verified"]["restorable_at"] == doc["generated"], good
    r = tarwatch("--config", str(config), "--now", NOW, "check", env=env | {"COLUMNS": "1000"})  # no wrapping
    assert "restore drill failed on" in r.out and TRUNC in r.out, r.out
    assert "tested within 1 run on gnu, bb" in " ".join(r.out.split()), r.out
    r = tarwatch("--config", str(config), "--now", NOW, "metrics", env=env)
    check_metrics(r.out)
    got_metrics = values(r.out)

    def sample(name: str, item: str) -> float | None:
        labels = (("hub", "C2"), ("item", item), ("node", "gnu"))
        return got_metrics.get((f"tarwatch_{name}", labels))

    assert sample("item_verified_timestamp_seconds", "repos/good") == doc_time(doc["generated"])
    assert sample("item_drill_ok", "repos/good") == 1 and sample("item_drill_ok", "repos/trunc") == 0
    assert sample("item_verified_timestamp_seconds", "repos/trunc") is None  # never verified
    assert got_metrics[("tarwatch_node_drill_rotation_runs", (("hub", "C2"), ("node", "gnu")))] == 1

    # The next run tests nothing again: every drill still holds.
    r = tarwatch("--config", str(config), "--now", LATER, "collect", env=env)
    assert r.code == 0, r.err
    assert drills_in(tmp_path / "tw.db") == got
    # A tarball that changed since is tested again.
    (roots["gnu"] / GOOD).write_bytes((roots["gnu"] / GOOD).read_bytes() + b"\0" * 10)
    r = tarwatch("--config", str(config), "--now", LATER, "collect", env=env)
    again = drills_in(tmp_path / "tw.db")
    assert again[("gnu", GOOD)][0] > got[("gnu", GOOD)][0], again[("gnu", GOOD)]
    assert again[("gnu", GOOD)][2] == 1, again[("gnu", GOOD)]  # gzip -t ignores trailing zeros
    assert {k: v for k, v in again.items() if k != ("gnu", GOOD)} == {
        k: v for k, v in got.items() if k != ("gnu", GOOD)
    }


def slow_gzip(path: Path, members: int) -> None:
    """A valid gzip of `members` members, each 64 MiB of zeros: `gzip -t` takes many seconds."""
    c = zlib.compressobj(1, zlib.DEFLATED, 31)
    one = c.compress(b"\0" * (64 << 20)) + c.flush()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        for _ in range(members):
            f.write(one)


def test_drills_keep_to_drill_bytes_and_one_past_drill_time_is_stopped_on_the_node(ssh_lab, tmp_path):
    fold = tmp_path / "fold"
    root = fold / "backup" / "cms02"
    world(root)
    slow = "repos/slow/2012/08/04/171125/slow-1.tar.gz"
    slow_gzip(root / slow, 400)
    ssh_lab.add_node("n", env={"SCM_FOLD": str(fold)})
    env = env_of(ssh_lab, tmp_path)
    # Bytes: the four small ones fit (each < 20 kB), the slow one (~25 MB) not.
    config = config_for(tmp_path, {"n": ""}, "drill_bytes = 100000\n")
    r = tarwatch("--config", str(config), "--now", NOW, "collect", env=env)
    assert r.code == 0, r.err
    assert {p for _, p in drills_in(tmp_path / "tw.db")} == {GOOD, TRUNC, FLIP, TAR}
    r = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env)
    f = next(f for f in items_of(r.json(), "n")["repos/slow"]["findings"] if f["check"] == "drill")
    assert f["status"] == "warn" and "larger than drill_bytes" in f["message"], f
    assert "never started" in f["message"], f

    # Time: in a new store (no drill rate known yet: the bytes choose), the slow one is first in
    # line; it is cut short after 1 s, stopped on the node, not a failure, and not recorded.
    config = config_for(tmp_path, {"n": ""}, 'drill_time = "1s"\n', db="tw2.db")
    t0 = time.monotonic()
    r = tarwatch("--config", str(config), "--now", LATER, "collect", env=env)
    assert r.code == 0, r.err
    assert time.monotonic() - t0 < 8
    assert ("n", slow) not in drills_in(tmp_path / "tw2.db")
    assert "drills cut short by drill_time" in r.err, r.err
    assert gone_within(root, 3) == []
    r = tarwatch("--config", str(config), "--now", LATER, "check", "--format", "json", env=env)
    slow_item = items_of(r.json(), "n")["repos/slow"]
    # Not a failure: at most the warning that, at the rate measured, it never fits in a run.
    assert all(f["status"] == "warn" for f in slow_item["findings"] if f["check"] == "drill"), slow_item
    assert slow_item["verified"] is None

    # tarwatch killed while the node tests: nothing is left running there.
    config = config_for(tmp_path, {"n": ""}, 'drill_time = "1h"\n', db="tw3.db")
    kill_collect_while("gzip", config, env, root)
    assert gone_within(root, 5) == []
    shutil.rmtree(fold, ignore_errors=True)
