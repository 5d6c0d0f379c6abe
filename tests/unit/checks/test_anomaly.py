"""anomaly: the newest tarball against a robust baseline of the item's last tarballs. Properties
of the pure functions (a constant series never warns, scaling the sizes scales the range, a
history too short never warns, a planted outlier warns, a weekly rhythm's regular dip does not
but a planted one does), the thresholds per item, and the check through a real store, where
the baseline reaches past what the node still keeps."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tarwatch.app.report import anomaly_since, build_report
from tarwatch.checks import History, Poll, anomaly, evaluate
from tarwatch.config.models import Defaults
from tarwatch.config.validate import validate
from tarwatch.formats.document import to_json
from tarwatch.formats.table import render_table
from tarwatch.records import Snapshot, Status, Tarball
from tarwatch.store import Store

DAY = 86400
# A Wednesday night, 22:00 UTC
WED = int(datetime(2026, 11, 25, 22, tzinfo=UTC).timestamp())
GIB = 2**30
T = Defaults()


def nightly(sizes: list[float], newest_at: int = WED) -> list[tuple[int, int]]:
    """(stamp, size) of one tarball a night, the last at `newest_at`."""
    n = len(sizes)
    return [(newest_at - (n - 1 - i) * DAY, max(1, int(x))) for i, x in enumerate(sizes)]


def noisy(rng: random.Random, nights: int, base: float, noise: float, growth: float) -> list[float]:
    return [base * (1 + growth) ** i * (1 + rng.gauss(0, noise)) for i in range(nights)]


def parts(series: list[tuple[int, int]]) -> tuple[list[float], list[float], list[int]]:
    stamps = [float(t) for t, _ in series]
    weekdays = [datetime.fromtimestamp(t, UTC).weekday() for t, _ in series]
    return stamps, [float(x) for _, x in series[:-1]], weekdays


sizes_ = st.integers(1, 2**42)
nights_ = st.integers(anomaly.MIN_NIGHTS + 1, 60)


@given(size=sizes_, nights=nights_, start=st.integers(0, 6))
def test_a_constant_series_never_warns(size: int, nights: int, start: int) -> None:
    series = nightly([size] * nights, WED + start * DAY)
    assert anomaly.check(series, T) is None


@given(size=st.integers(1000, 2**40), nights=nights_)
def test_a_constant_series_allows_a_change_within_the_floor_and_warns_beyond_it(
    size: int, nights: int
) -> None:
    floor = T.anomaly_floor
    within = nightly([size] * (nights - 1) + [size * (1 + floor * 0.9)])
    below = nightly([size] * (nights - 1) + [size * (1 - floor) * 0.9])
    above = nightly([size] * (nights - 1) + [size * (1 + floor) * 1.1])
    assert anomaly.check(within, T) is None
    for series, how in ((below, "smaller"), (above, "larger")):
        f = anomaly.check(series, T)
        assert f is not None and f.status == Status.WARN and how in f.message


@settings(max_examples=60)
@given(
    seed=st.integers(0, 2**32),
    nights=nights_,
    factor=st.floats(1e-3, 1e3),
    noise=st.sampled_from([0.0, 0.01, 0.05]),
    growth=st.sampled_from([0.0, 0.01, -0.005]),
)
def test_scaling_every_size_scales_the_range(
    seed: int, nights: int, factor: float, noise: float, growth: float
) -> None:
    rng = random.Random(seed)
    xs = noisy(rng, nights, rng.uniform(1e5, 1e10), noise, growth)
    stamps, before, weekdays = parts(nightly(xs))
    a = anomaly.baseline(stamps, before, weekdays, T.anomaly_k, T.anomaly_floor)
    b = anomaly.baseline(stamps, [x * factor for x in before], weekdays, T.anomaly_k, T.anomaly_floor)
    assert a is not None and b is not None
    assert b.low == pytest.approx(a.low * factor, rel=1e-6)
    assert b.high == pytest.approx(a.high * factor, rel=1e-6)
    assert b.median == pytest.approx(a.median * factor, rel=1e-9)
    assert a.low <= a.median * (1 + abs(growth)) ** nights * 2 and a.low < a.high


@given(
    sizes=st.lists(sizes_, min_size=1, max_size=anomaly.MIN_NIGHTS - 1),
    newest=st.integers(1, 2**50),
)
def test_a_history_shorter_than_the_minimum_never_warns(sizes: list[int], newest: int) -> None:
    series = nightly([*sizes, newest])  # fewer than MIN_NIGHTS before the newest
    assert anomaly.check(series, T) is None
    stamps, before, weekdays = parts(series)
    assert anomaly.baseline(stamps, before, weekdays, T.anomaly_k, T.anomaly_floor) is None


@settings(max_examples=80)
@given(
    seed=st.integers(0, 2**32),
    nights=nights_,
    noise=st.sampled_from([0.0, 0.005, 0.02]),
    growth=st.sampled_from([0.0, 0.003, 0.01, -0.002]),
    factor=st.sampled_from([0.05, 0.3, 0.6, 1.6, 3.0, 20.0]),
)
def test_a_planted_outlier_warns_and_says_by_how_much(
    seed: int, nights: int, noise: float, growth: float, factor: float
) -> None:
    rng = random.Random(seed)
    xs = noisy(rng, nights, rng.uniform(1e6, 1e10), noise, growth)
    normal = nightly(xs)
    planted = nightly([*xs[:-1], xs[-1] * factor])
    # 5 σ of 2% noise is rarely crossed by chance, and never by a factor 0.6 or 1.6
    assert anomaly.check(normal, T) is None or noise == 0.02
    f = anomaly.check(planted, T)
    assert f is not None and f.check == "anomaly" and f.status == Status.WARN
    assert ("smaller" if factor < 1 else "larger") in f.message
    assert f"from the last {min(nights - 1, T.anomaly_nights)} tarballs" in f.message


def weekly(rng: random.Random, nights: int, newest_at: int, dip: float) -> list[float]:
    """A weekday level with a weekend dip (Saturday and Sunday, UTC), 1% noise, slow growth."""
    out = []
    for i in range(nights):
        at = newest_at - (nights - 1 - i) * DAY
        x = 1.5 * GIB * 1.002**i * (1 + rng.gauss(0, 0.01))
        out.append(x * dip if datetime.fromtimestamp(at, UTC).weekday() >= 5 else x)
    return out


@settings(max_examples=40)
@given(seed=st.integers(0, 2**32), nights=st.integers(28, 45), dip=st.floats(0.4, 0.8))
def test_a_weekly_rhythm_expects_its_weekend_dip_and_warns_on_one_midweek(
    seed: int, nights: int, dip: float
) -> None:
    rng = random.Random(seed)
    saturday = WED + 3 * DAY
    regular = nightly(weekly(rng, nights, saturday, dip), saturday)
    assert anomaly.check(regular, T) is None
    stamps, before, weekdays = parts(regular)
    b = anomaly.baseline(stamps, before, weekdays, T.anomaly_k, T.anomaly_floor)
    assert b is not None and b.weekly
    midweek = weekly(rng, nights, WED, dip)
    midweek[-1] *= dip  # a Wednesday as small as a weekend night
    f = anomaly.check(nightly(midweek, WED), T)
    assert f is not None and "smaller" in f.message and "by weekday" in f.message


def test_without_a_weekly_rhythm_the_baseline_is_not_by_weekday_and_a_step_warns_once() -> None:
    rng = random.Random(7)
    xs = noisy(rng, 40, 2 * GIB, 0.01, 0.0)
    stamps, before, weekdays = parts(nightly(xs))
    b = anomaly.baseline(stamps, before, weekdays, T.anomaly_k, T.anomaly_floor)
    assert b is not None and not b.weekly and b.nights == 39
    # a legitimate step (a big import) warns on its night, not on the nights after it
    stepped = xs[:32] + [x * 1.6 for x in xs[32:]]
    assert anomaly.check(nightly(stepped[:33]), T) is not None
    for end in range(34, 41):
        assert anomaly.check(nightly(stepped[:end]), T) is None


def test_the_message_gives_the_sizes_the_range_and_the_history() -> None:
    xs = [2.0 * GIB * (1 + 0.01 * ((i * 7) % 5 - 2)) for i in range(40)]
    f = anomaly.check(nightly([*xs[:-1], 412 * 2**20]), T)
    assert f is not None
    assert f.message.startswith("newest tarball 412.0 MiB is smaller than expected: ")
    assert "GiB from the last 30 tarballs (median 2.0 GiB; anomaly_k 5)" in f.message
    assert anomaly.span(1.9 * GIB, 2.1 * GIB) == "1.9–2.1 GiB"
    assert anomaly.span(980 * 2**20, 1.1 * GIB) == "980.0 MiB–1.1 GiB"


def test_thresholds_per_item_and_off() -> None:
    xs = [GIB] * 25 + [3 * GIB]
    series = nightly(xs)
    assert anomaly.check(series, T) is not None
    assert anomaly.check(series, Defaults(anomaly=False)) is None
    wide = Defaults(anomaly_floor=1.0, anomaly_k=1)  # from half to twice the usual size
    assert anomaly.check(nightly([*xs[:-1], 1.9 * GIB]), wide) is None
    assert anomaly.check(nightly([*xs[:-1], 0.55 * GIB]), wide) is None
    assert anomaly.check(series, wide) is not None
    assert anomaly.check([*series[:-1], (series[-1][0], 0)], T) is None  # empty: shrink's alarm
    config = validate(
        {
            "defaults": {"anomaly_nights": 22, "keep_max": 30},
            "nodes": {"A": {}},
            "hubs": {
                "ZZ": {
                    "srvnode": "dayabay",
                    "nodes": ["A"],
                    "anomaly_k": 8,
                    "items": {"svn/quiet": {"anomaly": False}},
                }
            },
        },
        "test.toml",
    )
    assert config.thresholds("ZZ", "svn/loud").anomaly_k == 8
    assert config.thresholds("ZZ", "svn/loud").anomaly_nights == 22
    assert config.thresholds("ZZ", "svn/quiet").anomaly is False
    assert anomaly_since(config, ["ZZ"], WED) == WED - 29 * DAY
    rows = [
        ("ZZ", "A", item, t, x, f"/b/{item}/{t}/x.tar.gz", None, None, None)
        for item in ("svn/loud", "svn/quiet")
        for t, x in series
    ]
    report = evaluate(config, ["ZZ"], History.from_rows({("ZZ", "A"): Poll(True, WED, None, WED)}, rows), WED)
    items = {i.item: i for i in report.hubs[0].nodes[0].items}
    assert [f.check for f in items["svn/loud"].findings] == ["anomaly"]
    assert items["svn/quiet"].findings == []
    assert report.status == Status.WARN
    for bad in ({"anomaly_nights": 20}, {"anomaly_k": 0}, {"anomaly_floor": -0.1}):
        with pytest.raises(Exception, match="anomaly_"):
            validate({"defaults": bad}, "test.toml")


def test_through_the_store_the_baseline_reaches_past_the_kept_tarballs_and_shows_beside_shrink(
    tmp_path,
) -> None:
    """A node keeping 5 tarballs, 25 nights collected: the baseline reads the gone ones; the
    newest at a third of the usual size is both shrink's and anomaly's warning, in the table
    and in the JSON."""
    config = validate(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'tw.db'}"},
            "nodes": {"A": {}},
            "hubs": {"ZZ": {"srvnode": "dayabay", "nodes": ["A"]}},
        },
        "test.toml",
    )
    store = Store.open(config.store.url)
    run = store.begin_run(WED, "test", ["ZZ"])
    sizes = [GIB + i * 2**20 for i in range(24)] + [GIB // 3]
    nights = nightly(sizes)
    for n in range(len(nights)):
        kept = nights[max(0, n - 4) : n + 1]
        snap = Snapshot(
            root="/b",
            complete=True,
            tarballs=[Tarball(f"/b/svn/x/{t}/x.tar.gz", "svn/x", t, x, float(t), None) for t, x in kept],
        )
        store.record_poll(run, "ZZ", "A", nights[n][0] + 600, ok=True, reason=None, duration=0.1, snap=snap)
    recent = store.recent_sizes([("ZZ", "A")], WED - 60 * DAY)
    assert recent[("ZZ", "A")]["svn/x"] == tuple(nights)
    report = build_report(config, ["ZZ"], store, WED + 3600)
    item = report.hubs[0].nodes[0].items[0]
    assert item.count == 5
    assert [f.check for f in item.findings] == ["shrink", "anomaly"]
    doc = to_json(report)
    found = doc["hubs"][0]["nodes"][0]["items"][0]["findings"]
    assert found[1]["check"] == "anomaly" and found[1]["status"] == "warn"
    assert "from the last 24 tarballs" in found[1]["message"]
    table = render_table(report, color=False)
    assert "is smaller than expected" in table and "smaller than the one before" in table


def test_a_notification_names_the_anomaly_as_a_warning_and_routing_by_status_holds() -> None:
    """report → observe → detect → compose → routing, as `notify` runs them: the anomaly is
    its own problem beside shrink's, a warning: a channel of warnings gets the message, one of
    alarms only does not."""
    from tarwatch.notify.compose import Policy, compose
    from tarwatch.notify.observe import observe
    from tarwatch.notify.routing import Route, takes
    from tarwatch.notify.transitions import detect
    from tarwatch.records import Channel

    config = validate(
        {"nodes": {"A": {}}, "hubs": {"ZZ": {"srvnode": "dayabay", "nodes": ["A"], "keep_max": 40}}},
        "test.toml",
    )
    series = nightly([GIB] * 25 + [GIB // 3])
    rows = [("ZZ", "A", "svn/x", t, x, f"/b/svn/x/{t}/x.tar.gz", None, None, None) for t, x in series]
    report = evaluate(config, ["ZZ"], History.from_rows({("ZZ", "A"): Poll(True, WED, None, WED)}, rows), WED)
    observed = observe(report.hubs[0], WED)
    checks = {k.check: o.status for k, o in observed.problems.items()}
    assert checks == {"shrink": Status.WARN, "anomaly": Status.WARN}
    transitions, states = detect({}, observed, WED)
    message = compose("ZZ", transitions, states, observed.problems, [], WED, Policy(lambda _k: 86400.0))
    assert message is not None
    assert any(line.key.check == "anomaly" and "smaller than expected" in line.text for line in message.new)
    warnings = Route(Channel.of("json://warn/"), frozenset({Status.WARN}))
    alarms = Route(Channel.of("json://alarms/"), frozenset({Status.ALARM}))
    assert takes(warnings, message) and not takes(alarms, message)


def test_config_schema_shows_the_keys_with_their_defaults_in_every_table() -> None:
    import json

    from click.testing import CliRunner

    from tarwatch.cli import cli

    r = CliRunner().invoke(cli, ["config", "schema"], catch_exceptions=False)
    assert r.exit_code == 0
    text = json.loads(r.stdout)
    defaults = text["$defs"]["Defaults"]["properties"]
    assert {
        k: defaults[k]["default"] for k in ("anomaly", "anomaly_nights", "anomaly_k", "anomaly_floor")
    } == {
        "anomaly": True,
        "anomaly_nights": 30,
        "anomaly_k": 5.0,
        "anomaly_floor": 0.1,
    }
    assert defaults["anomaly_nights"]["minimum"] == anomaly.MIN_NIGHTS
    for table in ("Hub", "Overrides"):
        assert {"anomaly", "anomaly_nights", "anomaly_k", "anomaly_floor"} <= set(
            text["$defs"][table]["properties"]
        )
