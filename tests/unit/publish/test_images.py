"""Server-rendered charts: SVG and PNG, the same bytes for the same data whatever was drawn
before (one figure is reused), and a node without tarballs says so."""

from __future__ import annotations

from tarwatch.publish.images import render
from tarwatch.publish.series import ItemSeries, Point, node_document

T0 = 1_700_006_400


def doc(node: str, items: int) -> dict:
    series = [
        ItemSeries(
            f"svn/p{i}", [Point(T0 + d * 86400, (i + 1) << 30, None, f"p{i}.tar.gz", False) for d in range(9)]
        )
        for i in range(items)
    ]
    return node_document("H", node, series, None)


def test_a_chart_is_an_svg_and_a_png_naming_its_items() -> None:
    svg, png = render(doc("N", 3))
    assert png.startswith(b"\x89PNG") and b"<svg" in svg
    assert all(f"svn/p{i}".encode() in svg for i in range(3)) and b"H / N" in svg


def test_the_same_data_gives_the_same_bytes_whatever_was_drawn_before() -> None:
    first = render(doc("N", 3))
    render(doc("M", 30))  # no legend, other limits
    assert render(doc("N", 3)) == first


def test_a_node_without_tarballs_says_so() -> None:
    svg, _ = render(node_document("H", "E", [], None))
    assert b"no tarballs seen" in svg
    assert b"no tarballs seen" not in render(doc("N", 1))[0]
