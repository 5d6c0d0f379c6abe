"""Sizes for people."""

from __future__ import annotations


def fmt_size(n: int | None) -> str:
    """Given bytes, return a short size ("1.5 GiB", "512 B"), or "-" for None."""
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")


def fmt_bytes(n: int) -> str:
    """Given bytes, return the short size and the exact count ("4.0 GiB (4299161600 bytes)")."""
    return f"{fmt_size(n)} ({n:,} bytes)" if n >= 1024 else f"{n} bytes"
