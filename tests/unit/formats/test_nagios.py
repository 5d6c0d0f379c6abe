"""`check --format nagios`: render() read back by a strict parser of monitoring-plugin output
(the monitoring-plugins development guidelines), on reports that are fine, warn, alarm, are
unknown, and carry item names written to break the format."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tarwatch.checks import History, Poll, Report, evaluate
from tarwatch.config.models import Config
from tarwatch.config.validate import validate
from tarwatch.formats.nagios import label, render

# -- a strict parser of plugin output --------------------------------------------------------

WORDS = ("OK", "WARNING", "CRITICAL", "UNKNOWN")
UOMS = ("", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c")
NUM = r"-?(?:\d+(?:\.\d+)?|\.\d+)"
# a label: plain (no space, quote, = or |) or single-quoted with '' for a quote (no = or |)
LABEL = r"(?:'(?P<quoted>(?:[^'=|]|'')+)'|(?P<plain>[^\s'=|]+))"
PERF = re.compile(
    rf"{LABEL}=(?P<value>{NUM})(?P<uom>[A-Za-z%]*)"
    rf"(?:;(?P<warn>{NUM})?(?:;(?P<crit>{NUM})?(?:;(?P<min>{NUM})?(?:;(?P<max>{NUM})?)?)?)?)?"
)
FIRST = re.compile(r"TARWATCH (?P<word>OK|WARNING|CRITICAL|UNKNOWN) - (?P<rest>.+)")


class PluginOutputError(ValueError):
    """Output that a monitoring system would misread."""


@dataclass(frozen=True)
class Perf:
    label: str
    value: float
    uom: str
    warn: float | None
    crit: float | None
    min: float | None
    max: float | None


@dataclass
class PluginOutput:
    word: str
    text: str
    perfdata: list[Perf] = field(default_factory=list)
    long_text: list[str] = field(default_factory=list)


def _number(s: str | None) -> float | None:
    return None if s is None else float(s)


def parse_perfdata(text: str) -> list[Perf]:
    """Given the perfdata after ` | `, return its items; raise PluginOutputError."""
    out, pos = [], 0
    while True:
        m = PERF.match(text, pos)
        if m is None:
            raise PluginOutputError(f"bad perfdata at {pos}: {text[pos : pos + 60]!r}")
        if m["uom"] not in UOMS:
            raise PluginOutputError(f"unit {m['uom']!r} is none of {UOMS}")
        name = m["plain"] if m["plain"] is not None else m["quoted"].replace("''", "'")
        out.append(
            Perf(
                name,
                float(m["value"]),
                m["uom"],
                _number(m["warn"]),
                _number(m["crit"]),
                _number(m["min"]),
                _number(m["max"]),
            )
        )
        pos = m.end()
        if pos == len(text):
            return out
        if text[pos] != " " or pos + 1 == len(text):
            raise PluginOutputError(f"perfdata items must be separated by one space, at {pos}: {text!r}")
        pos += 1


def parse(output: str) -> PluginOutput:
    """Given a plugin's output, return its status word, text, perfdata and long text; raise
    PluginOutputError for anything the guidelines do not allow."""
    if not output.endswith("\n") or output.endswith("\n\n"):
        raise PluginOutputError("output must end with exactly one newline")
    body = output[:-1]
    if body.splitlines() != body.split("\n"):
        raise PluginOutputError(f"a line break other than \\n: {body!r}")
    for c in body:
        if c != "\n" and unicodedata.category(c) == "Cc":
            raise PluginOutputError(f"control character {c!r} in the output")
    first, *rest = body.split("\n")
    m = FIRST.fullmatch(first)
    if m is None:
        raise PluginOutputError(f"first line is not 'TARWATCH <STATUS> - <text>': {first!r}")
    text, bar, perf = m["rest"].partition("|")
    if bar:
        if not (text.endswith(" ") and perf.startswith(" ")):
            raise PluginOutputError(f"perfdata must follow ' | ': {first!r}")
        text, perf = text[:-1], perf[1:]
    if not text.strip():
        raise PluginOutputError("empty status text")
    result = PluginOutput(m["word"], text, parse_perfdata(perf) if bar else [])
    for line in rest:
        if "|" in line:
            raise PluginOutputError(f"'|' in long text: {line!r}")
        if not line:
            raise PluginOutputError("empty line in long text")
        result.long_text.append(line)
    return result


def test_the_parser_accepts_the_guidelines_examples_and_refuses_malformed_output() -> None:
    ok = parse("TARWATCH OK - fine | time=0.06s;1;2;0; 'a b''c'=5B;;;0;\nmore\n")
    assert ok.word == "OK" and ok.text == "fine" and ok.long_text == ["more"]
    assert ok.perfdata == [Perf("time", 0.06, "s", 1, 2, 0, None), Perf("a b'c", 5, "B", None, None, 0, None)]
    assert parse("TARWATCH UNKNOWN - no perfdata\n").perfdata == []
    for bad in (
        "TARWATCH OK - no newline",
        "TARWATCH FINE - not a status\n",
        "TARWATCH OK - x | \n",
        "TARWATCH OK - x | a b=1\n",
        "TARWATCH OK - x | 'a=b'=1\n",
        "TARWATCH OK - x | 'it's'=1\n",
        "TARWATCH OK - x | a=1GB\n",
        "TARWATCH OK - x | a=one\n",
        "TARWATCH OK - x | a=1  b=2\n",
        "TARWATCH OK - x | a=1;;;;;\n",
        "TARWATCH OK - x|a=1\n",
        "TARWATCH OK - x\nlong | text\n",
        "TARWATCH OK - x\n\n",
        "TARWATCH OK - x\u2028y\n",
        "TARWATCH OK - x\x85y\n",
        "TARWATCH OK - x\ty\n",
    ):
        with pytest.raises(PluginOutputError):
            parse(bad)


# -- worlds ---------------------------------------------------------------------------------

HOUR = 3600
NOW = int(datetime(2012, 8, 7, 12, tzinfo=UTC).timestamp())
ITEMS = ("svn/dybsvn", "tracs/dybaux")


def config(**hub: Any) -> Config:
    """Hub ZZ with source `hub` and nodes A and B; tracs/dybaux alarms after 8 days."""
    return validate(
        {
            "nodes": {"hub": {"transport": "local", "root": "/var/scm/backup/{srvnode}"}, "A": {}, "B": {}},
            "hubs": {
                "ZZ": {
                    "srvnode": "dayabay",
                    "source": "hub",
                    "nodes": ["A", "B"],
                    "items": {"tracs/dybaux": {"stale_alarm": "8d"}},
                }
                | hub
            },
        },
        "test.toml",
    )


def row(node: str, item: str, age_hours: float, size: int = 1000) -> tuple:
    stamp = int(NOW - age_hours * HOUR)
    return ("ZZ", node, item, stamp, size, f"/var/scm/backup/dayabay/{item}/{stamp}/x.tar.gz", None)


def world(items: tuple[str, ...] = ITEMS, nodes: tuple[str, ...] = ("hub", "A", "B")) -> list[tuple]:
    return [row(n, i, age) for n in nodes for i in items for age in (48, 24, 6)]


def report_of(rows: list[tuple], polls: dict[str, Poll | None] | None = None, **hub: Any) -> Report:
    p = {n: Poll(ok=True, at=NOW, reason=None, last_ok=NOW) for n in ("hub", "A", "B")}
    p.update(polls or {})
    history = History.from_rows({("ZZ", n): v for n, v in p.items() if v is not None}, rows)
    return evaluate(config(**hub), ["ZZ"], history, NOW)


CALLS: list[tuple[str, str]] = []


def thresholds(hub: str, item: str) -> tuple[float, float]:
    """As `tarwatch check` gives them: (stale_warn, stale_alarm) in seconds."""
    CALLS.append((hub, item))
    t = config().thresholds(hub, item)
    return t.stale_warn.total_seconds(), t.stale_alarm.total_seconds()


def rendered(report: Report) -> PluginOutput:
    return parse(render(report, thresholds))


def labels(out: PluginOutput) -> Counter[str]:
    return Counter(p.label for p in out.perfdata)


BIDI = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}


def expected_label(text: str) -> str:
    """label()'s documented encoding: % = | and control characters (with Unicode's line and
    paragraph separators, which split lines too, and the bidi controls, which reorder what
    follows) are percent-encoded as UTF-8 bytes."""
    return "".join(
        "".join(f"%{b:02X}" for b in c.encode())
        if c in "%=|\u2028\u2029" or unicodedata.category(c) == "Cc" or unicodedata.bidirectional(c) in BIDI
        else c
        for c in text
    )


# -- render ---------------------------------------------------------------------------------


def test_a_world_all_fine_is_ok_with_all_tarballs_fresh_and_no_long_text() -> None:
    out = rendered(report_of(world()))
    assert out.word == "OK"
    assert "all tarballs fresh" in out.text
    assert out.long_text == []
    want = {f"ZZ/{n}/{i} {k}" for n in ("hub", "A", "B") for i in ITEMS for k in ("age", "size")}
    assert labels(out) == Counter(want)


def test_one_stale_item_is_a_warning_with_one_line_saying_what_and_where() -> None:
    rows = [r for r in world(nodes=("A", "B")) if not (r[1] == "A" and r[2] == "tracs/dybaux")]
    rows.append(row("A", "tracs/dybaux", 30))
    out = rendered(report_of(rows, source=None))
    assert out.word == "WARNING"
    assert out.text == "1 warning: ZZ/A tracs/dybaux stale"
    assert out.long_text == [
        "ZZ/A tracs/dybaux WARN stale: newest tarball is 30 hours old (warn after 26 hours)"
    ]
    assert len(out.perfdata) == 2 * 2 * len(ITEMS)


def test_an_alarm_with_an_unreachable_node_is_critical_and_does_not_list_its_items_one_by_one() -> None:
    rows = [r for r in world() if not (r[1] == "A" and r[2] == "tracs/dybaux")]
    polls = {"B": Poll(ok=False, at=NOW, reason="connection refused by B", last_ok=NOW - 2 * HOUR)}
    report = report_of(rows, polls, select=list(ITEMS))
    assert all(i.status.value == "unknown" for n in report.hubs[0].nodes if n.node == "B" for i in n.items)
    out = rendered(report)
    assert out.word == "CRITICAL"
    assert out.text.startswith("2 alarms: ")
    assert "unknown" not in out.text
    b_lines = [line for line in out.long_text if line.startswith("ZZ/B")]
    assert b_lines == [b_lines[0]] and "connection refused by B" in b_lines[0]
    assert any(line.startswith("ZZ/A tracs/dybaux ALARM missing") for line in out.long_text)
    assert len(out.long_text) == 2
    # B's items keep their last known data in perfdata
    assert labels(out)["ZZ/B/svn/dybsvn age"] == 1 and labels(out)["ZZ/B/tracs/dybaux size"] == 1
    assert "ZZ/A/tracs/dybaux age" not in labels(out)


def test_a_world_with_a_node_never_listed_is_unknown() -> None:
    out = rendered(report_of(world(nodes=("hub", "A")), {"B": None}))
    assert out.word == "UNKNOWN"
    assert "unknown" in out.text


def test_many_problems_show_three_in_the_status_line_and_every_one_below() -> None:
    rows = [row(n, i, 100) for n in ("hub", "A", "B") for i in ITEMS]
    out = rendered(report_of(rows))
    assert out.word == "CRITICAL"
    assert out.text.endswith(", +3 more")
    assert len(out.long_text) == 6
    assert [line.split()[2] for line in out.long_text] == ["ALARM"] * 3 + ["WARN"] * 3


def test_perfdata_gives_the_age_in_seconds_with_the_stale_thresholds_and_the_size_in_bytes() -> None:
    rows = [
        *world(nodes=("hub", "B")),
        row("A", "svn/dybsvn", 30, 5 * 2**30),
        row("A", "tracs/dybaux", 1.5, 7),
    ]
    CALLS.clear()
    out = rendered(report_of(rows))
    perf = {p.label: p for p in out.perfdata}
    age = perf["ZZ/A/svn/dybsvn age"]
    assert (age.value, age.uom, age.warn, age.crit, age.min, age.max) == (
        30 * HOUR,
        "s",
        26 * HOUR,
        50 * HOUR,
        0,
        None,
    )
    aux = perf["ZZ/A/tracs/dybaux age"]
    assert (aux.value, aux.warn, aux.crit) == (1.5 * HOUR, 26 * HOUR, 8 * 24 * HOUR)
    size = perf["ZZ/A/svn/dybsvn size"]
    assert (size.value, size.uom, size.warn, size.crit, size.min, size.max) == (
        5 * 2**30,
        "B",
        None,
        None,
        0,
        None,
    )
    assert perf["ZZ/A/tracs/dybaux size"].value == 7
    assert set(CALLS) == {("ZZ", i) for i in ITEMS}
    for p in out.perfdata:
        warn, crit = thresholds("ZZ", p.label.split("/", 2)[2].rsplit(" ", 1)[0])
        if p.label.endswith(" age"):
            assert (p.warn, p.crit) == (warn, crit)


HOSTILE = (
    "repos/a=b",
    "repos/it's",
    "repos/p|q",
    "repos/with space",
    "repos/new\nline",
    "repos/cr\rhere",
    "repos/<img src=x onerror=alert(1)>",
    "rep'os/x' | y='z'",
)


def test_hostile_item_names_still_parse_with_one_age_and_one_size_label_per_item_and_node() -> None:
    rows = [row(n, i, age) for n in ("hub", "A", "B") for i in HOSTILE for age in (60, 55)]
    rows += [row(n, i, 2) for n in ("hub", "A") for i in HOSTILE[:4]]  # fresh on hub and A: in flight to B
    out = rendered(report_of(rows))
    assert out.word == "CRITICAL"
    got = labels(out)
    want = Counter(
        expected_label(f"ZZ/{n}/{i} {k}") for n in ("hub", "A", "B") for i in HOSTILE for k in ("age", "size")
    )
    assert got == want
    assert all(count == 1 for count in got.values())
    for p in out.perfdata:
        assert "\n" not in p.label and "|" not in p.label and "=" not in p.label
    assert len(out.long_text) == len(HOSTILE) * 3 - 2 * 4  # a stale alarm per stale item and node
    for line in out.long_text:
        assert "\n" not in line and "\r" not in line and "|" not in line
    assert any("repos/<img src=x onerror=alert(1)>" in line for line in out.long_text)
    assert any("repos/new\\nline" in line for line in out.long_text)  # shown escaped, as visible() does


def test_two_items_whose_names_differ_only_in_an_equals_sign_and_a_pipe_keep_labels_of_their_own() -> None:
    rows = [row(n, i, 6) for n in ("hub", "A", "B") for i in ("repos/a=b", "repos/a|b")]
    out = rendered(report_of(rows))
    assert all(count == 1 for count in labels(out).values())


def test_a_long_text_line_never_carries_a_line_separator_from_a_node() -> None:
    items = ("repos/nel\x85here", "repos/ls\u2028here", "repos/ps\u2029here", "repos/fs\x1chere")
    rows = [row(n, i, 60) for n in ("hub", "A", "B") for i in items]
    out = rendered(report_of(rows))
    assert len(out.long_text) == 12
    assert labels(out) == Counter(
        expected_label(f"ZZ/{n}/{i} {k}") for n in ("hub", "A", "B") for i in items for k in ("age", "size")
    )


@given(st.text(min_size=1))
def test_label_round_trips_through_the_parser_but_for_the_documented_encoding(text: str) -> None:
    out = parse(f"TARWATCH OK - x | {label(text)}=1\n")
    assert [p.label for p in out.perfdata] == [expected_label(text)]


@given(st.text(alphabet=st.sampled_from("a b'=|\n\x85\u2028"), min_size=1))
def test_label_round_trips_for_text_made_of_the_hard_characters(text: str) -> None:
    out = parse(f"TARWATCH OK - x | {label(text)}=1 {label(text + ' size')}=2B;;;0;\n")
    assert [p.label for p in out.perfdata] == [expected_label(text), expected_label(text + " size")]
