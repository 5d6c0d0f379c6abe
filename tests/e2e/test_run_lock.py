"""One run at a time per hub: two real `tarwatch run` processes started together on one store
(SQLite: a flock beside the file; PostgreSQL: an advisory lock), with a real slow SMTP server
(aiosmtpd holding each message before it answers), send every message exactly once; the
second gives up with one line naming the holder and exit status 4, or, given time, waits for
the first and finds nothing left to send."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.notify_world import LEGACY, MONDAY, OPS, World, make_world

pytestmark = pytest.mark.e2e
ALARM = "tarwatch ZZ: 1 alarm (SDU unreachable)"


@pytest.fixture(params=["sqlite", "postgresql"])
def worlds(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[float], World]]:
    """Make the notify world on either store, its SMTP server holding each message that many
    seconds before it answers."""
    store = {}
    if request.param == "postgresql":
        pg = request.getfixturevalue("postgres")
        store = {"store": {"url": pg.fresh_database(f"lock{os.getpid()}{time.monotonic_ns()}")}}
    made: list[World] = []

    def make(smtp_delay: float) -> World:
        made.append(make_world(tmp_path, smtp_delay=smtp_delay, **store))
        return made[-1]

    try:
        yield make
    finally:
        for w in made:
            w.smtp.stop()
            w.hook.stop()


@pytest.fixture
def world(worlds: Callable[[float], World]) -> World:
    return worlds(1.0)


def test_two_runs_started_together_send_each_message_once_and_the_second_gives_up(world: World) -> None:
    world.backups.go_away("SDU")
    procs = [world.start(MONDAY, "run", "--wait", "0s") for _ in range(2)]
    done = [(p, *p.communicate(timeout=120)) for p in procs]
    codes = sorted(p.returncode for p, _out, _err in done)
    assert codes == [2, 4], [err for *_, err in done]
    (winner,) = [p for p, *_ in done if p.returncode == 2]
    (err,) = [err for p, _out, err in done if p.returncode == 4]
    line = err.strip()
    assert "\n" not in line and "Traceback" not in line
    store = "postgresql" if "postgresql" in line else "sqlite:///"
    assert re.fullmatch(
        rf"tarwatch: another tarwatch run holds the store {store}\S* for hub ZZ since \d{{4}}-\d\d-\d\d "
        rf"\d\d:\d\d:\d\d UTC, pid {winner.pid} on \S+; giving up",
        line,
    ), line
    assert world.subjects(OPS) == [ALARM]
    assert world.subjects(LEGACY) == [ALARM]
    assert world.hook.titles() == [ALARM]


def test_a_second_run_given_time_waits_for_the_first_and_finds_nothing_left_to_send(world: World) -> None:
    world.backups.go_away("SDU")
    first = world.start(MONDAY)
    world.smtp.wait_for(1)  # the first run holds the lock and is sending
    second = world.start(MONDAY, "run", "--wait", "2m")
    out1, err1 = first.communicate(timeout=120)
    out2, err2 = second.communicate(timeout=120)
    assert (first.returncode, second.returncode) == (2, 2), err1 + err2
    assert f"sent {ALARM!r}" in out1 and "sent" not in out2
    assert world.subjects(OPS) == [ALARM]
    assert world.subjects(LEGACY) == [ALARM]
    assert world.hook.titles() == [ALARM]


def test_collect_and_notify_take_the_lock_too_and_check_does_not(worlds: Callable[[float], World]) -> None:
    world = worlds(0.0)
    world.backups.go_away("SDU")
    world.smtp.hold()
    first = world.start(MONDAY)
    world.smtp.wait_for(1)  # the run holds the lock, waiting for the first message's answer
    for command in ("collect", "notify"):
        r = world.run(MONDAY, command, "--wait", "1s")
        assert r.code == 4, r.err
        assert "another tarwatch run holds the store" in r.err and "waited 1 second" in r.err, r.err
    assert world.run(MONDAY, "check").code == 2  # read-only: no lock
    assert first.poll() is None, "the run ended before the others tried"
    world.smtp.release()
    first.communicate(timeout=120)
    assert first.returncode == 2
    assert world.run(MONDAY, "notify", "--wait", "0s").code == 0
    assert world.subjects(OPS) == [ALARM]


def test_a_run_whose_postgresql_lock_connection_is_killed_stops_before_its_next_send(
    postgres, tmp_path: Path
) -> None:
    """The lock's backend ended mid-run (pg_terminate_backend, as an administrator or a server
    restart would): the run stops at its next write, in one line, rather than go on sending
    while another run may take the lock; the next run sends the rest, each message once."""
    from sqlalchemy import create_engine, text

    url = postgres.fresh_database(f"lost{os.getpid()}{time.monotonic_ns()}")
    world = make_world(tmp_path, smtp_delay=1.5, store={"url": url})  # the kill lands in it
    world.backups.go_away("SDU")
    first = world.start(MONDAY)
    world.smtp.wait_for(1)  # the run holds the lock and is sending its first mail
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            killed = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE :me"
                ),
                {"me": f"tarwatch run pid {first.pid} on %"},
            ).all()
    finally:
        engine.dispose()
    assert killed == [(True,)]
    out, err = first.communicate(timeout=120)
    assert first.returncode == 3, out + err
    line = err.strip().splitlines()[-1]
    assert line.startswith("tarwatch: error: lost the run lock of hub ZZ on the store postgresql"), err
    assert "its connection to the server ended" in line and "run again" in line, line
    assert "Traceback" not in err

    def sent() -> list[str]:
        return world.subjects(OPS) + world.subjects(LEGACY) + world.hook.titles()

    assert sent() == [ALARM]  # the mail in flight was sent (and kept as sent); no other
    again = world.run(MONDAY)
    assert again.code == 2, again.err
    assert world.subjects(OPS) == world.subjects(LEGACY) == world.hook.titles() == [ALARM]
