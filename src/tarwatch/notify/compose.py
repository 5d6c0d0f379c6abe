"""Composing one hub's message of a run: a pure function of the run's transitions, the kept
states, this run's observations, the snoozes in force, `now` and the hub's policy.

A message has three parts: new problems (new or worse), still broken (the other open ones;
"better" ones among them), recovered. It is composed when something is new, better or
recovered, when a reminder is due (a problem last named `repeat` ago or longer), or for the
weekly "all is well"; otherwise there is no message. Snoozed problems are in none of its parts.

Names and reasons come from the nodes (a file name may hold an escape sequence or a newline):
every text meant for people here, the subject too, has its control characters shown escaped
(tarwatch.visible); the keys keep the names as they are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from tarwatch.human import when
from tarwatch.notify.model import Observation
from tarwatch.notify.observe import UNREACHABLE
from tarwatch.notify.snooze import snoozed
from tarwatch.records import Change, Key, MessageKind, Snooze, State, Status, Transition
from tarwatch.visible import visible


@dataclass(frozen=True, slots=True)
class Line:
    """One problem in a message: its status now (None: recovered), the one before a change, the
    change (None: unchanged since people were last told), since when it is open, its
    description and a few words for the subject."""

    key: Key
    status: Status | None
    was: Status | None
    change: Change | None
    since: float
    text: str
    short: str


@dataclass(frozen=True, slots=True)
class Policy:
    """A hub's settings for its messages: the reminder period of a problem in seconds (0: no
    reminders), whether the weekly "all is well" is due in this run, and the hub page's URL."""

    repeat: Callable[[Key], float]
    all_well_due: bool = False
    link: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One hub's message of one run."""

    hub: str
    at: float
    kind: MessageKind
    subject: str
    new: list[Line] = field(default_factory=list)
    ongoing: list[Line] = field(default_factory=list)
    recovered: list[Line] = field(default_factory=list)
    snoozes: list[Snooze] = field(default_factory=list)
    link: str | None = None

    @property
    def told(self) -> list[Key]:
        """Return the open problems this message names (their reminders start again)."""
        return [line.key for line in (*self.new, *self.ongoing)]


def compose(
    hub: str,
    transitions: Sequence[Transition],
    states: Mapping[Key, State],
    observations: Mapping[Key, Observation],
    snoozes: Iterable[Snooze],
    now: float,
    policy: Policy,
) -> Message | None:
    """Given one hub's transitions of this run, its states after them, this run's observations,
    the snoozes in force, `now` and the hub's policy, return its message, or None when there is
    nothing to say."""
    active = [s for s in snoozes if s.hub == hub]
    changes = {t.key: t for t in transitions if snoozed(t.key, active) is None}
    new: list[Line] = []
    ongoing: list[Line] = []
    due = False
    for key, state in states.items():
        obs = observations.get(key)
        if obs is None or snoozed(key, active) is not None:
            continue  # not judged this run (its node is unreachable), or snoozed
        t = changes.get(key)
        if state.told is None or (t is not None and t.change is Change.WORSE):
            new.append(_line(state, obs, t))
            continue
        ongoing.append(_line(state, obs, t if t is not None and t.change is Change.BETTER else None))
        every = policy.repeat(key)
        due = due or (every > 0 and now - state.told >= every) or (t is not None)
    recovered = [
        _recovered(t) for t in changes.values() if t.change is Change.RECOVERED and t.told is not None
    ]
    all_well = policy.all_well_due and not new and not ongoing
    if not (new or recovered or due or all_well):
        return None
    new, ongoing, recovered = _sorted(new), _sorted(ongoing), _sorted(recovered)
    return Message(
        hub=hub,
        at=now,
        kind=MessageKind.ALL_WELL if all_well else MessageKind.PROBLEMS,
        subject=subject(hub, new, ongoing, recovered, all_well),
        new=new,
        ongoing=ongoing,
        recovered=recovered,
        snoozes=active,
        link=policy.link,
    )


def subject(hub: str, new: list[Line], ongoing: list[Line], recovered: list[Line], all_well: bool) -> str:
    """Given a message's parts, return its subject, which says what matters:
    "tarwatch ZZ: 2 alarms, 1 recovered (SDU repos/env stale 3.2d)"."""
    counts = Counter(line.status for line in (*new, *ongoing))
    parts = ["all is well"] if all_well else []
    for status, word, plural in (
        (Status.ALARM, "alarm", "alarms"),
        (Status.WARN, "warning", "warnings"),
        (Status.UNKNOWN, "unknown", "unknown"),
    ):
        if counts[status]:
            parts.append(f"{counts[status]} {word if counts[status] == 1 else plural}")
    if recovered:
        parts.append(f"{len(recovered)} recovered")
    text = ", ".join(parts)
    if not new and not recovered and ongoing:
        text = f"still {text}"
    named = new or ongoing or recovered
    headline = named[0] if named else None
    return visible(f"tarwatch {hub}: {text}" + (f" ({headline.short})" if headline else ""))


def describe(key: Key, message: str, since: float) -> str:
    """Given a problem and since when it is open, return the sentence naming it, control
    characters escaped: "SDU unreachable since 2026-11-20 03:00 UTC: connection timed out"."""
    if key.check == UNREACHABLE:
        return visible(f"{key.node} unreachable since {when(since)}: {message}")
    return visible(f"{key.node}: {message}" if not key.item else f"{key.node} {key.item}: {message}")


def _line(state: State, obs: Observation, t: Transition | None) -> Line:
    return Line(
        key=state.key,
        status=obs.status,
        was=t.old if t is not None else None,
        change=t.change if t is not None else None,
        since=state.since,
        text=describe(state.key, obs.message, state.since),
        short=visible(obs.short),
    )


def _recovered(t: Transition) -> Line:
    short = " ".join(p for p in (t.key.node, t.key.item, t.key.check) if p)
    return Line(t.key, None, t.old, t.change, t.since, describe(t.key, t.message, t.since), visible(short))


def _sorted(lines: list[Line]) -> list[Line]:
    return sorted(lines, key=lambda line: (-(line.status or line.was or Status.OK).rank, line.key))
