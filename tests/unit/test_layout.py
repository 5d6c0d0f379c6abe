from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from support.listing import parse_listing
from tarwatch.collect.snapshot import snapshot
from tarwatch.layout import (
    STAMP_END,
    STAMP_MIN,
    LayoutError,
    item_of_mark,
    parse_dna,
    parse_tarball_path,
    revision_of,
)

UTCZ = ZoneInfo("UTC")


def test_a_seed_path_gives_item_stamp_and_revision():
    p = parse_tarball_path("repos/aberdeen/2012/08/03/171121/aberdeen-1717.tar.gz", UTCZ)
    assert p.item == "repos/aberdeen"
    assert p.when == datetime(2012, 8, 3, 17, 11, 21, tzinfo=UTC)
    assert p.revision == 1717


def test_stamps_are_read_in_the_backups_timezone_and_stored_in_utc():
    p = parse_tarball_path("svn/dybsvn/2013/03/01/113010/dybsvn-21500.tar.gz", ZoneInfo("Asia/Shanghai"))
    assert p.when == datetime(2013, 3, 1, 3, 30, 10, tzinfo=UTC)


def test_dst_gap_and_fold_give_a_definite_stamp():
    berlin = ZoneInfo("Europe/Berlin")
    # 02:30 on 2024-03-31 does not exist in Berlin; 02:30 on 2024-10-27 happens twice.
    gap = parse_tarball_path("a/b/2024/03/31/023000/b.tar.gz", berlin).when
    fold = parse_tarball_path("a/b/2024/10/27/023000/b.tar.gz", berlin).when
    assert gap == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)
    assert fold == datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # the first of the two (CEST)


@pytest.mark.parametrize(
    ("fname", "name", "rev"),
    [
        ("env-3538.tar.gz", "env", 3538),
        ("env-3538-2.tar.gz", "env", 3538),
        ("env.tar.gz", "env", None),
        ("dyb-svn-21500.tar.gz", "dyb-svn", 21500),
        ("dyb-svn.tar.gz", "dyb-svn", None),
        ("other-12.tar.gz", "env", 12),
        ("trac-2013.tar.gz", "trac-2013", None),
    ],
)
def test_revisions_come_from_the_file_name(fname, name, rev):
    assert revision_of(fname, name) == rev


@pytest.mark.parametrize(
    "rel",
    [
        "repos/env/2012/08/03/171121/env.tar",
        "repos/env/2012/08/171121/env.tar.gz",
        "repos/env/2012/13/03/171121/env.tar.gz",
        "repos/env/2012/02/30/171121/env.tar.gz",
        "repos/env/2012/08/03/256199/env.tar.gz",
        "env/2012/08/03/171121/env.tar.gz",
        "x/repos/env/2012/08/03/171121/env.tar.gz",
    ],
)
def test_paths_that_do_not_fit_are_refused_with_a_reason(rel):
    with pytest.raises(LayoutError):
        parse_tarball_path(rel, UTCZ)


def test_dna_sidecars_are_read_with_or_without_the_long_suffix():
    d = parse_dna("{'dig': '3f0a8c5d2e9b41f7a6c0d3e8b2f14a57', 'size': 4299161600L}\n")
    assert (d.digest, d.size) == ("3f0a8c5d2e9b41f7a6c0d3e8b2f14a57", 4299161600)
    assert parse_dna("{'dig': '3F0A8C5D2E9B41F7A6C0D3E8B2F14A57', 'size': 12}").size == 12


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{'dig': 'xyz', 'size': 1}",
        "{'dig': '3f0a8c5d2e9b41f7a6c0d3e8b2f14a57'}",
        "__import__('os')",
        "[1]",
    ],
)
def test_bad_dna_sidecars_are_refused(text):
    with pytest.raises(ValueError):
        parse_dna(text)


def test_marks_belong_to_their_item():
    assert item_of_mark("repos/env/last") == "repos/env"
    assert item_of_mark("LOCKED") is None


ZONES = [
    ZoneInfo(z) for z in ("UTC", "Europe/Berlin", "Asia/Shanghai", "America/New_York", "Australia/Lord_Howe")
]


@given(
    when=st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 12, 31)),
    zone=st.sampled_from(ZONES),
)
def test_the_fast_stamp_equals_the_time_zones_own_answer_on_every_day(when, zone):
    rel = f"a/b/{when:%Y/%m/%d/%H%M%S}/b.tar.gz"
    expected = int(when.replace(tzinfo=zone, microsecond=0).timestamp())
    assert parse_tarball_path(rel, zone).stamp == expected


def test_the_days_of_a_dst_change_are_exact_around_the_change():
    berlin = ZoneInfo("Europe/Berlin")
    for hms in ("015959", "020000", "025959", "030000", "030001"):
        rel = f"a/b/2024/03/31/{hms}/b.tar.gz"
        local = datetime(2024, 3, 31, int(hms[:2]), int(hms[2:4]), int(hms[4:]), tzinfo=berlin)
        assert parse_tarball_path(rel, berlin).stamp == int(local.timestamp())


# -- the years tarwatch accepts ------------------------------------------------------------

FAR_ZONES = [ZoneInfo(z) for z in ("UTC", "Pacific/Kiritimati", "Etc/GMT-14", "Etc/GMT+12", "America/Adak")]


@pytest.mark.parametrize(
    ("rel", "zone"),
    [
        ("a/b/9999/12/31/235959/b.tar.gz", "America/Los_Angeles"),  # year 10000 in UTC
        ("a/b/9999/12/31/235959/b.tar.gz", "UTC"),
        ("a/b/0001/01/01/000000/b.tar.gz", "Asia/Tokyo"),  # year 0 in UTC
        ("a/b/0001/01/01/000000/b.tar.gz", "UTC"),
        ("a/b/0000/01/01/000000/b.tar.gz", "UTC"),
        ("a/b/1969/12/31/235959/b.tar.gz", "UTC"),
        ("a/b/3000/01/01/000000/b.tar.gz", "UTC"),
        ("a/b/2999/12/31/235959/b.tar.gz", "Etc/GMT+12"),  # 3000-01-01 in UTC
        ("a/b/1970/01/01/000000/b.tar.gz", "Asia/Shanghai"),  # 1969-12-31 in UTC
    ],
)
def test_a_date_outside_the_accepted_years_is_unfit_with_a_clear_reason(rel: str, zone: str) -> None:
    with pytest.raises(LayoutError) as e:
        parse_tarball_path(rel, ZoneInfo(zone))
    y, mo, d = rel.split("/")[2:5]
    assert str(e.value) == f"date {y}/{mo}/{d} is outside the years tarwatch accepts (1970–2999, UTC)"


def test_the_first_and_last_accepted_seconds_are_those_of_the_documented_range() -> None:
    first = parse_tarball_path("a/b/1970/01/01/000000/b.tar.gz", UTCZ)
    last = parse_tarball_path("a/b/2999/12/31/235959/b.tar.gz", UTCZ)
    assert (first.stamp, last.stamp) == (STAMP_MIN, STAMP_END - 1)
    assert last.when == datetime(2999, 12, 31, 23, 59, 59, tzinfo=UTC)


def test_out_of_range_dates_are_counted_as_unfit_paths_of_the_snapshot() -> None:
    listing = parse_listing(
        b"R\t/b\0"
        b"T\t10\t0\ta/b/9999/12/31/235959/b.tar.gz\0"
        b"T\t10\t0\ta/b/0001/01/01/000000/b.tar.gz\0"
        b"T\t10\t0\ta/b/2012/08/03/171121/b.tar.gz\0"
        b"E\t0\0"
    )
    snap = snapshot(listing, ZoneInfo("America/Los_Angeles"))
    assert [t.item for t in snap.tarballs] == ["a/b"]
    assert snap.unfit == 2
    assert any("date 9999/12/31 is outside the years tarwatch accepts" in n for n in snap.notes)


def test_a_revision_beyond_64_bits_is_an_unfit_path_not_an_overflow_later() -> None:
    with pytest.raises(LayoutError, match="does not fit in 64 bits"):
        parse_tarball_path("x/x/2012/08/03/171121/x-123456789012345678901234.tar.gz", UTCZ)
    with pytest.raises(LayoutError, match="does not fit in 64 bits"):
        parse_tarball_path("x/x/2012/08/03/171121/x-" + "9" * 5000 + ".tar.gz", UTCZ)
    big = parse_tarball_path(f"x/x/2012/08/03/171121/x-{2**63 - 1}.tar.gz", UTCZ)
    assert big.revision == 2**63 - 1


def test_only_ascii_digits_make_a_dated_folder() -> None:
    with pytest.raises(LayoutError):
        parse_tarball_path("a/b/\u0662\u0660\u0661\u0662/08/03/171121/b.tar.gz", UTCZ)


@pytest.mark.parametrize(
    "text",
    [
        "{[]: 1}",  # unhashable key: TypeError inside literal_eval
        "{'dig': '3f0a8c5d2e9b41f7a6c0d3e8b2f14a57', 'size': " + "9" * 5000 + "}",
        "{'dig': '3f0a8c5d2e9b41f7a6c0d3e8b2f14a57', 'size': 9223372036854775808}",  # 2**63
        "(" * 500 + ")" * 500,
        "[" * 100000,
        "{'dig': '3f0a8c5d2e9b41f7a6c0d3e8b2f14a57', 'size': 10**9**9}",
    ],
)
def test_hostile_dna_sidecars_are_a_value_error_and_nothing_else(text: str) -> None:
    with pytest.raises(ValueError):
        parse_dna(text)


@given(
    stamp=st.integers(min_value=STAMP_MIN, max_value=STAMP_END - 1),
    zone=st.sampled_from(FAR_ZONES),
)
def test_every_accepted_stamp_reads_as_a_date_in_any_zone(stamp: int, zone: ZoneInfo) -> None:
    """What the checks, the formats and the pages do with a stamp never leaves datetime's years."""
    when = datetime.fromtimestamp(stamp, UTC).astimezone(zone)
    assert 1969 <= when.year <= 3000
    assert when.isoformat()
