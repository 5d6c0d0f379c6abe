"""The report: the stored history of some hubs read, checked at `now`, snoozes marked in."""

from __future__ import annotations

from collections.abc import Sequence

from tarwatch.checks import History, Poll, Report, evaluate, stale, transfer, worst
from tarwatch.checks.model import nothing_collected
from tarwatch.config import Config
from tarwatch.errors import TarwatchError
from tarwatch.gcpause import collector_paused
from tarwatch.history import ItemHistory
from tarwatch.notify import maintenance, snooze
from tarwatch.store import Store


def build_report(config: Config, hubs: list[str], store: Store, now: float) -> Report:
    """Given the config, hubs, store and `now`, read the history and return the report."""
    # A report of a thousand nodes makes a few hundred thousand small objects and frees none of
    # them: the cyclic garbage collector would only walk them again and again.
    with collector_paused():
        return _build_report(config, hubs, store, now)


def _build_report(config: Config, hubs: list[str], store: Store, now: float) -> Report:
    polls = {
        key: Poll(p.ok, p.at, p.reason, p.at if p.ok else store.last_ok_poll(*key), p.unreadable)
        for key, p in store.latest_polls(hubs).items()
    }
    histories = store.item_histories(hubs)
    store.read_manifests(histories, manifests_wanted(config, hubs, histories, now))
    since = anomaly_since(config, hubs, now)
    recent = {} if since is None else store.recent_sizes(list(histories), since)
    drilled = drills_wanted(config, hubs)
    drills = store.drills.of_hubs(hubs) if drilled else {}
    rates = store.drills.rates(hubs) if drilled else {}
    run_seconds = {h: r.finished - r.started for h, r in store.last_runs(hubs).items()} if drilled else {}
    disks = store.disks.history(hubs, capacity_since(config, hubs, now))
    history = History(polls, histories, store.locks(hubs), recent, drills, rates, run_seconds, disks=disks)
    report = evaluate(config, hubs, history, now)
    snooze.mark(report, [*store.snoozes.active(now), *maintenance.in_force(config, hubs, now)])
    return report


class NothingCollected(TarwatchError):
    """The store holds no listing of any node of the hubs asked about."""


def nothing_collected_hint(hubs: Sequence[str]) -> str:
    """Given the hubs asked about, return the one line that says no `collect` listed them yet."""
    return f"nothing collected yet for {', '.join(hubs)}: run `tarwatch collect` first"


def require_collected(report: Report) -> None:
    """Given a report, raise NothingCollected when its hubs have nodes but not one of them was
    ever listed (checks.model.nothing_collected): `collect` has not run yet."""
    if nothing_collected(report):
        raise NothingCollected(nothing_collected_hint([h.hub for h in report.hubs]))


def of_hubs(report: Report, hubs: Sequence[str]) -> Report:
    """Given a report and some of its hubs, return the report of those hubs alone, in that
    order: their verdicts (the same objects) and the worst of their statuses, as build_report
    would have made it for them (every hub is judged by its own history only)."""
    verdicts = {h.hub: h for h in report.hubs}
    chosen = [verdicts[hub] for hub in hubs]
    return Report(report.generated, worst([h.status for h in chosen]), chosen)


def anomaly_since(config: Config, hubs: Sequence[str], now: float) -> float | None:
    """Given the config, hubs and `now`, return the oldest stamp anomaly's baselines read: the
    longest `anomaly_nights` in effect plus a week (room for missed nights), in days, before
    now; None when the check is off everywhere (nothing is read)."""
    longest = 0
    for hub in hubs:
        for item in (None, *config.hubs[hub].items):
            t = config.thresholds(hub, item)
            if t.anomaly:
                longest = max(longest, t.anomaly_nights)
    return None if longest == 0 else now - (longest + 7) * 86400


def capacity_since(config: Config, hubs: Sequence[str], now: float) -> float:
    """Given the config, hubs and `now`, return the oldest time capacity's forecast reads: the
    longest `capacity_days` in effect, and a day, before now."""
    longest = max((config.thresholds(hub).capacity_days for hub in hubs), default=0)
    return now - (longest + 1) * 86400


def manifests_wanted(
    config: Config,
    hubs: list[str],
    histories: dict[tuple[str, str], dict[str, ItemHistory]],
    now: float | None = None,
) -> list[tuple[str, str, str]]:
    """Given the histories (and `now`), return the (hub, node, item)s whose manifests the checks
    will read: for transfer, those that differ from the source's, and the source's own for those
    items; for stale and shrink, those whose newest tarball is stamped in the future (they judge
    the newest ones before it)."""
    wanted: set[tuple[str, str, str]] = set()
    if now is not None:
        limit = now + stale.FUTURE_SLACK.total_seconds()
        for (hub, node), kept in histories.items():
            wanted.update((hub, node, item) for item, h in kept.items() if h.newest.stamp > limit)
    for hub in hubs:
        src = config.hubs[hub].source
        if not src:
            continue
        on_source = histories.get((hub, src), {})
        for (h, node), kept in histories.items():
            if h != hub or node == src:
                continue
            for item, here in kept.items():
                if transfer.needs_manifests(on_source.get(item), here):
                    wanted.update({(hub, node, item), (hub, src, item)})
    return sorted(wanted)


def drills_wanted(config: Config, hubs: Sequence[str]) -> bool:
    """Given the config and hubs, return True when some hub or item has restore drills
    (verify = "gzip" or "tar"): only then are they read."""
    return any(
        config.thresholds(hub, item).verify in ("gzip", "tar")
        for hub in hubs
        for item in (None, *config.hubs[hub].items)
    )
