"""Notify: the report's changes of state kept as messages, each delivered to its hub's channels
(in a dry run only planned: nothing kept, nothing sent)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tarwatch.app.report import build_report
from tarwatch.checks import Report
from tarwatch.config import Config
from tarwatch.errors import ConfigError
from tarwatch.store import Store

if TYPE_CHECKING:
    from tarwatch.notify.run import Outcome


def check_channels(config: Config, hubs: list[str], source: str | None) -> None:
    """Given the configuration, the hubs about to be notified and the configuration's file,
    raise ConfigError at the first channel Apprise cannot use (before anything is kept or sent).
    Only the commands that send call it: Apprise costs about a second to load."""
    from tarwatch.notify.channels import validate_channels

    problems = validate_channels(config, hubs)
    if problems:
        p = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(source, p.key, f"{p.label}: {p.problem}{more}")


def notify(
    config: Config,
    hubs: list[str],
    store: Store,
    now: float,
    dry_run: bool = False,
    locked_since: float | None = None,
) -> Outcome:
    """Given the configuration, the hubs, the store, `now` and since when this process holds the
    hubs' run locks, build the hubs' report and notify over it; return what was done."""
    report = build_report(config, hubs, store, now)
    return notify_report(config, store, report, now, dry_run, locked_since)


def notify_report(
    config: Config,
    store: Store,
    report: Report,
    now: float,
    dry_run: bool = False,
    locked_since: float | None = None,
) -> Outcome:
    """Given the configuration, store, a report, `now` and since when this process holds the
    hubs' run locks (None: it does not), keep the messages its changes call for and deliver
    every pending one of its hubs, through Apprise; return what was done."""
    from tarwatch.notify.apprise_transport import AppriseTransport
    from tarwatch.notify.maintenance import in_force
    from tarwatch.notify.run import run_notify

    return run_notify(
        config,
        store,
        report,
        [*store.snoozes.active(now), *in_force(config, [h.hub for h in report.hubs], now)],
        now,
        None if dry_run else AppriseTransport(),
        locked_since,
    )
