"""The site: the report of every hub, handed to publish with the store it reads the series from."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from tarwatch.app.report import build_report
from tarwatch.config import Config
from tarwatch.store import Store

if TYPE_CHECKING:
    from tarwatch.publish.site import Summary


def publish_site(
    config: Config,
    store: Store,
    out: Path,
    now: float,
    hubs: Iterable[str] | None = None,
    jobs: int | None = None,
) -> Summary:
    """Given the configuration, store, site folder, `now` and optionally the hubs whose node data
    to refresh (default all), build the report of every hub and write the site with it; return
    what was written. `jobs` caps the processes rendering images."""
    from tarwatch.publish.site import publish

    report = build_report(config, list(config.hubs), store, now)
    return publish(config, report, store, out, hubs, jobs)
