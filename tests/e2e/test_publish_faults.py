"""Faults under the real `tarwatch publish` and `tarwatch serve`, run as a user runs them: a
SIGKILL in the middle of a publish (no worker process may outlive it), a full disk and a
read-only one under the site (small tmpfs mounts: one clear line, the site whole), and a
server stopped with SIGTERM while SIGINT is ignored, as in a background job."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from support.cli import tarwatch
from support.tmpfs import fill, tmpfs
from support.world import NOW, make_test_world
from tarwatch.config.toml import to_toml

pytestmark = pytest.mark.e2e

TARWATCH = (sys.executable, "-m", "tarwatch")
EXTRA_NODES = 60  # enough nodes that a publish takes seconds and uses worker processes


def environment(base: Path) -> dict[str, str]:
    home = base / "home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "NO_COLOR": "1"}


def collected(base: Path, extra_nodes: int = 0) -> tuple[Path, dict[str, str]]:
    """Given an empty folder, make the demo world there (with `extra_nodes` more nodes holding
    SDU's tarballs), collect it with the real CLI and return its configuration and environment."""
    config = make_test_world(base / "world")
    raw = tomllib.loads(config.read_text())
    for i in range(extra_nodes):
        raw["nodes"][f"N{i:02d}"] = dict(raw["nodes"]["SDU"])
        raw["hubs"]["ZZ"]["nodes"].append(f"N{i:02d}")
    config.write_text(to_toml(raw, ["a test world"]))
    env = environment(base)
    r = tarwatch("--config", str(config), "--now", NOW.isoformat(), "collect", env=env)
    assert r.code == 1, r.err  # KEK never answers
    return config, env


World = tuple[Path, dict[str, str]]  # a collected world's configuration file and environment


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The demo world, collected once for the module (tests publish it to sites of their own)."""
    return collected(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The demo world with EXTRA_NODES more nodes: a publish takes seconds, in worker processes."""
    return collected(tmp_path_factory.mktemp("big"), EXTRA_NODES)


def site_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


# -- SIGKILL: the worker processes die with the publish --------------------------------------


def children(pid: int) -> dict[int, str]:
    """Given a process id, return its children found in /proc: pid → start time (clock ticks)."""
    found: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # fields: state, ppid, …; field 22 of stat is the start time
            found[int(stat.parent.name)] = fields[19]
    return found


def alive(pid: int, started: str) -> bool:
    """True if the process is still running (not a zombie) and is the one started then."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and fields[19] == started


def holds(pid: int, path: str) -> bool:
    """True if the process has the file at path (or its -wal, -shm) open."""
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except OSError:
        return False
    return any(link.startswith(path) for link in links)


def start_publish(config: Path, env: dict[str, str], out: Path, **popen: Any) -> subprocess.Popen[Any]:
    """A real `tarwatch publish` of the world into `out`, its stderr piped."""
    argv = [*TARWATCH, "--config", str(config), "--now", NOW.isoformat(), "publish", "--out", str(out)]
    return subprocess.Popen(
        argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen
    )


def wait_for_workers(publish: subprocess.Popen[Any], count: int = 2) -> dict[int, str]:
    """Wait up to a minute for `count` image workers of a running publish; return them."""
    deadline = time.monotonic() + 60
    workers: dict[int, str] = {}
    while len(workers) < count:
        assert publish.poll() is None, "publish ended before its workers started"
        assert time.monotonic() < deadline, "no worker processes appeared"
        workers = children(publish.pid)
        time.sleep(0.02)
    return workers


def test_a_sigkilled_publish_leaves_no_worker_process_behind(big: World, tmp_path: Path) -> None:
    """The workers die with the publish; while they live they hold the store open only to
    read a node's series (never the whole time, as with a connection inherited)."""
    config, env = big
    store = os.path.realpath(tomllib.loads(config.read_text())["store"]["url"].removeprefix("sqlite:///"))
    publish = start_publish(config, env, tmp_path / "s")
    workers: dict[int, str] = {}
    try:
        workers = wait_for_workers(publish)
        free = dict.fromkeys(workers, False)  # seen without the store open
        for _ in range(100):
            for pid in workers:
                free[pid] = free[pid] or not holds(pid, store)
            time.sleep(0.005)
        assert free == dict.fromkeys(workers, True), "a worker held the store open all along"
        os.kill(publish.pid, signal.SIGKILL)
        publish.wait(timeout=10)
        deadline = time.monotonic() + 5
        while any(alive(p, t) for p, t in workers.items()) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [p for p, t in workers.items() if alive(p, t)]
        assert left == [], f"worker processes outlived the killed publish: {left}"
    finally:
        for pid, started in workers.items():
            if alive(pid, started):
                os.kill(pid, signal.SIGKILL)
        if publish.poll() is None:
            publish.kill()
            publish.wait()


def test_ctrl_c_during_a_publish_is_one_line_and_leaves_no_worker(big: World, tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group, workers included: only the publish answers it
    ("Aborted!", exit status 1), no worker prints a traceback, and none outlives it."""
    config, env = big
    publish = start_publish(
        config,
        env,
        tmp_path / "s",
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal's foreground job
        # Ctrl-C at a terminal reaches a process that handles SIGINT, even when these tests run
        # as a background job (`make test &`), whose children start with SIGINT ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    workers: dict[int, str] = {}
    try:
        workers = wait_for_workers(publish)
        time.sleep(0.3)
        os.killpg(publish.pid, signal.SIGINT)
        _, err = publish.communicate(timeout=30)
        assert publish.returncode == 1
        assert "Traceback" not in err and err.strip() == "Aborted!", err
        deadline = time.monotonic() + 5
        while any(alive(p, t) for p, t in workers.items()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert [p for p, t in workers.items() if alive(p, t)] == []
    finally:
        for pid, started in workers.items():
            if alive(pid, started):
                os.kill(pid, signal.SIGKILL)
        if publish.poll() is None:
            publish.kill()
            publish.wait()


# -- the disk under the site full, or read-only --------------------------------------------


@pytest.mark.parametrize("room", [0, 16 * 1024], ids=["no-room", "room-for-the-status"])
def test_a_full_disk_under_the_site_is_one_line_and_the_site_stays_whole(
    small: World, tmp_path: Path, room: int
) -> None:
    """No room: the status cannot be written. Room for the status but not for a chart: the
    nodes' worker processes fail. Either way: one line naming the file, exit status 1, every
    file as it was, no temporary file left; with room again, the next publish completes."""
    config, env = small
    now = NOW.isoformat()
    with tmpfs(tmp_path / "disk", size="4m") as disk:
        site = disk / "site"
        first = tarwatch("--config", str(config), "--now", now, "publish", "--out", str(site), env=env)
        assert first.code == 0, first.err
        state = site / "data/.published.json"
        state.write_text(json.dumps({**json.loads(state.read_text()), "nodes": {}}))  # all nodes anew
        before = site_files(site)
        filler = fill(disk)
        with open(filler, "r+b") as f:
            f.truncate(max(0, os.path.getsize(filler) - room))
        full = tarwatch("--config", str(config), "--now", now, "publish", "--out", str(site), env=env)
        assert full.code == 1, full.out + full.err
        lines = full.err.strip().splitlines()
        assert len(lines) == 1, full.err
        assert lines[0].startswith(f"tarwatch: error: {site}/"), lines[0]
        assert lines[0].endswith(": No space left on device"), lines[0]
        assert ("/img/" in lines[0]) is bool(room), lines[0]
        after = site_files(site)
        assert [p for p in after if p.endswith(".tmp")] == [], "temporary files were left"
        assert {p: after.get(p) == before[p] for p in before} == dict.fromkeys(before, True)
        filler.unlink()
        again = tarwatch("--config", str(config), "--now", now, "publish", "--out", str(site), env=env)
        assert again.code == 0, again.err
        assert len(json.loads(state.read_text())["nodes"]) == 5


def test_a_read_only_disk_under_the_site_is_one_line(small: World, tmp_path: Path) -> None:
    config, env = small
    with tmpfs(tmp_path / "ro", size="1m", read_only=True) as ro:
        r = tarwatch("--config", str(config), "publish", "--out", str(ro / "site"), env=env)
    assert r.code == 1
    assert (
        r.err.strip()
        == f"tarwatch: error: cannot create the site's folder '{ro / 'site'}': Read-only file system"
    )


# -- one node that cannot be written: the others are published --------------------------------


@pytest.mark.parametrize("world", ["small", "big"], ids=["in-process", "worker-processes"])
def test_a_node_whose_files_cannot_be_written_does_not_stop_the_others(
    request: pytest.FixtureRequest, tmp_path: Path, world: str
) -> None:
    config, env = request.getfixturevalue(world)
    extra = EXTRA_NODES if world == "big" else 0
    site = tmp_path / "site"
    (site / "img/ZZ/SDU.svg").mkdir(parents=True)  # a folder where SDU's chart goes
    r = tarwatch("--config", str(config), "--now", NOW.isoformat(), "publish", "--out", str(site), env=env)
    assert r.code == 1, r.out + r.err
    assert r.err.splitlines() == [
        f"tarwatch: ERROR: publish: hub ZZ, node SDU not written: {site}/img/ZZ/SDU.svg: Is a directory",
        "tarwatch: error: 1 of the nodes failed (see above)",
    ]
    nodes = ["hub", "IHEP", "NTU", "KEK", *(f"N{i:02d}" for i in range(extra))]
    for node in nodes:
        assert (site / f"img/ZZ/{node}.png").is_file() and (site / f"data/ZZ/{node}.json").is_file(), node
    assert (site / "index.html").is_file() and (site / "hub/ZZ.html").is_file()
    assert json.loads((site / "data/status.json").read_text())["hubs"][0]["hub"] == "ZZ"


# -- serve: SIGTERM stops it, even where SIGINT is ignored ------------------------------------


@pytest.fixture
def published(small: World, tmp_path: Path) -> Iterator[World]:
    config, env = small
    site = tmp_path / "site"
    r = tarwatch("--config", str(config), "--now", NOW.isoformat(), "publish", "--out", str(site), env=env)
    assert r.code == 0, r.err
    yield site, env


def test_serve_in_the_background_stops_cleanly_on_sigterm(published: tuple[Path, dict[str, str]]) -> None:
    site, env = published
    server = subprocess.Popen(
        [sys.executable, "-m", "tarwatch", "serve", "--dir", str(site), "--port", "0"],
        env={**env, "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # as `make test &` does
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        url = first.split(" at ", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=5) as r:
            assert r.status == 200
        os.kill(server.pid, signal.SIGINT)  # ignored, as in a background job
        time.sleep(0.3)
        assert server.poll() is None
        os.kill(server.pid, signal.SIGTERM)
        out, err = server.communicate(timeout=10)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert server.returncode == 0, err
    assert err == "" and out == "stopped\n"
