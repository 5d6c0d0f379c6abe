"""A delivery is claimed in the store before it is sent: two processes delivering the same
pending messages at once, with no run lock between them, send each exactly once (on SQLite and
on a real PostgreSQL); a claim left by a process that died is taken over once stale, at once
by the holder of the run lock, and never while its process may still be sending."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from tarwatch.notify.deliver import CLAIM_TIMEOUT, deliver
from tarwatch.notify.transport import Outgoing
from tarwatch.records import Channel, DeliveryState
from tarwatch.store import Store
from tarwatch.store.notify_store import Composed

pytestmark = pytest.mark.e2e
T0 = 1_800_000_000.0
CHANNELS = [Channel.of(f"json://127.0.0.1:9/c{i}") for i in range(2)]


class SlowFile:
    """A Transport that appends "subject channel pid" to a file, slowly (a slow server)."""

    def __init__(self, path: Path, seconds: float = 0.02):
        self.path, self.seconds = path, seconds

    def send(self, channel: Channel, message: Outgoing) -> None:
        time.sleep(self.seconds)
        with open(self.path, "a") as f:
            f.write(f"{message.subject} {channel.label} {os.getpid()}\n")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'tw.db'}"
    return request.getfixturevalue("postgres").fresh_database(f"claims{os.getpid()}{time.monotonic_ns()}")


def keep(store: Store, subject: str) -> None:
    message = Composed("ZZ", "problems", subject, "text", "<p>html</p>", frozenset(), frozenset())
    store.notify.record("ZZ", T0, {}, [], message, CHANNELS)


def _deliver_in_child(url: str, out: str, go: multiprocessing.synchronize.Event) -> None:
    store = Store.open(url)
    go.wait()
    deliver(store.notify, ["ZZ"], {c.id: c for c in CHANNELS}, SlowFile(Path(out)), T0)


def test_two_processes_delivering_at_once_send_every_delivery_exactly_once(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    for n in range(12):
        keep(store, f"m{n}")
    out = tmp_path / "sent.txt"
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    procs = [ctx.Process(target=_deliver_in_child, args=(url, str(out), go)) for _ in range(2)]
    for p in procs:
        p.start()
    go.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    lines = out.read_text().splitlines()
    sent = [line.rsplit(" ", 1)[0] for line in lines]
    wanted = [f"m{n} {c.label}" for n in range(12) for c in CHANNELS]
    assert sorted(sent) == sorted(wanted)  # each once: nothing twice, nothing lost
    assert len({line.rsplit(" ", 1)[1] for line in lines}) == 2, "both processes sent some"
    assert {d.state for d in store.notify.deliveries(["ZZ"], None)} == {DeliveryState.SENT}


def test_only_one_of_two_claims_of_a_pending_delivery_wins(url: str) -> None:
    a, b = Store.open(url), Store.open(url)
    keep(a, "one")
    d = a.notify.deliveries(["ZZ"])[0]
    now = a.notify.clock()
    assert a.notify.claim(d.id, now, "pid 1", now - CLAIM_TIMEOUT) is True
    assert b.notify.claim(d.id, now, "pid 2", now - CLAIM_TIMEOUT) is False
    (kept,) = [x for x in a.notify.deliveries(["ZZ"], None) if x.id == d.id]
    assert (kept.state, kept.error, kept.attempts) == (DeliveryState.SENDING, "pid 1", 1)


def _claimed_by_a_dead_process(store: Store, age: float) -> None:
    keep(store, "one")
    for d in store.notify.deliveries(["ZZ"]):
        assert store.notify.claim(d.id, store.notify.clock() - age, "being sent by pid 999999", 0)


def test_a_fresh_claim_of_another_process_is_left_to_it_without_the_lock(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    _claimed_by_a_dead_process(store, age=60)
    t = SlowFile(tmp_path / "sent.txt", 0)
    assert deliver(store.notify, ["ZZ"], {c.id: c for c in CHANNELS}, t, T0) == []
    assert not t.path.exists()
    assert {d.state for d in store.notify.deliveries(["ZZ"], None)} == {DeliveryState.SENDING}


def test_a_stale_claim_is_sent_again_at_least_once(url: str, tmp_path: Path) -> None:
    store = Store.open(url)
    _claimed_by_a_dead_process(store, age=CLAIM_TIMEOUT + 60)
    t = SlowFile(tmp_path / "sent.txt", 0)
    attempts = deliver(store.notify, ["ZZ"], {c.id: c for c in CHANNELS}, t, T0)
    assert [a.state for a in attempts] == [DeliveryState.SENT, DeliveryState.SENT]
    assert len(t.path.read_text().splitlines()) == 2
    assert [d.attempts for d in store.notify.deliveries(["ZZ"], None)] == [2, 2]


def test_the_holder_of_the_run_lock_takes_over_claims_made_before_it_took_the_lock(
    url: str, tmp_path: Path
) -> None:
    store = Store.open(url)
    _claimed_by_a_dead_process(store, age=5)
    t = SlowFile(tmp_path / "sent.txt", 0)
    attempts = deliver(
        store.notify, ["ZZ"], {c.id: c for c in CHANNELS}, t, T0, locked_since=store.notify.clock()
    )
    assert [a.state for a in attempts] == [DeliveryState.SENT, DeliveryState.SENT]
    assert store.notify.deliveries(["ZZ"], (DeliveryState.PENDING, DeliveryState.SENDING)) == []
