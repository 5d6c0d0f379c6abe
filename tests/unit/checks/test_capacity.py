"""capacity: the forecast as pure functions (hypothesis properties: a constant disk never warns,
a known linear fill is forecast within tolerance, retention's purges and a few odd days do not
fool it) and the check's thresholds and wording."""

from __future__ import annotations

import itertools
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tarwatch.checks import capacity
from tarwatch.history import ItemHistory, Tar
from tarwatch.records import DiskForecast, DiskPoint, Status

DAY = 86400.0
T0 = 1_700_000_000.0
GiB = 2**30


def series(days: int, used0: float, per_day: float, total: float, kept=None, noise=()) -> list[DiskPoint]:
    """One poll a night: used grows by per_day (plus noise[i]); kept(i) the tarballs' bytes."""
    out = []
    for i in range(days):
        used = int(used0 + per_day * i + (noise[i % len(noise)] if noise else 0))
        out.append(
            DiskPoint(
                T0 + i * DAY, "/b", int(total), used, int(total - used), kept(i) if kept else None, "/b"
            )
        )
    return out


@settings(max_examples=60, deadline=None)
@given(
    days=st.integers(7, 40),
    used=st.floats(0, 900),
    total=st.floats(1000, 10_000),
    wobble=st.lists(st.floats(-0.5, 0.5), min_size=1, max_size=5),
)
def test_a_constant_disk_never_warns(days, used, total, wobble) -> None:
    points = series(days + 1, used * GiB, 0, total * GiB, noise=[w * GiB for w in wobble] if days % 2 else ())
    fc = capacity.forecast(points, points[-1].at)
    assert fc is not None and (fc.days is None if days % 2 == 0 else fc.history >= 7)
    assert capacity.check("SDU", fc, 30, 7) is None


@settings(max_examples=80, deadline=None)
@given(
    history=st.integers(14, 30),
    remaining=st.floats(3, 400),
    total=st.floats(100, 100_000),
    noise=st.lists(st.floats(-1, 1), min_size=3, max_size=7),
)
def test_a_known_linear_fill_is_forecast_within_ten_percent_of_the_days_left(
    history, remaining, total, noise
) -> None:
    used_now = total * 0.5
    per_day = (total - used_now) / remaining
    # noise: up to a tenth of a day's growth, each night
    pts = series(history + 1, (used_now - per_day * history) * GiB, per_day * GiB, total * GiB,
                 noise=[n * per_day * GiB * 0.1 for n in noise])  # fmt: skip
    fc = capacity.forecast(pts, pts[-1].at)
    assert fc is not None and fc.days is not None
    assert abs(fc.days - remaining) <= 0.1 * remaining + 0.05


@settings(max_examples=60, deadline=None)
@given(
    per_night=st.floats(1, 50),
    keep=st.integers(2, 7),
    total=st.floats(5_000, 50_000),
)
def test_retention_purges_that_remove_what_the_night_adds_do_not_grow_the_disk(
    per_night, keep, total
) -> None:
    """Each night a tarball is added; every `keep` nights the oldest `keep` are purged at once:
    a sawtooth around a flat level. Neither the df series nor the kept series grows."""

    def kept(i: int) -> int:
        return int(per_night * GiB * (keep + i % keep))

    base = 100 * GiB
    pts = [
        DiskPoint(
            T0 + i * DAY,
            "/b",
            int(total * GiB),
            base + kept(i),
            int(total * GiB) - base - kept(i),
            kept(i),
            "/b",
        )
        for i in range(31)
    ]
    fc = capacity.forecast(pts, pts[-1].at)
    assert fc is not None
    assert fc.days is None or fc.days > 60, fc  # a sawtooth period: not a fill


def test_a_cleanup_of_other_files_does_not_hide_the_growth_of_the_tarballs() -> None:
    # the tarballs grow 10 GiB a night; other files (500 GiB) were deleted on day 10
    pts = []
    for i in range(21):
        kept = 200 * GiB + 10 * GiB * i
        used = kept + (500 * GiB if i < 10 else 0)
        pts.append(DiskPoint(T0 + i * DAY, "/b", 2000 * GiB, used, 2000 * GiB - used, kept, "/b"))
    fc = capacity.forecast(pts, pts[-1].at)
    assert fc is not None and fc.growth is not None and abs(fc.growth - 10 * GiB) < 1
    assert fc.days is not None and abs(fc.days - (2000 - 400) / 10) < 1


def test_no_forecast_until_a_week_of_history_and_five_days_with_a_poll() -> None:
    pts = series(7, 100 * GiB, 50 * GiB, 1000 * GiB)  # 6 days from first to last
    fc = capacity.forecast(pts, pts[-1].at)
    assert fc is not None and fc.growth is None and fc.days is None and fc.history == 6
    assert capacity.check("SDU", fc, 30, 7) is None
    four = [pts[0], pts[2], pts[4], DiskPoint(T0 + 8 * DAY, "/b", 1000 * GiB, 500 * GiB, 500 * GiB)]
    assert capacity.forecast(four, T0 + 8 * DAY).growth is None  # 8 days, but 4 polled
    assert capacity.forecast([], T0) is None


def test_several_polls_a_day_count_as_the_days_newest() -> None:
    pts = series(15, 100 * GiB, 10 * GiB, 1000 * GiB)
    extra = [
        DiskPoint(p.at + 3600, "/b", p.total, p.used + 400 * GiB, p.free - 400 * GiB, None, "/b")
        for p in pts[:-1]
    ]
    merged = sorted(pts + extra, key=lambda p: p.at)
    assert capacity.daily(merged)[0] == extra[0]
    fc = capacity.forecast(pts, pts[-1].at)
    assert fc is not None and fc.growth is not None and abs(fc.growth - 10 * GiB) < 1


def fc(
    days: float | None, free: int = 412 * GiB, growth: float = 34 * GiB, night: int | None = None
) -> DiskForecast:
    return DiskForecast("/backup", 1000 * GiB, 1000 * GiB - free, free, T0, 20.0, growth, days, night)


def test_the_thresholds_and_the_words() -> None:
    f = capacity.check("SDU", fc(12.1), 30, 7)
    assert f is not None and f.status is Status.WARN and f.check == "capacity"
    assert f.message == "disk /backup on SDU fills in 12 days (412.0 GiB free, growing 34.0 GiB/day)"
    assert capacity.check("SDU", fc(6.9), 30, 7).status is Status.ALARM
    assert capacity.check("SDU", fc(30.0), 30, 7) is None
    assert capacity.check("SDU", fc(40), 50, 7).status is Status.WARN
    assert capacity.check("SDU", fc(0.5), 30, 7).message.startswith(
        "disk /backup on SDU fills in less than a day"
    )


def test_the_days_are_said_rounded_down_as_the_json_gives_them_to_the_pages() -> None:
    """The words floor the days to a tenth (the JSON's fill_days), then to whole days: 12.96
    days is "12 days" and 12.9 in the JSON (whose floor the browser's chart says), never 13."""
    assert [capacity.tenths(d) for d in (12.96, 13.0, 0.99, 6.999999)] == [12.9, 13.0, 0.9, 6.9]
    assert [capacity.fill_days(d) for d in (12.96, 13.0, 1.99, 0.99)] == [
        "12 days",
        "13 days",
        "1 day",
        "less than a day",
    ]
    assert all(
        capacity.fill_days(d / 100) == capacity.fill_days(capacity.tenths(d / 100)) for d in range(3000)
    )


def test_free_space_below_the_largest_nights_new_tarballs_is_an_alarm_even_without_a_forecast() -> None:
    f = capacity.check("SDU", fc(None, free=3 * GiB, night=4 * GiB), 30, 7)
    assert f is not None and f.status is Status.ALARM
    assert (
        f.message
        == "disk /backup on SDU has 3.0 GiB free, less than the largest night's new tarballs (4.0 GiB)"
    )
    assert capacity.check("SDU", fc(None, free=5 * GiB, night=4 * GiB), 30, 7) is None


def test_the_largest_night_sums_the_tarballs_stamped_on_one_date() -> None:
    tz = ZoneInfo("Asia/Taipei")
    day = 1_344_000_000
    items = {
        "a": ItemHistory(2, day, Tar(day + 86400, 5, "a2"), Tar(day, 7, "a1")),
        "b": ItemHistory(1, day, Tar(day + 60, 4, "b1")),
    }
    assert capacity.largest_night(items, {}, tz) == 11
    assert capacity.largest_night(items, {"c": [(day - 86400, 30), (day + 120, 1)]}, tz) == 30
    assert capacity.largest_night({}, {}, tz) is None


@settings(max_examples=40, deadline=None)
@given(
    xs=st.lists(st.floats(0, 1000), min_size=3, max_size=20, unique=True),
    a=st.floats(-1e6, 1e6),
    b=st.floats(-1e3, 1e3),
)
def test_theil_sen_recovers_an_exact_line_and_ignores_one_outlier(xs, a, b) -> None:
    xs = sorted(xs)
    if xs[-1] - xs[0] < 1 or min(y - x for x, y in itertools.pairwise(xs)) < 1e-3:
        return
    ys = [a + b * x for x in xs]
    assert abs(capacity.theil_sen(xs, ys) - b) <= 1e-6 * (1 + abs(b))
    if len(xs) >= 5:  # one wild day in the middle: as many slopes pulled up as down
        ys[len(ys) // 2] += 1e9
        assert abs(capacity.theil_sen(xs, ys) - b) <= 1e-6 * (1 + abs(b))


@settings(max_examples=40, deadline=None)
@given(
    per_day=st.floats(0.1, 50),
    tarballs=st.floats(0, 100),
    offset=st.integers(0, 6),
    days=st.integers(15, 31),
)
def test_a_weekly_purge_does_not_fool_the_growth_and_the_disk_fills_at_its_peaks(
    per_day, tarballs, offset, days
) -> None:
    """Tarballs pile up for a week, then retention purges them all at once: the growth is the
    trend's, and the fill is judged from the week's peak, never later than the trend's."""
    total = 100_000 * GiB
    pts = []
    for i in range(days):
        kept = 1000 * GiB + per_day * GiB * i * 0.5 + tarballs * GiB * ((i + offset) % 7)
        used = 5000 * GiB + per_day * GiB * i + tarballs * GiB * ((i + offset) % 7)
        pts.append(DiskPoint(T0 + i * DAY, "/b", int(total), int(used), int(total - used), int(kept), "/b"))
    fc = capacity.forecast(pts, pts[-1].at)
    assert fc is not None and fc.growth is not None and fc.days is not None
    assert abs(fc.growth - per_day * GiB) <= 1e-6 * per_day * GiB + 1
    trend_days = (
        total - 5000 * GiB - per_day * GiB * (days - 1) - tarballs * GiB * ((days - 1 + offset) % 7)
    ) / (per_day * GiB)
    assert fc.days <= trend_days * (1 + 1e-6) + 1e-3
    assert fc.days >= trend_days * (1 - 1e-6) - 6 * tarballs / per_day - 1e-3
