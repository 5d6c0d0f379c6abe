"""Test helpers for the listing stream."""

from __future__ import annotations

from tarwatch.collect.listing import Listing, ListingParser


def parse_listing(data: bytes) -> Listing:
    """Given a whole listing stream, return it parsed (in one chunk)."""
    p = ListingParser()
    p.feed(data)
    return p.close()
