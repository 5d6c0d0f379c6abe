"""One run of notify over a report: for each hub, detect the transitions, compose and render
its message, keep them (with a pending delivery per channel), then deliver what is pending."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from tarwatch.checks.model import HubVerdict, Report
from tarwatch.config.models import WEEKDAYS, Config
from tarwatch.notify.channels import hub_channels, hub_routes
from tarwatch.notify.compose import Message, Policy, compose
from tarwatch.notify.deliver import Attempt, deliver
from tarwatch.notify.links import hub_link, links
from tarwatch.notify.observe import observe
from tarwatch.notify.render import render
from tarwatch.notify.routing import routed
from tarwatch.notify.transitions import detect
from tarwatch.notify.transport import Transport
from tarwatch.records import Channel, Key, MessageKind, Snooze, State, Transition
from tarwatch.redact import redact_url
from tarwatch.store import Store
from tarwatch.store.notify_store import Composed


@dataclass(frozen=True, slots=True)
class Planned:
    """One hub's part of a run: its transitions, the states to keep, and its message (None:
    nothing to say), with the message's text and HTML and the channels it goes to (routed:
    those of the hub's channels that take it)."""

    hub: str
    transitions: list[Transition]
    states: dict[Key, State]
    message: Message | None
    text: str
    html: str
    channels: list[Channel]


@dataclass
class Outcome:
    """What a run of notify did."""

    planned: list[Planned] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)


def run_notify(
    config: Config,
    store: Store,
    report: Report,
    snoozes: Sequence[Snooze],
    now: float,
    transport: Transport | None,
    locked_since: float | None = None,
) -> Outcome:
    """Given the configuration, the store, the report of the hubs to notify, the snoozes in
    force, `now` and since when this process holds its hubs' run locks (None: it does not),
    keep each hub's transitions and message and deliver every pending message of those hubs
    through `transport`; with no transport (a dry run) keep and send nothing."""
    outcome = Outcome()
    for verdict in report.hubs:
        p = plan(config, store, verdict, snoozes, now)
        outcome.planned.append(p)
        if transport is None:
            continue
        composed = None
        if p.message is not None:
            m = p.message
            named = frozenset(line.key for line in (*m.new, *m.ongoing, *m.recovered))
            composed = Composed(p.hub, m.kind, m.subject, p.text, p.html, frozenset(m.told), named)
        store.notify.record(p.hub, now, p.states, p.transitions, composed, p.channels)
    if transport is not None:
        hubs = [h.hub for h in report.hubs]
        channels = {c.id: c for h in hubs for c in hub_channels(config, h)}
        outcome.attempts = deliver(
            store.notify, hubs, channels, transport, now, locked_since, links(config, hubs)
        )
    return outcome


def plan(config: Config, store: Store, verdict: HubVerdict, snoozes: Sequence[Snooze], now: float) -> Planned:
    """Given one hub's verdict, the snoozes in force and `now`, return its part of the run."""
    hub = verdict.hub
    observed = observe(verdict, now)
    transitions, states = detect(store.notify.states(hub), observed, now)
    policy = Policy(
        repeat=lambda key: _repeat(config, key),
        all_well_due=all_well_due(config, store, hub, now),
        link=_shown(hub_link(config, hub)),  # kept and printed redacted; sent in full
    )
    message = compose(hub, transitions, states, observed.problems, snoozes, now, policy)
    text, html = render(message) if message is not None else ("", "")
    routes = hub_routes(config, hub)
    channels = routed(message, routes) if message is not None else [r.channel for r in routes]
    return Planned(hub, transitions, states, message, text, html, channels)


def _repeat(config: Config, key: Key) -> float:
    return config.thresholds(key.hub, key.item or None).repeat.total_seconds()


def all_well_due(config: Config, store: Store, hub: str, now: float) -> bool:
    """Given a hub and `now`, return whether its weekly "all is well" is due: it is the hub's
    `all_well` weekday in its timezone, and none was composed since that day began."""
    t = config.thresholds(hub)
    if t.all_well is None:
        return False
    local = datetime.fromtimestamp(now, ZoneInfo(t.timezone))
    if WEEKDAYS[local.weekday()] != t.all_well:
        return False
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()
    last = store.notify.last_message(hub, MessageKind.ALL_WELL)
    return last is None or last < midnight


def _shown(link: str | None) -> str | None:
    return redact_url(link) if link else None
