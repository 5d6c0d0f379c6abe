"""Checks: stale, missing and unreachable one by one, evaluate() over a whole history, the
rollup to node and hub, and the `check --format json` document of DESIGN.md."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tarwatch.checks import History, Poll, evaluate, future, missing, stale, unreachable, worst
from tarwatch.checks.model import HubVerdict, ItemVerdict, NodeVerdict, Report
from tarwatch.config.models import Config, Defaults
from tarwatch.config.validate import validate
from tarwatch.formats.document import to_json
from tarwatch.history import Tar, summarize
from tarwatch.records import Status

HOUR = 3600.0
NOW = datetime(2012, 8, 7, 12, tzinfo=UTC).timestamp()
THRESHOLDS = Defaults(stale_warn="26h", stale_alarm="50h")


def severity(f: Any) -> Status:
    return Status.OK if f is None else f.status


# -- stale ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age_hours", "status"),
    [
        (0, Status.OK),
        (1, Status.OK),
        (25.99, Status.OK),
        (26, Status.OK),
        (50, Status.WARN),
        (51, Status.ALARM),
    ],
)
def test_stale_grades_the_age_of_the_newest_tarball(age_hours: float, status: Status) -> None:
    assert severity(stale.check(NOW - age_hours * HOUR, NOW, THRESHOLDS)) == status


def test_exactly_stale_warn_old_is_not_yet_a_warning_and_one_second_more_is() -> None:
    assert stale.check(NOW - 26 * HOUR, NOW, THRESHOLDS) is None
    f = stale.check(NOW - 26 * HOUR - 1, NOW, THRESHOLDS)
    assert f is not None and f.status == Status.WARN and f.check == "stale"
    assert "warn after 26 hours" in f.message


def test_exactly_stale_alarm_old_is_not_yet_an_alarm_and_one_second_more_is() -> None:
    assert severity(stale.check(NOW - 50 * HOUR, NOW, THRESHOLDS)) == Status.WARN
    f = stale.check(NOW - 50 * HOUR - 1, NOW, THRESHOLDS)
    assert f is not None and f.status == Status.ALARM
    assert "alarm after 50 hours" in f.message


def test_a_stamp_more_than_ten_minutes_in_the_future_is_a_future_warning_not_a_stale_one() -> None:
    for ahead in (10 * 60 + 1, 5 * 86400):
        assert stale.check(NOW + ahead, NOW, THRESHOLDS) is None
        h = summarize([("a/b", Tar(int(NOW + ahead), 1000, "a/b/x/b.tar.gz"))])["a/b"]
        f = future.check(h, NOW, ZoneInfo("UTC"))
        assert f is not None and (f.check, f.status) == ("future", Status.WARN)
        assert "in the future" in f.message


def test_a_stamp_up_to_ten_minutes_in_the_future_is_clock_skew_and_fine() -> None:
    assert stale.check(NOW + 10 * 60, NOW, THRESHOLDS) is None
    assert stale.check(NOW + 1, NOW, THRESHOLDS) is None


def test_no_newest_tarball_gives_no_stale_finding() -> None:
    assert stale.check(None, NOW, THRESHOLDS) is None


SLACK = stale.FUTURE_SLACK.total_seconds()
# ages in seconds, from just inside the future slack to 90 days; integers hit the thresholds exactly
AGES = st.one_of(
    st.integers(min_value=-int(SLACK), max_value=90 * 86400),
    st.floats(min_value=-SLACK, max_value=90 * 86400),
)


@given(
    warn=st.integers(min_value=0, max_value=30 * 86400),
    alarm=st.integers(min_value=0, max_value=30 * 86400),
    age_a=AGES,
    age_b=AGES,
)
def test_an_older_newest_tarball_never_gives_a_less_severe_stale_status(
    warn: int, alarm: int, age_a: float, age_b: float
) -> None:
    """For stamps not in the future: a stamp in the future is a warning of its own (clock skew
    or the wrong timezone), and so worse than a fresh one by design."""
    older, newer = NOW - max(age_a, age_b), NOW - min(age_a, age_b)
    t = Defaults(stale_warn=timedelta(seconds=warn), stale_alarm=timedelta(seconds=alarm))
    assert severity(stale.check(older, NOW, t)).rank >= severity(stale.check(newer, NOW, t)).rank


# -- missing and unreachable ----------------------------------------------------------------


def test_an_item_with_no_tarball_on_a_node_is_missing_as_an_alarm() -> None:
    f = missing.check("svn/dybsvn", "SDU", 0, on_source=False)
    assert f is not None and (f.check, f.status) == ("missing", Status.ALARM)
    assert "svn/dybsvn" in f.message and "SDU" in f.message


def test_a_missing_item_says_when_the_hubs_source_has_it() -> None:
    f = missing.check("svn/dybsvn", "SDU", 0, on_source=True)
    assert f is not None and "source has it" in f.message


def test_an_item_with_tarballs_is_not_missing() -> None:
    assert missing.check("svn/dybsvn", "SDU", 1, on_source=True) is None


def test_a_node_never_listed_is_unreachable_saying_so() -> None:
    f = unreachable.check("SDU", "connection refused by SDU:22", None, NOW)
    assert (f.check, f.status) == ("unreachable", Status.ALARM)
    assert "connection refused by SDU:22" in f.message
    assert "never listed" in f.message


def test_a_node_listed_before_is_unreachable_saying_when_it_was_last_listed() -> None:
    f = unreachable.check("SDU", "timed out", NOW - 3 * 86400, NOW)
    assert f.status == Status.ALARM
    assert "last listed 2012-08-04 12:00 UTC" in f.message
    assert "3 days ago" in f.message


def test_an_unreachable_node_without_a_reason_still_says_something() -> None:
    assert "unknown reason" in unreachable.check("SDU", None, None, NOW).message


def test_the_items_of_an_unreachable_node_are_unknown_saying_whether_data_is_shown() -> None:
    never = unreachable.item_finding("SDU", None)
    before = unreachable.item_finding("SDU", NOW - HOUR)
    assert never.status == before.status == Status.UNKNOWN
    assert "never" in never.message
    assert "last known data" in before.message


# -- statuses -------------------------------------------------------------------------------


def test_statuses_rank_ok_unknown_warn_alarm() -> None:
    ranked = [Status.OK, Status.UNKNOWN, Status.WARN, Status.ALARM]
    assert sorted(reversed(ranked), key=lambda s: s.rank) == ranked
    assert worst([Status.WARN, Status.UNKNOWN, Status.OK]) == Status.WARN
    assert worst([Status.OK, Status.UNKNOWN]) == Status.UNKNOWN
    assert worst([Status.ALARM, Status.WARN]) == Status.ALARM
    assert worst([]) == Status.OK


def test_exit_codes_are_those_of_monitoring_plugins() -> None:
    assert {s: s.exit_code for s in Status} == {
        Status.OK: 0,
        Status.WARN: 1,
        Status.ALARM: 2,
        Status.UNKNOWN: 3,
    }


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


def row(node: str, item: str, age_hours: float, size: int = 1000, hub: str = "ZZ") -> tuple:
    stamp = int(NOW - age_hours * HOUR)
    name = item.split("/")[1]
    path = f"/var/scm/backup/dayabay/{item}/{stamp}/{name}.tar.gz"
    return (hub, node, item, stamp, size, path, None, None, None)


def ok_poll(at: float = NOW) -> Poll:
    return Poll(ok=True, at=at, reason=None, last_ok=at)


def history(rows: list[tuple], polls: dict[str, Poll] | None = None) -> History:
    """Rows in (hub, node, item, stamp) order; every node listed at NOW unless `polls` says."""
    p = {("ZZ", n): ok_poll() for n in ("hub", "A", "B")}
    p.update({("ZZ", n): v for n, v in (polls or {}).items()})
    return History.from_rows(p, rows)


def fresh_world(items: tuple[str, ...] = ("svn/dybsvn", "tracs/dybsvn")) -> list[tuple]:
    return [row(n, i, age) for n in ("hub", "A", "B") for i in items for age in (48, 24, 6)]


def node_of(report: Report, node: str) -> NodeVerdict:
    return next(n for n in report.hubs[0].nodes if n.node == node)


def item_of(report: Report, node: str, item: str) -> ItemVerdict:
    return next(i for i in node_of(report, node).items if i.item == item)


def test_a_fresh_world_is_ok_everywhere() -> None:
    report = evaluate(config(), ["ZZ"], history(fresh_world()), NOW)
    assert report.status == Status.OK
    assert report.generated == NOW
    hub = report.hubs[0]
    assert (hub.hub, hub.srvnode, hub.status) == ("ZZ", "dayabay", Status.OK)
    assert [n.node for n in hub.nodes] == ["hub", "A", "B"]
    assert [n.source for n in hub.nodes] == [True, False, False]
    for n in hub.nodes:
        assert n.reachable is True
        for i in n.items:
            assert (i.status, i.count, i.findings) == (Status.OK, 3, [])
            assert i.latest == int(NOW - 6 * HOUR)


def test_an_unreachable_node_is_one_alarm_and_its_items_are_unknown_with_their_last_known_data() -> None:
    rows = fresh_world()
    rows.append(row("B", "svn/dybsvn", 3, size=2222))
    polls = {"B": Poll(ok=False, at=NOW, reason="connection refused by B", last_ok=NOW - 2 * HOUR)}
    report = evaluate(config(), ["ZZ"], history(rows, polls), NOW)
    b = node_of(report, "B")
    assert b.reachable is False
    assert b.status == Status.ALARM
    assert [(f.check, f.status) for f in b.findings] == [("unreachable", Status.ALARM)]
    assert "connection refused by B" in b.findings[0].message
    for i in b.items:
        assert i.status == Status.UNKNOWN
        assert [(f.check, f.status) for f in i.findings] == [("unreachable", Status.UNKNOWN)]
    svn = item_of(report, "B", "svn/dybsvn")
    assert (svn.latest, svn.size, svn.count) == (int(NOW - 3 * HOUR), 2222, 4)
    tracs = item_of(report, "B", "tracs/dybsvn")
    assert (tracs.latest, tracs.size, tracs.count) == (int(NOW - 6 * HOUR), 1000, 3)
    assert report.hubs[0].status == Status.ALARM


def test_an_unreachable_node_with_stale_data_raises_no_stale_or_missing_alarms() -> None:
    rows = [r for r in fresh_world() if r[1] != "B"] + [row("B", "svn/dybsvn", 500)]
    polls = {"B": Poll(ok=False, at=NOW, reason="timed out", last_ok=NOW - 500 * HOUR)}
    report = evaluate(config(select=["svn/dybsvn", "tracs/dybsvn"]), ["ZZ"], history(rows, polls), NOW)
    checks = {f.check for i in node_of(report, "B").items for f in i.findings}
    assert checks == {"unreachable"}


def test_a_node_never_polled_is_unknown() -> None:
    h = history(fresh_world())
    polls = {k: v for k, v in h.polls.items() if k != ("ZZ", "B")}
    report = evaluate(config(), ["ZZ"], History(polls, h.items), NOW)
    b = node_of(report, "B")
    assert b.reachable is None
    assert b.status == Status.UNKNOWN
    assert all(i.status == Status.UNKNOWN for i in b.items)
    assert report.hubs[0].status == Status.UNKNOWN


def test_without_select_the_items_are_every_item_seen_on_any_node_of_the_hub() -> None:
    rows = [*fresh_world(("svn/dybsvn",)), row("A", "folders/svnsetup", 1), row("B", "tracs/env", 1)]
    rows.append(row("X", "repos/other", 1))  # not a node of ZZ
    rows.append(row("A", "repos/elsewhere", 1, hub="C2"))  # not hub ZZ
    report = evaluate(config(), ["ZZ"], history(rows), NOW)
    want = ["folders/svnsetup", "svn/dybsvn", "tracs/env"]
    for n in report.hubs[0].nodes:
        assert [i.item for i in n.items] == want
    assert item_of(report, "hub", "folders/svnsetup").status == Status.ALARM
    assert [f.check for f in item_of(report, "hub", "folders/svnsetup").findings] == ["missing"]
    assert item_of(report, "A", "folders/svnsetup").status == Status.OK


def test_with_select_a_selected_item_absent_on_a_node_is_a_missing_alarm() -> None:
    rows = [r for r in fresh_world() if not (r[1] == "A" and r[2] == "tracs/dybsvn")]
    rows.append(row("A", "repos/unwatched", 500))
    report = evaluate(config(select=["svn/dybsvn", "tracs/dybsvn"]), ["ZZ"], history(rows), NOW)
    for n in report.hubs[0].nodes:
        assert [i.item for i in n.items] == ["svn/dybsvn", "tracs/dybsvn"]
    absent = item_of(report, "A", "tracs/dybsvn")
    assert absent.status == Status.ALARM
    assert [(f.check, f.status) for f in absent.findings] == [("missing", Status.ALARM)]
    assert "source has it" in absent.findings[0].message
    assert (absent.latest, absent.size, absent.count) == (None, None, 0)
    assert node_of(report, "A").status == Status.ALARM
    assert node_of(report, "B").status == Status.OK


def test_a_selected_item_absent_everywhere_is_missing_on_every_node() -> None:
    report = evaluate(config(select=["svn/dybsvn", "svn/nowhere"]), ["ZZ"], history(fresh_world()), NOW)
    for n in ("hub", "A", "B"):
        assert item_of(report, n, "svn/nowhere").status == Status.ALARM
        assert "source has it" not in item_of(report, n, "svn/nowhere").findings[0].message


def test_a_stale_item_is_graded_with_the_default_thresholds() -> None:
    rows = [*fresh_world(("svn/dybsvn",)), row("A", "tracs/dybsvn", 30), row("B", "tracs/dybsvn", 60)]
    report = evaluate(config(select=["svn/dybsvn", "tracs/dybsvn"]), ["ZZ"], history(rows), NOW)
    assert item_of(report, "A", "tracs/dybsvn").status == Status.WARN
    assert item_of(report, "B", "tracs/dybsvn").status == Status.ALARM
    assert item_of(report, "A", "tracs/dybsvn").latest == int(NOW - 30 * HOUR)


def test_per_item_thresholds_override_the_hub_which_overrides_the_defaults() -> None:
    items = ("svn/dybsvn", "tracs/dybaux", "folders/svnsetup")
    rows = [row(n, i, 100) for n in ("hub", "A", "B") for i in items]
    c = validate(
        {
            "defaults": {"stale_warn": "1h", "stale_alarm": "2h"},
            "nodes": {"hub": {"transport": "local"}, "A": {}, "B": {}},
            "hubs": {
                "ZZ": {
                    "srvnode": "dayabay",
                    "source": "hub",
                    "nodes": ["A", "B"],
                    "stale_alarm": "3d",  # hub: alarm after 72h; warn stays 1h
                    "items": {
                        "tracs/dybaux": {"stale_alarm": "8d"},  # 100h: only a warning
                        "folders/svnsetup": {"stale_warn": "5d", "stale_alarm": "8d"},  # fine
                    },
                }
            },
        },
        "test.toml",
    )
    report = evaluate(c, ["ZZ"], history(rows), NOW)
    for n in ("hub", "A", "B"):
        assert item_of(report, n, "svn/dybsvn").status == Status.ALARM
        assert item_of(report, n, "tracs/dybaux").status == Status.WARN
        assert item_of(report, n, "folders/svnsetup").status == Status.OK
    assert "(alarm after 3 days)" in item_of(report, "A", "svn/dybsvn").findings[0].message
    assert "(warn after 60 minutes)" in item_of(report, "A", "tracs/dybaux").findings[0].message


def test_a_node_is_its_worst_item_and_a_hub_its_worst_node() -> None:
    rows = fresh_world(("svn/dybsvn", "tracs/dybsvn"))
    rows = [r for r in rows if not (r[1] == "B" and r[2] == "tracs/dybsvn")]  # missing on B: alarm
    rows += [row("A", "svn/dybsvn", 100 + h) for h in range(8)]  # 11 kept: a retention warn on A
    report = evaluate(config(select=["svn/dybsvn", "tracs/dybsvn"]), ["ZZ"], history(rows), NOW)
    assert node_of(report, "hub").status == Status.OK
    assert node_of(report, "A").status == Status.WARN
    assert node_of(report, "B").status == Status.ALARM
    assert report.hubs[0].status == Status.ALARM
    assert report.status == Status.ALARM


def test_unknown_ranks_below_warn_in_the_rollup() -> None:
    rows = fresh_world() + [row("A", "svn/dybsvn", 100 + h) for h in range(8)]  # retention warn on A
    h = history(rows)
    polls = {k: v for k, v in h.polls.items() if k != ("ZZ", "B")}  # B never listed: unknown
    report = evaluate(config(), ["ZZ"], History(polls, h.items), NOW)
    assert node_of(report, "A").status == Status.WARN
    assert node_of(report, "B").status == Status.UNKNOWN
    assert report.hubs[0].status == Status.WARN


def test_the_report_covers_the_hubs_asked_for_in_order() -> None:
    c = validate(
        {
            "nodes": {"A": {}},
            "hubs": {
                "ZZ": {"srvnode": "dayabay", "nodes": ["A"]},
                "C2": {"srvnode": "cms02", "nodes": ["A"]},
            },
        },
        "test.toml",
    )
    rows = [row("A", "svn/dybsvn", 1), row("A", "svn/x", 100, hub="C2")]
    polls = {("ZZ", "A"): ok_poll(), ("C2", "A"): ok_poll()}
    report = evaluate(c, ["C2", "ZZ"], History.from_rows(polls, rows), NOW)
    assert [(h.hub, h.status) for h in report.hubs] == [("C2", Status.ALARM), ("ZZ", Status.OK)]
    assert report.status == Status.ALARM
    assert [h.hub for h in evaluate(c, ["ZZ"], History.from_rows(polls, rows), NOW).hubs] == ["ZZ"]


# -- the JSON document ----------------------------------------------------------------------

# DESIGN.md's `check --format json`: these keys are a public interface.
TOP_KEYS = {"generated", "status", "hubs"}
HUB_KEYS = {"hub", "status", "nodes"}
NODE_KEYS = {"node", "status", "reachable", "items"}
ITEM_KEYS = {"item", "status", "latest", "age_hours", "size", "count", "findings"}
FINDING_KEYS = {"check", "status", "message"}


def design_report() -> Report:
    """The example of DESIGN.md: hub C2, node C, item tracs/data 99 days stale."""
    generated = datetime(2012, 8, 7, 12, tzinfo=UTC).timestamp()
    latest = datetime(2012, 5, 1, 5, 1, 4, tzinfo=UTC).timestamp()
    f = stale.check(latest, generated, THRESHOLDS)
    assert f is not None
    item = ItemVerdict("tracs/data", Status.ALARM, latest, 1048576, 4, None, [f])
    node = NodeVerdict("C", Status.ALARM, True, generated, None, [item])
    return Report(generated, Status.ALARM, [HubVerdict("C2", Status.ALARM, "cms02", [node])])


def test_the_json_document_has_every_key_of_design_md_at_every_level() -> None:
    doc = to_json(design_report())
    assert set(doc) >= TOP_KEYS
    assert len(doc["hubs"]) == 1
    for hub in doc["hubs"]:
        assert set(hub) >= HUB_KEYS
        for node in hub["nodes"]:
            assert set(node) >= NODE_KEYS
            for item in node["items"]:
                assert set(item) >= ITEM_KEYS
                for f in item["findings"]:
                    assert set(f) >= FINDING_KEYS


def test_the_json_document_has_the_values_of_design_md() -> None:
    doc = to_json(design_report())
    assert (doc["generated"], doc["status"]) == ("2012-08-07T12:00:00+00:00", "alarm")
    hub = doc["hubs"][0]
    assert (hub["hub"], hub["status"]) == ("C2", "alarm")
    node = hub["nodes"][0]
    assert (node["node"], node["status"], node["reachable"]) == ("C", "alarm", True)
    item = node["items"][0]
    assert item["item"] == "tracs/data"
    assert item["status"] == "alarm"
    assert item["latest"] == "2012-05-01T05:01:04+00:00"
    # DESIGN.md's example says 2374.98 and "99 days", which its own two times do not give:
    # 2012-05-01T05:01:04 to 2012-08-07T12:00:00 is 98 days 6:58:56, i.e. 2358.98 hours.
    assert item["age_hours"] == 2358.98
    assert (item["size"], item["count"]) == (1048576, 4)
    assert item["findings"] == [
        {
            "check": "stale",
            "status": "alarm",
            "message": "newest tarball is 98 days old (alarm after 50 hours)",
        }
    ]


def test_json_times_are_iso_8601_utc_and_ages_are_rounded_to_two_decimals() -> None:
    generated = NOW
    latest = NOW - 12345.0  # 3.429166… hours
    item = ItemVerdict("svn/dybsvn", Status.OK, latest, 1, 1, 7)
    node = NodeVerdict("A", Status.OK, True, NOW, None, [item])
    doc = to_json(Report(generated, Status.OK, [HubVerdict("ZZ", Status.OK, "dayabay", [node])]))
    j = doc["hubs"][0]["nodes"][0]["items"][0]
    assert j["age_hours"] == 3.43
    assert j["latest"].endswith("+00:00")
    assert datetime.fromisoformat(j["latest"]).timestamp() == latest
    assert doc["generated"] == "2012-08-07T12:00:00+00:00"


def test_json_of_an_item_never_seen_has_null_latest_and_age() -> None:
    item = ItemVerdict("svn/dybsvn", Status.ALARM, None, None, 0, None)
    node = NodeVerdict("A", Status.ALARM, None, None, "never listed", [item])
    doc = to_json(Report(NOW, Status.ALARM, [HubVerdict("ZZ", Status.ALARM, "dayabay", [node])]))
    n = doc["hubs"][0]["nodes"][0]
    assert n["reachable"] is None
    assert set(n["items"][0]) >= ITEM_KEYS
    assert (n["items"][0]["latest"], n["items"][0]["age_hours"], n["items"][0]["count"]) == (None, None, 0)


def test_json_of_a_whole_evaluation_keeps_every_key_at_every_level() -> None:
    rows = [*fresh_world(), row("A", "folders/svnsetup", 100)]
    polls = {"B": Poll(ok=False, at=NOW, reason="refused", last_ok=None)}
    doc = to_json(evaluate(config(), ["ZZ"], history(rows, polls), NOW))
    assert set(doc) >= TOP_KEYS
    nodes = [n for h in doc["hubs"] for n in h["nodes"]]
    assert all(set(h) >= HUB_KEYS for h in doc["hubs"])
    assert len(nodes) == 3 and all(set(n) >= NODE_KEYS for n in nodes)
    items = [i for n in nodes for i in n["items"]]
    assert len(items) == 9 and all(set(i) >= ITEM_KEYS for i in items)
    findings = [f for i in items for f in i["findings"]]
    assert findings and all(set(f) >= FINDING_KEYS for f in findings)
    assert {n["node"]: n["reachable"] for n in nodes} == {"hub": True, "A": True, "B": False}
