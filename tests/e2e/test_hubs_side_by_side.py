"""Scale-out: several hubs (sites) share one store, a PostgreSQL database or one SQLite file.
Three real `tarwatch collect` processes, one per hub, over real sshd nodes (one node serves
every hub, from a folder per hub), started at the same moment on a store not created yet, run
side by side (each holds its hub's lock while the others hold theirs: every node's session
waits until the test saw all the locks held at once, so that all three then write at once),
lose no row and duplicate none; one `publish` shows every hub. Two collects of the same hub
still exclude each other, and a collect whose PostgreSQL lock connection was killed stores
nothing more. The locks are seen from outside: PostgreSQL's pg_locks, the kernel's
/proc/locks for the flocks of the SQLite store's lock files."""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from support.cli import tarwatch
from support.sshd import SshLab
from support.tree import seed_tree
from tarwatch.store.lock import PG_CLASS, hub_key, lock_path
from tarwatch.store.schema import HEAD
from tarwatch.store.tables import tarballs

pytestmark = pytest.mark.e2e
WAIT = 30  # seconds at most each node's session waits for the test's go (the file GO) to list
HUBS = {"A": ["N1", "S"], "B": ["N2", "S"], "C": ["S"]}  # S serves every hub


@pytest.fixture
def sites(request: pytest.FixtureRequest, ssh_lab: SshLab, tmp_path: Path):
    """Nodes N1, N2 and S on sshd, each with the seed tree of its hubs under its own $SCM_FOLD
    (hub A in backup/siteA, …), every session waiting for tmp_path/GO (WAIT seconds at most);
    a config of hubs A, B, C on one store not created yet: a fresh PostgreSQL database, or with
    the parameter "sqlite" an SQLite file. Return (url, env, config, folds by node)."""
    slow = tmp_path / "slow.sh"
    go = tmp_path / "GO"
    wait = f"while [ ! -e '{go}' ] && [ $i -lt {WAIT * 10} ]; do sleep 0.1; i=$((i+1)); done"
    slow.write_text(f"unset BASH_ENV\ni=0\n{wait}\n")  # once per session, not per shell in it
    folds = {}
    for node in ("N1", "N2", "S"):
        folds[node] = tmp_path / f"fold-{node}"
        for hub, nodes in HUBS.items():
            if node in nodes:
                seed_tree(folds[node] / "backup" / f"site{hub}")
        # the node's login shell (bash) reads $BASH_ENV before it runs the listing
        ssh_lab.add_node(node, env={"SCM_FOLD": str(folds[node]), "BASH_ENV": str(slow)})
    if getattr(request, "param", "postgresql") == "sqlite":
        url = f"sqlite:///{tmp_path / 'store' / 'tarwatch.db'}"
    else:
        url = request.getfixturevalue("postgres").fresh_database(f"sites{time.monotonic_ns()}")
    lines = ["[store]", f'url = "{url}"', "[defaults]", 'timeout = "60s"']
    for hub, nodes in HUBS.items():
        lines += [f"[hubs.{hub}]", f'srvnode = "site{hub}"', f"nodes = {json.dumps(nodes)}"]
    lines += [f"[nodes.{n}]\n" for n in folds]
    config = tmp_path / "tarwatch.toml"
    config.write_text("\n".join(lines) + "\n")
    env = ssh_lab.env() | {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    return url, env, config, folds


def _start(config: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tarwatch", "--config", str(config), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _held(url: str) -> set[str]:
    """Given the store's URL, return the hubs whose run lock is held right now (looked at from
    outside, without taking any)."""
    if not url.startswith("postgresql"):
        return {hub for hub in HUBS if _flocked(lock_path(url, hub))}
    keys = {hub_key(h) & 0xFFFFFFFF: h for h in HUBS}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND objsubid = 2 AND classid = :c"
                ),
                {"c": PG_CLASS & 0xFFFFFFFF},
            )
            return {keys[int(r[0])] for r in rows if int(r[0]) in keys}
    finally:
        engine.dispose()


def _flocked(path: Path | None) -> bool:
    """Given a lock file, return whether some process holds a flock on it, as /proc/locks says
    ("1: FLOCK  ADVISORY  WRITE 4711 fe:00:2146662 0 EOF": device major:minor in hex, inode)."""
    assert path is not None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in Path("/proc/locks").read_text().splitlines():
        f = line.split()
        if len(f) >= 6 and f[1:4] == ["FLOCK", "ADVISORY", "WRITE"] and f[5] == dev:
            return True  # a waiter's line reads "2: -> FLOCK …"
    return False


def _collect_all_at_once(url: str, config: Path, env: dict[str, str], go: Path) -> set[str]:
    """Start a collect per hub at the same moment; while they run, watch the locks, and let the
    nodes answer (touch `go`) once every hub's lock was seen held at once; return the most hubs
    seen locked at once (after asserting every collect exited 0)."""
    go.unlink(missing_ok=True)
    procs = {hub: _start(config, env, "collect", hub, "--wait", "0s") for hub in HUBS}
    most: set[str] = set()
    while any(p.poll() is None for p in procs.values()):
        if len(held := _held(url)) > len(most):
            most = held
        if most == set(HUBS):
            go.touch()
        time.sleep(0.05)
    for hub, p in procs.items():
        out, err = p.communicate()
        assert p.returncode == 0, f"{hub}: {out}{err}"
    return most


def _rows(url: str) -> dict[tuple[str, str], int]:
    """Given the store's URL, return its tarball rows (none gone) counted per (hub, node)."""
    t = tarballs.c
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            q = select(t.hub, t.node, func.count()).where(t.gone.is_(None)).group_by(t.hub, t.node)
            return {(h, n): int(c) for h, n, c in conn.execute(q)}
    finally:
        engine.dispose()


@pytest.mark.parametrize("sites", ["postgresql", "sqlite"], indirect=True)
def test_hubs_sharing_a_store_collect_side_by_side_and_publish_as_one(sites, tmp_path):
    url, env, config, folds = sites
    on_disk = {
        (hub, node): len(list((folds[node] / "backup" / f"site{hub}").rglob("*.tar.gz")))
        for hub, nodes in HUBS.items()
        for node in nodes
    }
    assert all(n == 6 for n in on_disk.values())

    go = tmp_path / "GO"
    assert _collect_all_at_once(url, config, env, go) == set(HUBS)  # all three held their lock at once
    assert _rows(url) == on_disk  # no row lost, none duplicated
    assert _collect_all_at_once(url, config, env, go) == set(HUBS)
    assert _rows(url) == on_disk  # a second round adds none

    site = tmp_path / "site"
    r = tarwatch("--config", str(config), "publish", "--out", str(site), env=env)
    assert r.code == 0, r.err
    status = json.loads((site / "data" / "status.json").read_text())
    shown = {h["hub"]: sorted(n["node"] for n in h["nodes"]) for h in status["hubs"]}
    assert shown == {hub: sorted(nodes) for hub, nodes in HUBS.items()}


def test_two_collects_of_the_same_hub_still_exclude_each_other(sites, tmp_path):
    url, env, config, _folds = sites
    first = _start(config, env, "collect", "A")
    deadline = time.monotonic() + 60
    while "A" not in _held(url):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    r = tarwatch("--config", str(config), "collect", "A", "--wait", "0s", env=env)
    assert r.code == 4, r.err
    line = r.err.strip()
    assert "\n" not in line and " for hub A since " in line, line
    assert line.startswith("tarwatch: another tarwatch collect holds the store postgresql"), line
    assert f", pid {first.pid} on " in line, line
    (tmp_path / "GO").touch()  # the nodes answer
    assert tarwatch("--config", str(config), "collect", "B", "--wait", "0s", env=env).code == 0
    out, err = first.communicate(timeout=120)
    assert first.returncode == 0, out + err


def test_a_collect_whose_lock_connection_is_killed_stores_nothing_more(sites, tmp_path):
    """The PostgreSQL lock's backend ended while the nodes were being listed: the collect
    stores no poll (another collect may hold the lock by then) and says so in one line."""
    url, env, config, _folds = sites
    first = _start(config, env, "collect", "A")
    deadline = time.monotonic() + 60
    while "A" not in _held(url):
        assert first.poll() is None and time.monotonic() < deadline, first.communicate()
        time.sleep(0.05)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            me = {"me": f"tarwatch collect pid {first.pid} on %"}
            q = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE :me"
            assert conn.execute(text(q), me).all() == [(True,)]
    finally:
        engine.dispose()
    (tmp_path / "GO").touch()  # the nodes answer now
    out, err = first.communicate(timeout=120)
    assert first.returncode == 1, out + err
    assert err.strip().splitlines()[-1].startswith("tarwatch: error: lost the run lock of hub A on the store")
    assert "Traceback" not in err
    assert _rows(url) == {}  # not one poll of a node of A stored


OPEN_AT_GO = """\
import fcntl, os, sys
from tarwatch.store import Store
gate, url = sys.argv[1], sys.argv[2]
fd = os.open(gate, os.O_RDONLY)
print("ready", flush=True)
fcntl.flock(fd, fcntl.LOCK_SH)  # every process wakes when the test lets the gate go
Store.open(url)
"""


def test_processes_opening_a_new_sqlite_store_at_once_take_turns_creating_it(tmp_path):
    """The first night of several hubs on one SQLite file: each process finds the store empty
    and would create its tables, and the first to switch it to WAL may make the others' switch
    fail at once; they take turns (before, most of them failed "table runs already exists" or
    "database is locked"). The processes wait at a gate (a flock the test holds) and start at
    once."""
    gate, url = tmp_path / "gate", f"sqlite:///{tmp_path / 'store' / 'tarwatch.db'}"
    gate.touch()
    fd = os.open(gate, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", OPEN_AT_GO, str(gate), url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for p in procs:
        assert p.stdout is not None and p.stdout.readline() == "ready\n"
    time.sleep(0.2)  # every one blocked on the gate
    os.close(fd)  # the gate opens
    for p in procs:
        _out, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD]
    finally:
        engine.dispose()
