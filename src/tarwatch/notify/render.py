"""A message's wording: Jinja2 templates (templates/message.txt and message.html) fed with data
only, through one context. Every string in it that came from a node or a person (names,
reasons, snooze notes, the link) has its control characters shown escaped (tarwatch.visible),
in the text and the HTML alike; the HTML is escaped besides (autoescape)."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from tarwatch.human import COLORS, ICONS, NONE, when
from tarwatch.notify.compose import Line, Message
from tarwatch.records import MessageKind
from tarwatch.visible import visible, visible_lines


def render(message: Message) -> tuple[str, str]:
    """Given a message, return its plain text and its HTML."""
    ctx = context(message)
    text = visible_lines(_env().get_template("message.txt").render(ctx))
    return text, _env().get_template("message.html").render(ctx)


def context(message: Message) -> dict[str, Any]:
    """Given a message, return what its templates see: plain data."""
    return {
        "hub": visible(message.hub),
        "subject": visible(message.subject),
        "at": when(message.at),
        "ok": {"icon": ICONS["ok"], "color": COLORS["ok"][0]},
        "all_well": message.kind == MessageKind.ALL_WELL,
        "sections": [
            {"title": title, "rows": [_row(line) for line in lines]}
            for title, lines in (
                ("New problems", message.new),
                ("Still broken", message.ongoing),
                ("Recovered", message.recovered),
            )
            if lines
        ],
        "snoozes": [
            {"target": visible(s.target), "until": when(s.until), "why": visible(s.why)}
            for s in message.snoozes
        ],
        "link": visible(message.link) if message.link else None,
    }


def _row(line: Line) -> dict[str, str]:
    status = line.status.value if line.status else "recovered"
    look = line.status.value if line.status else "ok"  # recovered looks ok
    change = ""
    if line.change is not None and line.was is not None:
        change = f"{line.change.value}, was {line.was.value}"
    return {
        "icon": ICONS[look],
        "status": status,
        "color": COLORS[look][0],
        "node": visible(line.key.node),
        "item": visible(line.key.item) or NONE,
        "check": visible(line.key.check),
        "since": when(line.since),
        "change": change,
        "text": visible(line.text),
    }


@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("tarwatch.notify", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
