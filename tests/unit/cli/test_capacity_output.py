"""capacity as a user meets it: a store with three weeks of nightly polls whose disk fills in
about 12 days gives `check` a warning with the numbers, the JSON document its node's `disk`, and
`metrics` the disk's families; a node with only a few days of history gets figures, no forecast."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tarwatch.cli import cli
from tarwatch.records import Disk, Snapshot, Tarball
from tarwatch.store import Store

NOW_T = datetime(2026, 11, 25, 12, tzinfo=UTC).timestamp()
NOW = "2026-11-25T12:00:00"
ROOT = "/backup/dayabay"
DAY = 86400
GiB = 2**30


def run(*args: str) -> Result:
    return CliRunner(env={"COLUMNS": "300"}).invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_world(tmp_path_factory.mktemp("capacity"))


def make_world(tmp: Path, free_gib: int = 412, behind: float = 0.0, hub_keys: str = "") -> Path:
    """Hub ZZ: node SDU polled nightly for 21 nights, its disk growing 34 GiB a night to 412
    GiB free now (or `free_gib`, its newest poll `behind` seconds before now; `hub_keys` TOML
    lines for the hub); node IHEP polled 3 nights (no forecast yet). Returns its configuration."""
    db, cfg = tmp / "tw.db", tmp / "tw.toml"
    cfg.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n\n[hubs.ZZ]\nsrvnode = "dayabay"\n'
        f'nodes = ["SDU", "IHEP"]\n{hub_keys}\n'
        "[nodes.SDU]\n[nodes.IHEP]\n",
        encoding="utf-8",
    )
    store = Store.open(f"sqlite:///{db}")
    total = 2000 * GiB
    for node, nights in (("SDU", 21), ("IHEP", 3)):
        for n in range(nights):
            at = NOW_T - behind - (nights - 1 - n) * DAY
            stamp = int(at - 7200)
            tb = [
                Tarball(f"{ROOT}/svn/x/{d}/x-{d}.tar.gz", "svn/x", stamp - d * DAY, 1000, stamp, d)
                for d in range(3)
            ]
            used = total - free_gib * GiB - 34 * GiB * (nights - 1 - n)
            disk = Disk("/dev/sdb1", "/backup", total, used, total - used)
            run_id = store.begin_run(at, "collect", ["ZZ"])
            store.record_poll(
                run_id,
                "ZZ",
                node,
                at,
                ok=True,
                reason=None,
                duration=0.1,
                snap=Snapshot(ROOT, True, tb, disk=disk),
            )
            store.finish_run(run_id)
    store.close()
    return cfg


def test_check_says_when_the_disk_fills_with_the_numbers(world: Path) -> None:
    r = run("--config", str(world), "--now", NOW, "check")
    assert r.exit_code == 1, r.output
    assert "disk /backup on SDU fills in 12 days (412.0 GiB free, growing 34.0 GiB/day)" in r.output
    assert "IHEP fills" not in r.output


def test_the_json_document_gives_each_node_its_disk_and_forecast(world: Path) -> None:
    doc = json.loads(run("--config", str(world), "--now", NOW, "check", "--format", "json").output)
    nodes = {n["node"]: n for n in doc["hubs"][0]["nodes"]}
    sdu, ihep = nodes["SDU"]["disk"], nodes["IHEP"]["disk"]
    assert (sdu["mount"], sdu["total"], sdu["free"]) == ("/backup", 2000 * GiB, 412 * GiB)
    assert sdu["used"] == 2000 * GiB - 412 * GiB and sdu["history_days"] == 20
    assert sdu["growth_per_day"] == 34 * GiB and sdu["fill_days"] == pytest.approx(412 / 34, abs=0.05)
    assert sdu["largest_night"] == 1000 and sdu["at"] == "2026-11-25T12:00:00+00:00"
    assert ihep["free"] == 412 * GiB and ihep["growth_per_day"] is None and ihep["fill_days"] is None
    assert [f["check"] for f in nodes["SDU"]["findings"]] == ["capacity"]
    assert nodes["SDU"]["findings"][0]["status"] == "warn"


def test_a_node_thresholds_override_the_hubs(world: Path, tmp_path: Path) -> None:
    cfg = tmp_path / "tw.toml"
    cfg.write_text(world.read_text().replace("[nodes.SDU]\n", "[nodes.SDU]\ncapacity_alarm = 13\n"))
    doc = json.loads(run("--config", str(cfg), "--now", NOW, "check", "--format", "json").output)
    sdu = next(n for n in doc["hubs"][0]["nodes"] if n["node"] == "SDU")
    assert sdu["findings"][0]["status"] == "alarm"
    cfg.write_text(
        world.read_text().replace('nodes = ["SDU", "IHEP"]', 'nodes = ["SDU", "IHEP"]\ncapacity_warn = 10')
    )
    doc = json.loads(run("--config", str(cfg), "--now", NOW, "check", "--format", "json").output)
    assert doc["status"] == "ok"


def test_metrics_give_the_disk_figures_and_the_time_until_full(world: Path) -> None:
    r = run("--config", str(world), "--now", NOW, "metrics")
    assert r.exit_code == 0, r.output
    got = {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in r.output.splitlines()
        if line[:1] != "#"
    }
    sdu, ihep = 'hub="ZZ",node="SDU"', 'hub="ZZ",node="IHEP"'
    assert got[f"tarwatch_node_disk_free_bytes{{{sdu}}}"] == 412 * GiB
    assert got[f"tarwatch_node_disk_total_bytes{{{ihep}}}"] == 2000 * GiB
    assert got[f"tarwatch_node_disk_used_bytes{{{sdu}}}"] == 1588 * GiB
    assert got[f"tarwatch_node_disk_growth_bytes_per_second{{{sdu}}}"] == pytest.approx(34 * GiB / DAY)
    assert got[f"tarwatch_node_disk_fill_seconds{{{sdu}}}"] == pytest.approx(412 / 34 * DAY, rel=1e-3)
    assert f"tarwatch_node_disk_fill_seconds{{{ihep}}}" not in got


def test_the_finding_is_a_problem_notify_tells_of(world: Path) -> None:
    from tarwatch.app.report import build_report
    from tarwatch.config.load import load_config
    from tarwatch.notify.observe import observe
    from tarwatch.records import Key, Status

    config, _ = load_config(world)
    store = Store.open(config.store.url)
    report = build_report(config, ["ZZ"], store, NOW_T)
    store.close()
    problems = observe(report.hubs[0], NOW_T).problems
    got = problems[Key("ZZ", "SDU", "", "capacity")]
    assert got.status is Status.WARN and "fills in 12 days" in got.message
    assert not [k for k in problems if k.node == "IHEP"]
