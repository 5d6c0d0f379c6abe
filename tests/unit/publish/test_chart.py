"""The node chart drawn without matplotlib: the SVG is well-formed XML whatever the names, its
marks sit where the time axis says, its lines are simplified within their tolerance, the PNG
has the chart's pixels where its lines are, and the time axis ticks round local moments."""

from __future__ import annotations

import io
import itertools
import math
import random
import xml.etree.ElementTree as ET

import pytest

from tarwatch.layout import STAMP_END, STAMP_MIN
from tarwatch.publish.chart import LEFT, RIGHT, layout, render, simplified
from tarwatch.publish.drawing import Line, Mark, Text
from tarwatch.publish.series import ItemSeries, NodeFacts, Point, node_document
from tarwatch.publish.svg import xml_text
from tarwatch.publish.timeaxis import time_ticks

T0 = 1_700_006_400  # 2023-11-15 00:00 UTC
DAY = 86400
SVG = "{http://www.w3.org/2000/svg}"


def doc(items: list[str], days: int = 9, hub: str = "H", node: str = "N", **facts: object) -> dict:
    series = [
        ItemSeries.of(
            name, [Point(T0 + d * DAY, (i + 1) << 30, None, "x.tar.gz", False) for d in range(days)]
        )
        for i, name in enumerate(items)
    ]
    return node_document(hub, node, series, None, facts=NodeFacts(**facts))  # type: ignore[arg-type]


def texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_hostile_names_are_escaped_text_of_a_well_formed_svg() -> None:
    evil = ["svn/<script>alert(1)</script>", 'a&b "q" \x1b[31m', "bad\udcff\x00name"]
    svg, _ = render(doc(evil, hub="H<", node="N&\x07"))
    root = ET.fromstring(svg)  # raises on anything not well-formed
    assert b"<script" not in svg and b"\x1b" not in svg and b"\x00" not in svg
    assert "H< / N&\\x07" in texts(svg)  # the title, control characters shown escaped
    shown = [t.text for t in root.iter(f"{SVG}title")]
    assert "svn/<script>alert(1)</script>" in shown and 'a&b "q" \\x1b[31m' in shown
    assert "bad\\udcff\\x00name" in shown
    assert xml_text("<&>\"'") == "&lt;&amp;&gt;&quot;&#x27;"


def test_each_items_line_carries_its_name_even_without_a_legend() -> None:
    names = [f"svn/p{i}" for i in range(30)]
    svg, _ = render(doc(names))
    root = ET.fromstring(svg)
    titled = {t.text for p in root.iter(f"{SVG}path") for t in p.iter(f"{SVG}title")}
    assert set(names) <= titled
    assert not set(names) & set(texts(svg)), "no legend past 12 items"
    assert set(names[:3]) <= set(texts(render(doc(names[:3]))[0])), "a legend for 3"


def test_the_stale_marks_sit_where_the_time_axis_puts_warn_and_alarm() -> None:
    d = layout(doc(["svn/a"], days=30, tz="Asia/Shanghai"))
    drawn = sorted((s.x, s.text) for s in d.shapes if isinstance(s, Text) and 320 < s.y < 340)
    every = time_ticks(T0 - 5 * DAY, T0 + 40 * DAY, "Asia/Shanghai")
    labels = [label for _, label in drawn]
    at = next(i for i in range(len(every)) if [lb for _, lb in every[i : i + len(labels)]] == labels)
    (x1, _), (x2, _) = drawn[0], drawn[-1]
    t1, t2 = every[at][0], every[at + len(labels) - 1][0]

    def x(t: float) -> float:
        return x1 + (t - t1) * (x2 - x1) / (t2 - t1)

    newest = T0 + 29 * DAY
    warn = next(s for s in d.shapes if isinstance(s, Mark) and s.kind == "triangle")
    alarm = next(s for s in d.shapes if isinstance(s, Mark) and s.kind == "cross")
    assert math.isclose(warn.x, x(newest + 26 * 3600), abs_tol=0.5)
    assert math.isclose(alarm.x, x(newest + 50 * 3600), abs_tol=0.5)
    assert LEFT < warn.x < alarm.x < RIGHT
    dotted = next(s for s in d.shapes if isinstance(s, Line) and s.dash)
    assert math.isclose(dotted.points[0][0], x(newest), abs_tol=0.5)
    assert math.isclose(dotted.points[-1][0], alarm.x, abs_tol=0.01)


def test_the_png_has_the_charts_size_and_its_lines_pixels() -> None:
    from PIL import Image

    d = doc(["svn/a", "svn/b"], days=30)
    drawing = layout(d)
    image = Image.open(io.BytesIO(render(d)[1]))
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (900, 360))
    line = next(s for s in drawing.shapes if isinstance(s, Line) and s.title == "svn/b")
    (x0, y0), (x1, y1) = line.points[0], line.points[-1]
    mid = image.getpixel((round((x0 + x1) / 2), round((y0 + y1) / 2)))
    want = tuple(int(line.color[i : i + 2], 16) for i in (1, 3, 5))
    assert all(abs(a - b) < 90 for a, b in zip(mid, want, strict=True)), (mid, want)
    assert image.getpixel((450, (y0 + 310) // 2 + 20)) != mid
    assert image.getpixel((3, 3)) == (255, 255, 255)


def test_an_empty_node_is_one_sentence_in_both_images() -> None:
    from PIL import Image

    empty = node_document("H", "E", [], None)
    svg, png = render(empty)
    assert texts(svg) == ["H / E: no tarballs seen on this node"]
    assert not list(ET.fromstring(svg).iter(f"{SVG}path"))
    pixels = Image.open(io.BytesIO(png)).convert("L")
    assert pixels.getextrema()[0] < 160, "the sentence is drawn"
    assert pixels.crop((0, 0, 900, 120)).getextrema() == (255, 255), "nothing else"


def test_simplified_lines_pass_within_their_tolerance_of_every_point() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(3, 60)
        points = [(float(i * rng.choice((0.3, 1.5, 9))), rng.choice((100.0, 100.1, 150.0))) for i in range(n)]
        points = [(x, y + i * rng.random() * 0.05) for i, (x, y) in enumerate(points)]
        kept = simplified(points, 0.2)
        assert kept[0] == points[0] and kept[-1] == points[-1] and set(kept) <= set(points)
        for p in points:
            assert min(_distance(p, a, b) for a, b in itertools.pairwise(kept)) <= 0.4 + 1e-9
    straight = [(float(x), 5.0 + x / 10) for x in range(365)]
    assert simplified(straight) == [straight[0], straight[-1]]
    spike = [(0.0, 0.0), (0.05, -50.0), (0.1, 0.0), (9.0, 0.0)]
    assert (0.05, -50.0) in simplified(spike)


def _distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    u = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - u * dx, py - ay - u * dy)


def test_time_ticks_are_round_local_moments_with_concise_labels() -> None:
    year = time_ticks(T0, T0 + 365 * DAY, "Europe/Paris")
    assert [label for _, label in year] == ["2024", "Mar", "May", "Jul", "Sep", "Nov"]
    assert year[0][0] == 1704063600  # 2024-01-01 00:00 in Paris (UTC+1)
    days = time_ticks(T0, T0 + 40 * DAY, "UTC")
    assert [label for _, label in days] == ["15", "22", "Dec", "08", "15", "22"]
    hours = time_ticks(T0, T0 + 2 * DAY, "Asia/Shanghai")
    assert "Nov 16" in [label for _, label in hours] and all(t % 3600 == 0 for t, _ in hours)
    for lo, span in ((T0, 3600.0), (T0, 5 * DAY), (T0, 3000 * DAY), (0, 40000 * DAY)):
        ticks = time_ticks(lo, lo + span, "America/New_York")
        assert 2 <= len(ticks) <= 8 and all(lo <= t <= lo + span for t, _ in ticks), (span, ticks)
    assert time_ticks(T0, T0 + DAY, "No/Such_Zone") == time_ticks(T0, T0 + DAY, "UTC")
    spring = 1710046800  # 2024-03-10 00:00 in New York; at 02:00 the clocks go to 03:00
    labels = [label for _, label in time_ticks(spring, spring + 6 * 3600, "America/New_York")]
    assert labels == ["Mar 10", "01:00", "03:00", "04:00", "05:00", "06:00", "07:00"]


def test_the_same_data_gives_the_same_bytes_in_a_new_process_too() -> None:
    import subprocess
    import sys

    code = (
        "import sys, hashlib; sys.path.insert(0, 'tests/unit/publish');"
        "from test_chart import doc; from tarwatch.publish.chart import render;"
        "print(hashlib.sha256(b''.join(render(doc(['svn/a', 'b/c'], days=20)))).hexdigest())"
    )
    import hashlib

    here = hashlib.sha256(b"".join(render(doc(["svn/a", "b/c"], days=20)))).hexdigest()
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert there.strip() == here


@pytest.mark.parametrize("tz", ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"])
@pytest.mark.parametrize(
    "stamps",
    [(STAMP_MIN, STAMP_MIN + DAY), (STAMP_END - 2 * DAY, STAMP_END - 1), (STAMP_MIN, STAMP_END - 1)],
    ids=["first-days", "last-days", "all"],
)
def test_the_first_and_last_stamps_tarwatch_accepts_are_drawn_in_any_zone(
    tz: str, stamps: tuple[int, int]
) -> None:
    """layout.py's range of stamps (1970 to 2999) holds for the server-drawn charts: a year and a
    day either side, in the zones furthest ahead of and behind UTC."""
    series = [ItemSeries.of("svn/a", [Point(t, 1 << 30, None, "x.tar.gz", False) for t in stamps])]
    d = node_document("H", "N", series, None, facts=NodeFacts())
    d["tz"] = tz
    svg, png = render(d)
    labels = texts(svg)
    assert "svn/a" in labels and "1 GiB" in labels
    assert f"time ({tz})" in labels
    assert png.startswith(b"\x89PNG")
