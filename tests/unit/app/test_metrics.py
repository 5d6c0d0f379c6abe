"""The metrics use case: the newest finished run of each hub read from a real store, gather()
on it, and the textfile for node_exporter replaced atomically."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families as parse_text

from tarwatch.app.metrics import Endpoint, gather, write_textfile
from tarwatch.config.validate import validate
from tarwatch.errors import ConfigError
from tarwatch.formats.metrics import text
from tarwatch.records import Snapshot, Tarball
from tarwatch.store import Store

NOW = 1_795_608_000.0


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(f"sqlite:///{tmp_path / 'tarwatch.db'}")


def config(tmp_path: Path):  # type: ignore[no-untyped-def]
    doc = {
        "store": {"url": f"sqlite:///{tmp_path / 'tarwatch.db'}"},
        "nodes": {"SDU": {"host": "sdu.example.org"}},
        "hubs": {"ZZ": {"srvnode": "dayabay", "nodes": ["SDU"], "select": ["svn/dybsvn"]}},
    }
    return validate(doc, "test.toml")


def test_last_runs_gives_each_hub_its_newest_finished_run(store: Store) -> None:
    first = store.begin_run(NOW, "collect", ["ZZ", "YY"])
    store.finish_run(first)
    second = store.begin_run(NOW + 60, "run", ["ZZ"])
    store.finish_run(second)
    store.begin_run(NOW + 120, "collect", ["ZZ", "YY"])  # still running: not a finished run
    runs = store.last_runs(["ZZ", "YY", "XX"])
    assert set(runs) == {"ZZ", "YY"}
    assert runs["ZZ"].command == "run"
    assert runs["YY"].command == "collect"
    assert runs["ZZ"].finished >= runs["YY"].finished >= runs["YY"].started
    assert store.last_runs([]) == {}


def test_gather_reads_the_report_polls_and_runs(tmp_path: Path, store: Store) -> None:
    run = store.begin_run(NOW, "collect", ["ZZ"])
    path = "/backup/dayabay/svn/dybsvn/2026/11/25/030000/dybsvn.tar.gz"
    tb = Tarball(path, "svn/dybsvn", int(NOW) - 3600, 2048, mtime=NOW - 3500, revision=7)
    snap = Snapshot(root="/backup/dayabay", complete=True, tarballs=[tb])
    store.record_poll(run, "ZZ", "SDU", NOW, ok=True, reason=None, duration=1.25, snap=snap)
    store.finish_run(run)
    body = text(gather(config(tmp_path), ["ZZ"], store, NOW)).decode()
    got = {(s.name, tuple(sorted(s.labels.items()))): s.value for f in parse_text(body) for s in f.samples}
    item = (("hub", "ZZ"), ("item", "svn/dybsvn"), ("node", "SDU"))
    assert got[("tarwatch_item_newest_timestamp_seconds", item)] == int(NOW) - 3600
    assert got[("tarwatch_item_newest_bytes", item)] == 2048
    assert got[("tarwatch_item_tarballs", item)] == 1
    assert got[("tarwatch_node_up", (("hub", "ZZ"), ("node", "SDU")))] == 1
    assert got[("tarwatch_node_listing_duration_seconds", (("hub", "ZZ"), ("node", "SDU")))] == 1.25
    assert ("tarwatch_last_run_timestamp_seconds", (("hub", "ZZ"),)) in got


def test_the_textfile_is_replaced_atomically_with_mode_0644(tmp_path: Path, store: Store) -> None:
    target = tmp_path / "textfile" / "tarwatch.prom"
    families = gather(config(tmp_path), ["ZZ"], store, NOW)
    old_umask = os.umask(0o077)  # a cron job's strict umask must not hide it from node_exporter
    try:
        write_textfile(target, families)
        first = target.stat()
        with target.open("rb") as reader:  # a reader of the old file keeps a whole old file
            write_textfile(target, families)
            assert reader.read() == text(families)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert target.stat().st_ino != first.st_ino  # a new file renamed over the old one
    assert target.read_bytes() == text(families)
    assert [p.name for p in target.parent.iterdir()] == ["tarwatch.prom"]  # no temporary left


def test_a_failed_textfile_write_leaves_the_old_file(tmp_path: Path, store: Store) -> None:
    target = tmp_path / "tarwatch.prom"
    target.write_text("old\n")
    families = gather(config(tmp_path), ["ZZ"], store, NOW)
    with pytest.raises(OSError) as e:
        write_textfile(tmp_path / "tarwatch.prom" / "inside", families)  # its folder is a file
    assert "tarwatch.prom" in str(e.value.filename)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_endpoint_loads_the_configuration_when_asked_and_reports_its_errors(tmp_path: Path) -> None:
    calls: list[int] = []

    def missing():  # type: ignore[no-untyped-def]
        calls.append(1)
        raise ConfigError(None, None, "no configuration found")

    endpoint = Endpoint(missing, lambda: NOW)
    assert calls == []  # nothing loaded before a request
    for _ in range(2):
        with pytest.raises(ConfigError):
            endpoint(None)
    assert calls == [1, 1]

    good = Endpoint(lambda: config(tmp_path), lambda: NOW)
    results: list[tuple[bytes, str]] = []
    threads = [threading.Thread(target=lambda: results.append(good("text/plain"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4 and len({body for body, _ in results}) == 1
    assert all(ct.startswith("text/plain") for _, ct in results)
