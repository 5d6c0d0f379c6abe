"""A tarball stamped in the future hides nothing: stale and shrink judge the newest tarballs
before now, the future one is a `future` warning of its own; and stamps at the ends of the
accepted years go through every check and format in any time zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tarwatch.app.report import manifests_wanted
from tarwatch.checks import History, Poll, evaluate, future, shrink, stale
from tarwatch.config.models import Config, Defaults
from tarwatch.config.validate import validate
from tarwatch.formats import nagios
from tarwatch.formats.document import to_json
from tarwatch.formats.table import render_table
from tarwatch.history import Tar, summarize
from tarwatch.layout import STAMP_END, STAMP_MIN
from tarwatch.records import Status

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC).timestamp()
DAY = 86400
Y2099 = int(datetime(2099, 1, 1, tzinfo=UTC).timestamp())
UTCZ = ZoneInfo("UTC")


def config(timezone: str = "UTC") -> Config:
    return validate(
        {
            "defaults": {"timezone": timezone},
            "nodes": {"A": {}},
            "hubs": {"ZZ": {"srvnode": "dayabay", "nodes": ["A"]}},
        },
        "test.toml",
    )


def rows(*stamps_sizes: tuple[int, int], item: str = "svn/dybsvn") -> list[tuple]:
    return [("ZZ", "A", item, s, z, f"/b/{item}/{s}/x.tar.gz", None, None, None) for s, z in stamps_sizes]


def report_of(rs: list[tuple], now: float = NOW, timezone: str = "UTC"):
    h = History.from_rows({("ZZ", "A"): Poll(True, now, None, now)}, rs)
    return evaluate(config(timezone), ["ZZ"], h, now)


def findings(report) -> dict[str, tuple[Status, str]]:
    item = report.hubs[0].nodes[0].items[0]
    return {f.check: (f.status, f.message) for f in item.findings}


def test_a_four_month_old_item_with_a_folder_dated_2099_is_a_stale_alarm_and_a_future_warning() -> None:
    old = int(NOW - 120 * DAY)
    report = report_of(rows((old - DAY, 1000), (old, 1000), (Y2099, 1000)))
    got = findings(report)
    assert got["stale"][0] == Status.ALARM
    assert "120 days old" in got["stale"][1]
    assert got["future"][0] == Status.WARN
    assert "the 2099/01/01 tarball is stamped" in got["future"][1]
    assert report.status == Status.ALARM


def test_only_tarballs_in_the_future_is_a_future_warning_and_no_stale_finding() -> None:
    got = findings(report_of(rows((Y2099, 1000), (Y2099 + DAY, 1000))))
    assert set(got) == {"future"}
    assert "tarball (and 1 more) is stamped" in got["future"][1]


def test_a_fresh_item_with_a_future_folder_is_only_the_future_warning() -> None:
    got = findings(report_of(rows((int(NOW - 3600), 1000), (Y2099, 1000))))
    assert set(got) == {"future"}


def test_ten_minutes_ahead_is_clock_skew_not_the_future() -> None:
    assert findings(report_of(rows((int(NOW - 3600), 1000), (int(NOW + 600), 1000)))) == {}


def test_shrink_compares_the_newest_tarballs_before_now() -> None:
    t = Defaults()
    before_now = [(int(NOW - 2 * DAY), 1000), (int(NOW - DAY), 100)]
    h = summarize([("a/b", Tar(s, z, f"p{s}")) for s, z in [*before_now, (Y2099, 5000)]])["a/b"]
    f = shrink.check(h, t, NOW)
    assert f is not None and f.status == Status.WARN and "90% smaller" in f.message
    # without `now` (the old reading) the 2099 tarball hid the drop
    assert shrink.check(h, t) is None
    empty = summarize([("a/b", Tar(s, z, f"p{s}")) for s, z in [(int(NOW - DAY), 0), (Y2099, 5000)]])["a/b"]
    f = shrink.check(empty, t, NOW)
    assert f is not None and f.status == Status.ALARM


def test_judged_reads_the_manifest_only_when_the_newest_is_in_the_future() -> None:
    h = summarize([("a/b", Tar(s, 1, f"p{s}")) for s in (int(NOW - 5 * DAY), int(NOW - DAY), Y2099)])["a/b"]
    assert stale.judged(h, NOW) == int(NOW - DAY)
    h.manifest_json = None  # as item_histories returns it: the manifest not read
    h._manifest = None
    with pytest.raises(LookupError):
        stale.judged(h, NOW)
    fresh = summarize([("a/b", Tar(int(NOW - DAY), 1, "p"))])["a/b"]
    fresh.manifest_json = None
    assert stale.judged(fresh, NOW) == int(NOW - DAY)


def test_the_check_command_reads_the_manifests_of_items_stamped_in_the_future() -> None:
    fresh = summarize([("a/b", Tar(int(NOW - DAY), 1, "p"))])["a/b"]
    ahead = summarize([("a/c", Tar(Y2099, 1, "p"))])["a/c"]
    histories = {("ZZ", "A"): {"a/b": fresh, "a/c": ahead}}
    assert manifests_wanted(config(), ["ZZ"], histories, NOW) == [("ZZ", "A", "a/c")]


@pytest.mark.parametrize("timezone", ["UTC", "Pacific/Kiritimati", "Etc/GMT+12"])
@pytest.mark.parametrize("now", [float(STAMP_MIN), NOW, float(STAMP_END - 1)])
def test_stamps_at_the_ends_of_the_accepted_years_go_through_every_check_and_format(
    timezone: str, now: float
) -> None:
    rs = rows((STAMP_MIN, 0), (STAMP_MIN + 1, 10), (STAMP_END - 2, 5), (STAMP_END - 1, 2**63 - 1))
    rs += rows((STAMP_MIN, 1), item="a/b")
    report = report_of(rs, now, timezone)
    doc = json.loads(json.dumps(to_json(report)))
    assert doc["hubs"][0]["nodes"][0]["items"]
    assert "tarwatch:" in render_table(report, show_all=True, color=False, width=120)
    assert nagios.render(report, lambda hub, item: (1.0, 2.0)).startswith("TARWATCH ")
    if now < STAMP_END - 1 - 600:
        assert future.check(report_history(rs, now), now, ZoneInfo(timezone)) is not None


def report_history(rs: list[tuple], now: float):
    return History.from_rows({("ZZ", "A"): Poll(True, now, None, now)}, rs).items[("ZZ", "A")]["svn/dybsvn"]


def test_the_verdict_shows_the_newest_tarball_before_now_so_age_agrees_with_stale() -> None:
    old = int(NOW - 120 * DAY)
    report = report_of(rows((old - DAY, 1000), (old, 900), (Y2099, 5)))
    item = report.hubs[0].nodes[0].items[0]
    assert (item.latest, item.size, item.count) == (old, 900, 3)
    assert to_json(report)["hubs"][0]["nodes"][0]["items"][0]["age_hours"] == 120 * 24
    perf = nagios.render(report, lambda hub, item: (1.0, 2.0)).split("|")[1]
    assert f"age'={120 * DAY}s" in perf


def test_an_item_only_in_the_future_shows_its_newest_tarball() -> None:
    item = report_of(rows((Y2099, 7))).hubs[0].nodes[0].items[0]
    assert (item.latest, item.size) == (Y2099, 7)


@pytest.mark.parametrize("timezone", ["UTC", "Etc/GMT-14", "Etc/GMT+12"])
def test_a_stamp_of_year_10000_stored_by_an_older_version_still_gives_a_report(timezone: str) -> None:
    """Such a row stays until the node's next complete listing (an unreachable node keeps it)."""
    year_10000 = 253402300800 + 3600
    report = report_of(rows((int(NOW - DAY), 1000), (year_10000, 1000)), timezone=timezone)
    got = findings(report)
    assert set(got) == {"future"} and "(stamp 253402304400)" in got["future"][1]
    doc = json.loads(json.dumps(to_json(report)))
    assert doc["hubs"][0]["nodes"][0]["items"][0]["latest"] is not None  # the one before now
    render_table(report, show_all=True, color=False, width=120)
    nagios.render(report, lambda hub, item: (1.0, 2.0))
    only = report_of(rows((year_10000, 1)), timezone=timezone)
    assert json.loads(json.dumps(to_json(only)))["hubs"][0]["nodes"][0]["items"][0]["latest"] is None
    assert "tarwatch:" in render_table(only, show_all=True, color=False, width=120)
