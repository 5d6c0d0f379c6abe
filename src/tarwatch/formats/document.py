"""The report as the document `check --format json` prints and `status.json` holds (described in
the README). Its keys are a public interface: add, never rename."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from tarwatch.checks.capacity import tenths
from tarwatch.checks.model import Finding, ItemVerdict, NodeVerdict, Report, Snoozed, nothing_collected
from tarwatch.records import DiskForecast, ItemDrills


@lru_cache(maxsize=65536)
def iso(t: float | None) -> str | None:
    """Given epoch seconds, return ISO 8601 in UTC ("2012-08-07T12:00:00+00:00"), or None.

    A stamp no datetime can hold (stored by a version that took any year; it is gone at the
    node's next complete listing) is None too, rather than a report that cannot be made."""
    if t is None:
        return None
    try:
        return datetime.fromtimestamp(t, UTC).isoformat()
    except (ValueError, OverflowError, OSError):
        return None


def to_json(report: Report) -> dict[str, Any]:
    """Given a report, return the `check --format json` document."""
    return {
        "generated": iso(report.generated),
        "status": report.status.value,
        "collected": not nothing_collected(report),
        "hubs": [
            {
                "hub": h.hub,
                "status": h.status.value,
                "srvnode": h.srvnode,
                "nodes": [_node(n, report.generated) for n in h.nodes],
            }
            for h in report.hubs
        ],
    }


def _node(n: NodeVerdict, now: float) -> dict[str, Any]:
    return {
        "node": n.node,
        "status": n.status.value,
        "reachable": n.reachable,
        "source": n.source,
        "last_poll": iso(n.last_poll),
        "reason": n.reason,
        "findings": [_finding(f) for f in n.findings],
        "items": [_item(i, now) for i in n.items],
        "snoozed": _snoozed(n.snoozed),
        "last_listed": iso(n.last_listed),
        "drill_nights": n.drill_nights,
        "disk": _disk(n.disk),
    }


def _disk(d: DiskForecast | None) -> dict[str, Any] | None:
    """The disk under the node's root as its newest df saw it (bytes), and when it fills."""
    if d is None:
        return None
    return {
        "mount": d.mount,
        "total": d.total,
        "used": d.used,
        "free": d.free,
        "at": iso(d.at),
        "history_days": round(d.history, 2),
        "growth_per_day": None if d.growth is None else round(d.growth),
        "fill_days": None if d.days is None else tenths(d.days),  # as the check says it
        "largest_night": d.largest_night,
    }


def _item(i: ItemVerdict, now: float) -> dict[str, Any]:
    return {
        "item": i.item,
        "status": i.status.value,
        "latest": iso(i.latest),
        "age_hours": None if i.latest is None else round((now - i.latest) / 3600, 2),
        "size": i.size,
        "count": i.count,
        "revision": i.revision,
        "findings": [_finding(f) for f in i.findings],
        "snoozed": _snoozed(i.snoozed),
        "verified": _verified(i.verified),
    }


def _verified(d: ItemDrills | None) -> dict[str, Any] | None:
    """The item's restore drills that hold: the newest, and the last verified restorable."""
    if d is None:
        return None
    r = d.restorable
    return {
        "at": iso(d.last.at),
        "path": d.last.path,
        "method": d.last.method,
        "ok": d.last.ok,
        "error": d.last.error,
        "stderr": d.last.stderr,
        "restorable_at": iso(r.at) if r else None,
        "restorable_path": r.path if r else None,
        "restorable_stamp": iso(d.restorable_stamp),
    }


def _finding(f: Finding) -> dict[str, str]:
    return {"check": f.check, "status": f.status.value, "message": f.message}


def _snoozed(s: Snoozed | None) -> dict[str, str | None] | None:
    return None if s is None else {"until": iso(s.until), "why": s.why}
