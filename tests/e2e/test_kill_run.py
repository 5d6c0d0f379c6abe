"""SIGKILL of `tarwatch run` at each stage, then a re-run, over real sshd nodes (SDU away, NTU
fine, HANG accepting and never speaking) with a real SMTP server (aiosmtpd) and a webhook:

- the store is consistent (PRAGMA integrity_check), nothing left pending or being sent;
- the lock died with the run: the re-run takes it at once (`--wait 0s`);
- the site is whole: every file parses, no temporary file is left in view;
- no message is lost, and none is sent twice, except the one documented case: a message the
  SMTP server had taken in but not yet answered when the run was killed is sent again by the
  re-run (at least once: the store cannot know whether it arrived).
"""

from __future__ import annotations

import json
import signal
import sqlite3
import struct
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from support.notify_world import LEGACY, MONDAY, OPS, World, make_world
from support.sshd import SshLab
from tarwatch.publish import site as publish_site

pytestmark = pytest.mark.e2e
SUBJECT = "tarwatch ZZ: 2 alarms (HANG unreachable)"
STATIC = Path(publish_site.__file__).parent / "static"


@pytest.fixture
def worlds(ssh_lab: SshLab, tmp_path: Path) -> Iterator[Callable[[float], World]]:
    made: list[World] = []

    def make(smtp_delay: float = 0.0) -> World:
        w = make_world(
            tmp_path,
            ssh=ssh_lab,
            silent=("HANG",),
            smtp_delay=smtp_delay,
            publish={"out": str(tmp_path / "site"), "url": "https://backups.example.org/tarwatch/"},
        )
        w.backups.go_away("SDU")
        made.append(w)
        return w

    try:
        yield make
    finally:
        for w in made:
            w.smtp.stop()
            w.hook.stop()


class Lines:
    """A process's standard output, read line by line in a thread as it comes."""

    def __init__(self, proc: subprocess.Popen[str]):
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.append(line)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, f"no {text!r} in {self.lines}"
            time.sleep(0.005)


def _until(ready: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"never {what}"
        time.sleep(0.005)


def _kill(proc: subprocess.Popen[str]) -> None:
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def _collecting(w: World, ssh_lab: SshLab) -> Callable[[], bool]:
    (hang,) = ssh_lab._listeners
    return lambda: len(hang._conns) > 0  # connected to HANG, waiting for its first word


def _store_is_consistent(w: World) -> None:
    db = sqlite3.connect(w.backups.base / "tarwatch.db")
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        states = db.execute("SELECT state, count(*) FROM notify_deliveries GROUP BY state").fetchall()
        assert dict(states) == {"sent": 3}, states
    finally:
        db.close()


def _site_is_whole(site: Path) -> None:
    files = [p for p in site.rglob("*") if p.is_file()]
    assert {"index.html", "status.json", "ZZ.html"} <= {p.name for p in files}
    for p in files:
        assert not p.name.endswith(".tmp"), f"a temporary file left: {p}"
        if p.name.startswith("."):
            continue
        data = p.read_bytes()
        assert data, f"{p} is empty"
        rel = p.relative_to(site)
        if rel.parts[0] == "static":
            assert data == (STATIC / Path(*rel.parts[1:])).read_bytes(), f"{p} is not the package's"
        elif p.suffix == ".json":
            json.loads(data)
        elif p.suffix == ".js":
            text = data.decode()
            assert text.startswith("window.TARWATCH") and text.endswith(");\n"), p
        elif p.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), p
        elif p.suffix == ".svg":
            ET.fromstring(data)
        elif p.suffix == ".png":
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[-8:-4] == b"IEND", p
            assert struct.unpack(">I", data[8:12])[0] == 13  # the IHDR chunk


def _rerun_and_check(w: World, arrived_before_kill: int) -> None:
    """Re-run an hour later; expect every message once, the one taken in by the SMTP server
    before the kill twice (it was not answered: the re-run cannot know it arrived)."""
    r = w.run(MONDAY + timedelta(hours=1), "run", "--wait", "0s")
    assert r.code == 2, r.err
    assert w.subjects(OPS) == [SUBJECT] * (1 + arrived_before_kill)
    assert w.subjects(LEGACY) == [SUBJECT]
    assert w.hook.titles() == [SUBJECT]
    _store_is_consistent(w)
    _site_is_whole(w.backups.base.parent / "site")
    status = json.loads((w.backups.base.parent / "site" / "data" / "status.json").read_text())
    nodes = {n["node"]: n["status"] for n in status["hubs"][0]["nodes"]}
    assert nodes == {"hub": "ok", "SDU": "alarm", "NTU": "ok", "HANG": "alarm"}
    w.run(MONDAY + timedelta(hours=2))  # and nothing more, later
    assert len(w.smtp.received) == 2 + arrived_before_kill and len(w.hook.posts) == 1


def test_killed_while_collecting(worlds: Callable[[float], World], ssh_lab: SshLab) -> None:
    w = worlds(0.0)
    p = w.start(MONDAY)
    _until(_collecting(w, ssh_lab), "connected to HANG")
    _kill(p)
    assert w.smtp.received == [] and w.hook.posts == []
    _rerun_and_check(w, 0)


def test_killed_after_collect_and_check_before_notify(worlds: Callable[[float], World]) -> None:
    w = worlds(0.0)
    p = w.start(MONDAY)
    out = Lines(p)
    out.wait_for("hub ZZ")  # the check table is printed: collect and check are done
    _kill(p)
    assert w.smtp.received == [] and w.hook.posts == []
    _rerun_and_check(w, 0)


def test_killed_while_the_smtp_server_holds_the_first_message(worlds: Callable[[float], World]) -> None:
    w = worlds(1.0)
    p = w.start(MONDAY)
    w.smtp.wait_for(1)  # taken in by the server, which has not answered yet
    _kill(p)
    db = sqlite3.connect(w.backups.base / "tarwatch.db")
    assert db.execute("SELECT state FROM notify_deliveries ORDER BY id").fetchall() == [
        ("sending",),
        ("pending",),
        ("pending",),
    ]
    db.close()
    _rerun_and_check(w, 1)  # the documented duplicate: that message arrives twice


def test_killed_while_publishing(worlds: Callable[[float], World]) -> None:
    w = worlds(0.0)
    p = w.start(MONDAY)
    out = Lines(p)
    out.wait_for(f"sent {SUBJECT!r} to mailto://127.0.0.1")  # notify is done: publish starts
    status = w.backups.base.parent / "site" / "data" / "status.json"
    _until(status.exists, "status.json written")
    _kill(p)
    assert len(w.smtp.received) == 2 and len(w.hook.posts) == 1
    _rerun_and_check(w, 0)


def test_two_runs_at_once_over_ssh_one_gives_up_and_every_message_goes_out_once(
    worlds: Callable[[float], World],
) -> None:
    w = worlds(1.0)
    procs = [w.start(MONDAY, "run", "--wait", "0s") for _ in range(2)]
    done = [(p.returncode, err) for p in procs for _out, err in [p.communicate(timeout=120)]]
    assert sorted(code for code, _ in done) == [2, 4], done
    (busy,) = [err for code, err in done if code == 4]
    assert busy.startswith("tarwatch: another tarwatch run holds the store") and busy.count("\n") == 1
    assert w.subjects(OPS) == [SUBJECT] and w.subjects(LEGACY) == [SUBJECT]
    assert w.hook.titles() == [SUBJECT]
    _store_is_consistent(w)
    _site_is_whole(w.backups.base.parent / "site")
