"""Status badges for wikis and READMEs: `img/badge/<hub>.svg` and `img/badge/<hub>/<node>.svg`,
shields-style ("backups | ✔ ok"): a grey label on the left, on the right the status's word and
icon on its colour (human.py's ICONS and COLORS: white on the status's text colour, at least
4.5:1). Each SVG is an image with a name (role="img", aria-label and <title>), its text
XML-escaped and its control characters shown escaped (tarwatch.visible).

The text is measured with DejaVu Sans' advance widths at 11 px (Verdana's are within a few per
cent: shields measures Verdana 11 px), and each text's textLength is set to that width, so a
reader with another font squeezes or stretches the text into its box rather than overflowing.

A badge is written only when its bytes differ from the file's (the status changed, or the file
is missing): a night that changes no status writes no badge, and a badge's Last-Modified tells
when its status last changed. The badge of a hub or node no longer configured is removed."""

from __future__ import annotations

import math
import re
import unicodedata
from html import escape
from pathlib import Path

from tarwatch.atomic import write_bytes
from tarwatch.checks import Report
from tarwatch.human import COLORS, ICONS
from tarwatch.publish import paths
from tarwatch.visible import visible

HEIGHT = 20
PAD = 6  # px left and right of each text
LABEL_COLOR = "#555"  # white on it: 7.5:1
LABEL_MAX = 40  # characters of a name shown; the title holds all of it
# DejaVu Sans advance widths at 11 px for " " to "~" (U+0020 to U+007E)
_ASCII = (
    3.5, 4.41, 5.06, 9.22, 7.0, 10.45, 8.58, 3.02, 4.29, 4.29, 5.5, 9.22, 3.5, 3.97, 3.5, 3.71,
    7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 3.71, 3.71, 9.22, 9.22, 9.22, 5.84,
    11.0, 7.52, 7.55, 7.68, 8.47, 6.95, 6.33, 8.52, 8.27, 3.24, 3.24, 7.21, 6.13, 9.49, 8.23, 8.66,
    6.63, 8.66, 7.64, 6.98, 6.72, 8.05, 7.52, 10.88, 7.54, 6.72, 7.54, 4.29, 3.71, 4.29, 9.22, 5.5,
    5.5, 6.74, 6.98, 6.05, 6.98, 6.77, 3.87, 6.98, 6.97, 3.06, 3.06, 6.37, 3.06, 10.72, 6.97, 6.73,
    6.98, 6.98, 4.52, 5.73, 4.31, 6.97, 6.51, 9.0, 6.51, 6.51, 5.77, 7.0, 3.71, 7.0, 9.22,
)  # fmt: skip
_OTHER = {"✔": 9.22, "▲": 8.46, "✖": 9.22, "‖": 5.5, "…": 11.0}
_NARROW = 7.0  # any other character: about a lowercase letter's width
_WIDE = 11.0  # East Asian wide and full-width characters: one em
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # lone surrogates, non-characters


def text_width(text: str) -> float:
    """Given text, return its estimated width in px at 11 px DejaVu Sans / Verdana."""
    width = 0.0
    for c in text:
        code = ord(c)
        if 0x20 <= code <= 0x7E:
            width += _ASCII[code - 0x20]
        elif c in _OTHER:
            width += _OTHER[c]
        elif unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
            continue
        else:
            width += _WIDE if unicodedata.east_asian_width(c) in ("W", "F") else _NARROW
    return width


def shown(text: str) -> str:
    """Given a name, return it as a badge shows it: control characters escaped (visible()),
    lone surrogates (bytes that were not UTF-8) as \\xNN, non-characters as \\uXXXX."""

    def one(m: re.Match[str]) -> str:
        code = ord(m.group())
        return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"

    return _NOT_XML.sub(one, visible(text))


def _cut(text: str) -> str:
    return text if len(text) <= LABEL_MAX else text[: LABEL_MAX - 1] + "…"


def badge(label: str, status: str, title: str) -> str:
    """Given the label ("backups"), a status ("ok", "warn", "alarm", "unknown") and the badge's
    accessible name, return the SVG text of a shields-style badge: the label, then the
    status's icon and word on its colour."""
    label = _cut(shown(label))
    value = f"{ICONS[status]} {status}"
    name = escape(f"{shown(title)}: {value}", quote=True)
    widths = [text_width(label), text_width(value)]
    boxes = [math.ceil(w) + 2 * PAD for w in widths]
    total = sum(boxes)
    fill = COLORS[status][0]
    texts = []
    for text, w, x in ((label, widths[0], boxes[0] / 2), (value, widths[1], boxes[0] + boxes[1] / 2)):
        t = escape(text, quote=True)
        at = f'x="{x:g}" textLength="{w:.2f}" lengthAdjust="spacingAndGlyphs"'
        texts.append(f'<text {at} y="15" fill="#010101" fill-opacity=".3" aria-hidden="true">{t}</text>')
        texts.append(f'<text {at} y="14">{t}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="{HEIGHT}" '
        f'viewBox="0 0 {total} {HEIGHT}" role="img" aria-label="{name}">'
        f"<title>{name}</title>"
        '<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/>'
        '<stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r"><rect width="{total}" height="{HEIGHT}" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r)"><rect width="{boxes[0]}" height="{HEIGHT}" fill="{LABEL_COLOR}"/>'
        f'<rect x="{boxes[0]}" width="{boxes[1]}" height="{HEIGHT}" fill="{fill}"/>'
        f'<rect width="{total}" height="{HEIGHT}" fill="url(#s)"/></g>'
        '<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" '
        'text-rendering="geometricPrecision" font-size="11">' + "".join(texts) + "</g></svg>\n"
    )


def hub_badge(hub: str, status: str) -> str:
    """Given a hub tag and its status, return its badge: "backups | ✔ ok"."""
    return badge("backups", status, f"backups of hub {hub}")


def node_badge(hub: str, node: str, status: str) -> str:
    """Given a (hub, node) and the node's status, return its badge: "backups on SDU | ✔ ok"."""
    return badge(f"backups on {node}", status, f"backups of hub {hub} on node {node}")


def badges(report: Report) -> list[tuple[str, str]]:
    """Given the report, return every badge as (path in the site, SVG text): one per hub and
    one per node."""
    out: list[tuple[str, str]] = []
    for h in report.hubs:
        out.append((paths.hub_badge(h.hub), hub_badge(h.hub, h.status.value)))
        out.extend(
            (paths.node_badge(h.hub, n.node), node_badge(h.hub, n.node, n.status.value)) for n in h.nodes
        )
    return out


def write_badges(out: Path, report: Report) -> int:
    """Given the site folder and the report (of every hub), write each badge whose file does
    not hold it already (atomically) and remove the badges of hubs and nodes no longer in it,
    so that no wiki shows a status nobody checks any more; return how many were written."""
    written = 0
    wanted: set[Path] = set()
    for rel, svg in badges(report):
        path = paths.within(out, rel)
        wanted.add(path)
        data = svg.encode("utf-8")
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            pass  # missing or unreadable: written
        write_bytes(path, data)
        written += 1
    for old in (out / paths.BADGES).rglob("*.svg"):
        if old not in wanted and old.is_file():
            old.unlink(missing_ok=True)
    return written
