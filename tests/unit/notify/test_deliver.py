"""Delivering kept messages through a transport (a recording fake at the seam) and a real SQLite
store: sent once, retried while failing, failed for good when retrying cannot help, dropped
when the channel is gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tarwatch.notify.deliver import deliver
from tarwatch.notify.transport import Outgoing, TransportError
from tarwatch.records import Channel, DeliveryState
from tarwatch.store import Store
from tarwatch.store.notify_store import Composed

T0 = 1_800_000_000.0
UP = Channel.of("json://127.0.0.1:9/up")
FLAKY = Channel.of("json://127.0.0.1:9/flaky")


class Recording:
    """A Transport that records what it sends and fails as told."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failing: dict[str, bool] = {}  # channel id → permanent

    def send(self, channel: Channel, message: Outgoing) -> None:
        if channel.id in self.failing:
            raise TransportError(f"{channel.label} is down", permanent=self.failing[channel.id])
        self.sent.append((channel.label, message.subject))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'tw.db'}")


def keep(store: Store, subject: str, channels: list[Channel], at: float = T0) -> None:
    message = Composed("ZZ", "problems", subject, "text", "<p>html</p>", frozenset(), frozenset())
    store.notify.record("ZZ", at, {}, [], message, channels)


def test_a_delivered_message_is_never_sent_again(store: Store) -> None:
    t = Recording()
    keep(store, "one", [UP, FLAKY])
    deliver(store.notify, ["ZZ"], {c.id: c for c in (UP, FLAKY)}, t, T0)
    deliver(store.notify, ["ZZ"], {c.id: c for c in (UP, FLAKY)}, t, T0 + 60)
    assert t.sent == [(UP.label, "one"), (FLAKY.label, "one")]
    assert {d.state for d in store.notify.deliveries(["ZZ"], None)} == {DeliveryState.SENT}


def test_a_failed_send_stays_pending_and_goes_out_on_the_next_run_in_order(store: Store) -> None:
    t = Recording()
    t.failing[FLAKY.id] = False
    keep(store, "one", [UP, FLAKY])
    keep(store, "two", [UP, FLAKY], T0 + 3600)
    attempts = deliver(store.notify, ["ZZ"], {c.id: c for c in (UP, FLAKY)}, t, T0 + 3600)
    assert [(a.delivery.subject, a.delivery.channel, a.state) for a in attempts] == [
        ("one", UP.label, DeliveryState.SENT),
        ("one", FLAKY.label, DeliveryState.PENDING),
        ("two", UP.label, DeliveryState.SENT),
        ("two", FLAKY.label, DeliveryState.PENDING),
    ]
    del t.failing[FLAKY.id]
    deliver(store.notify, ["ZZ"], {c.id: c for c in (UP, FLAKY)}, t, T0 + 7200)
    assert [s for label, s in t.sent if label == FLAKY.label] == ["one", "two"]
    assert store.notify.deliveries(["ZZ"]) == []


def test_after_a_channel_failed_its_later_deliveries_wait_without_another_try(store: Store) -> None:
    t = Recording()
    t.failing[FLAKY.id] = False
    keep(store, "one", [FLAKY])
    keep(store, "two", [FLAKY])
    deliver(store.notify, ["ZZ"], {FLAKY.id: FLAKY}, t, T0)
    assert [d.attempts for d in store.notify.deliveries(["ZZ"])] == [1, 0]


def test_a_send_that_cannot_succeed_is_failed_and_not_retried(store: Store) -> None:
    t = Recording()
    t.failing[FLAKY.id] = True
    keep(store, "one", [FLAKY])
    (a,) = deliver(store.notify, ["ZZ"], {FLAKY.id: FLAKY}, t, T0)
    assert a.state == DeliveryState.FAILED and a.error == f"{FLAKY.label} is down"
    assert deliver(store.notify, ["ZZ"], {FLAKY.id: FLAKY}, t, T0 + 60) == []


def test_a_delivery_to_a_channel_no_longer_configured_is_dropped(store: Store) -> None:
    keep(store, "one", [FLAKY])
    (a,) = deliver(store.notify, ["ZZ"], {UP.id: UP}, Recording(), T0)
    assert a.state == DeliveryState.DROPPED
    assert [d.state for d in store.notify.deliveries(["ZZ"], None)] == [DeliveryState.DROPPED]
