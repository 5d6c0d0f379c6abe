"""The listing parser, fuzzed: arbitrary bytes fed in arbitrary chunks never raise, give the
same listing however they are chunked, and keep their counts consistent; listings built from
hostile names (newlines, tabs, escape sequences, non-UTF-8 bytes, shell metacharacters) parse
back to exactly those names."""

from __future__ import annotations

import os

from hypothesis import given, settings
from hypothesis import strategies as st

from support.listing import parse_listing
from tarwatch.collect.listing import Listing, ListingParser

FUZZ = settings(max_examples=int(os.environ.get("TARWATCH_FUZZ_EXAMPLES", "300")), deadline=None)
# Bytes that make records: tags, separators, digits, NUL; and any other byte.
PIECES = st.one_of(
    st.sampled_from([b"\0", b"\t", b" ", b"T", b"t", b"D", b"C", b"K", b"k", b"L", b"R", b"E", b"X", b"./"]),
    st.sampled_from([b"0", b"12", b"-3", b"1e999", b"nan", b"1.5", b"9" * 5000, b"\xff", b"\x1b[31m", b"\n"]),
    st.binary(max_size=8),
)
STREAMS = st.lists(PIECES, max_size=60).map(b"".join)


def fed(data: bytes, cuts: list[int]) -> Listing:
    """Given a stream and where to cut it, return what the parser makes of those chunks."""
    p = ListingParser()
    last = 0
    for cut in sorted(c % (len(data) + 1) for c in cuts):
        p.feed(data[last:cut])
        last = cut
    p.feed(data[last:])
    return p.close()


@FUZZ
@given(data=STREAMS, cuts=st.lists(st.integers(min_value=0), max_size=12))
def test_any_stream_in_any_chunks_parses_the_same_and_never_raises(data: bytes, cuts: list[int]) -> None:
    whole = parse_listing(data)
    assert fed(data, cuts) == whole
    assert fed(data, list(range(len(data)))) == whole  # one byte at a time


@FUZZ
@given(data=STREAMS)
def test_the_counts_of_any_listing_are_consistent(data: bytes) -> None:
    lst = parse_listing(data)
    records = data.split(b"\0")
    complete, trailing = records[:-1], records[-1]
    assert len(lst.malformed_samples) == min(lst.malformed, 5)
    assert lst.malformed <= len(complete) + (1 if trailing else 0)
    if trailing:
        assert lst.malformed >= 1  # a record cut off at the end is malformed, not dropped
    kept = len(lst.tarballs) + len(lst.locked) + len(lst.links) + len(lst.dna)
    assert kept + lst.malformed <= len(complete) + 1
    for path, size, mtime in lst.tarballs:
        assert isinstance(path, str) and isinstance(size, int) and isinstance(mtime, float)
    assert lst.complete == (lst.status == 0)
    assert len(lst.digest) == 32


NAMES = st.text(
    alphabet=st.one_of(
        st.sampled_from([*"\n\t\r\x1b\x07 $`;|&<>'\"\\*?~#%{}[]()!é/", "\u202e", "\x85"]),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
    ),
    min_size=1,
    max_size=30,
)


@FUZZ
@given(
    names=st.lists(NAMES, min_size=1, max_size=5, unique=True),
    sizes=st.lists(st.integers(min_value=0, max_value=2**63 - 1), min_size=5, max_size=5),
    raw=st.binary(min_size=1, max_size=6).filter(lambda b: b"\0" not in b),
    cuts=st.lists(st.integers(min_value=0), max_size=8),
)
def test_hostile_names_come_back_exactly_however_the_stream_is_cut(
    names: list[str], sizes: list[int], raw: bytes, cuts: list[int]
) -> None:
    stream = [b"R\t/backup/dayabay"]
    want = []
    for name, size in zip(names, sizes, strict=False):
        path = f"svn/{name}/2012/08/03/171121/{name}-1.tar.gz"
        stream.append(f"T\t{size}\t1344013881.5\t{path}".encode())
        want.append((path, size, 1344013881.5))
    # a name that is not UTF-8 comes back with its bytes escaped, never as an error
    stream.append(b"T\t7\t0\tsvn/" + raw + b"/x.tar.gz")
    want.append((f"svn/{raw.decode('utf-8', 'backslashreplace')}/x.tar.gz", 7, 0.0))
    stream.append(b"E\t0")
    data = b"\0".join(stream) + b"\0"
    lst = fed(data, cuts)
    assert lst.tarballs == want
    assert lst.malformed == 0 and lst.complete and lst.root == "/backup/dayabay"
