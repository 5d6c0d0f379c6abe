"""A Drawing as a PNG, drawn with Pillow: on a canvas SCALE times larger, then reduced (each
pixel the mean of SCALE × SCALE), which smooths lines and marks as an antialiased renderer would;
texts in DejaVu Sans, the copy shipped in tarwatch (fonts/, with its licence), so that the same
drawing gives the same bytes wherever it is drawn. Opaque RGB (no alpha channel to encode),
written by pngfile.py."""

from __future__ import annotations

import functools
import itertools
import math
from pathlib import Path
from typing import Any

from tarwatch.publish.drawing import Drawing, Line, Mark, Text
from tarwatch.publish.images import PNG_LEVEL
from tarwatch.publish.pngfile import rgb_png

SCALE = 3
DPI = 100
_ANCHORS = {"start": "ls", "middle": "ms", "end": "rs"}  # Pillow's: horizontal, then baseline


def png(drawing: Drawing) -> bytes:
    """Given a drawing, return it as PNG bytes of width × height RGB pixels."""
    from PIL import Image, ImageDraw

    s = SCALE
    canvas = Image.new("RGB", (drawing.width * s, drawing.height * s), "#ffffff")
    draw = ImageDraw.Draw(canvas)
    for shape in drawing.shapes:
        if isinstance(shape, Line):
            _line(draw, shape)
        elif isinstance(shape, Mark):
            _mark(draw, shape)
        else:
            _text(canvas, draw, shape)
    return rgb_png(drawing.width, drawing.height, canvas.reduce(s).tobytes(), DPI, PNG_LEVEL)


def text_width(text: str, size: float) -> float:
    """Given a text and its size (px), return its width (px) in the images' font."""
    return float(_font(round(size * SCALE)).getlength(text)) / SCALE


FONT = Path(__file__).with_name("fonts") / "DejaVuSans.ttf"


@functools.cache
def _font(px: int) -> Any:
    from PIL import ImageFont

    return ImageFont.truetype(str(FONT), px)


def _rgb(color: str, opacity: float = 1.0) -> tuple[int, int, int]:
    """Given "#rrggbb" and an opacity, return the colour as drawn over white."""
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(round(c * opacity + 255 * (1 - opacity)) for c in (r, g, b))  # type: ignore[return-value]


def _line(draw: Any, line: Line) -> None:
    s = SCALE
    points = [(x * s, y * s) for x, y in line.points]
    width = max(1, round(line.width * s))
    fill = _rgb(line.color, line.opacity)
    if line.dash is None:
        if len(points) > 1:
            draw.line(points, fill=fill, width=width)
        return
    on, off = line.dash[0] * s, line.dash[1] * s
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        length = math.hypot(x1 - x0, y1 - y0)
        at = 0.0
        while at < length:
            a, b = at / length, min(at + on, length) / length
            draw.line(
                [(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                fill=fill,
                width=width,
            )
            at += on + off


def _mark(draw: Any, mark: Mark) -> None:
    s = SCALE
    x, y, r = mark.x * s, mark.y * s, mark.size * s / 2
    fill = _rgb(mark.color)
    if mark.kind == "triangle":
        draw.polygon([(x, y - r), (x + r * 0.87, y + r / 2), (x - r * 0.87, y + r / 2)], fill=fill)
    elif mark.kind == "dot":
        draw.ellipse([(x - r, y - r), (x + r, y + r)], fill=fill)
    else:
        w = max(1, round(r * 0.7))
        draw.line([(x - r * 0.8, y - r * 0.8), (x + r * 0.8, y + r * 0.8)], fill=fill, width=w)
        draw.line([(x - r * 0.8, y + r * 0.8), (x + r * 0.8, y - r * 0.8)], fill=fill, width=w)


def _text(canvas: Any, draw: Any, text: Text) -> None:
    s = SCALE
    font = _font(round(text.size * s))
    fill = _rgb(text.color)
    if not text.rotate:
        draw.text((text.x * s, text.y * s), text.text, font=font, fill=fill, anchor=_ANCHORS[text.anchor])
        return
    mask = _rotated(text.text, round(text.size * s))
    # the rotated text's baseline is its box's right edge; (x, y) is the middle of it
    left = round(text.x * s - mask.width + font.getmetrics()[1])
    top = round(text.y * s - mask.height / 2)
    canvas.paste(fill, (left, top, left + mask.width, top + mask.height), mask)


@functools.cache
def _rotated(text: str, px: int) -> Any:
    """Given a text and a font size, return a mask of it reading upwards (axis labels: a few,
    the same on every chart)."""
    from PIL import Image, ImageDraw

    font = _font(px)
    ascent, descent = font.getmetrics()
    mask = Image.new("L", (math.ceil(font.getlength(text)), ascent + descent))
    ImageDraw.Draw(mask).text((0, 0), text, font=font, fill=255)
    return mask.rotate(90, expand=True)
