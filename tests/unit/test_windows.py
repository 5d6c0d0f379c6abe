"""Maintenance windows: parsing, and whether an instant is inside one, against a wall-clock
oracle (hypothesis) and on the nights the clocks change."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tarwatch.config.validate import validate
from tarwatch.errors import ConfigError
from tarwatch.windows import Window, parse_window, window_end


def test_parsing_days_ranges_and_midnight() -> None:
    assert parse_window("sun 02:00-06:00") == Window(frozenset({6}), 120, 360)
    assert parse_window("Mon-Fri 12:00-13:00") == Window(frozenset(range(5)), 720, 780)
    assert parse_window("fri-mon 23:00-01:00") == Window(frozenset({4, 5, 6, 0}), 1380, 60)
    assert parse_window("sat 22:00-24:00").end == 1440


@pytest.mark.parametrize(
    "text",
    [
        "sun 2:00-06:00",
        "sunday 02:00-06:00",
        "xyz 02:00-03:00",
        "sun 02:00-02:00",
        "sun 25:00-26:00",
        "02:00-06:00",
        "",
    ],
)
def test_what_is_not_a_window(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected|must last"):
        parse_window(text)


def test_a_bad_window_is_a_config_error_naming_the_key() -> None:
    with pytest.raises(ConfigError) as e:
        validate({"hubs": {"ZZ": {"srvnode": "zz", "maintenance": ["sun 02:00-06:00", "sunday"]}}}, "t.toml")
    assert e.value.key == "hubs.ZZ.maintenance.1"


def ts(*args: int, tz: str = "UTC") -> float:
    return datetime(*args, tzinfo=ZoneInfo(tz)).timestamp()


def test_inside_crossing_midnight_and_outside() -> None:
    w = parse_window("sat 23:00-01:00")  # 2026-11-28 is a Saturday
    assert window_end(w, ts(2026, 11, 28, 23, 30), "UTC") == (ts(2026, 11, 28, 23), ts(2026, 11, 29, 1))
    assert window_end(w, ts(2026, 11, 29, 0, 59), "UTC") is not None
    assert window_end(w, ts(2026, 11, 29, 1, 0), "UTC") is None
    assert window_end(w, ts(2026, 11, 28, 22, 59), "UTC") is None
    assert window_end(w, ts(2026, 11, 29, 23, 30), "UTC") is None  # Sunday evening


def test_on_the_nights_the_clocks_change() -> None:
    berlin = "Europe/Berlin"
    w = parse_window("sun 02:00-06:00")
    # 2026-03-29: 02:00 CET does not exist; the window starts at 03:00 CEST and lasts 3 hours
    start, end = window_end(w, ts(2026, 3, 29, 4, tz=berlin), berlin) or (0, 0)
    assert (end - start) / 3600 == 3 and end == ts(2026, 3, 29, 6, tz=berlin)
    # 2026-10-25: 02:00-03:00 happens twice; the window lasts 5 hours
    start, end = window_end(w, ts(2026, 10, 25, 4, tz=berlin), berlin) or (0, 0)
    assert (end - start) / 3600 == 5


ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Lord_Howe"])
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _window(a: int, n: int, s: int, e: int) -> str:
    return f"{DAY_NAMES[a]}-{DAY_NAMES[(a + n) % 7]} {s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"


WINDOWS = st.builds(
    _window, st.integers(0, 6), st.integers(0, 6), st.integers(0, 1439), st.integers(0, 1439)
).filter(lambda t: t[8:13] != t[14:19])


@given(WINDOWS, ZONES, st.integers(1_700_000_000, 1_900_000_000))
def test_inside_agrees_with_the_wall_clock(text: str, zone: str, now: int) -> None:
    """Away from a change of the clocks, `now` is inside exactly when its wall-clock time is,
    and the occurrence holds it."""
    tz = ZoneInfo(zone)
    local = datetime.fromtimestamp(now, tz)
    offsets = {(local + timedelta(hours=h)).utcoffset() for h in range(-26, 27)}
    if len(offsets) > 1:
        return  # within a day of a DST change: the tests above
    w = parse_window(text)
    minute = local.hour * 60 + local.minute
    day = local.weekday()
    if w.end > w.start:
        wall = day in w.days and w.start <= minute < w.end
    else:
        wall = (day in w.days and minute >= w.start) or ((day - 1) % 7 in w.days and minute < w.end)
    found = window_end(w, now, zone)
    assert (found is not None) == wall
    if found is not None:
        assert found[0] <= now < found[1]
        assert (
            datetime.fromtimestamp(found[0], tz).hour * 60 + datetime.fromtimestamp(found[0], tz).minute
            == w.start
        )


def test_windows_in_force_are_snoozes_of_the_hub_or_the_node_in_the_hubs_timezone() -> None:
    from tarwatch.notify.maintenance import in_force

    c = validate(
        {
            "nodes": {"SDU": {"maintenance": ["mon 20:00-21:00"]}, "NTU": {}},
            "hubs": {
                "ZZ": {"srvnode": "zz", "nodes": ["SDU", "NTU"], "timezone": "Asia/Shanghai"},
                "YY": {"srvnode": "yy", "nodes": ["NTU"], "maintenance": ["mon-fri 12:00-13:00"]},
            },
        },
        "t.toml",
    )
    now = ts(2026, 11, 23, 12, 30)  # Monday 12:30 UTC, 20:30 in Shanghai
    (node,) = in_force(c, ["ZZ"], now)
    assert (node.hub, node.node, node.item) == ("ZZ", "SDU", None)
    assert node.until == ts(2026, 11, 23, 21, tz="Asia/Shanghai")
    assert node.why == "maintenance window mon 20:00-21:00"
    (hub,) = in_force(c, ["YY"], now)
    assert (hub.hub, hub.node, hub.until) == ("YY", None, ts(2026, 11, 23, 13))
    assert in_force(c, ["ZZ", "YY"], now + 3600) == []
