"""The report as a table for people (`check --format table`): grouped by hub and node, one line
per finding, only problems unless asked; status by word and icon as well as colour."""

from __future__ import annotations

import io
import shutil

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tarwatch.checks.model import Report, Snoozed
from tarwatch.human import ICONS, NONE, TERMINAL, age, size, when
from tarwatch.records import Status
from tarwatch.visible import visible


def render_table(
    report: Report, *, show_all: bool = False, color: bool | None = None, width: int | None = None
) -> str:
    """Given a report, return the text of the table: coloured when `color` (default: when
    standard output is a terminal), as wide as the terminal (or `width`)."""
    buf = io.StringIO()
    width = width or max(100, shutil.get_terminal_size((140, 40)).columns)
    console = Console(file=buf, force_terminal=color, no_color=color is False, width=width, highlight=False)
    headline = Text("tarwatch: ") + _status(report.status, upper=True)
    console.print(headline + Text(f"  (as of {when(report.generated)})"))
    for hub in report.hubs:
        table = Table(
            title=Text(visible(f"hub {hub.hub} ({hub.srvnode}): ")) + _status(hub.status),
            title_justify="left",
            show_lines=False,
        )
        for col in ("node", "item", "status", "newest (UTC)", "age", "size", "count"):
            table.add_column(col, overflow="fold", no_wrap=col not in ("node", "item"))
        table.add_column("finding", overflow="fold", ratio=1, min_width=40)
        rows = 0
        for node in hub.nodes:
            tag = Text(visible(node.node))
            for f in node.findings:
                message = _message(f.message, f.status) + _snoozed(node.snoozed)
                table.add_row(tag, "", _status(f.status), "", "", "", "", message)
                rows += 1
            for item in node.items:
                if not show_all and (item.status is Status.OK or node.reachable is False):
                    continue  # an unreachable node is one line above, not one per item
                old = NONE if item.latest is None else age(report.generated - item.latest)
                latest = NONE if item.latest is None else when(item.latest, zone=False)
                cells: list[str | Text] = [
                    Text(visible(item.item)),
                    _status(item.status),
                    latest,
                    old,
                    size(item.size),
                    str(item.count),
                ]
                # An item without findings (shown with --all) is one row with an empty finding.
                texts = [
                    _message(f"{f.check}: {f.message}", f.status) + _snoozed(item.snoozed)
                    for f in item.findings
                ] or [Text("")]
                for i, text in enumerate(texts):
                    table.add_row(tag if i == 0 else "", *cells, text)
                    cells = [Text("")] * 6
                    rows += 1
        if rows:
            console.print(table)
        else:
            console.print(
                Text(visible(f"hub {hub.hub}: ")) + _status(hub.status) + Text(f" ({len(hub.nodes)} nodes)")
            )
    return buf.getvalue()


def _message(text: str, status: Status) -> Text:
    """Given a finding's text (it names paths and reasons from the nodes), return it styled,
    with control characters shown escaped."""
    return Text(visible(text), style=TERMINAL[status])


def _snoozed(s: Snoozed | None) -> Text:
    if s is None:
        return Text("")
    return Text(f" (snoozed until {when(s.until)}: {visible(s.why)})", style="dim")


def _status(s: Status, upper: bool = False) -> Text:
    word = s.value.upper() if upper else s.value
    return Text(f"{ICONS[s]} {word}", style=TERMINAL[s])
