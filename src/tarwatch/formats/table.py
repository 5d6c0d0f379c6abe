"""The report as a table for people (`check --format table`): grouped by hub and node, one line
per finding, only problems unless asked; status by word and icon as well as colour.

What is shown is made first as plain lines and rows of (text, style) spans; rich draws them.
Output with no table to draw and no colour (a healthy site, read by cron or a pipe) is the same
lines without rich, which is then not imported: each line is written as it is when rich would
write it unchanged (it fits the width, one cell a character: ASCII and the status icons), else
rich writes it all."""

from __future__ import annotations

import io
import shutil
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tarwatch.checks.model import HubVerdict, NodeVerdict, Report, Snoozed
from tarwatch.human import ICONS, NONE, TERMINAL, age, size, when
from tarwatch.records import Status
from tarwatch.visible import visible

if TYPE_CHECKING:  # rich is imported when a table is drawn or a line coloured, not before
    from rich.text import Text

# Below this width the table has no borders and no "newest" column (the age says it).
WIDE = 100
PLURAL = {Status.ALARM: "alarms", Status.WARN: "warnings", Status.UNKNOWN: "unknown"}
# What a line may hold to be written without rich: one cell a character, as rich counts them.
ONE_CELL = frozenset(map(chr, range(0x20, 0x7F))) | frozenset(ICONS.values())

Span = tuple[str, str]  # a text and its rich style ("": none)
Line = tuple[Span, ...]  # spans one after the other: rich.Text's `+` of each
Cell = str | Line  # a str cell is given to rich as it is (markup and all), a Line as Text


@dataclass(frozen=True)
class HubTable:
    """A hub's table: its title and rows (a cell per column, "newest" not among them when narrow)."""

    title: Line
    rows: list[list[Cell]]


Block = Line | HubTable  # what render_table writes, one after the other


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
    width = width or shutil.get_terminal_size((140, 40)).columns
    blocks = report_blocks(report, show_all=show_all, narrow=width < WIDE, quiet=quiet)
    if color is False and (text := plain(blocks, width)) is not None:
        return text
    return drawn(blocks, color, width)


def report_blocks(report: Report, *, show_all: bool, narrow: bool, quiet: bool) -> list[Block]:
    """Given a report, return what its table shows, in order: the summary line, then per hub its
    table (or its one line when it has no row) and its restore drills' line."""
    blocks: list[Block] = [((summary(report), TERMINAL[report.status]),)]
    if quiet:
        return blocks
    for hub in report.hubs:
        rows = _rows(report, hub, show_all, narrow)
        if rows:
            blocks.append(
                HubTable(((visible(f"hub {hub.hub} ({hub.srvnode}): "), ""), *_status(hub.status)), rows)
            )
        else:
            blocks.append(
                ((visible(f"hub {hub.hub}: "), ""), *_status(hub.status), (f" ({len(hub.nodes)} nodes)", ""))
            )
        if note := _drill_note(hub.nodes):
            blocks.append(((note, "dim"),))
    return blocks


def _rows(report: Report, hub: HubVerdict, show_all: bool, narrow: bool) -> list[list[Cell]]:
    """Given a hub's verdict, return the rows of its table (none: nothing to show)."""
    rows: list[list[Cell]] = []
    blank: list[Cell] = [""] * (3 if narrow else 4)
    for node in hub.nodes:
        tag: Line = ((visible(node.node), ""),)
        for f in node.findings:
            rows.append(
                [tag, "", _status(f.status), *blank, _message(f.message, f.status) + _snoozed(node.snoozed)]
            )
        if node.reachable is None and node.items and not show_all:
            # never listed: one line, as notify keeps one problem (not one per item)
            never: Line = (
                (visible(f"unreachable: {node.node} has never been listed"), TERMINAL[Status.UNKNOWN]),
            )
            rows.append([tag, "", _status(Status.UNKNOWN), *blank, never])
            continue
        for item in node.items:
            if not show_all and (item.status is Status.OK or node.reachable is False):
                continue  # an unreachable node is one line above, not one per item
            old = NONE if item.latest is None else age(report.generated - item.latest)
            latest = NONE if item.latest is None else when(item.latest, zone=False)
            cells: list[Cell] = [
                ((visible(item.item), ""),),
                _status(item.status),
                *([] if narrow else [latest]),
                old,
                size(item.size),
                str(item.count),
            ]
            # An item without findings (shown with --all) is one row with an empty finding.
            texts = [
                _message(f"{f.check}: {f.message}", f.status) + _snoozed(item.snoozed) for f in item.findings
            ] or [(("", ""),)]
            for i, text in enumerate(texts):
                rows.append([tag if i == 0 else "", *cells, text])
                cells = [(("", ""),)] * len(cells)
    return rows


def plain(blocks: list[Block], width: int) -> str | None:
    """Given blocks, return their text as rich writes it without colour at `width`, when each is
    a line that rich writes unchanged (it fits, one cell a character, no space at its end); None
    otherwise (rich must draw them)."""
    out = []
    for block in blocks:
        if isinstance(block, HubTable):
            return None
        text = "".join(t for t, _ in block)
        if len(text) > width or text != text.rstrip() or not ONE_CELL.issuperset(text):
            return None
        out.append(text + "\n")
    return "".join(out)


def drawn(blocks: list[Block], color: bool | None, width: int) -> str:
    """Given blocks, return them drawn by rich: coloured when `color` (None: when the output is a
    terminal), `width` wide."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=color, no_color=color is False, width=width, highlight=False)
    narrow = width < WIDE
    for block in blocks:
        if not isinstance(block, HubTable):
            console.print(_text(block))
            continue
        table = Table(
            title=_text(block.title),
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
        for row in block.rows:
            table.add_row(*(c if isinstance(c, str) else _text(c) for c in row))
        console.print(table)
    return buf.getvalue()


def _text(line: Line) -> Text:
    """Given a line, return its rich Text: each span's Text added to the first (whose style,
    as rich's `+` keeps it, is the base of the whole)."""
    from rich.text import Text

    first, *rest = line
    text = Text(first[0], style=first[1])
    for t, style in rest:
        text = text + Text(t, style=style)
    return text


def _drill_note(nodes: list[NodeVerdict]) -> str:
    """Given a hub's nodes, return within how many runs restore drills test every item's newest
    tarball on each drilled node ("" when none is drilled)."""
    by: dict[int, list[str]] = {}
    for n in nodes:
        if n.drill_nights:
            by.setdefault(n.drill_nights, []).append(visible(n.node))
    parts = [f"{k} run{'s' if k > 1 else ''} on {', '.join(v)}" for k, v in sorted(by.items())]
    return f"restore drills: every item's newest tarball is tested within {'; '.join(parts)}" if parts else ""


def _message(text: str, status: Status) -> Line:
    """Given a finding's text (it names paths and reasons from the nodes), return it styled,
    with control characters shown escaped."""
    return ((visible(text), TERMINAL[status]),)


def _snoozed(s: Snoozed | None) -> Line:
    if s is None:
        return (("", ""),)
    return ((f" (snoozed until {when(s.until)}: {visible(s.why)})", "dim"),)


def _status(s: Status, upper: bool = False) -> Line:
    word = s.value.upper() if upper else s.value
    return ((f"{ICONS[s]} {word}", TERMINAL[s]),)
