"""The report as a table for people (`check --format table`): grouped by hub and node, one line
per finding, only problems unless asked; status by word and icon as well as colour."""

from __future__ import annotations

import io
import shutil
from collections import Counter

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from tarwatch.checks.model import NodeVerdict, Report, Snoozed
from tarwatch.human import ICONS, NONE, TERMINAL, age, size, when
from tarwatch.records import Status
from tarwatch.visible import visible

# Below this width the table has no borders and no "newest" column (the age says it).
WIDE = 100
PLURAL = {Status.ALARM: "alarms", Status.WARN: "warnings", Status.UNKNOWN: "unknown"}


def problem_counts(report: Report) -> Counter[Status]:
    """Given a report, return how many problems it holds, by status: one per finding that is not
    ok, of a node (an unreachable node is one) or of an item of a node that was listed; the
    items of an unreachable node are not counted again, and a node never listed is one unknown.
    The table shows one row per problem; notify keeps one per problem; the demo counts them."""
    counts: Counter[Status] = Counter()
    for hub in report.hubs:
        for node in hub.nodes:
            counts.update(f.status for f in node.findings if f.status is not Status.OK)
            if node.reachable is False:
                continue
            if node.reachable is None:  # never listed: one problem, the node's
                counts.update([Status.UNKNOWN] if node.items else [])
                continue
            for item in node.items:
                counts.update(f.status for f in item.findings if f.status is not Status.OK)
    return counts


def summary(report: Report) -> str:
    """Given a report, return its one line: "tarwatch: ALARM, 6 alarms, 5 warnings (as of
    2026-11-20 03:00 UTC)"; "tarwatch: OK (as of …)" when there is no problem."""
    counts = problem_counts(report)
    parts = [f"{counts[s]} {PLURAL[s]}" for s in (Status.ALARM, Status.WARN, Status.UNKNOWN) if counts[s]]
    head = f"tarwatch: {ICONS[report.status]} {report.status.value.upper()}"
    return f"{head}{''.join(', ' + p for p in parts)} (as of {when(report.generated)})"


def render_table(
    report: Report,
    *,
    show_all: bool = False,
    color: bool | None = None,
    width: int | None = None,
    quiet: bool = False,
) -> str:
    """Given a report, return the text of the table: coloured when `color` (default: when
    standard output is a terminal), as wide as the terminal (or `width`); below WIDE columns,
    without borders or the "newest" column, long names and findings folded. With `quiet`, only
    the summary line."""
    buf = io.StringIO()
    width = width or shutil.get_terminal_size((140, 40)).columns
    console = Console(file=buf, force_terminal=color, no_color=color is False, width=width, highlight=False)
    console.print(Text(summary(report), style=TERMINAL[report.status]))
    if quiet:
        return buf.getvalue()
    narrow = width < WIDE
    for hub in report.hubs:
        table = Table(
            title=Text(visible(f"hub {hub.hub} ({hub.srvnode}): ")) + _status(hub.status),
            title_justify="left",
            show_lines=False,
            box=box.SIMPLE_HEAD if narrow else box.HEAVY_HEAD,
            pad_edge=not narrow,
        )
        columns = ("node", "item", "status", "newest (UTC)", "age", "size", "count")
        for col in columns:
            if narrow and col == "newest (UTC)":
                continue
            table.add_column(
                "n" if narrow and col == "count" else col,
                overflow="fold",
                no_wrap=col not in ("node", "item"),
                max_width=(18 if col == "item" else 10 if col == "node" else None) if narrow else None,
            )
        table.add_column("finding", overflow="fold", ratio=1, min_width=20 if narrow else 40)
        rows = 0
        for node in hub.nodes:
            tag = Text(visible(node.node))
            for f in node.findings:
                message = _message(f.message, f.status) + _snoozed(node.snoozed)
                table.add_row(tag, "", _status(f.status), *[""] * (3 if narrow else 4), message)
                rows += 1
            if node.reachable is None and node.items and not show_all:
                # never listed: one line, as notify keeps one problem (not one per item)
                never = Text(
                    visible(f"unreachable: {node.node} has never been listed"), style=TERMINAL[Status.UNKNOWN]
                )
                table.add_row(tag, "", _status(Status.UNKNOWN), *[""] * (3 if narrow else 4), never)
                rows += 1
                continue
            for item in node.items:
                if not show_all and (item.status is Status.OK or node.reachable is False):
                    continue  # an unreachable node is one line above, not one per item
                old = NONE if item.latest is None else age(report.generated - item.latest)
                latest = NONE if item.latest is None else when(item.latest, zone=False)
                cells: list[str | Text] = [
                    Text(visible(item.item)),
                    _status(item.status),
                    *([] if narrow else [latest]),
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
                    cells = [Text("")] * len(cells)
                    rows += 1
        if rows:
            console.print(table)
        else:
            console.print(
                Text(visible(f"hub {hub.hub}: ")) + _status(hub.status) + Text(f" ({len(hub.nodes)} nodes)")
            )
        if note := _drill_note(hub.nodes):
            console.print(Text(note, style="dim"))
    return buf.getvalue()


def _drill_note(nodes: list[NodeVerdict]) -> str:
    """Given a hub's nodes, return within how many runs restore drills test every item's newest
    tarball on each drilled node ("" when none is drilled)."""
    by: dict[int, list[str]] = {}
    for n in nodes:
        if n.drill_nights:
            by.setdefault(n.drill_nights, []).append(visible(n.node))
    parts = [f"{k} run{'s' if k > 1 else ''} on {', '.join(v)}" for k, v in sorted(by.items())]
    return f"restore drills: every item's newest tarball is tested within {'; '.join(parts)}" if parts else ""


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
