"""The layout's parsers, fuzzed: parse_dna lets only ValueError escape, quickly, for any text
(huge integers, deep nesting, big exponents, megabytes); parse_tarball_path lets only
LayoutError escape for any path in any of several time zones, and every stamp it gives lies
in the accepted years; snapshot() takes any listing without raising, and counts every
tarball it could not place."""

from __future__ import annotations

import contextlib
import os
import time
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tarwatch.collect.listing import Listing
from tarwatch.collect.snapshot import snapshot
from tarwatch.layout import (
    DNA_MAX_CHARS,
    SIZE_MAX,
    STAMP_END,
    STAMP_MIN,
    LayoutError,
    parse_dna,
    parse_tarball_path,
)

FUZZ = settings(max_examples=int(os.environ.get("TARWATCH_FUZZ_EXAMPLES", "300")), deadline=None)
ZONES = [
    ZoneInfo(z)
    for z in (
        "UTC",
        "Asia/Shanghai",
        "America/Los_Angeles",
        "Pacific/Kiritimati",
        "Etc/GMT+12",
        "Europe/Berlin",
    )
]
DIGEST = "3f0a8c5d2e9b41f7a6c0d3e8b2f14a57"

# -- .dna sidecars ---------------------------------------------------------------------------

DNA_PIECES = st.one_of(
    st.sampled_from(
        ["{", "}", "[", "]", "(", ")", ":", ",", "'dig'", "'size'", f"'{DIGEST}'", "L", " ", "-"]
    ),
    st.sampled_from(
        ["1", "9" * 5000, "1e999", "10**9**9", "1j", "None", "True", "...", "b'x'", "{[]: 1}", "\\"]
    ),
    st.text(max_size=6),
)


@FUZZ
@given(text=st.one_of(st.lists(DNA_PIECES, max_size=40).map("".join), st.text()))
def test_any_dna_text_is_a_dna_or_a_value_error(text: str) -> None:
    try:
        dna = parse_dna(text)
    except ValueError:
        return
    assert len(dna.digest) == 32 and 0 <= dna.size <= SIZE_MAX


@pytest.mark.parametrize(
    "text",
    [
        "9" * 100_000,
        "{'dig': '" + DIGEST + "', 'size': " + "9" * 100_000 + "}",
        "[" * 100_000 + "]" * 100_000,
        "(" * 10_000,
        "{'size': 10**9**9**9}",
        "1" + "e9" * 50_000,
        "{'dig': '" + DIGEST + "', 'size': 1}" + " " * 10_000_000,  # a long tail of blanks is still short
        "x" * 10_000_000,
    ],
    ids=["digits", "huge size", "deep lists", "open parens", "power", "exponents", "blanks", "megabytes"],
)
def test_huge_or_deep_dna_texts_are_refused_quickly(text: str) -> None:
    start = time.monotonic()
    with contextlib.suppress(ValueError):
        parse_dna(text)
    assert time.monotonic() - start < 1.0


def test_a_dna_longer_than_the_bound_is_refused_before_it_is_read() -> None:
    padded = "{'dig': '" + DIGEST + "', 'size': 1" + ", 'x': 0" * DNA_MAX_CHARS + "}"
    with pytest.raises(ValueError, match="characters"):
        parse_dna(padded)


# -- tarball paths ---------------------------------------------------------------------------

SEGMENT = st.one_of(
    st.sampled_from(
        ["repos", "env", "0000", "1969", "1970", "2999", "3000", "9999", "00", "01", "12", "13", "31"]
    ),
    st.sampled_from(["000000", "235959", "240000", "235960", "env.tar.gz", "env-1.tar.gz", ".", "..", ""]),
    st.from_regex(r"[0-9]{1,8}", fullmatch=True),
    st.sampled_from(["env-" + "9" * 30 + ".tar.gz", "env-" + "9" * 5000 + ".tar.gz", "\u0661\u0662", "x\nx"]),
    st.text(max_size=8),
)
PATHS = st.one_of(st.lists(SEGMENT, max_size=9).map("/".join), st.text())


@st.composite
def dated_paths(draw: st.DrawFn) -> str:
    y = draw(st.integers(0, 9999))
    mo, d = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    h, mi, s = draw(st.integers(0, 25)), draw(st.integers(0, 61)), draw(st.integers(0, 61))
    rev = draw(st.one_of(st.none(), st.integers(0, 2**70)))
    tail = "" if rev is None else f"-{rev}"
    return f"repos/env/{y:04d}/{mo:02d}/{d:02d}/{h:02d}{mi:02d}{s:02d}/env{tail}.tar.gz"


@FUZZ
@given(rel=st.one_of(PATHS, dated_paths()), zone=st.sampled_from(ZONES))
def test_any_path_in_any_zone_parses_into_the_accepted_years_or_is_a_layout_error(
    rel: str, zone: ZoneInfo
) -> None:
    try:
        p = parse_tarball_path(rel, zone)
    except LayoutError:
        return
    assert STAMP_MIN <= p.stamp < STAMP_END
    assert p.revision is None or 0 <= p.revision <= 2**63 - 1
    assert 1970 <= p.when.year <= 2999


# -- snapshots of any listing ----------------------------------------------------------------

FLOATS = st.floats(allow_nan=True, allow_infinity=True)


@st.composite
def listings(draw: st.DrawFn) -> Listing:
    tarballs = draw(
        st.lists(
            st.tuples(st.one_of(dated_paths(), PATHS), st.integers(-(2**70), 2**70), FLOATS),
            max_size=12,
        )
    )
    dna = {}
    for rel, _size, _mtime in tarballs:
        if draw(st.booleans()):
            dna[rel + ".dna"] = draw(
                st.one_of(
                    st.lists(DNA_PIECES, max_size=12).map("".join),
                    st.just("{'dig': '" + DIGEST + "', 'size': 12L}"),
                )
            )
    return Listing(
        root=draw(st.one_of(st.none(), st.text(max_size=10))),
        tarballs=tarballs,
        dna=dna,
        locked=draw(st.lists(st.tuples(PATHS, FLOATS), max_size=3)),
        links=draw(st.lists(st.tuples(PATHS, st.text(max_size=10)), max_size=3)),
        status=draw(st.one_of(st.none(), st.integers(-(2**40), 2**40))),
        malformed=draw(st.integers(0, 10)),
        digest=draw(st.sampled_from(["", "0" * 32])),
    )


@FUZZ
@given(listing=listings(), zone=st.sampled_from(ZONES))
def test_a_snapshot_of_any_listing_places_or_counts_every_tarball(listing: Listing, zone: ZoneInfo) -> None:
    snap = snapshot(listing, zone)
    placed = len(snap.tarballs) + snap.unfit
    assert placed <= len(listing.tarballs) and len(snap.marks) <= len(listing.locked) + len(listing.links)
    # every record the snapshot does not keep is counted, as unfit or malformed
    dropped = len(listing.tarballs) - placed + len(listing.locked) + len(listing.links) - len(snap.marks)
    assert snap.malformed - listing.malformed >= dropped
    assert len({t.path for t in snap.tarballs}) == len(snap.tarballs)
    for t in snap.tarballs:
        assert STAMP_MIN <= t.stamp < STAMP_END
        assert t.path.startswith(snap.root.rstrip("/") + "/")
        assert t.dna_size is None or 0 <= t.dna_size <= SIZE_MAX
    assert snap.complete == (listing.status == 0)
