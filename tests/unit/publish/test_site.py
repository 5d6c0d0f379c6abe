"""Publishing the demo world: what is written, what is rewritten (only what changed), the legacy
Highstock JSON, and a hostile item name escaped in every output."""

from __future__ import annotations

import errno
import json
import logging
import os
import time
from pathlib import Path

import pytest

from support.tree import tarball
from support.world import HOSTILE, HOSTILE_ITEM, Collected, collected_world
from tarwatch.formats.document import to_json
from tarwatch.publish.legacy import highstock
from tarwatch.publish.site import publish, static_files, write_overview

NODES = ("hub", "SDU", "IHEP", "NTU", "KEK")
ALWAYS = {"data/status.json", "data/status.js", "data/.published.json"}  # rewritten every run


def files(site: Path) -> dict[str, tuple[int, int]]:
    """Every file of the site: path → (inode, mtime in ns); a rewrite changes the inode."""
    return {
        str(p.relative_to(site)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in site.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def world(tmp_path: Path) -> Collected:
    return collected_world(
        tmp_path / "world", jspath=str(tmp_path / "legacy" / "scm_backup_monitor_{node}.json")
    )


def test_a_first_publish_writes_pages_data_images_and_static_files(world: Collected, tmp_path: Path) -> None:
    site = tmp_path / "site"
    s = publish(world.config, world.report(world.now), world.store, site)
    assert (s.pages, s.data, s.images, s.legacy) == (2, 1 + len(NODES), 2 * len(NODES), len(NODES))
    assert s.static == len(static_files()) and s.nodes_unchanged == 0
    for node in NODES:
        for rel in (f"data/ZZ/{node}.json", f"data/ZZ/{node}.js", f"img/ZZ/{node}.svg", f"img/ZZ/{node}.png"):
            assert (site / rel).stat().st_size > 0, rel
    assert (site / "static/vendor/uplot/LICENSE").read_text().startswith("The MIT License")
    assert (site / "img/ZZ/SDU.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (site / "img/ZZ/SDU.svg").read_bytes()[:400]


def test_status_json_is_exactly_the_check_document(world: Collected, tmp_path: Path) -> None:
    publish(world.config, world.report(world.now), world.store, tmp_path / "site")
    expected = to_json(world.report(world.now))
    assert json.loads((tmp_path / "site/data/status.json").read_text()) == expected


def test_the_overview_alone_is_the_pages_static_files_and_status_without_any_nodes_data(
    world: Collected, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    s = write_overview(world.config, world.report(world.now), site)
    assert (s.pages, s.data, s.images, s.static) == (2, 1, 0, len(static_files()))
    assert json.loads((site / "data/status.json").read_text()) == to_json(world.report(world.now))
    assert (site / "index.html").is_file() and (site / "data/status.js").is_file()
    assert not (site / "img").exists() and not (site / "data/ZZ").exists()


def test_a_second_publish_with_nothing_changed_rewrites_only_the_status(
    world: Collected, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    publish(world.config, world.report(world.now), world.store, site)
    before = files(site)
    s = publish(world.config, world.report(world.now + 3600), world.store, site)
    after = files(site)
    assert (s.pages, s.data, s.images, s.nodes_unchanged) == (0, 1, 0, len(NODES))
    assert {k for k in after if after[k] != before.get(k)} == ALWAYS


def test_after_one_node_changed_only_its_data_images_and_legacy_json_are_rewritten(
    world: Collected, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    publish(world.config, world.report(world.now), world.store, site)
    before = files(site)
    legacy = tmp_path / "legacy"
    legacy_before = {p.name: p.stat().st_ino for p in legacy.iterdir()}
    tarball(world.node_root("IHEP"), "svn/dybsvn/2026/11/25/190000/dybsvn-9999.tar.gz", 5 << 30)
    world.collect()
    s = publish(world.config, world.report(world.now), world.store, site)
    after = files(site)
    assert s.nodes_changed == ["ZZ/IHEP"]
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed == ALWAYS | {"data/ZZ/IHEP.json", "data/ZZ/IHEP.js", "img/ZZ/IHEP.svg", "img/ZZ/IHEP.png"}
    legacy_after = {p.name: p.stat().st_ino for p in legacy.iterdir()}
    assert [n for n in legacy_after if legacy_after[n] != legacy_before[n]] == [
        "scm_backup_monitor_IHEP.json"
    ]


def test_a_deleted_data_file_is_written_again(world: Collected, tmp_path: Path) -> None:
    site = tmp_path / "site"
    publish(world.config, world.report(world.now), world.store, site)
    (site / "img/ZZ/NTU.png").unlink()
    s = publish(world.config, world.report(world.now), world.store, site)
    assert s.nodes_changed == ["ZZ/NTU"] and (site / "img/ZZ/NTU.png").exists()


def test_the_legacy_json_is_the_seeds_highstock_options(world: Collected, tmp_path: Path) -> None:
    publish(world.config, world.report(world.now), world.store, tmp_path / "site")
    doc = json.loads((tmp_path / "legacy/scm_backup_monitor_SDU.json").read_text())
    assert doc["chart"] == {"renderTo": "container_SDU"}
    assert [a.get("opposite", False) for a in doc["yAxis"]] == [False, True]
    names = [s["name"] for s in doc["series"]]
    assert names[-1] == "tarballs per day" and doc["series"][-1]["yAxis"] == 1
    assert [a["title"]["text"] for a in doc["yAxis"]] == ["size (MiB)", "tarballs per day"]
    assert set(names[:-1]) == {"svn/dybsvn", "tracs/dybsvn", "svn/dybaux", "tracs/dybaux", "folders/svnsetup"}
    dybsvn = next(s for s in doc["series"] if s["name"] == "svn/dybsvn")
    ms, mib = dybsvn["data"][0]
    assert ms % 1000 == 0 and mib == pytest.approx(4100)  # the demo's first tarball: 4,100 MiB
    assert sum(n for _, n in doc["series"][-1]["data"]) == sum(len(s["data"]) for s in doc["series"][:-1])


def test_highstock_of_an_empty_node_has_only_an_empty_count_series() -> None:
    doc = highstock({"hub": "H", "node": "N", "t0": 0, "items": [], "days": []})
    assert doc["series"] == [{"name": "tarballs per day", "yAxis": 1, "type": "column", "data": []}]


def test_a_hostile_item_name_is_escaped_in_every_output(tmp_path: Path) -> None:
    world = collected_world(tmp_path / "world", hostile=True, jspath=str(tmp_path / "legacy" / "{node}.json"))
    site = tmp_path / "site"
    publish(world.config, world.report(world.now), world.store, site)
    status = json.loads((site / "data/status.json").read_text())
    items = {i["item"] for n in status["hubs"][0]["nodes"] for i in n["items"]}
    assert HOSTILE_ITEM in items
    series = json.loads((site / "data/ZZ/SDU.json").read_text())
    assert HOSTILE_ITEM in [i["item"] for i in series["items"]]
    outputs = [*site.rglob("*.json"), *site.rglob("*.js"), *(tmp_path / "legacy").iterdir()]
    for p in outputs:
        if "static" not in p.parts:
            text = p.read_text()
            assert "<" not in text and ">" not in text and "&" not in text, p
    for p in site.rglob("*.html"):
        assert HOSTILE not in p.read_text() and "onerror" not in p.read_text(), p
    svg = (site / "img/ZZ/SDU.svg").read_text()
    assert "<img" not in svg and "&lt;img src=x onerror=alert(1)&gt; &amp;" in svg


# -- faults: one node's failure is that node's; the site's rules hold whatever the umask --------


@pytest.mark.parametrize("jobs", [1, 2], ids=["in-process", "worker-processes"])
def test_a_node_that_cannot_be_written_is_logged_and_the_others_are_published(
    world: Collected, tmp_path: Path, jobs: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="tarwatch")  # whatever level an earlier CLI test left on the root
    site = tmp_path / "site"
    (site / "img/ZZ/SDU.png").mkdir(parents=True)  # a folder where SDU's image goes
    s = publish(world.config, world.report(world.now), world.store, site, jobs=jobs)
    assert [f.split(":")[0] for f in s.failed] == ["ZZ/SDU"]
    assert "Is a directory" in s.failed[0]
    assert sorted(s.nodes_changed) == sorted(f"ZZ/{n}" for n in NODES if n != "SDU")
    for node in NODES:
        if node != "SDU":
            assert (site / f"img/ZZ/{node}.png").read_bytes()[:4] == b"\x89PNG", node
    assert (site / "index.html").is_file() and (site / "data/status.json").is_file()
    assert any("hub ZZ, node SDU not written" in r.getMessage() for r in caplog.records)
    (site / "img/ZZ/SDU.png").rmdir()
    again = publish(world.config, world.report(world.now), world.store, site, jobs=jobs)
    assert again.nodes_changed == ["ZZ/SDU"] and not again.failed  # tried again, and written


def test_a_full_disk_is_the_sites_failure_not_a_nodes(world: Collected, tmp_path: Path) -> None:
    from tarwatch.publish.nodes import NodeFailure
    from tarwatch.publish.site import Summary, _fail

    failure = NodeFailure("ZZ", "SDU", "no space", errno.ENOSPC, "/srv/site/img/ZZ/SDU.png")
    with pytest.raises(OSError) as e:
        _fail(Summary("site"), failure)
    assert (e.value.errno, e.value.filename) == (errno.ENOSPC, "/srv/site/img/ZZ/SDU.png")


def test_a_worker_does_not_hold_the_store_open_after_reading_a_node(world: Collected, tmp_path: Path) -> None:
    from tarwatch.publish.nodes import NodeJob, _store, write_node

    db = str(world.config.store.url).removeprefix("sqlite:///")

    def holding() -> list[str]:
        fds = Path("/proc/self/fd")
        return [str(p) for p in fds.iterdir() if os.path.realpath(p).startswith(os.path.realpath(db))]

    world.store.close()
    assert holding() == []
    job = NodeJob(str(world.config.store.url), tmp_path / "site", "ZZ", "SDU", (), None, {}, None)
    write_node(job)  # as a worker does: with a store of its own
    assert holding() == []
    _store.cache_clear()


def test_the_site_is_world_readable_whatever_the_umask(world: Collected, tmp_path: Path) -> None:
    old = os.umask(0o077)
    try:
        publish(world.config, world.report(world.now), world.store, tmp_path / "site")
    finally:
        os.umask(old)
    for p in [tmp_path / "site", *(tmp_path / "site").rglob("*")]:
        want = 0o755 if p.is_dir() else 0o644
        assert p.stat().st_mode & 0o777 == want, p


def test_temporary_files_left_by_a_killed_publish_are_removed_by_the_next(
    world: Collected, tmp_path: Path
) -> None:
    import subprocess
    import sys

    site = tmp_path / "site"
    publish(world.config, world.report(world.now), world.store, site)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        stale = site / f"img/ZZ/.SDU.png.pid{alive.pid}.k3j_x9q2.tmp"  # old: whoever wrote it
        orphan = site / f"data/.status.js.pid{dead.pid}.cp8qvs42.tmp"  # new, but its writer died
        fresh = site / f"data/.status.json.pid{alive.pid}.abcd1234.tmp"  # a live publish's
        theirs = site / "img/ZZ/.notes.tmp"  # not one of ours
        for p in (stale, orphan, fresh, theirs):
            p.write_bytes(b"half")
        hour_ago = time.time() - 3600
        os.utime(stale, (hour_ago, hour_ago))
        os.utime(theirs, (hour_ago, hour_ago))
        publish(world.config, world.report(world.now), world.store, site)
        assert not stale.exists() and not orphan.exists()
        assert fresh.exists() and theirs.exists()
    finally:
        alive.terminate()
        alive.wait()


def test_a_disk_image_is_drawn_again_only_when_what_it_shows_changed_or_it_is_gone(
    world: Collected, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tarwatch.publish import diskimage

    drawn: list[str] = []
    real = diskimage.render

    def counting(doc: dict, facts: object) -> bytes:
        drawn.append(doc["node"])
        return real(doc, facts)  # type: ignore[arg-type]

    monkeypatch.setattr(diskimage, "render", counting)  # in this process: jobs=1
    site = tmp_path / "site"
    publish(world.config, world.report(world.now), world.store, site, jobs=1)
    assert sorted(drawn) == sorted(NODES)
    drawn.clear()
    # IHEP's tarballs change; its disk figures (the day's first df) do not: its chart is drawn
    # again, its disk image is not
    tarball(world.node_root("IHEP"), "svn/dybsvn/2026/11/25/190000/dybsvn-9999.tar.gz", 5 << 30)
    world.collect()
    s = publish(world.config, world.report(world.now), world.store, site, jobs=1)
    assert s.nodes_changed == ["ZZ/IHEP"] and drawn == []
    (site / diskimage.image_path("ZZ", "IHEP")).unlink()
    tarball(world.node_root("IHEP"), "svn/dybsvn/2026/11/25/200000/dybsvn-10000.tar.gz", 5 << 30)
    world.collect()
    publish(world.config, world.report(world.now), world.store, site, jobs=1)
    assert drawn == ["IHEP"] and (site / diskimage.image_path("ZZ", "IHEP")).is_file()
