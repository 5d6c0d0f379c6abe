"""A node's series document decoded back into points: the inverse of the encoding, which only
tests need (the browser and the images read the columns as they are)."""

from __future__ import annotations

from itertools import accumulate
from typing import Any

from tarwatch.publish.series import Point, decode_columns, default_file


def decode_item(doc: dict[str, Any], t0: int) -> list[Point]:
    """Given one item of a series document and its t0, return its points."""
    stamps, sizes = decode_columns(doc, t0)
    revs: list[int | None] = list(accumulate(doc["rev"])) if "rev" in doc else [None] * len(stamps)
    files = doc.get("files", {})
    gone = {i for a, b in doc.get("gone", []) for i in range(a, b)}
    return [
        Point(t, s, r, files.get(str(i), default_file(doc["item"], r)), i in gone)
        for i, (t, s, r) in enumerate(zip(stamps, sizes, revs, strict=True))
    ]
