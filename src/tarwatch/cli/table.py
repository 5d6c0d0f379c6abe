"""The `check --format table` rendering: grouped by hub and node, problems only unless asked."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tarwatch.checks.model import Report, Status
from tarwatch.checks.report import iso

STYLE = {Status.OK: "green", Status.WARN: "yellow", Status.ALARM: "bold red", Status.UNKNOWN: "magenta"}
ICON = {Status.OK: "✔", Status.WARN: "▲", Status.ALARM: "✖", Status.UNKNOWN: "?"}


def fmt_size(n: int | None) -> str:
    """Given bytes, return a short human size ("1.5 GiB")."""
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def render_table(report: Report, *, show_all: bool = False, color: bool | None = None) -> str:
    """Given a report, return the text of the table (coloured when `color`, default: on a tty)."""
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=color is False, width=120, highlight=False)
    status_line = Text(f"{ICON[report.status]} {report.status.value.upper()}", style=STYLE[report.status])
    console.print(Text("tarwatch: ") + status_line + Text(f"  (as of {iso(report.generated)})"))
    for hub in report.hubs:
        table = Table(title=Text(f"hub {hub.hub} ({hub.srvnode}): {hub.status.value}"), title_justify="left")
        for col in ("node", "item", "status", "newest (UTC)", "age", "size", "count", "finding"):
            table.add_column(col, overflow="fold")
        rows = 0
        for node in hub.nodes:
            for f in node.findings:
                table.add_row(node.node, "", _status(f.status), "", "", "", "", Text(f.message))
                rows += 1
            for item in node.items:
                if item.status is Status.OK and not show_all:
                    continue
                age = "-" if item.latest is None else f"{(report.generated - item.latest) / 3600:.1f}h"
                latest = "-" if item.latest is None else iso(item.latest)[:16].replace("T", " ")
                message = "; ".join(f.message for f in item.findings)
                table.add_row(
                    node.node,
                    Text(item.item),
                    _status(item.status),
                    latest,
                    age,
                    fmt_size(item.size),
                    str(item.count),
                    Text(message),
                )
                rows += 1
        if rows:
            console.print(table)
        else:
            console.print(Text(f"hub {hub.hub}: ") + _status(hub.status) + Text(f" ({len(hub.nodes)} nodes)"))
    return buf.getvalue()


def _status(s: Status) -> Text:
    return Text(f"{ICON[s]} {s.value}", style=STYLE[s])
