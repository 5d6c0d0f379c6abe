"""Server-rendered charts: SVG and PNG, the same bytes for the same data whatever was drawn
before (fonts and masks are cached), sizes ticked at round binary steps, the time zone named, and a
node without tarballs or unreachable says so without axes of 1970."""

from __future__ import annotations

import io
from typing import Any

from tarwatch.publish.chart import render
from tarwatch.publish.images import ALARM_COLOR, WARN_COLOR, binary_label, binary_step, binary_ticks
from tarwatch.publish.series import ItemSeries, NodeFacts, Point, node_document

T0 = 1_700_006_400


def doc(node: str, items: int, **facts: Any) -> dict:
    series = [
        ItemSeries.of(
            f"svn/p{i}", [Point(T0 + d * 86400, (i + 1) << 30, None, f"p{i}.tar.gz", False) for d in range(9)]
        )
        for i in range(items)
    ]
    return node_document("H", node, series, None, facts=NodeFacts(**facts))


def test_a_chart_is_an_svg_and_a_png_naming_its_items() -> None:
    svg, png = render(doc("N", 3))
    assert png.startswith(b"\x89PNG") and b"<svg" in svg
    assert all(f"svn/p{i}".encode() in svg for i in range(3)) and b"H / N" in svg


def test_the_png_is_the_figures_opaque_pixels_at_its_size() -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(render(doc("N", 3))[1]))
    assert (image.mode, image.size) == ("RGB", (900, 360))  # 900 × 360 px, no alpha
    assert image.getpixel((2, 2)) == (255, 255, 255)  # the canvas's white, not a transparent black


def test_the_same_data_gives_the_same_bytes_whatever_was_drawn_before() -> None:
    first = render(doc("N", 3))
    render(doc("M", 30))  # no legend, other limits
    assert render(doc("N", 3)) == first


def test_a_node_without_tarballs_says_so() -> None:
    svg, _ = render(node_document("H", "E", [], None))
    assert b"no tarballs seen" in svg
    assert b"no tarballs seen" not in render(doc("N", 1))[0]


def test_size_ticks_are_multiples_of_a_power_of_two_bytes() -> None:
    gib, mib = 2**30, 2**20
    assert binary_step(5 * gib) == gib  # 0 … 5 GiB: 1 GiB steps, not 0.93
    assert binary_ticks(0, 5 * gib) == [k * gib for k in range(6)]
    assert binary_ticks(0, 4.66 * gib) == [k * gib for k in range(5)]
    assert binary_ticks(0, 2 * gib) == [k * 512 * mib for k in range(5)]
    assert binary_ticks(0, 700) == [0, 128, 256, 384, 512, 640]
    for hi in (3, 1000, 3 * mib + 5, 4.66 * gib, 123 * 2**40):
        ticks = binary_ticks(0, hi)
        step = ticks[1] - ticks[0]
        assert step & (step - 1) == 0 and 2 <= len(ticks) <= 7, (hi, ticks)
        assert all(t % step == 0 for t in ticks)


def test_size_labels_are_binary_units_with_at_most_two_decimals() -> None:
    gib, mib = 2**30, 2**20
    assert [binary_label(v) for v in (0, 512, 1024, 512 * mib, gib, 1.5 * gib, 1.25 * gib)] == [
        "0 B", "512 B", "1 KiB", "512 MiB", "1 GiB", "1.5 GiB", "1.25 GiB",
    ]  # fmt: skip
    assert binary_label(gib + 2 * mib) == "1026 MiB"  # not 1.00195 GiB
    assert binary_label(4 * 2**40) == "4 TiB"


def test_the_image_ticks_sizes_in_binary_units_and_names_the_time_zone() -> None:
    svg, _ = render(doc("N", 4, tz="Asia/Shanghai"))
    text = svg.decode()
    assert all(f">{k} GiB<" in text for k in (1, 2, 3, 4)), "binary ticks"
    assert "time (Asia/Shanghai)" in text
    assert "GiB" in text and "4.66" not in text
    assert WARN_COLOR in text and ALARM_COLOR in text, "the stale marks"


def test_the_image_of_an_unreachable_node_says_so_and_draws_no_1970_axes() -> None:
    never = node_document("H", "K", [], None, facts=NodeFacts(down_since=T0 + 10 * 86400))
    svg, png = render(never)
    assert b"unreachable since 2023-11-25 00:00 UTC, never listed" in svg
    assert b"1970" not in svg and b"time (" not in svg and png.startswith(b"\x89PNG")
    listed = doc("K", 2, down_since=T0 + 10 * 86400, last_listed=T0 + 8 * 86400)
    svg, _ = render(listed)
    assert b"unreachable since 2023-11-25 00:00 UTC, last listed 2023-11-23 00:00 UTC" in svg
    assert b"svn/p1" in svg  # the last known data is still drawn
    svg, _ = render(doc("N", 2))
    assert b"unreachable" not in svg


def test_an_image_without_tarballs_has_no_axes() -> None:
    svg, _ = render(node_document("H", "E", [], None))
    assert b"H / E: no tarballs seen on this node" in svg
    assert b"1970" not in svg and b"GiB" not in svg
