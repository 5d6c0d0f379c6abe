"""The real CLI against real OpenSSH sshd nodes on 127.0.0.x."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from support.cli import tarwatch
from support.sshd import SshLab
from support.tree import seed_tree, tarball

pytestmark = pytest.mark.e2e

NOW = "2012-08-05T08:00:00+00:00"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def write_config(path: Path, store: Path, nodes: dict[str, str], extra: str = "", **hub: str) -> Path:
    lines = [
        "[store]",
        f'url = "sqlite:///{store}"',
        "[defaults]",
        'timezone = "Asia/Taipei"',
        'timeout = "3s"',
        "[hubs.C2]",
        'srvnode = "cms02"',
        f"nodes = {list(nodes)!r}".replace("'", '"'),
    ]
    lines += [f"{k} = {v}" for k, v in hub.items()]
    for name, body in nodes.items():
        lines += [f'[nodes."{name}"]', body]
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


@pytest.fixture
def two_nodes(ssh_lab: SshLab, tmp_path: Path):
    """Nodes C and H1, each with the seed's cms02 tree under its own $SCM_FOLD."""
    for name in ("C", "H1"):
        fold = tmp_path / f"fold-{name}"
        seed_tree(fold / "backup" / "cms02")
        ssh_lab.add_node(name, env={"SCM_FOLD": str(fold)})
    env = ssh_lab.env() | {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    config = write_config(tmp_path / "tarwatch.toml", tmp_path / "tw.db", {"C": "", "H1": ""})
    return ssh_lab, env, config


def test_the_seed_layout_on_two_nodes_is_collected_and_checked(two_nodes, tmp_path):
    _lab, env, config = two_nodes
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0, r.err
    lines = [line for line in r.out.splitlines() if line.strip()]
    assert len(lines) == 2 and all(" ok " in line and "6 tarballs" in line for line in lines), r.out

    r = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env)
    doc = r.json()
    assert doc["generated"] == NOW
    [hub] = doc["hubs"]
    assert [n["node"] for n in hub["nodes"]] == ["C", "H1"]
    for node in hub["nodes"]:
        assert node["reachable"] is True
        items = {i["item"]: i for i in node["items"]}
        assert sorted(items) == [
            "folders/svnsetup",
            "repos/aberdeen",
            "repos/env",
            "tracs/aberdeen",
            "tracs/env",
        ]
        ab = items["repos/aberdeen"]
        # 2012/08/04/171125 in Asia/Taipei (UTC+8) is 09:11:25 UTC.
        assert (ab["latest"], ab["size"], ab["count"], ab["revision"]) == (
            "2012-08-04T09:11:25+00:00",
            5_100_000,
            2,
            1720,
        )
        assert items["repos/env"]["revision"] == 3538
        assert items["repos/env"]["size"] == 80_000_000
        assert items["tracs/env"]["revision"] is None
        assert items["tracs/env"]["latest"] == "2012-05-01T05:01:04+00:00"
        problems = [(i, f["check"], f["status"]) for i in items for f in items[i]["findings"]]
        assert problems == [("tracs/env", "stale", "alarm")]
        assert "96 days old (alarm after 50 hours)" in items["tracs/env"]["findings"][0]["message"]
    assert r.code == 2  # alarm


def test_a_second_run_with_nothing_changed_writes_no_tarball_rows(two_nodes, tmp_path):
    _lab, env, config = two_nodes
    assert tarwatch("--config", str(config), "collect", env=env).code == 0
    db = sqlite3.connect(tmp_path / "tw.db")
    before = db.execute("select count(*), max(first_seen) from tarballs").fetchone()
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0 and "(no change)" in r.out
    after = db.execute("select count(*), max(first_seen) from tarballs").fetchone()
    assert after == before and before[0] == 12


def test_a_purged_tarball_is_marked_gone_not_forgotten(two_nodes, tmp_path):
    _lab, env, config = two_nodes
    assert tarwatch("--config", str(config), "collect", env=env).code == 0
    shutil.rmtree(tmp_path / "fold-C/backup/cms02/repos/aberdeen/2012/08/03")
    r = tarwatch("--config", str(config), "collect", env=env)
    assert "1 gone" in r.out
    db = sqlite3.connect(tmp_path / "tw.db")
    rows = db.execute(
        "select node, gone is not null from tarballs where path like '%aberdeen-1717%'"
    ).fetchall()
    assert sorted(rows) == [("C", 1), ("H1", 0)]
    doc = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env).json()
    c = {i["item"]: i for i in doc["hubs"][0]["nodes"][0]["items"]}
    assert c["repos/aberdeen"]["count"] == 1


def test_bad_nodes_are_reported_and_the_good_one_is_collected_within_the_timeouts(ssh_lab, tmp_path):
    fold = tmp_path / "fold"
    seed_tree(fold / "backup" / "cms02")
    ssh_lab.add_node("good", env={"SCM_FOLD": str(fold)})
    ssh_lab.add_refusing("refusing")
    ssh_lab.add_silent("silent")
    ssh_lab.add_wrong_key("wrongkey")
    env = ssh_lab.env() | {"XDG_DATA_HOME": str(tmp_path / "data")}
    nodes = {n: "" for n in ("good", "refusing", "silent", "wrongkey")}
    config = write_config(tmp_path / "tarwatch.toml", tmp_path / "tw.db", nodes)

    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 1
    assert r.seconds < 3 + 10  # the silent node's 3 s timeout, plus interpreter start-up and slack
    lines = {line.split()[0]: line for line in r.out.splitlines() if line.strip()}
    assert " ok " in lines["good"] and "6 tarballs" in lines["good"]
    assert "FAILED" in lines["refusing"] and "connection refused" in lines["refusing"]
    assert "FAILED" in lines["silent"] and "timed out" in lines["silent"]
    assert "FAILED" in lines["wrongkey"] and "host key" in lines["wrongkey"]
    assert "not trusted" in lines["wrongkey"]

    doc = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env).json()
    nodes_out = {n["node"]: n for n in doc["hubs"][0]["nodes"]}
    assert nodes_out["good"]["reachable"] is True
    for bad in ("refusing", "silent", "wrongkey"):
        n = nodes_out[bad]
        assert n["reachable"] is False and n["status"] == "alarm"
        assert [f["check"] for f in n["findings"]] == ["unreachable"]
        assert {i["status"] for i in n["items"]} == {"unknown"}
    assert "never listed" in nodes_out["refusing"]["findings"][0]["message"]


def test_an_unreachable_node_keeps_its_last_known_data(two_nodes, tmp_path):
    lab, env, config = two_nodes
    assert tarwatch("--config", str(config), "collect", env=env).code == 0
    lab.stop_node("H1")
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 1 and "H1" in r.out and "connection refused" in r.out
    doc = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env).json()
    h1 = doc["hubs"][0]["nodes"][1]
    assert h1["node"] == "H1" and h1["reachable"] is False
    ab = {i["item"]: i for i in h1["items"]}["repos/aberdeen"]
    assert (ab["status"], ab["size"], ab["count"]) == ("unknown", 5_100_000, 2)
    assert "last listed" in h1["findings"][0]["message"]


def test_odd_remote_entries_are_counted_and_the_rest_is_stored(ssh_lab, tmp_path):
    fold = tmp_path / "fold"
    root = fold / "backup" / "cms02"
    seed_tree(root)
    tarball(root, "repos/env/notadate/env.tar.gz", 10)
    tarball(root, "repos/env/2012/02/30/000000/env.tar.gz", 10)
    tarball(root, "repos/we\nird/2012/08/04/171125/<img src=x onerror=alert(1)>.tar.gz", 10)
    (root / "repos/env/2012/08/04/171125/env-3538.tar.gz.dna").write_text("{'dig': 'nonsense'}")
    ssh_lab.add_node("C", env={"SCM_FOLD": str(fold)})
    env = ssh_lab.env() | {"XDG_DATA_HOME": str(tmp_path / "data")}
    config = write_config(tmp_path / "tarwatch.toml", tmp_path / "tw.db", {"C": ""})
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0, r.err
    assert "7 tarballs" in r.out and "3 odd entries skipped" in r.out
    assert "do not fit the layout" in r.err
    db = sqlite3.connect(tmp_path / "tw.db")
    assert db.execute("select unfit, malformed from polls").fetchone() == (2, 1)
    names = [p for (p,) in db.execute("select path from tarballs")]
    assert any(
        p.endswith("/repos/we\nird/2012/08/04/171125/<img src=x onerror=alert(1)>.tar.gz") for p in names
    )


def _old_monitor_db(path: Path) -> bytes:
    """Create the original system's SQLite file at `path` (a table and a row of its own) and
    return its bytes."""
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("create table tgzs (nodepath text, size integer)")
    db.execute("insert into tgzs values ('C/repos/env', 1234)")
    db.commit()
    db.close()
    return path.read_bytes()


def test_the_legacy_pair_drives_a_real_collection(ssh_lab, tmp_path):
    """`--legacy WW` reads ~/.scm_monitor.cnf and ~/.libfab.cnf: hub WW (srvnode cms02) on node C,
    root $SCM_FOLD/backup/cms02 expanded by the node's shell, tarwatch's own store beside the
    original system's dbpath ($LOCAL_BASE/…), which stays byte-identical through collect and
    check, and through `config import` and a collect with the imported file."""
    fold = tmp_path / "fold"
    seed_tree(fold / "backup" / "cms02")
    ssh_lab.add_node("C", env={"SCM_FOLD": str(fold)})
    for name in ("scm_monitor.cnf", "libfab.cnf"):
        shutil.copy(FIXTURES / "legacy" / name, ssh_lab.home / f".{name}")
    env = ssh_lab.env() | {
        "LOCAL_BASE": str(tmp_path / "local"),
        "APACHE_HTDOCS": str(tmp_path / "htdocs"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    old_db = tmp_path / "local/env/scm/scm_backup_monitor.db"
    old_bytes = _old_monitor_db(old_db)
    r = tarwatch("--legacy", "WW", "collect", env=env, cwd=tmp_path)
    assert r.code == 0, r.err
    assert (tmp_path / "local/env/scm/tarwatch.db").is_file()
    assert old_db.read_bytes() == old_bytes
    doc = tarwatch("check", "--legacy", "WW", "--now", NOW, "--format", "json", env=env, cwd=tmp_path).json()
    assert old_db.read_bytes() == old_bytes
    imported = tarwatch(
        "config",
        "import",
        str(ssh_lab.home / ".scm_monitor.cnf"),
        str(ssh_lab.home / ".libfab.cnf"),
        env=env,
        cwd=tmp_path,
    )
    assert imported.code == 0, imported.err
    (tmp_path / "tarwatch.toml").write_text(imported.out)
    again = tarwatch("--config", str(tmp_path / "tarwatch.toml"), "collect", "WW", env=env, cwd=tmp_path)
    assert again.code == 0, again.err
    assert old_db.read_bytes() == old_bytes
    assert not list(tmp_path.glob("$*"))
    [hub] = doc["hubs"]
    assert hub["hub"] == "WW" and [n["node"] for n in hub["nodes"]] == ["C"]
    items = {i["item"]: i for i in hub["nodes"][0]["items"]}
    # WW selects eight items; the seed tree holds four of them.
    assert items["repos/aberdeen"]["count"] == 2
    assert items["repos/heprez"]["status"] == "alarm"
    assert [f["check"] for f in items["repos/heprez"]["findings"]] == ["missing"]
    assert [f["check"] for f in items["tracs/env"]["findings"]] == ["stale"]
