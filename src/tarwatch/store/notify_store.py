"""Keeping notify's records in the store: the states of open problems, the transitions, the
messages and their deliveries (one per message and channel: pending until sent).

A delivery is claimed before it is sent: one atomic UPDATE turns it from pending to sending
(its `last_attempt` then says when the claim was made, on the store's clock, and its `error`
who made it), and only the process whose UPDATE changed the row sends it. A claim left by a
process that died is taken over once it is stale: sent at least once, perhaps twice, never lost."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import ColumnElement, Engine, and_, delete, func, insert, or_, select, text, update

from tarwatch.records import Channel, DeliveryState, Key, MessageKind, State, Status, Transition
from tarwatch.store.failures import failing_as, inserted_id
from tarwatch.store.tables import notify_deliveries, notify_messages, notify_states, notify_transitions


@dataclass(frozen=True, slots=True)
class Composed:
    """A message to keep: its hub, kind, subject, text and HTML, the open problems it names
    (their reminders start again) and every problem it names (recovered ones too)."""

    hub: str
    kind: MessageKind
    subject: str
    text: str
    html: str
    told: frozenset[Key]
    named: frozenset[Key]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One (message, channel) delivery as kept."""

    id: int
    message_id: int
    hub: str
    at: float
    subject: str
    text: str
    html: str
    channel_id: str
    channel: str
    state: DeliveryState
    attempts: int
    error: str | None
    last_attempt: float | None = None


class NotifyRecords:
    """Notify's records in one store (`Store.notify`)."""

    def __init__(self, engine: Engine, where: str, path: Path | None = None):
        self._engine = engine
        self._where = where
        self._path = path
        self.guard: Callable[[], None] = lambda: None  # Store.guard_writes

    def _failing(self, what: str) -> AbstractContextManager[None]:
        return failing_as(what, self._where, self._path)

    def states(self, hub: str) -> dict[Key, State]:
        """Given a hub tag, return the kept states of its open problems."""
        t = notify_states
        with self._failing(f"cannot read the notify states of {hub}"), self._engine.connect() as conn:
            rows = conn.execute(select(t).where(t.c.hub == hub)).all()
        out = {}
        for r in rows:
            key = Key(r.hub, r.node, r.item, r.check_name)
            out[key] = State(key, Status(r.status), r.message, r.since, r.changed, r.told)
        return out

    def record(
        self,
        hub: str,
        now: float,
        kept: dict[Key, State],
        transitions: Sequence[Transition],
        message: Composed | None,
        channels: Sequence[Channel],
    ) -> int | None:
        """Given a hub's run of notify: the states to keep, the transitions, the message (if any)
        and the hub's channels, keep them all in one transaction, the message with one pending
        delivery per channel; return the message's id."""
        self.guard()
        told = message.told if message is not None else frozenset()
        named = message.named if message is not None else frozenset()
        rows = [
            {
                "hub": s.key.hub,
                "node": s.key.node,
                "item": s.key.item,
                "check_name": s.key.check,
                "status": s.status.value,
                "message": s.message,
                "since": s.since,
                "changed": s.changed,
                "told": now if s.key in told else s.told,
            }
            for s in kept.values()
        ]
        with self._failing(f"cannot keep the notify run of {hub}"), self._engine.begin() as conn:
            message_id = None
            if message is not None:
                r = conn.execute(
                    insert(notify_messages).values(
                        hub=hub,
                        at=now,
                        kind=message.kind,
                        subject=message.subject,
                        text=message.text,
                        html=message.html,
                    )
                )
                message_id = inserted_id(r, "message")
                if channels:
                    conn.execute(
                        insert(notify_deliveries),
                        [
                            {
                                "message_id": message_id,
                                "channel_id": c.id,
                                "channel": c.label,
                                "state": DeliveryState.PENDING,
                                "attempts": 0,
                            }
                            for c in channels
                        ],
                    )
            conn.execute(delete(notify_states).where(notify_states.c.hub == hub))
            if rows:
                conn.execute(insert(notify_states), rows)
            if transitions:
                conn.execute(
                    insert(notify_transitions),
                    [
                        {
                            "hub": t.key.hub,
                            "node": t.key.node,
                            "item": t.key.item,
                            "check_name": t.key.check,
                            "at": now,
                            "change": t.change.value,
                            "old_status": t.old.value if t.old else None,
                            "new_status": t.new.value if t.new else None,
                            "message": t.message,
                            "message_id": message_id if t.key in named else None,
                        }
                        for t in transitions
                    ],
                )
        return message_id

    def last_message(self, hub: str, kind: str) -> float | None:
        """Given a hub tag and a message kind, return when the newest such message was composed."""
        m = notify_messages
        with self._failing(f"cannot read the messages of {hub}"), self._engine.connect() as conn:
            return conn.execute(select(func.max(m.c.at)).where(m.c.hub == hub, m.c.kind == kind)).scalar()

    def deliveries(
        self, hubs: Iterable[str], state: str | tuple[str, ...] | None = DeliveryState.PENDING
    ) -> list[Delivery]:
        """Given hub tags, return their deliveries in that state or states (None: all), oldest first."""
        d, m = notify_deliveries, notify_messages
        q = (
            select(d, m.c.hub, m.c.at, m.c.subject, m.c.text, m.c.html)
            .join(m, m.c.id == d.c.message_id)
            .where(m.c.hub.in_(list(hubs)))
            .order_by(d.c.id)
        )
        if isinstance(state, str):
            q = q.where(d.c.state == state)
        elif state is not None:
            q = q.where(d.c.state.in_(state))
        with self._failing("cannot read the deliveries"), self._engine.connect() as conn:
            return [
                Delivery(
                    r.id,
                    r.message_id,
                    r.hub,
                    r.at,
                    r.subject,
                    r.text,
                    r.html,
                    r.channel_id,
                    r.channel,
                    DeliveryState(r.state),
                    r.attempts,
                    r.error,
                    r.last_attempt,
                )
                for r in conn.execute(q)
            ]

    def clock(self) -> float:
        """Return the store's clock, epoch seconds: PostgreSQL's (one clock for every host sharing
        the store), this machine's for SQLite. Claims are made and judged stale on it."""
        if self._engine.dialect.name != "postgresql":
            return time.time()
        with self._failing("cannot read the store's clock"), self._engine.connect() as conn:
            return float(conn.execute(text("SELECT extract(epoch FROM clock_timestamp())")).scalar_one())

    def claim(self, delivery_id: int, at: float, who: str, stale_before: float) -> bool:
        """Given a delivery, the claim's time on the store's clock, who claims it and the time
        before which a claim is stale, claim it for sending: True when this call won it (it was
        pending, or claimed before `stale_before` by someone who never finished), False when
        another process holds it or it is done. One UPDATE, atomic on SQLite and PostgreSQL."""
        self.guard()
        d = notify_deliveries
        with self._failing(f"cannot claim delivery {delivery_id}"), self._engine.begin() as conn:
            r = conn.execute(
                update(d)
                .where(d.c.id == delivery_id, _claimable(stale_before))
                .values(state=DeliveryState.SENDING, last_attempt=at, error=who, attempts=d.c.attempts + 1)
            )
            return r.rowcount == 1

    def drop(self, delivery_id: int, error: str, stale_before: float) -> bool:
        """Given a delivery whose channel is gone, mark it dropped unless another process holds it;
        return whether it was dropped."""
        self.guard()
        d = notify_deliveries
        with self._failing(f"cannot drop delivery {delivery_id}"), self._engine.begin() as conn:
            r = conn.execute(
                update(d)
                .where(d.c.id == delivery_id, _claimable(stale_before))
                .values(state=DeliveryState.DROPPED, error=error)
            )
            return r.rowcount == 1

    def mark(self, delivery_id: int, state: str, now: float, error: str | None = None) -> None:
        """Given a claimed delivery, what became of the attempt (SENT, PENDING to retry, FAILED),
        `now` and the error of a failed attempt, keep them."""
        values = {"state": state, "error": error, "last_attempt": now}
        if state == DeliveryState.SENT:
            values["sent"] = now
        with (
            self._failing(f"cannot keep the outcome of delivery {delivery_id}"),
            self._engine.begin() as conn,
        ):
            conn.execute(
                update(notify_deliveries).where(notify_deliveries.c.id == delivery_id).values(**values)
            )


def _claimable(stale_before: float) -> ColumnElement[bool]:
    d = notify_deliveries.c
    pending, sending = DeliveryState.PENDING, DeliveryState.SENDING
    return or_(d.state == pending, and_(d.state == sending, d.last_attempt < stale_before))
