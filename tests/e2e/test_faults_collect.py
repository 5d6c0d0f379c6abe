"""The collect fault suite: each fault on a real sshd node, beside a good node that is always
collected and stored. Real OpenSSH, real find (GNU, and Debian's BusyBox as a node's userland),
real permissions (as an unprivileged login user when the tests run as root), a real tmpfs."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.cli import tarwatch
from support.deps import need_executable
from support.sshd import SshLab
from support.tree import seed_tree, tarball
from tarwatch.store import schema

pytestmark = pytest.mark.e2e

NOW = "2012-08-05T08:00:00+00:00"
BUSYBOX_TOOLS = (
    "sh", "find", "stat", "xargs", "tr", "readlink", "md5sum", "mktemp", "cat", "rm", "kill", "ls", "sleep",
)  # fmt: skip


def write_config(path: Path, store: Path, nodes: dict[str, str], extra: str = "") -> Path:
    lines = [
        "[store]",
        f'url = "sqlite:///{store}"',
        "[defaults]",
        'timezone = "Asia/Taipei"',
        'timeout = "5s"',
        extra,
        "[hubs.C2]",
        'srvnode = "cms02"',
        f"nodes = {json.dumps(list(nodes))}",
    ]
    for name, body in nodes.items():
        lines += [f'[nodes."{name}"]', body]
    path.write_text("\n".join(lines) + "\n")
    return path


def lines_by_node(out: str) -> dict[str, str]:
    return {line.split()[0]: line for line in out.splitlines() if line.strip()}


def node_doc(env: dict[str, str], config: Path, node: str) -> dict:
    r = tarwatch("--config", str(config), "--now", NOW, "check", "--format", "json", env=env)
    return next(n for n in r.json()["hubs"][0]["nodes"] if n["node"] == node)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder every user can enter (pytest's own are the owner's only), for trees an
    unprivileged login user lists."""
    d = Path(tempfile.mkdtemp(prefix="tarwatch-faults-"))
    d.chmod(0o755)
    try:
        yield d
    finally:
        for p in [d, *d.rglob("*")]:
            if p.is_dir() and not p.is_symlink():
                p.chmod(0o755)
        shutil.rmtree(d, ignore_errors=True)


def good_node(lab: SshLab, tmp_path: Path) -> Path:
    fold = tmp_path / "fold-good"
    seed_tree(fold / "backup" / "cms02")
    lab.add_node("good", env={"SCM_FOLD": str(fold)})
    return fold


def env_of(lab: SshLab, tmp_path: Path) -> dict[str, str]:
    return lab.env() | {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}


def processes_in(folder: Path) -> list[str]:
    """The live processes working in `folder` or below (their cwd), as "pid: command line"."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if (cwd == str(folder) or cwd.startswith(f"{folder}/")) and state != "Z":
            found.append(f"{entry.name}: {cmd[:200]}")
    return found


def gone_within(folder: Path, seconds: float) -> list[str]:
    """Wait up to `seconds` for every process working in `folder` to end; return those left."""
    deadline = time.monotonic() + seconds
    while (left := processes_in(folder)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def kill_collect_while(tool: str, config: Path, env: dict[str, str], folder: Path) -> None:
    """Start a `collect`, SIGKILL it once `tool` runs in `folder` on the node (tarwatch cannot
    tell the node anything; its connection just ends), and wait for the node's processes there."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tarwatch", "--config", str(config), "collect"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while not any(tool in p for p in processes_in(folder)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert any(tool in p for p in processes_in(folder)), f"{tool} never started on the node"
    finally:
        proc.kill()
        proc.wait()


# -- defect 8: the remote md5sum ends when tarwatch gives up on it ---------------------------


def test_an_md5_past_hash_timeout_is_stopped_on_the_node_and_says_so(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    fold = tmp_path / "fold-slow"
    root = fold / "backup" / "cms02"
    seed_tree(root)
    # A sparse tarball of 1 TiB: md5sum would read it for many minutes.
    rel = "repos/env/2012/08/04/171125/env-3538.tar.gz"
    tarball(root, rel, 1 << 40, "{'dig': '" + "0" * 32 + "', 'size': 1099511627776L}\n")
    ssh_lab.add_node("slow", env={"SCM_FOLD": str(fold)})
    env = env_of(ssh_lab, tmp_path)
    nodes = {"good": "", "slow": ""}
    extra = 'verify = "md5"\nhash_timeout = "1s"'
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", nodes, extra)
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0, r.err
    assert "md5 of the newest tarballs timed out after 1 second" in r.err, r.err
    assert " ok " in lines_by_node(r.out)["good"]
    assert gone_within(root, 3) == []


def test_a_tarwatch_killed_while_the_node_hashes_leaves_nothing_running_there(ssh_lab, tmp_path):
    fold = tmp_path / "fold-slow"
    root = fold / "backup" / "cms02"
    seed_tree(root)
    rel = "repos/env/2012/08/04/171125/env-3538.tar.gz"
    tarball(root, rel, 1 << 40, "{'dig': '" + "0" * 32 + "', 'size': 1099511627776L}\n")
    ssh_lab.add_node("slow", env={"SCM_FOLD": str(fold)})
    env = env_of(ssh_lab, tmp_path)
    extra = 'verify = "md5"\nhash_timeout = "1h"'
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"slow": ""}, extra)
    kill_collect_while("md5sum", config, env, root)
    assert gone_within(root, 5) == []


# -- defect 13: a node whose userland is BusyBox ---------------------------------------------


def busybox_path(where: Path, tools: tuple[str, ...] = BUSYBOX_TOOLS) -> str:
    """A folder of links to Debian's busybox named `tools`, to be a node's whole PATH."""
    bb = need_executable("busybox", "run scripts/install-system-deps.sh (Debian package busybox)")
    where.mkdir(parents=True)
    for tool in tools:
        (where / tool).symlink_to(bb)
    return str(where)


def test_a_busybox_node_lists_its_tarballs_sidecars_locks_and_links_and_notices_gone(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    fold = tmp_path / "fold-bb"
    root = fold / "backup" / "cms02"
    seed_tree(root)
    dna = "{'dig': '" + "ab" * 16 + "', 'size': 80000000L}\n"
    (root / "repos/env/2012/08/04/171125/env-3538.tar.gz.dna").write_text(dna)
    (root / "repos/env/LOCKED").mkdir()
    tarball(root, "repos/env/LOCKED/partial.tar.gz", 3)  # inside LOCKED: never listed
    ssh_lab.add_node("bb", env={"SCM_FOLD": str(fold), "PATH": busybox_path(tmp_path / "bb-bin")})
    # The node's find and stat really are BusyBox's.
    probe = subprocess.run(
        ssh_lab.ssh_argv("bb", "find --help 2>&1; stat --help 2>&1"),
        capture_output=True, text=True, env=ssh_lab.env(), stdin=subprocess.DEVNULL, timeout=20,
    )  # fmt: skip
    assert probe.stdout.count("BusyBox v1.") >= 2, probe.stdout + probe.stderr
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "bb": ""})

    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0, r.err
    lines = lines_by_node(r.out)
    assert "6 tarballs" in lines["bb"] and "6 tarballs" in lines["good"], r.out
    db = sqlite3.connect(tmp_path / "tw.db")
    got = {
        p.split("/cms02/", 1)[1]: (size, stamp, revision, digest, dna_size)
        for p, size, stamp, revision, digest, dna_size in db.execute(
            "select path, size, stamp, revision, digest, dna_size from tarballs where node = 'bb'"
        )
    }
    want = {
        p.split("/cms02/", 1)[1]: row
        for p, *row in db.execute(
            "select path, size, stamp, revision, digest, dna_size from tarballs where node = 'good'"
        )
    }
    want["repos/env/2012/08/04/171125/env-3538.tar.gz"][3:] = ["ab" * 16, 80_000_000]
    assert got == {k: tuple(v) for k, v in want.items()}
    # 2012/08/04/171125 in Asia/Taipei is 09:11:25 UTC
    assert got["repos/aberdeen/2012/08/04/171125/aberdeen-1720.tar.gz"][:3] == (5_100_000, 1344071485, 1720)
    marks = sorted(
        (p.split("/cms02/", 1)[1], kind, target)
        for p, kind, target in db.execute("select path, kind, target from marks where node = 'bb'")
    )
    assert marks == [
        ("repos/aberdeen/last", "last", "2012/08/04/171125"),
        ("repos/env/LOCKED", "locked", None),
    ]
    mtimes = [m for (m,) in db.execute("select mtime from tarballs where node = 'bb'")]
    assert all(abs(m - (root / "tracs").stat().st_mtime) < 86400 for m in mtimes)

    shutil.rmtree(root / "repos/aberdeen/2012/08/03")
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0 and "1 gone" in lines_by_node(r.out)["bb"], r.out
    assert db.execute(
        "select count(*) from tarballs where node = 'bb' and gone is not null and path like '%aberdeen-1717%'"
    ).fetchone() == (1,)


# -- defect 6: an unreadable folder; unreadable and missing roots ----------------------------


def test_an_unreadable_folder_warns_on_the_node_and_gone_detection_goes_on_elsewhere(
    ssh_lab, tmp_path, shared_dir
):
    good_node(ssh_lab, tmp_path)
    root = shared_dir / "backup" / "cms02"
    seed_tree(root)
    ssh_lab.add_node("locked-out", env={"SCM_FOLD": str(shared_dir)}, run_as="nobody")
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "locked-out": ""})
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0 and "6 tarballs" in lines_by_node(r.out)["locked-out"], r.out + r.err

    (root / "repos/aberdeen/2012/08/04").chmod(0)  # aberdeen-1720 is in there
    (root / "tracs/aberdeen/2012/08/04/171125/aberdeen.tar.gz").unlink()  # really gone
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0, r.out + r.err
    assert "1 gone" in lines_by_node(r.out)["locked-out"] and "with warnings" in r.out
    assert "cannot read 'repos/aberdeen/2012/08/04'" in r.err
    db = sqlite3.connect(tmp_path / "tw.db")
    gone = dict(
        db.execute(
            "select substr(path, instr(path, '/cms02/') + 7), gone is not null from tarballs"
            " where node = 'locked-out' and path like '%aberdeen%'"
        )
    )
    assert gone == {
        "repos/aberdeen/2012/08/03/171121/aberdeen-1717.tar.gz": 0,
        "repos/aberdeen/2012/08/04/171125/aberdeen-1720.tar.gz": 0,  # unreadable, not gone
        "tracs/aberdeen/2012/08/04/171125/aberdeen.tar.gz": 1,
    }
    [unreadable] = db.execute(
        "select unreadable from polls where node = 'locked-out' order by id desc"
    ).fetchone()
    assert json.loads(unreadable) == [f"{root}/repos/aberdeen/2012/08/04"]

    node = node_doc(env, config, "locked-out")
    assert node["reachable"] is True
    [f] = [f for f in node["findings"] if f["check"] == "unreadable"]
    assert f["status"] == "warn" and f"{root}/repos/aberdeen/2012/08/04" in f["message"]
    assert node_doc(env, config, "good")["findings"] == []


def test_an_unreadable_or_missing_root_fails_that_node_only(ssh_lab, tmp_path, shared_dir):
    good_node(ssh_lab, tmp_path)
    for name in ("noread", "noenter"):
        seed_tree(shared_dir / name / "backup" / "cms02")
        ssh_lab.add_node(name, env={"SCM_FOLD": str(shared_dir / name)}, run_as="nobody")
    (shared_dir / "noread/backup/cms02").chmod(0o311)  # can enter, cannot list
    (shared_dir / "noenter/backup/cms02").chmod(0)
    ssh_lab.add_node("missing", env={"SCM_FOLD": str(tmp_path / "nowhere")})
    env = env_of(ssh_lab, tmp_path)
    nodes = {"good": "", "noread": "", "noenter": "", "missing": ""}
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", nodes)
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 1
    lines = lines_by_node(r.out)
    assert " ok " in lines["good"] and "6 tarballs" in lines["good"]
    assert "FAILED" in lines["noread"] and "cannot read the root" in lines["noread"], r.out
    assert "FAILED" in lines["noenter"] and "cannot enter folder" in lines["noenter"], r.out
    assert "FAILED" in lines["missing"] and "no such folder" in lines["missing"], r.out
    assert "Traceback" not in r.err


# -- defect 1: a record the store cannot keep is that node's malformed record ----------------


def test_names_and_numbers_the_store_cannot_keep_are_malformed_records_of_their_node(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    fold = tmp_path / "fold-odd"
    root = fold / "backup" / "cms02"
    seed_tree(root)
    day = "2012/08/04/171125"
    tarball(root, f"repos/x/{day}/x-123456789012345678901234.tar.gz", 10)  # revision past 64 bits
    huge_dna = "{'dig': '" + "0" * 32 + "', 'size': 123456789012345678901234L}"
    tarball(root, f"repos/y/{day}/y-7.tar.gz", 10, huge_dna)
    for name in (b"coll\xff", b"coll\\xff"):  # the same once the byte 0xff is escaped
        p = os.fsencode(root) + b"/repos/" + name + b"/" + day.encode()
        os.makedirs(p)
        with open(p + b"/" + name + b".tar.gz", "wb") as f:
            f.truncate(10)
    ssh_lab.add_node("odd", env={"SCM_FOLD": str(fold)})
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "odd": ""})

    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0, r.out + r.err
    lines = lines_by_node(r.out)
    assert "6 tarballs" in lines["good"]
    assert "8 tarballs" in lines["odd"] and "3 odd entries skipped" in lines["odd"], r.out
    assert "Traceback" not in r.err and "C2/odd" in r.err
    db = sqlite3.connect(tmp_path / "tw.db")
    assert db.execute("select malformed + unfit from polls where node = 'odd'").fetchone() == (3,)
    notes = db.execute("select notes from polls where node = 'odd'").fetchone()[0]
    assert "x-123456789012345678901234" in notes and "non-UTF-8" in notes and "y-7.tar.gz.dna" in notes
    y = db.execute("select digest, dna_size from tarballs where path like '%/y-7.tar.gz'").fetchone()
    assert y == (None, None)  # kept, without the .dna it cannot represent
    colls = db.execute("select count(*) from tarballs where node = 'odd' and path like '%coll%'")
    assert colls.fetchone() == (1,)
    doc = node_doc(env, config, "odd")
    assert doc["reachable"] is True
    r = tarwatch("--config", str(config), "--now", NOW, "check", env=env)
    assert "Traceback" not in r.err and r.code == 2  # tracs/env's stale alarm, as on the good node


def test_a_store_failure_on_one_nodes_poll_fails_that_node_only(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    fold = tmp_path / "fold-bad"
    seed_tree(fold / "backup" / "cms02")
    ssh_lab.add_node("bad", env={"SCM_FOLD": str(fold)})
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "bad": ""})
    db = sqlite3.connect(tmp_path / "tw.db")
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0, r.err
    # A store that refuses this one node's rows (a trigger: a real failure of SQLite's own).
    db.execute(
        "create trigger refuse before insert on marks when new.node = 'bad'"
        " begin select raise(abort, 'this store refuses the node'); end"
    )
    db.execute("delete from marks where node = 'bad'")
    db.commit()
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 1
    lines = lines_by_node(r.out)
    assert " ok " in lines["good"]
    assert "FAILED" in lines["bad"] and "could not be stored" in lines["bad"], r.out
    assert "C2/bad: the listing could not be stored" in r.err and "refuses the node" in r.err
    assert "Traceback" not in r.err
    polls = db.execute("select node, ok, reason from polls order by id desc limit 2").fetchall()
    assert sorted((n, ok) for n, ok, _ in polls) == [("bad", 0), ("good", 1)]
    run = db.execute("select finished is not null, outcome from runs order by id desc").fetchone()
    assert run == (1, "finished")


# -- the store: a full disk, a damaged file, the previous schema -----------------------------


def two_good_nodes(lab: SshLab, tmp_path: Path) -> Path:
    """Nodes A and B with the seed tree; returns B's root."""
    for name in ("A", "B"):
        seed_tree(tmp_path / f"fold-{name}" / "backup" / "cms02")
        lab.add_node(name, env={"SCM_FOLD": str(tmp_path / f"fold-{name}")})
    return tmp_path / "fold-B" / "backup" / "cms02"


def test_a_full_disk_under_the_store_is_one_line_and_the_store_survives(ssh_lab, tmp_path):
    from support.tmpfs import tmpfs

    b_root = two_good_nodes(ssh_lab, tmp_path)
    env = env_of(ssh_lab, tmp_path)
    with tmpfs(tmp_path / "disk", size="8m") as disk:
        store = disk / "tw.db"
        config = write_config(tmp_path / "tw.toml", store, {"A": "", "B": ""})
        assert tarwatch("--config", str(config), "collect", env=env).code == 0
        for n in range(300):  # much more to write than the disk has left
            tarball(b_root, f"repos/many{n:03d}/2012/08/04/171125/many{n:03d}-{n}.tar.gz", 1)
        filler = disk / "filler"
        with open(filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:
                pass
        # Room for the run lock's few bytes beside the store, not for the listing's rows.
        os.truncate(filler, filler.stat().st_size - 8192)
        r = tarwatch("--config", str(config), "collect", env=env)
        assert r.code == 1, r.out + r.err
        assert "Traceback" not in r.err and "never retrieved" not in r.err and "shutdown" not in r.err
        errors = [line for line in r.err.splitlines() if line.startswith("tarwatch: error")]
        assert len(errors) == 1, r.err
        assert str(store) in errors[0] and "disk is full: free space there, then run again" in errors[0]
        filler.unlink()
        db = sqlite3.connect(store)
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)
        db.close()
        r = tarwatch("--config", str(config), "collect", env=env)
        assert r.code == 0, r.err
        assert "306 tarballs" in lines_by_node(r.out)["B"]


def test_a_damaged_store_file_is_one_line_and_touches_nothing(ssh_lab, tmp_path):
    two_good_nodes(ssh_lab, tmp_path)
    env = env_of(ssh_lab, tmp_path)
    store = tmp_path / "tw.db"
    config = write_config(tmp_path / "tw.toml", store, {"A": "", "B": ""})
    assert tarwatch("--config", str(config), "collect", env=env).code == 0
    sqlite3.connect(store).execute("pragma wal_checkpoint(truncate)").close()
    data = bytearray(store.read_bytes())
    data[0:100] = os.urandom(100)  # the header: SQLite no longer knows the file
    store.write_bytes(bytes(data))
    for command in ("collect", "check"):
        r = tarwatch("--config", str(config), command, env=env)
        assert r.code in (1, 3), (command, r.code, r.err)
        assert r.err.count("\n") == 1 and r.err.startswith("tarwatch: error: cannot open store"), r.err
        assert str(store) in r.err and "not a database" in r.err
    assert store.read_bytes() == bytes(data)


def test_a_store_of_the_previous_schema_is_migrated_with_a_copy_kept_first(ssh_lab, tmp_path):
    two_good_nodes(ssh_lab, tmp_path)
    env = env_of(ssh_lab, tmp_path)
    store = tmp_path / "tw.db"
    code = (
        "import sqlalchemy as sa; from alembic import command; from alembic.config import Config;"
        "from tarwatch.store import schema;"
        f"e = sa.create_engine('sqlite:///{store}'); c = e.connect(); cfg = Config();"
        "cfg.set_main_option('script_location', str(schema.MIGRATIONS)); cfg.attributes['connection'] = c;"
        "command.upgrade(cfg, '0001'); c.commit()"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    config = write_config(tmp_path / "tw.toml", store, {"A": "", "B": ""})
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0, r.err
    copy = tmp_path / f"tw.db.before-{schema.HEAD}.bak"
    assert f"a copy of it as it was is kept at {copy}" in r.err
    assert sqlite3.connect(copy).execute("select version_num from alembic_version").fetchone() == ("0001",)
    db = sqlite3.connect(store)
    assert db.execute("select version_num from alembic_version").fetchone() == (schema.HEAD,)
    assert db.execute("select count(*) from tarballs").fetchone() == (12,)
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 0 and "copy" not in r.err  # once only


# -- defect 11: a connection dropped mid-listing ---------------------------------------------


def listing_group(root: Path) -> int | None:
    """The process group of a listing running in `root` on a node, if one is running."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == str(root) or cwd.startswith(f"{root}/"):
            try:
                return os.getpgid(int(entry.name))
            except ProcessLookupError:
                continue
    return None


def test_a_connection_dropped_mid_listing_fails_that_node_in_one_line(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    fold = tmp_path / "fold-drop"
    root = fold / "backup" / "cms02"
    seed_tree(root)
    for n in range(4000):  # a listing long enough to be caught running
        tarball(root, f"repos/r{n % 200}/2012/08/{1 + n // 200:02d}/000000/r{n % 200}-{n}.tar.gz", 1)
    ssh_lab.add_node("drop", env={"SCM_FOLD": str(fold)})
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "drop": ""})
    for _attempt in range(5):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tarwatch", "--config", str(config), "collect"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        group = None
        while group is None and proc.poll() is None:
            group = listing_group(root)
        if group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGSTOP)  # the listing is frozen half way
            assert ssh_lab.drop_sessions("drop")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGCONT)
        out, err = proc.communicate(timeout=60)
        if group is not None:
            break
    else:
        pytest.fail("the listing always finished before it could be caught")
    assert proc.returncode == 1, out + err
    lines = lines_by_node(out)
    assert " ok " in lines["good"] and "6 tarballs" in lines["good"]
    assert "FAILED" in lines["drop"] and ("lost" in lines["drop"] or "closed" in lines["drop"]), out
    assert "never retrieved" not in err and "Traceback" not in err, err
    assert gone_within(root, 5) == []  # nothing of the listing is left running on the node
    db = sqlite3.connect(tmp_path / "tw.db")
    assert db.execute("select ok from polls where node = 'drop'").fetchall() == [(0,)]


# -- security defaults: strict host keys ----------------------------------------------------


def test_an_unknown_host_key_prints_the_line_that_adds_it_and_a_changed_one_does_not(ssh_lab, tmp_path):
    need_executable("ssh-keyscan", "run scripts/install-system-deps.sh (openssh-client)")
    good_node(ssh_lab, tmp_path)
    new = ssh_lab.add_node("new", env={"SCM_FOLD": str(tmp_path / "fold-good")})
    ssh_lab.add_wrong_key("changed")
    kept = [line for line in ssh_lab.known_hosts.read_text().splitlines() if f"]:{new.port} " not in line]
    ssh_lab.known_hosts.write_text("\n".join(kept) + "\n")
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "new": "", "changed": ""})
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 1
    lines = lines_by_node(r.out)
    assert " ok " in lines["good"]
    line = f"ssh-keyscan -p {new.port} {new.ip} >> {ssh_lab.known_hosts}"
    assert "FAILED" in lines["new"] and lines["new"].endswith(line), lines["new"]
    assert "is not in" in lines["new"] and "not trusted" in lines["new"]
    assert "CHANGED" in lines["changed"] and "ssh-keyscan" not in lines["changed"], lines["changed"]
    # The line does what it says: run as printed, the node is trusted and listed.
    subprocess.run(["sh", "-c", line], check=True, env=env, capture_output=True, timeout=20)
    r = tarwatch("--config", str(config), "collect", env=env)
    assert " ok " in lines_by_node(r.out)["new"], r.out


# -- defect 14: a find killed on the node -----------------------------------------------------


def members(group: int, name: str, arg: str | None = None) -> list[int]:
    """The live processes of process group `group` whose command name is `name` (and, given
    `arg`, one of whose arguments is `arg`)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            comm = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if int(fields[2]) == group and comm == name and fields[0] != "Z":
            if arg is not None:
                try:
                    args = (entry / "cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if arg.encode() not in args:
                    continue
            found.append(int(entry.name))
    return found


def test_a_find_killed_on_the_node_is_said_killed_and_nothing_is_marked_gone(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    fold = tmp_path / "fold-kill"
    root = fold / "backup" / "cms02"
    seed_tree(root)
    ssh_lab.add_node("kill", env={"SCM_FOLD": str(fold)})
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "kill": ""})
    assert tarwatch("--config", str(config), "collect", env=env).code == 0
    for n in range(4000):  # a listing long enough to be caught running
        tarball(root, f"repos/r{n % 200}/2012/08/{1 + n // 200:02d}/000000/r{n % 200}-{n}.tar.gz", 1)
    killed = False
    for _attempt in range(10):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tarwatch", "--config", str(config), "collect"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        while not killed and proc.poll() is None:
            group = listing_group(root)
            if group is None:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGSTOP)
            # the walk itself, not the probe (`find . -maxdepth 0`) before it: a killed probe
            # only sends the listing down the fallback, which then lists all
            finds = members(group, "find", "-prune")
            for pid in finds:
                os.kill(pid, signal.SIGKILL)  # as the OOM killer or an admin would
            killed = bool(finds)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGCONT)
        out, err = proc.communicate(timeout=60)
        if killed:
            break
    assert killed, "find always finished before it could be caught"
    lines = lines_by_node(out)
    assert proc.returncode == 1 and " ok " in lines["good"], out + err
    assert "FAILED  find was killed by signal 9 (SIGKILL) while listing" in lines["kill"], out
    db = sqlite3.connect(tmp_path / "tw.db")
    gone = db.execute("select count(*) from tarballs where node = 'kill' and gone is not null")
    assert gone.fetchone() == (0,)


def test_a_node_that_refuses_the_key_fails_alone_and_says_why(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    ssh_lab.add_refusing_key("nokey")
    env = env_of(ssh_lab, tmp_path)
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "nokey": ""})
    r = tarwatch("--config", str(config), "collect", env=env)
    assert r.code == 1 and "Traceback" not in r.err
    lines = lines_by_node(r.out)
    assert " ok " in lines["good"] and "6 tarballs" in lines["good"]
    assert "FAILED" in lines["nokey"] and "authentication failed" in lines["nokey"], r.out
    assert "no key was accepted" in lines["nokey"]


def test_a_node_offering_passwords_never_gets_a_prompt_on_a_terminal(ssh_lab, tmp_path):
    """Run on a terminal (a pty as stdin, stdout and stderr), against a node that refuses the
    key and offers password and keyboard-interactive logins: tarwatch asks nothing, fails that
    node and ends by itself."""
    import pty

    good_node(ssh_lab, tmp_path)
    ssh_lab.add_refusing_key("pw", offer_passwords=True)
    env = env_of(ssh_lab, tmp_path) | {"TERM": "xterm"}
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": "", "pw": ""})
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tarwatch", "--config", str(config), "collect"],
        env=env, stdin=follower, stdout=follower, stderr=follower, start_new_session=True,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: tarwatch ended
                break
            if not chunk:
                break
            seen += chunk
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert code == 1, text
    assert "password:" not in text.lower() and "passphrase" not in text.lower(), text  # no prompt
    assert "authentication failed" in text
