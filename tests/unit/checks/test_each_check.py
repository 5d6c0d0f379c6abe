"""Checks one by one at their edges: shrink, retention, transfer, digest and locked; how
evaluate() places LOCKED folders, items that come and go, and transfer against the source;
and properties of shrink, transfer and summarize()."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tarwatch import human
from tarwatch.checks import History, Poll, digest, evaluate, locked, retention, shrink, transfer
from tarwatch.checks.model import ItemVerdict, NodeVerdict, Report
from tarwatch.config.models import Config, Defaults
from tarwatch.config.validate import validate
from tarwatch.history import ItemHistory, Tar, summarize
from tarwatch.records import Status

HOUR = 3600
NOW = int(datetime(2012, 8, 7, 12, tzinfo=UTC).timestamp())
GIB = 2**30
ITEM = "svn/dybsvn"
UTC_ZONE = ZoneInfo("UTC")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def severity(f: Any) -> Status:
    return Status.OK if f is None else f.status


def tar(stamp: float, size: int = 1000, **kw: Any) -> Tar:
    s = int(stamp)
    return Tar(stamp=s, size=size, path=f"/var/scm/backup/dayabay/{ITEM}/{s}/dybsvn.tar.gz", **kw)


def hist(*tars: Tar) -> ItemHistory:
    """The history of ITEM made of these tarballs, summarized as the store does."""
    return summarize((ITEM, t) for t in tars)[ITEM]


def ago(hours: float) -> int:
    return int(NOW - hours * HOUR)


# -- shrink ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shrink_warn", "previous", "newest"),
    [
        (0.2, 1000, 800),
        (0.3, 10, 7),  # 1 - 7/10 is 0.30000000000000004 in floating point
        (0.07, 100, 93),
        (0.01, 1000, 990),
        (0.5, 4, 2),
        (0.0, 5, 5),
        (0.2, 5 * GIB, 4 * GIB),
    ],
)
def test_exactly_shrink_warn_smaller_is_fine_and_a_byte_more_is_a_warning(
    shrink_warn: float, previous: int, newest: int
) -> None:
    t = Defaults(shrink_warn=shrink_warn)
    assert shrink.check(hist(tar(ago(30), previous), tar(ago(6), newest)), t) is None
    f = shrink.check(hist(tar(ago(30), previous), tar(ago(6), newest - 1)), t)
    assert f is not None and (f.check, f.status) == ("shrink", Status.WARN)


@given(
    percent=st.integers(min_value=0, max_value=99),
    unit=st.integers(min_value=2, max_value=10**8),  # with 1, a byte less than 1% of 100 B is empty
)
def test_exactly_any_whole_percentage_smaller_is_fine_and_a_byte_more_is_a_warning(
    percent: int, unit: int
) -> None:
    previous, newest = 100 * unit, (100 - percent) * unit
    t = Defaults(shrink_warn=percent / 100)
    assert shrink.check(hist(tar(ago(30), previous), tar(ago(6), newest)), t) is None
    f = shrink.check(hist(tar(ago(30), previous), tar(ago(6), newest - 1)), t)
    assert f is not None and f.status == Status.WARN


def test_a_zero_size_newest_tarball_is_an_alarm_even_without_a_previous_one() -> None:
    t = Defaults()
    for h in (hist(tar(ago(6), 0)), hist(tar(ago(30), 1000), tar(ago(6), 0))):
        f = shrink.check(h, t)
        assert f is not None and (f.check, f.status) == ("shrink", Status.ALARM)
        assert "0 bytes" in f.message or "empty" in f.message


def test_a_single_tarball_gives_no_shrink_finding() -> None:
    assert shrink.check(hist(tar(ago(6), 1)), Defaults()) is None


def test_no_history_gives_no_shrink_finding() -> None:
    assert shrink.check(None, Defaults()) is None


def test_a_growing_tarball_gives_no_shrink_finding() -> None:
    assert shrink.check(hist(tar(ago(30), 1000), tar(ago(6), 10**9)), Defaults()) is None


def test_a_previous_tarball_of_size_zero_gives_no_division_error_and_no_finding() -> None:
    assert shrink.check(hist(tar(ago(30), 0), tar(ago(6), 1000)), Defaults()) is None


def test_the_shrink_message_has_both_sizes_and_the_threshold_as_a_percentage() -> None:
    f = shrink.check(hist(tar(ago(30), 10 * GIB), tar(ago(6), 5 * GIB)), Defaults(shrink_warn=0.25))
    assert f is not None
    assert human.size(10 * GIB) in f.message and human.size(5 * GIB) in f.message
    assert "10.0 GiB" in f.message and "5.0 GiB" in f.message
    assert "25%" in f.message
    assert "50%" in f.message


SIZES = st.integers(min_value=0, max_value=2**44)


@given(
    previous=SIZES,
    a=SIZES,
    b=SIZES,
    shrink_warn=st.one_of(st.floats(min_value=0, max_value=1), st.integers(0, 100).map(lambda p: p / 100)),
)
def test_a_smaller_newest_tarball_never_gives_a_less_severe_shrink_status(
    previous: int, a: int, b: int, shrink_warn: float
) -> None:
    t = Defaults(shrink_warn=shrink_warn)
    smaller, larger = min(a, b), max(a, b)
    s = shrink.check(hist(tar(ago(30), previous), tar(ago(6), smaller)), t)
    g = shrink.check(hist(tar(ago(30), previous), tar(ago(6), larger)), t)
    assert severity(s).rank >= severity(g).rank


# -- retention ------------------------------------------------------------------------------

KEEP = Defaults(keep_min=2, keep_max=5)


def test_no_tarball_at_all_is_not_retentions_business_but_missings() -> None:
    assert retention.check(0, KEEP) is None
    assert retention.check(0, Defaults(keep_min=3)) is None


def test_exactly_keep_min_or_keep_max_tarballs_is_fine() -> None:
    assert retention.check(2, KEEP) is None
    assert retention.check(5, KEEP) is None


def test_one_more_than_keep_max_is_a_warning_asking_whether_the_purge_runs() -> None:
    f = retention.check(6, KEEP)
    assert f is not None and (f.check, f.status) == ("retention", Status.WARN)
    assert "6 tarballs" in f.message and "above 5" in f.message


def test_fewer_than_keep_min_is_a_warning_asking_whether_the_purge_is_too_eager() -> None:
    f = retention.check(1, KEEP)
    assert f is not None and (f.check, f.status) == ("retention", Status.WARN)
    assert "1 tarballs" in f.message and "below 2" in f.message


# -- transfer -------------------------------------------------------------------------------

GRACE = Defaults(transfer_grace="6h")


def test_without_a_source_or_without_a_node_history_transfer_says_nothing() -> None:
    h = hist(tar(ago(48)), tar(ago(24)))
    assert transfer.check("A", None, h, NOW, GRACE, UTC_ZONE) is None
    assert transfer.check("A", h, None, NOW, GRACE, UTC_ZONE) is None


def test_a_source_tarball_past_the_grace_absent_on_the_node_is_an_alarm_dated_in_the_backups_timezone() -> (
    None
):
    # 20:00 UTC on 6 August is 04:00 on 7 August in Shanghai; `now` is 03:00 UTC on 7 August
    late = int(datetime(2012, 8, 6, 20, tzinfo=UTC).timestamp())
    now = late + 7 * HOUR
    source = hist(tar(late - 48 * HOUR), tar(late - 24 * HOUR), tar(late))
    node = hist(tar(late - 48 * HOUR), tar(late - 24 * HOUR))
    f = transfer.check("SDU", source, node, now, GRACE, SHANGHAI)
    assert f is not None and (f.check, f.status) == ("transfer", Status.ALARM)
    assert "2012/08/07" in f.message and "2012/08/06" not in f.message
    assert "SDU" in f.message
    assert "on the hub for 7 hours" in f.message
    f_utc = transfer.check("SDU", source, node, now, GRACE, UTC_ZONE)
    assert f_utc is not None and "2012/08/06" in f_utc.message


def test_a_source_tarball_exactly_transfer_grace_old_is_still_in_flight_and_a_second_more_is_not() -> None:
    """As with stale and locked, exactly at the threshold is still fine."""
    node = hist(tar(ago(48)))
    assert transfer.check("A", hist(tar(ago(48)), tar(ago(6))), node, NOW, GRACE, UTC_ZONE) is None
    source = hist(tar(ago(48)), tar(NOW - 6 * HOUR - 1))
    f = transfer.check("A", source, node, NOW, GRACE, UTC_ZONE)
    assert f is not None and f.status == Status.ALARM
    assert "on the hub for 6 hours" in f.message


def test_a_source_tarball_one_second_inside_the_grace_is_in_flight_and_fine() -> None:
    source = hist(tar(ago(48)), tar(NOW - 6 * HOUR + 1))
    node = hist(tar(ago(48)))
    assert transfer.check("A", source, node, NOW, GRACE, UTC_ZONE) is None
    source = hist(tar(ago(48)), tar(ago(1)))
    assert transfer.check("A", source, node, NOW, GRACE, UTC_ZONE) is None


def test_a_tarball_with_another_size_on_the_node_is_an_alarm_with_both_sizes() -> None:
    source = hist(tar(ago(48), 5 * GIB), tar(ago(24), 5 * GIB))
    node = hist(tar(ago(48), 5 * GIB), tar(ago(24), 4 * GIB))
    f = transfer.check("A", source, node, NOW, GRACE, UTC_ZONE)
    assert f is not None and (f.check, f.status) == ("transfer", Status.ALARM)
    assert human.exact_size(4 * GIB) in f.message and human.exact_size(5 * GIB) in f.message
    assert "2012/08/06" in f.message


def test_source_tarballs_older_than_the_nodes_oldest_are_not_expected_as_the_node_purges_sooner() -> None:
    source = hist(*(tar(ago(h)) for h in (120, 96, 72, 48, 24)))
    node = hist(tar(ago(48)), tar(ago(24)))
    assert transfer.check("A", source, node, NOW, GRACE, UTC_ZONE) is None


def test_node_tarballs_the_source_no_longer_has_are_fine_as_the_source_purges_sooner() -> None:
    source = hist(tar(ago(24)))
    node = hist(*(tar(ago(h)) for h in (120, 96, 72, 48, 24)))
    assert transfer.check("A", source, node, NOW, GRACE, UTC_ZONE) is None


def test_several_absent_tarballs_name_the_newest_and_say_how_many_older_ones_are_missing_too() -> None:
    source = hist(*(tar(ago(h)) for h in (96, 72, 48, 24)))
    node = hist(tar(ago(96)))
    f = transfer.check("A", source, node, NOW, GRACE, UTC_ZONE)
    assert f is not None and f.status == Status.ALARM
    assert "2012/08/06" in f.message  # the newest absent one, 24 hours before NOW
    assert "2 older ones" in f.message


def test_several_tarballs_of_another_size_say_how_many_more_differ() -> None:
    source = hist(*(tar(ago(h), 1000) for h in (72, 48, 24)))
    node = hist(*(tar(ago(h), 999) for h in (72, 48, 24)))
    f = transfer.check("A", source, node, NOW, GRACE, UTC_ZONE)
    assert f is not None and "(2 more differ)" in f.message


def test_adding_an_older_tarball_to_the_node_can_reveal_a_hole_by_design() -> None:
    """Why the property below adds only tarballs from the node's oldest on: the node's oldest
    kept tarball is where transfer starts expecting the source's, so a node keeping 96h and
    24h but not 48h lacks one, while a node keeping only 24h has purged the rest."""
    source = hist(*(tar(ago(h)) for h in (96, 48, 24)))
    assert transfer.check("A", source, hist(tar(ago(24))), NOW, GRACE, UTC_ZONE) is None
    f = transfer.check("A", source, hist(tar(ago(96)), tar(ago(24))), NOW, GRACE, UTC_ZONE)
    assert f is not None and f.status == Status.ALARM


@st.composite
def manifests(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[tuple[int, int]], tuple[int, int]]:
    """A source manifest, a non-empty node manifest (some of the source's tarballs, some with
    another size, some only on the node) and a source tarball not on the node, at or after the
    node's oldest, to add to it. Stamps are whole hours before NOW, some within the grace."""
    hours = st.integers(min_value=0, max_value=200)
    src_hours = draw(st.lists(hours, min_size=1, max_size=12, unique=True))
    source = [(NOW - h * HOUR, draw(st.integers(0, 3))) for h in src_hours]
    node: dict[int, int] = {}
    for stamp, size in source:
        choice = draw(st.sampled_from(["copy", "absent", "other size"]))
        if choice == "copy":
            node[stamp] = size
        elif choice == "other size":
            node[stamp] = size + 1
    for h in draw(st.lists(hours, max_size=5)):
        node.setdefault(NOW - h * HOUR - 1, 1)  # off the hour: never on the source
    if not node:
        node[NOW - 300 * HOUR] = 1
    oldest = min(node)
    addable = [(s, z) for s, z in source if s not in node and s >= oldest]
    if not addable:
        stamp = max(source)[0] + 1  # newer than anything: on the source too
        source.append((stamp, 5))
        addable = [(stamp, 5)]
    return source, sorted(node.items()), draw(st.sampled_from(addable))


def from_manifest(manifest: list[tuple[int, int]]) -> ItemHistory:
    return hist(*(tar(s, z) for s, z in manifest))


@given(m=manifests())
def test_adding_to_the_node_a_tarball_the_source_has_never_makes_the_transfer_status_worse(
    m: tuple[list[tuple[int, int]], list[tuple[int, int]], tuple[int, int]],
) -> None:
    source, node, added = m
    src = from_manifest(source)
    before = transfer.check("A", src, from_manifest(node), NOW, GRACE, UTC_ZONE)
    after = transfer.check("A", src, from_manifest([*node, added]), NOW, GRACE, UTC_ZONE)
    assert severity(after).rank <= severity(before).rank


# -- digest ---------------------------------------------------------------------------------

MD5_A = "0123456789abcdef0123456789abcdef"
MD5_B = "fedcba9876543210fedcba9876543210"


def test_tarballs_without_a_dna_sidecar_give_no_digest_finding() -> None:
    assert digest.check(hist(tar(ago(48)), tar(ago(24))), "size") is None
    assert digest.check(None, "size") is None


def test_a_dna_sidecar_that_agrees_on_the_size_gives_no_digest_finding() -> None:
    h = hist(tar(ago(48), 1000, digest=MD5_A, dna_size=1000), tar(ago(24), 2000, digest=MD5_B, dna_size=2000))
    assert digest.check(h, "size") is None


def test_a_dna_sidecar_that_disagrees_on_the_size_is_an_alarm_naming_the_date_and_both_sizes() -> None:
    late = int(datetime(2012, 8, 6, 20, tzinfo=UTC).timestamp())  # 7 August in Shanghai
    h = hist(tar(late - 24 * HOUR, 1000, dna_size=1000), tar(late, 4 * GIB, dna_size=5 * GIB))
    f = digest.check(h, "size", SHANGHAI)
    assert f is not None and (f.check, f.status) == ("digest", Status.ALARM)
    assert "2012/08/07" in f.message
    assert human.exact_size(5 * GIB) in f.message and human.exact_size(4 * GIB) in f.message
    assert "more disagree" not in f.message


def test_several_dna_disagreements_name_the_newest_and_say_how_many_more_disagree() -> None:
    h = hist(
        tar(ago(96), 1000, dna_size=1),
        tar(ago(72), 1000, dna_size=1000),
        tar(ago(48), 1000, dna_size=2),
        tar(ago(24), 1000, dna_size=3),
        tar(ago(6), 1000),
    )
    f = digest.check(h, "size")
    assert f is not None and f.status == Status.ALARM
    assert "2012/08/06" in f.message and "3 bytes" in f.message  # the 24h one
    assert "(2 more disagree)" in f.message


def test_with_verify_md5_a_newest_md5_equal_to_its_dna_gives_no_digest_finding() -> None:
    h = hist(tar(ago(24), 1000, digest=MD5_A, dna_size=1000, md5=MD5_A))
    assert digest.check(h, "md5") is None


def test_with_verify_md5_a_newest_md5_other_than_its_dna_is_an_alarm_with_both_digests() -> None:
    h = hist(tar(ago(24), 1000, digest=MD5_A, dna_size=1000, md5=MD5_B))
    f = digest.check(h, "md5")
    assert f is not None and (f.check, f.status) == ("digest", Status.ALARM)
    assert MD5_A in f.message and MD5_B in f.message


def test_with_verify_md5_a_newest_tarball_not_hashed_gives_no_digest_finding() -> None:
    h = hist(tar(ago(24), 1000, digest=MD5_A, dna_size=1000, md5=None))
    assert digest.check(h, "md5") is None


def test_with_verify_size_the_md5_is_ignored() -> None:
    h = hist(tar(ago(24), 1000, digest=MD5_A, dna_size=1000, md5=MD5_B))
    assert digest.check(h, "size") is None


def test_with_verify_md5_a_size_disagreement_and_an_md5_disagreement_are_both_said() -> None:
    h = hist(tar(ago(24), 1000, digest=MD5_A, dna_size=999, md5=MD5_B))
    f = digest.check(h, "md5")
    assert f is not None and "999 bytes" in f.message and MD5_B in f.message


# -- locked ---------------------------------------------------------------------------------

LOCK_GRACE = Defaults(locked_grace="6h")


def test_no_locked_folder_gives_no_locked_finding() -> None:
    assert locked.check([], NOW, LOCK_GRACE) is None


def test_a_locked_folder_younger_than_or_exactly_locked_grace_is_a_transfer_in_progress() -> None:
    assert locked.check([("svn/dybsvn/2012/08/07/LOCKED", NOW - 5 * HOUR)], NOW, LOCK_GRACE) is None
    assert locked.check([("svn/dybsvn/2012/08/07/LOCKED", NOW - 6 * HOUR)], NOW, LOCK_GRACE) is None


def test_a_locked_folder_older_than_locked_grace_is_a_warning_with_its_path_age_and_the_grace() -> None:
    f = locked.check([("svn/dybsvn/2012/08/07/LOCKED", NOW - 7 * HOUR)], NOW, LOCK_GRACE)
    assert f is not None and (f.check, f.status) == ("locked", Status.WARN)
    assert "svn/dybsvn/2012/08/07/LOCKED" in f.message
    assert "7 hours" in f.message
    assert "6 hours" in f.message
    assert "more" not in f.message


def test_several_old_locked_folders_name_the_oldest_and_say_how_many_more() -> None:
    locks = [
        ("a/x/LOCKED", NOW - 10 * HOUR),
        ("b/y/LOCKED", NOW - 30 * HOUR),
        ("c/z/LOCKED", NOW - 8 * HOUR),
        ("d/w/LOCKED", NOW - 1 * HOUR),  # young: not counted
    ]
    f = locked.check(locks, NOW, LOCK_GRACE)
    assert f is not None and f.status == Status.WARN
    assert "b/y/LOCKED" in f.message and "30 hours" in f.message
    assert "(and 2 more)" in f.message
    assert "a/x/LOCKED" not in f.message


# -- evaluate -------------------------------------------------------------------------------


def config(**hub: Any) -> Config:
    """A hub ZZ with source `hub` and backup nodes A and B; `hub` keys override."""
    return validate(
        {
            "nodes": {"hub": {"transport": "local", "root": "/var/scm/backup/{srvnode}"}, "A": {}, "B": {}},
            "hubs": {"ZZ": {"srvnode": "dayabay", "source": "hub", "nodes": ["A", "B"]} | hub},
        },
        "test.toml",
    )


def row(node: str, item: str, age_hours: float, size: int = 1000) -> tuple:
    stamp = ago(age_hours)
    name = item.split("/")[1]
    return ("ZZ", node, item, stamp, size, f"/var/scm/backup/dayabay/{item}/{stamp}/{name}.tar.gz", None)


def ok_poll() -> Poll:
    return Poll(ok=True, at=NOW, reason=None, last_ok=NOW)


def history(
    rows: list[tuple],
    polls: dict[str, Poll] | None = None,
    locks: dict[str, list[tuple[str, float]]] | None = None,
) -> History:
    p = {("ZZ", n): ok_poll() for n in ("hub", "A", "B")}
    p.update({("ZZ", n): v for n, v in (polls or {}).items()})
    return History.from_rows(p, rows, {("ZZ", n): v for n, v in (locks or {}).items()})


def world(items: tuple[str, ...] = ("svn/dybsvn", "tracs/dybsvn")) -> list[tuple]:
    return [row(n, i, age) for n in ("hub", "A", "B") for i in items for age in (48, 24, 6)]


def node_of(report: Report, node: str) -> NodeVerdict:
    return next(n for n in report.hubs[0].nodes if n.node == node)


def item_of(report: Report, node: str, item: str) -> ItemVerdict:
    return next(i for i in node_of(report, node).items if i.item == item)


def checks_of(v: ItemVerdict | NodeVerdict) -> list[str]:
    return [f.check for f in v.findings]


def test_an_old_locked_folder_at_the_root_is_a_finding_of_the_node() -> None:
    locks = {"A": [("LOCKED", NOW - 30 * HOUR)]}
    report = evaluate(config(), ["ZZ"], history(world(), locks=locks), NOW)
    a = node_of(report, "A")
    assert [(f.check, f.status) for f in a.findings] == [("locked", Status.WARN)]
    assert all(i.findings == [] for i in a.items)
    assert a.status == Status.WARN
    assert node_of(report, "B").status == Status.OK


def test_an_old_locked_folder_given_as_an_absolute_path_at_the_root_is_a_finding_of_the_node() -> None:
    locks = {"A": [("/var/scm/backup/dayabay/LOCKED", NOW - 30 * HOUR)]}
    report = evaluate(config(), ["ZZ"], history(world(), locks=locks), NOW)
    assert checks_of(node_of(report, "A")) == ["locked"]


def test_an_old_locked_folder_inside_an_item_folder_is_that_items_finding() -> None:
    locks = {"A": [("tracs/dybsvn/2012/08/06/LOCKED", NOW - 30 * HOUR)]}
    report = evaluate(config(), ["ZZ"], history(world(), locks=locks), NOW)
    a = node_of(report, "A")
    assert a.findings == []
    assert checks_of(item_of(report, "A", "tracs/dybsvn")) == ["locked"]
    assert item_of(report, "A", "tracs/dybsvn").status == Status.WARN
    assert item_of(report, "A", "svn/dybsvn").findings == []
    assert a.status == Status.WARN


def test_a_young_locked_folder_gives_no_finding_anywhere() -> None:
    locks = {"A": [("LOCKED", NOW - HOUR), ("svn/dybsvn/2012/08/07/LOCKED", NOW - HOUR)]}
    report = evaluate(config(), ["ZZ"], history(world(), locks=locks), NOW)
    assert report.status == Status.OK


def test_an_item_that_appears_is_fine_and_one_whose_tarballs_are_all_gone_is_missing() -> None:
    """`new/item` has one tarball, listed on the newest poll only; every tarball of
    `tracs/dybsvn` is gone from A, so the history has none: `select` still names it."""
    rows = [r for r in world() if not (r[1] == "A" and r[2] == "tracs/dybsvn")]
    rows += [row(n, "new/item", 1) for n in ("hub", "A", "B")]
    c = config(select=["svn/dybsvn", "tracs/dybsvn", "new/item"])
    report = evaluate(c, ["ZZ"], history(rows), NOW)
    for n in ("hub", "A", "B"):
        new = item_of(report, n, "new/item")
        assert (new.status, new.count, new.findings) == (Status.OK, 1, [])
    gone = item_of(report, "A", "tracs/dybsvn")
    assert [(f.check, f.status) for f in gone.findings] == [("missing", Status.ALARM)]
    assert "source has it" in gone.findings[0].message
    assert (gone.latest, gone.count) == (None, 0)
    assert item_of(report, "B", "tracs/dybsvn").status == Status.OK


def test_an_item_gone_everywhere_but_selected_is_missing_on_every_node() -> None:
    rows = [r for r in world() if r[2] != "tracs/dybsvn"]
    report = evaluate(config(select=["svn/dybsvn", "tracs/dybsvn"]), ["ZZ"], history(rows), NOW)
    for n in ("hub", "A", "B"):
        assert checks_of(item_of(report, n, "tracs/dybsvn")) == ["missing"]


def test_a_tarball_the_source_has_and_a_node_lacks_is_a_transfer_alarm_on_that_node() -> None:
    rows = [*world(), row("hub", "svn/dybsvn", 7), row("B", "svn/dybsvn", 7)]
    report = evaluate(config(), ["ZZ"], history(rows), NOW)
    assert checks_of(item_of(report, "A", "svn/dybsvn")) == ["transfer"]
    assert item_of(report, "A", "svn/dybsvn").status == Status.ALARM
    assert item_of(report, "B", "svn/dybsvn").findings == []


def test_transfer_is_not_judged_when_the_sources_newest_poll_failed() -> None:
    rows = [*world(), row("hub", "svn/dybsvn", 7)]
    polls = {"hub": Poll(ok=False, at=NOW, reason="timed out", last_ok=NOW - 2 * HOUR)}
    report = evaluate(config(), ["ZZ"], history(rows, polls), NOW)
    for n in ("A", "B"):
        assert all("transfer" not in checks_of(i) for i in node_of(report, n).items)
        assert node_of(report, n).status == Status.OK
    assert checks_of(node_of(report, "hub")) == ["unreachable"]


def test_transfer_is_not_judged_when_the_source_was_never_listed() -> None:
    rows = [*world(), row("hub", "svn/dybsvn", 7)]
    h = history(rows)
    polls = {k: v for k, v in h.polls.items() if k != ("ZZ", "hub")}
    report = evaluate(config(), ["ZZ"], History(polls, h.items), NOW)
    assert all("transfer" not in checks_of(i) for n in ("A", "B") for i in node_of(report, n).items)


def test_the_source_node_itself_never_gets_a_transfer_finding() -> None:
    rows = [r for r in world() if not (r[0:3] == ("ZZ", "hub", "svn/dybsvn") and r[3] == ago(24))]
    rows += [row("A", "svn/dybsvn", 7), row("B", "svn/dybsvn", 7)]  # nodes have what the hub lacks
    report = evaluate(config(), ["ZZ"], history(rows), NOW)
    hub = node_of(report, "hub")
    assert hub.source is True
    assert all("transfer" not in checks_of(i) for i in hub.items)
    assert hub.status == Status.OK


# -- summarize ------------------------------------------------------------------------------

TARS = st.builds(
    Tar,
    stamp=st.integers(min_value=0, max_value=2**40),
    size=st.integers(min_value=0, max_value=2**40),
    path=st.text(max_size=20),
    revision=st.none() | st.integers(min_value=0, max_value=10**6),
    digest=st.none() | st.just(MD5_A),
    dna_size=st.none() | st.integers(min_value=0, max_value=4) | st.integers(min_value=0, max_value=2**40),
)


@given(st.lists(TARS, min_size=1, max_size=30))
def test_summarize_counts_orders_and_tallies_any_list_of_tarballs(tars: list[Tar]) -> None:
    h = summarize((ITEM, t) for t in tars)[ITEM]
    assert h.count == len(tars)
    assert h.newest.stamp == max(t.stamp for t in tars)
    assert h.oldest == min(t.stamp for t in tars)
    assert h.dna_bad == sum(1 for t in tars if t.dna_size is not None and t.dna_size != t.size)
    assert (h.dna_bad_newest is None) == (h.dna_bad == 0)
    manifest = [(s, z) for s, z in h.manifest]
    stamps = [s for s, _ in manifest]
    assert stamps == sorted(stamps)
    assert sorted(manifest) == sorted((t.stamp, t.size) for t in tars)
    if len(tars) > 1:
        assert h.previous is not None and h.previous.stamp == sorted(t.stamp for t in tars)[-2]
    else:
        assert h.previous is None


def test_summarize_keeps_items_apart() -> None:
    out = summarize([("a/x", tar(ago(24))), ("b/y", tar(ago(48))), ("a/x", tar(ago(6)))])
    assert {k: v.count for k, v in out.items()} == {"a/x": 2, "b/y": 1}
    assert out["a/x"].newest.stamp == ago(6)
