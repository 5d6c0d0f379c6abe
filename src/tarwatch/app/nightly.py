"""The nightly run (`tarwatch run`, what cron runs): collect, build ONE report, hand it to notify
and, when the configuration sets `publish.out`, to publish; telling each step to the progress."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tarwatch.app.notify import notify_report
from tarwatch.app.progress import Progress
from tarwatch.app.report import build_report, of_hubs
from tarwatch.checks import Report, worst
from tarwatch.config import Config
from tarwatch.records import Status
from tarwatch.store import Store

if TYPE_CHECKING:
    from tarwatch.notify.run import Outcome
    from tarwatch.publish.site import Summary


@dataclass(frozen=True, slots=True)
class Nightly:
    """What a nightly run did: the report of the hubs asked for, what notify did and what was
    published (None: nothing, `publish.out` is not set)."""

    report: Report
    notified: Outcome
    published: Summary | None

    @property
    def exit_code(self) -> int:
        """The run's exit status: the report's (as `check`'s), where a node the publish could
        not write counts as unknown: an ok run becomes 3, a warn or alarm stays 1 or 2 (it is
        not 0 already), so that a site left partly stale never exits 0."""
        failed = self.published is not None and bool(self.published.failed)
        return worst([self.report.status, Status.UNKNOWN if failed else Status.OK]).exit_code


def nightly(
    config: Config,
    hubs: list[str],
    store: Store,
    now: float,
    progress: Progress,
    locked_since: float | None = None,
) -> Nightly:
    """Given the configuration, the hubs, the store, `now`, a progress and since when this
    process holds its hubs' run locks, list the hubs' nodes, check them, notify and publish,
    in that order; return what was done. The report is built once: of every hub when the site
    is published (its status covers them all), of those hubs otherwise."""
    from tarwatch.collect.run import run_collect

    run_collect(config, hubs, store, now, progress)
    publishing = "out" in config.publish.model_fields_set
    everything = build_report(config, list(config.hubs) if publishing else hubs, store, now)
    report = of_hubs(everything, hubs) if publishing else everything
    progress.checked(report)
    notified = notify_report(config, store, report, now, locked_since=locked_since)
    progress.notified(notified)
    published = None
    if publishing:
        from tarwatch.publish.site import publish

        published = publish(config, everything, store, config.publish.out, hubs)
        progress.published(published)
    return Nightly(report, notified, published)
