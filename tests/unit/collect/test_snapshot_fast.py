"""The snapshot reads the common form of a tarball's path in one match: it must say exactly what
parse_tarball_path says (item, stamp, revision), or leave the path to it (unfit, with its
reason). Built a chunk at a time, a snapshot is the one built at once."""

from __future__ import annotations

import os
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tarwatch.collect.listing import Listing
from tarwatch.collect.snapshot import Builder, snapshot
from tarwatch.layout import LayoutError, parse_tarball_path

EXAMPLES = int(os.environ.get("TARWATCH_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES // 3, deadline=None)  # a few seconds: the suite is near its budget
FEW = settings(max_examples=max(10, EXAMPLES // 10), deadline=None)
ZONES = [ZoneInfo("UTC"), ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/London")]
NAMES = st.sampled_from(["env", "dyb-svn", "a.b", "x-1", "é", "0"])
DIGITS = st.text("0123456789", min_size=1, max_size=22)


@st.composite
def common_paths(draw: st.DrawFn) -> str:
    name = draw(NAMES)
    y = draw(st.sampled_from(["1969", "1970", "2012", "2024", "2999", "3000"]))
    mo, d = (
        draw(st.sampled_from(["00", "01", "02", "03", "10", "12", "13"])),
        draw(st.sampled_from(["00", "01", "28", "29", "30", "31", "32"])),
    )
    hms = draw(st.sampled_from(["000000", "171121", "235959", "240000", "016000", "020030"]))
    tail = draw(
        st.one_of(
            st.just(""),
            DIGITS.map(lambda r: f"-{r}"),
            st.tuples(DIGITS, DIGITS).map(lambda t: f"-{t[0]}-{t[1]}"),
            st.just("-x"),
        )
    )
    other = draw(st.sampled_from([name, name + "z", "other"]))
    return f"{draw(NAMES)}/{name}/{y}/{mo}/{d}/{hms}/{other}{tail}.tar.gz"


@FUZZ
@given(rels=st.lists(common_paths(), max_size=8, unique=True), zone=st.sampled_from(ZONES))
def test_the_one_match_says_what_parse_tarball_path_says(rels: list[str], zone: ZoneInfo) -> None:
    snap = snapshot(Listing(root="/r", tarballs=[(r, 1, 1.0) for r in rels]), zone)
    got = {t.path[len("/r/") :]: (t.item, t.stamp, t.revision) for t in snap.tarballs}
    unfit = 0
    for rel in rels:
        try:
            p = parse_tarball_path(rel, zone)
        except LayoutError:
            unfit += 1
            assert rel not in got
            continue
        assert got[rel] == (p.item, p.stamp, p.revision)
    assert snap.unfit == unfit


@FEW
@given(rels=st.lists(common_paths(), max_size=12), cuts=st.lists(st.integers(0, 12), max_size=4))
def test_a_snapshot_built_as_the_listing_arrives_is_the_one_built_at_once(
    rels: list[str], cuts: list[int]
) -> None:
    zone = ZoneInfo("Europe/London")
    rows = [(r, i, float(i)) for i, r in enumerate(rels)]
    whole = snapshot(Listing(root="/r/", tarballs=list(rows)), zone)
    builder, growing, at = Builder(zone), Listing(root="/r/"), 0
    for cut in [*sorted(cuts), len(rows)]:
        growing.tarballs.extend(rows[at:cut])
        at = max(at, cut)
        builder.take(growing)
    parts = builder.finish(growing)
    assert parts.tarballs == whole.tarballs and (parts.unfit, parts.malformed) == (
        whole.unfit,
        whole.malformed,
    )
    assert parts.notes == whole.notes and builder.count == len(rows)
