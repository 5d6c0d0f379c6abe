"""The report as Prometheus metrics: a small report by hand → the families, their samples and
units, the status mapping, and the text read back by prometheus_client's own parsers (the
Prometheus text and OpenMetrics)."""

from __future__ import annotations

from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text

from tarwatch.checks.model import HubVerdict, ItemVerdict, NodeVerdict, Report, Snoozed
from tarwatch.formats.metrics import STATUS_VALUE, families, negotiated, text
from tarwatch.records import PollInfo, RunInfo, Status

NOW = 1_795_608_000.0
DAY = 86_400.0


def small_report() -> Report:
    """One hub, a node that was listed (an item fine, one in alarm and snoozed, one missing), a
    node that could not be listed and a node never listed."""
    ok = ItemVerdict("svn/dybsvn", Status.OK, NOW - DAY / 2, 4_333_764_608, 12, 2)
    stale = ItemVerdict("tracs/dybaux", Status.ALARM, NOW - 5 * DAY, 101_187_584, 7, None)
    stale.snoozed = Snoozed(NOW + DAY, "moving the disk")
    missing = ItemVerdict("folders/svnsetup", Status.ALARM, None, None, 0, None)
    sdu = NodeVerdict("SDU", Status.ALARM, True, NOW, None, [ok, stale, missing])
    kek = NodeVerdict(
        "KEK",
        Status.ALARM,
        False,
        NOW,
        "timed out",
        [ItemVerdict("svn/dybsvn", Status.UNKNOWN, NOW - DAY, 5, 3, 1)],
    )
    never = NodeVerdict("NTU", Status.UNKNOWN, None, None, None, [])
    return Report(NOW, Status.ALARM, [HubVerdict("ZZ", Status.ALARM, "dayabay", [sdu, kek, never])])


POLLS = {
    ("ZZ", "SDU"): PollInfo("ZZ", "SDU", NOW, True, None, 2.5, 31, True, 0, 0),
    ("ZZ", "KEK"): PollInfo("ZZ", "KEK", NOW, False, "timed out", 30.0, 0, False, 0, 0),
}
RUNS = {"ZZ": RunInfo("ZZ", "run", NOW + 10, NOW + 52.5)}


def samples(fams: list) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Given families, return {(sample name, sorted labels): value}."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for family in fams for s in family.samples}


def at(**labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def test_the_status_mapping_is_the_exit_status_of_check() -> None:
    assert STATUS_VALUE == {Status.OK: 0, Status.WARN: 1, Status.ALARM: 2, Status.UNKNOWN: 3}


def test_every_item_node_and_hub_has_its_samples_in_base_units() -> None:
    got = samples(families(small_report(), POLLS, RUNS, "1.2.3"))
    sdu = {"hub": "ZZ", "node": "SDU"}
    assert got[("tarwatch_item_newest_timestamp_seconds", at(**sdu, item="svn/dybsvn"))] == NOW - DAY / 2
    assert got[("tarwatch_item_newest_bytes", at(**sdu, item="svn/dybsvn"))] == 4_333_764_608
    assert got[("tarwatch_item_tarballs", at(**sdu, item="svn/dybsvn"))] == 12
    assert got[("tarwatch_item_status", at(**sdu, item="svn/dybsvn"))] == 0
    assert got[("tarwatch_item_snoozed", at(**sdu, item="svn/dybsvn"))] == 0
    assert got[("tarwatch_item_status", at(**sdu, item="tracs/dybaux"))] == 2
    assert got[("tarwatch_item_snoozed", at(**sdu, item="tracs/dybaux"))] == 1
    assert got[("tarwatch_item_status", at(hub="ZZ", node="KEK", item="svn/dybsvn"))] == 3
    assert got[("tarwatch_node_up", at(**sdu))] == 1
    assert got[("tarwatch_node_up", at(hub="ZZ", node="KEK"))] == 0
    assert got[("tarwatch_node_up", at(hub="ZZ", node="NTU"))] == 0  # never listed: not up
    assert got[("tarwatch_node_status", at(hub="ZZ", node="NTU"))] == 3
    assert got[("tarwatch_node_listing_duration_seconds", at(**sdu))] == 2.5
    assert got[("tarwatch_node_listing_duration_seconds", at(hub="ZZ", node="KEK"))] == 30.0
    assert got[("tarwatch_node_last_poll_timestamp_seconds", at(**sdu))] == NOW
    assert got[("tarwatch_hub_status", at(hub="ZZ"))] == 2
    assert got[("tarwatch_last_run_timestamp_seconds", at(hub="ZZ"))] == NOW + 52.5
    assert got[("tarwatch_last_run_duration_seconds", at(hub="ZZ"))] == 42.5
    assert got[("tarwatch_build_info", at(version="1.2.3"))] == 1


def test_what_is_not_known_has_no_sample() -> None:
    got = samples(families(small_report(), POLLS, {}, "1.2.3"))
    missing = at(hub="ZZ", node="SDU", item="folders/svnsetup")
    assert ("tarwatch_item_newest_timestamp_seconds", missing) not in got
    assert ("tarwatch_item_newest_bytes", missing) not in got
    assert got[("tarwatch_item_tarballs", missing)] == 0
    assert got[("tarwatch_item_status", missing)] == 2
    never = at(hub="ZZ", node="NTU")
    assert ("tarwatch_node_listing_duration_seconds", never) not in got
    assert ("tarwatch_node_last_poll_timestamp_seconds", never) not in got
    assert not any(name.startswith("tarwatch_last_run") for name, _ in got)


def test_every_family_is_a_gauge_or_info_named_as_the_guide_says() -> None:
    for family in families(small_report(), POLLS, RUNS, "1.2.3"):
        assert family.name.startswith("tarwatch_")
        assert family.type == ("info" if family.name == "tarwatch_build" else "gauge")
        assert family.documentation
        for s in family.samples:
            assert set(s.labels) <= {"hub", "node", "item", "version"}
            if family.unit:
                assert s.name.endswith(f"_{family.unit}"), s.name


def test_the_text_reads_back_with_the_same_values() -> None:
    fams = families(small_report(), POLLS, RUNS, "1.2.3")
    back = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in parse_text(text(fams).decode())
        for s in family.samples
    }
    assert back == samples(fams)


def test_openmetrics_is_given_to_whoever_asks_for_it() -> None:
    fams = families(small_report(), POLLS, RUNS, "1.2.3")
    body, content_type = negotiated(fams, "application/openmetrics-text; version=1.0.0,text/plain;q=0.5")
    assert content_type.startswith("application/openmetrics-text")
    assert body.endswith(b"# EOF\n")
    parsed = {f.name: f for f in parse_openmetrics(body.decode())}
    assert parsed["tarwatch_item_newest_timestamp_seconds"].unit == "seconds"
    assert parsed["tarwatch_item_newest_bytes"].unit == "bytes"
    plain, plain_type = negotiated(fams, None)
    assert plain_type.startswith("text/plain; version=0.0.4")
    assert plain == text(fams)


def test_hostile_names_stay_one_label_value_each() -> None:
    report = small_report()
    name = 'we"ird\\name\nwith a newline/and ünïcode'
    report.hubs[0].nodes[0].items[0].item = name
    fams = families(report, POLLS, RUNS, "1.2.3")
    back = {
        s.labels.get("item")
        for family in parse_text(text(fams).decode())
        for s in family.samples
        if s.name == "tarwatch_item_status"
    }
    assert name in back
