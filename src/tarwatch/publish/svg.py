"""A Drawing as SVG, written by hand: a white canvas, one path per line (an item's with its name
as a tooltip), the marks as paths, texts as text (the browser draws them; DejaVu Sans first, as
the PNG). Names come from nodes: every text is XML-escaped, its control characters shown
escaped (tarwatch.visible), so the file is always well-formed and nothing in it is markup of
a node's making. The same drawing gives the same bytes."""

from __future__ import annotations

import re
from html import escape

from tarwatch.publish.drawing import Drawing, Line, Mark, Text
from tarwatch.visible import visible

FONT = "DejaVu Sans, Verdana, Geneva, Arial, sans-serif"
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # what visible() leaves that XML 1.0 refuses


def xml_text(text: str) -> str:
    """Given text (a node's or an item's name, say), return it safe as XML text or attribute."""
    shown = _NOT_XML.sub(lambda m: f"\\u{ord(m.group(0)):04x}", visible(text))
    return escape(shown, quote=True)


def svg(drawing: Drawing) -> bytes:
    """Given a drawing, return it as SVG bytes (UTF-8) of width × height px."""
    w, h = drawing.width, drawing.height
    out = [
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"'
        f' font-family="{FONT}" stroke-linejoin="round">\n'
        f"<title>{xml_text(drawing.description)}</title>\n"
        f'<rect width="{w}" height="{h}" fill="#ffffff"/>\n'
    ]
    for shape in drawing.shapes:
        if isinstance(shape, Line):
            out.append(_line(shape))
        elif isinstance(shape, Mark):
            out.append(_mark(shape))
        else:
            out.append(_text(shape))
    out.append("</svg>\n")
    return "".join(out).encode("utf-8")


def _n(v: float) -> str:
    """A coordinate with at most one decimal, without a trailing .0."""
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _line(line: Line) -> str:
    if len(line.points) < 2:
        return ""
    d = "M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in line.points)
    attrs = f'd="{d}" fill="none" stroke="{line.color}" stroke-width="{line.width:g}"'
    if line.dash:
        attrs += f' stroke-dasharray="{line.dash[0]:g} {line.dash[1]:g}"'
    if line.opacity != 1:
        attrs += f' stroke-opacity="{line.opacity:g}"'
    if line.title is None:
        return f"<path {attrs}/>\n"
    return f"<path {attrs}><title>{xml_text(line.title)}</title></path>\n"


def _mark(mark: Mark) -> str:
    x, y, r = mark.x, mark.y, mark.size / 2
    if mark.kind == "triangle":
        d = f"M{_n(x)} {_n(y - r)}L{_n(x + r * 0.87)} {_n(y + r / 2)}L{_n(x - r * 0.87)} {_n(y + r / 2)}Z"
        return f'<path class="warn" d="{d}" fill="{mark.color}"/>\n'
    if mark.kind == "dot":
        return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{r:g}" fill="{mark.color}"/>\n'
    a = r * 0.8
    d = f"M{_n(x - a)} {_n(y - a)}L{_n(x + a)} {_n(y + a)}M{_n(x - a)} {_n(y + a)}L{_n(x + a)} {_n(y - a)}"
    return f'<path class="alarm" d="{d}" stroke="{mark.color}" stroke-width="{r * 0.7:g}"/>\n'


def _text(text: Text) -> str:
    attrs = f'x="{_n(text.x)}" y="{_n(text.y)}" font-size="{text.size:g}" fill="{text.color}"'
    if text.anchor != "start":
        attrs += f' text-anchor="{text.anchor}"'
    if text.rotate:
        attrs += f' transform="rotate({text.rotate} {_n(text.x)} {_n(text.y)})"'
    return f"<text {attrs}>{xml_text(text.text)}</text>\n"
