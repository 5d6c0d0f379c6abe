"""The report as a monitoring plugin's output (the monitoring-plugins development guidelines):

    TARWATCH CRITICAL - 2 alarms, 1 warning: ZZ/SDU tracs/dybaux stale, … | 'ZZ/SDU/tracs/dybaux age'=…
    ZZ/SDU tracs/dybaux ALARM stale: newest tarball is 5.4 days old (alarm after 50 hours)
    …

Perfdata per item: its age in seconds (warn and crit from stale_warn/stale_alarm) and the
newest tarball's size in bytes. The exit status is the report's, as for every format."""

from __future__ import annotations

import re
from collections.abc import Callable

from tarwatch.checks.model import Report, Snoozed, nothing_collected
from tarwatch.human import when
from tarwatch.records import Status
from tarwatch.visible import visible

WORD = {Status.OK: "OK", Status.WARN: "WARNING", Status.ALARM: "CRITICAL", Status.UNKNOWN: "UNKNOWN"}
# control characters (C0, DEL, C1) and Unicode's line and paragraph separators: all of them
# break lines for some reader (\x85, \u2028 and \u2029 do for Python's str.splitlines)
_BREAKS = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
# the bidi embeddings, overrides and isolates: they reorder what a terminal shows after them
_BIDI = r"\u202a-\u202e\u2066-\u2069"
_ESCAPE = re.compile(f"[%=|{_BREAKS}{_BIDI}]")
_UNSAFE = re.compile(f"[|{_BREAKS}]")
SUMMARY_PROBLEMS = 3


def label(text: str) -> str:
    """Given a label, return it quoted for perfdata: % = | and control characters (with Unicode's
    line and paragraph separators and the bidi controls) are percent-encoded ("a=b" → "a%3Db"),
    so that two labels stay two; a single quote is doubled."""
    escaped = _ESCAPE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), text)
    return "'" + escaped.replace("'", "''") + "'"


def _num(x: float) -> str:
    return f"{x:.0f}" if x == int(x) else f"{x:.2f}"


def render(report: Report, thresholds: Callable[[str, str], tuple[float, float]]) -> str:
    """Given a report and a function (hub, item) → (stale_warn, stale_alarm) in seconds, return
    the plugin output: the status line with perfdata, then one line per problem. Before any
    `collect` listed a node of the hubs, one UNKNOWN line that says to run it."""
    if nothing_collected(report):
        hubs = ", ".join(h.hub for h in report.hubs)
        return _clean(f"TARWATCH UNKNOWN - no listing stored yet for {hubs}: run tarwatch collect") + "\n"
    problems: list[tuple[Status, str, str]] = []
    perf: list[str] = []
    counts = {s: 0 for s in Status}
    for hub in report.hubs:
        for node in hub.nodes:
            where = f"{hub.hub}/{node.node}"
            if node.reachable is None:
                problems.append((Status.UNKNOWN, f"{where} never listed", f"{where} UNKNOWN never listed"))
                counts[Status.UNKNOWN] += 1
            for f in node.findings:
                problems.append(
                    (
                        f.status,
                        f"{where} {f.check}",
                        f"{where} {f.status.value.upper()} {f.message}{snoozed_note(node.snoozed)}",
                    )
                )
                counts[f.status] += 1
            for item in node.items:
                for f in item.findings:
                    if node.reachable is not True and f.check == "unreachable":
                        continue  # said once for the node
                    short = f"{where} {item.item} {f.check}"
                    problems.append(
                        (
                            f.status,
                            short,
                            f"{where} {item.item} {f.status.value.upper()} {f.check}: {f.message}"
                            + snoozed_note(item.snoozed),
                        )
                    )
                    counts[f.status] += 1
                if item.latest is not None:
                    warn, crit = thresholds(hub.hub, item.item)
                    age = max(0.0, report.generated - item.latest)
                    perf.append(
                        f"{label(f'{where}/{item.item} age')}={_num(age)}s;{_num(warn)};{_num(crit)};0;"
                    )
                    perf.append(f"{label(f'{where}/{item.item} size')}={item.size}B;;;0;")
    problems.sort(key=lambda p: -p[0].rank)
    parts = [
        f"{counts[s]} {w}{'s' if counts[s] != 1 else ''}"
        for s, w in ((Status.ALARM, "alarm"), (Status.WARN, "warning"), (Status.UNKNOWN, "unknown"))
        if counts[s]
    ]
    nodes = sum(len(h.nodes) for h in report.hubs)
    if parts:
        shown = ", ".join(_clean(p[1]) for p in problems[:SUMMARY_PROBLEMS])
        more = f", +{len(problems) - SUMMARY_PROBLEMS} more" if len(problems) > SUMMARY_PROBLEMS else ""
        summary = f"{', '.join(parts)}: {shown}{more}"
    else:
        summary = f"{_n(len(report.hubs), 'hub')}, {_n(nodes, 'node')}, all tarballs fresh"
    first = f"TARWATCH {WORD[report.status]} - {summary}"
    lines = [first + (" | " + " ".join(perf) if perf else "")]
    lines += [_clean(p[2]) for p in problems]
    return "\n".join(lines) + "\n"


def snoozed_note(s: Snoozed | None) -> str:
    """Given a snooze (or None), return the note a problem line ends with: " [snoozed until
    2026-11-27T12:00:00+00:00: disk swap]"."""
    return "" if s is None else f" [snoozed until {when(s.until)}: {s.why}]"


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _clean(text: str) -> str:
    """Keep plugin output on its lines and off the terminal's controls: control characters
    from node names and reasons shown escaped (visible()), and no pipes (they start perfdata)."""
    return _UNSAFE.sub("_", visible(text))
