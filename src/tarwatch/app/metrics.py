"""The metrics: the report of some hubs at `now`, with each node's newest poll and each hub's
newest finished run, as Prometheus metric families (`tarwatch metrics`, `/metrics` of
`tarwatch serve`); and their text file for node_exporter's textfile collector.

prometheus_client is imported here and in tarwatch.formats.metrics only, on this path alone."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from tarwatch import __version__, atomic
from tarwatch.app.report import build_report
from tarwatch.config import Config
from tarwatch.store import Store

if TYPE_CHECKING:
    from prometheus_client.core import Metric

TEXTFILE_MODE = 0o644  # node_exporter usually runs as a user of its own


def gather(config: Config, hubs: list[str], store: Store, now: float) -> list[Metric]:
    """Given the configuration, hubs, store and `now`, return the metric families of those hubs."""
    from tarwatch.formats.metrics import families

    report = build_report(config, hubs, store, now)
    return families(report, store.latest_polls(hubs), store.last_runs(hubs), __version__)


def write_textfile(path: Path, metrics: list[Metric]) -> None:
    """Given a path and metric families, replace the file at path with their Prometheus text
    atomically (mode 0644), so that node_exporter's textfile collector never reads half of it;
    raise OSError naming the file when it cannot be written."""
    from tarwatch.formats.metrics import text

    atomic.write_bytes(path, text(metrics), TEXTFILE_MODE)


class Endpoint:
    """The /metrics of `tarwatch serve`: given how to load the configuration and what time it
    is, each call computes the metrics of every hub afresh from the store (opened on the first
    call and kept), one call at a time, and returns (body, content type) for the request's
    Accept header. The configuration is loaded on the first call: a server of a site needs
    none until /metrics is asked for; a failure to load it is raised again on each call."""

    def __init__(self, config: Callable[[], Config], now: Callable[[], float]):
        self._config = config
        self._now = now
        self._store: Store | None = None
        self._lock = threading.Lock()

    def __call__(self, accept: str | None) -> tuple[bytes, str]:
        from tarwatch.formats.metrics import negotiated

        with self._lock:
            config = self._config()
            if self._store is None:
                self._store = Store.open(config.store.url)
            families = gather(config, list(config.hubs), self._store, self._now())
        return negotiated(families, accept)
