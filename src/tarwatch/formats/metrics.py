"""The report as Prometheus metrics (prometheus_client's families, then its text formats):

    tarwatch_item_newest_timestamp_seconds{hub="ZZ",node="SDU",item="tracs/dybaux"} 1.7e+09
    tarwatch_item_status{hub="ZZ",node="SDU",item="tracs/dybaux"} 2
    tarwatch_node_up{hub="ZZ",node="SDU"} 1
    tarwatch_last_run_timestamp_seconds{hub="ZZ"} 1.7e+09

Names and units follow the Prometheus naming guide: a `tarwatch_` prefix, base units (seconds,
bytes) named in the suffix, times as Unix epoch seconds, every value a gauge (they describe the
state of the stored history, nothing counts up). A status is a number, the exit status of
`check` (STATUS_VALUE). A value that is not known (an item with no tarball, a node never
listed, a hub never run) has no sample rather than a made-up one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily, Metric
from prometheus_client.exposition import choose_encoder, generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from tarwatch.checks.model import Report
from tarwatch.records import PollInfo, RunInfo, Status

PREFIX = "tarwatch_"
# ok 0, warn 1, alarm 2, unknown 3: the exit statuses of `check` (and of monitoring plugins)
STATUS_VALUE = {status: status.exit_code for status in Status}
_STATUS_HELP = "ok 0, warn 1, alarm 2, unknown 3 (the exit statuses of tarwatch check)"
ITEM = ["hub", "node", "item"]
NODE = ["hub", "node"]
HUB = ["hub"]


def _gauge(name: str, help: str, labels: list[str], unit: str = "") -> GaugeMetricFamily:
    return GaugeMetricFamily(PREFIX + name, help, labels=labels, unit=unit)


def families(
    report: Report,
    polls: Mapping[tuple[str, str], PollInfo],
    runs: Mapping[str, RunInfo],
    version: str,
) -> list[Metric]:
    """Given a report, the newest poll of each (hub, node), the newest finished run of each hub
    and tarwatch's version, return the metric families, their samples in the report's order."""
    newest = _gauge(
        "item_newest_timestamp", "When the newest tarball is stamped (not in the future).", ITEM, "seconds"
    )
    size = _gauge("item_newest", "The size of the newest tarball.", ITEM, "bytes")
    kept = _gauge("item_tarballs", "How many tarballs are kept on the node.", ITEM)
    item_status = _gauge("item_status", f"The item's status: {_STATUS_HELP}.", ITEM)
    item_snoozed = _gauge("item_snoozed", "1 while a snooze silences the item's notifications, else 0.", ITEM)
    verified = _gauge(
        "item_verified_timestamp",
        "When a restore drill last verified a kept tarball of the item restorable (verify = gzip or tar).",
        ITEM,
        "seconds",
    )
    drill_ok = _gauge(
        "item_drill_ok", "1 when the item's newest restore drill passed, 0 when it failed.", ITEM
    )
    rotation = _gauge(
        "node_drill_rotation_runs",
        "Within how many runs every drilled item's newest tarball is drilled on the node.",
        NODE,
    )
    node_status = _gauge(
        "node_status", f"The node's status, its worst item's or its own: {_STATUS_HELP}.", NODE
    )
    up = _gauge(
        "node_up", "1 when the newest listing of the node succeeded, 0 when it failed or never ran.", NODE
    )
    listed = _gauge(
        "node_last_poll_timestamp", "When the newest listing ran (the run's time).", NODE, "seconds"
    )
    duration = _gauge(
        "node_listing_duration", "How long the newest listing of the node took.", NODE, "seconds"
    )
    disk_total = _gauge(
        "node_disk_total", "The size of the filesystem under the node's root (df).", NODE, "bytes"
    )
    disk_used = _gauge("node_disk_used", "The bytes used on that filesystem (df).", NODE, "bytes")
    disk_free = _gauge(
        "node_disk_free", "The bytes the node's user may still write there (df's Available).", NODE, "bytes"
    )
    disk_growth = _gauge(
        "node_disk_growth",
        "How fast what that filesystem holds grows (capacity's robust fit; negative: shrinking).",
        NODE,
        "bytes_per_second",
    )
    disk_fill = _gauge(
        "node_disk_fill",
        "How long until that filesystem is full at that growth (none: not growing, or too little history).",
        NODE,
        "seconds",
    )
    hub_status = _gauge("hub_status", f"The hub's status, its worst node's: {_STATUS_HELP}.", HUB)
    run_end = _gauge(
        "last_run_timestamp", "When the newest finished collect or run of the hub ended.", HUB, "seconds"
    )
    run_duration = _gauge(
        "last_run_duration", "How long the newest finished collect or run of the hub took.", HUB, "seconds"
    )
    for hub in report.hubs:
        hub_status.add_metric([hub.hub], STATUS_VALUE[hub.status])
        run = runs.get(hub.hub)
        if run is not None:
            run_end.add_metric([hub.hub], run.finished)
            run_duration.add_metric([hub.hub], max(0.0, run.finished - run.started))
        for node in hub.nodes:
            at = [hub.hub, node.node]
            node_status.add_metric(at, STATUS_VALUE[node.status])
            up.add_metric(at, 1 if node.reachable else 0)
            if node.drill_nights:
                rotation.add_metric(at, node.drill_nights)
            if node.disk is not None:
                disk_total.add_metric(at, node.disk.total)
                disk_used.add_metric(at, node.disk.used)
                disk_free.add_metric(at, node.disk.free)
                if node.disk.growth is not None:
                    disk_growth.add_metric(at, node.disk.growth / 86400)
                if node.disk.days is not None:
                    disk_fill.add_metric(at, node.disk.days * 86400)
            poll = polls.get((hub.hub, node.node))
            if poll is not None:
                listed.add_metric(at, poll.at)
                duration.add_metric(at, poll.duration)
            for item in node.items:
                where = [*at, item.item]
                if item.latest is not None:
                    newest.add_metric(where, item.latest)
                if item.size is not None:
                    size.add_metric(where, item.size)
                kept.add_metric(where, item.count)
                item_status.add_metric(where, STATUS_VALUE[item.status])
                item_snoozed.add_metric(where, 1 if item.snoozed else 0)
                if item.verified is not None:
                    drill_ok.add_metric(where, 1 if item.verified.last.ok else 0)
                    if item.verified.restorable is not None:
                        verified.add_metric(where, item.verified.restorable.at)
    info = InfoMetricFamily(
        PREFIX + "build", "The tarwatch that wrote these metrics.", value={"version": version}
    )
    return [
        newest, size, kept, item_status, item_snoozed, verified, drill_ok, rotation, node_status, up,
        listed, duration, disk_total, disk_used, disk_free, disk_growth, disk_fill, hub_status, run_end,
        run_duration, info,
    ]  # fmt: skip


class _Families(Collector):
    """A collector that gives fixed families (a registry of its own per exposition)."""

    def __init__(self, families: Iterable[Metric]):
        self._families = list(families)

    def collect(self) -> Iterable[Metric]:
        return self._families


def _registry(metrics: Iterable[Metric]) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Families(metrics))
    return registry


def text(metrics: Iterable[Metric]) -> bytes:
    """Given metric families, return them in the Prometheus text format (version 0.0.4: what
    node_exporter's textfile collector and `promtool check metrics` read)."""
    return generate_latest(_registry(metrics))


def negotiated(metrics: Iterable[Metric], accept: str | None) -> tuple[bytes, str]:
    """Given metric families and a request's Accept header, return (body, content type): the
    OpenMetrics text when the client asks for it (Prometheus does), else the Prometheus text."""
    encode, content_type = choose_encoder(accept or "")
    return encode(_registry(metrics)), content_type
