"""`tarwatch doctor` against real parts: real OpenSSH sshd nodes with each fault (an unknown host
key, a refused connection, a passphrase-protected key without an agent, a missing root, Debian's
BusyBox as a node's userland, no md5sum where verify = "md5", a node clock an hour ahead), a real
SMTP receiver (aiosmtpd) for --send-test, and a store doctor only looks at."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from support.cli import tarwatch
from support.deps import need_executable
from support.mail import SmtpServer, free_port
from support.sshd import SshLab
from support.tree import seed_tree
from tarwatch.store import schema

from .test_faults_collect import env_of

pytestmark = pytest.mark.e2e

BUSYBOX_TOOLS = ("sh", "find", "stat", "xargs", "tr", "readlink", "mktemp", "cat", "rm", "kill", "ls", "date")


def write_config(path: Path, store: Path, nodes: dict[str, str], extra: str = "", hub: str = "") -> Path:
    lines = [
        "[store]",
        f'url = "sqlite:///{store}"',
        "[publish]",
        f'out = "{path.parent / "site"}"',
        "[defaults]",
        'timezone = "Asia/Taipei"',
        'timeout = "5s"',
        extra,
        "[hubs.C2]",
        'srvnode = "cms02"',
        f"nodes = {json.dumps(list(nodes))}",
        hub,
    ]
    for name, body in nodes.items():
        lines += [f'[nodes."{name}"]', body]
    path.write_text("\n".join(lines) + "\n")
    return path


def by_node(out: str) -> dict[str, list[str]]:
    """The lines of doctor's output under each `node NAME` heading."""
    got: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        if line.startswith("  node "):
            current = got.setdefault(line.split("node ", 1)[1], [])
        elif line.startswith("    ") and current is not None:
            current.append(line.strip())
        else:
            current = None
    return got


def problems(lines: list[str]) -> list[str]:
    return [line for line in lines if line.startswith("✖ PROBLEM")]


def tool_path(where: Path, tools: tuple[str, ...], target: str) -> str:
    """A folder of links to `target` (busybox, or a real tool), to be a node's whole PATH."""
    where.mkdir(parents=True)
    for tool in tools:
        (where / tool).symlink_to(target)
    return str(where)


def good_node(lab: SshLab, tmp_path: Path, name: str = "good", **env: str) -> None:
    fold = tmp_path / f"fold-{name}"
    seed_tree(fold / "backup" / "cms02")
    lab.add_node(name, env={"SCM_FOLD": str(fold), **env})


def test_doctor_says_each_fault_with_its_fix_and_writes_nothing(ssh_lab, tmp_path):
    bb = need_executable("busybox", "run scripts/install-system-deps.sh (Debian package busybox)")
    need_executable("ssh-keyscan", "run scripts/install-system-deps.sh (openssh-client)")
    good_node(ssh_lab, tmp_path)
    good_node(ssh_lab, tmp_path, "bb", PATH=tool_path(tmp_path / "bb-bin", (*BUSYBOX_TOOLS, "md5sum"), bb))
    good_node(ssh_lab, tmp_path, "nomd5", PATH=tool_path(tmp_path / "nomd5-bin", BUSYBOX_TOOLS, bb))
    ssh_lab.add_node("noroot", env={"SCM_FOLD": str(tmp_path / "nowhere")})
    ssh_lab.add_refusing("refused")
    ssh_lab.add_refusing_key("nokey")
    ssh_lab.add_wrong_key("changed")
    new = ssh_lab.add_node("new", env={"SCM_FOLD": str(tmp_path / "fold-good")})
    kept = [line for line in ssh_lab.known_hosts.read_text().splitlines() if f"]:{new.port} " not in line]
    ssh_lab.known_hosts.write_text("\n".join(kept) + "\n")
    # A node whose clock runs an hour ahead: its `date` is a script adding 3600 s to the real one.
    ahead = tmp_path / "ahead-bin"
    ahead.mkdir()
    real_date = subprocess.run(["sh", "-c", "command -v date"], capture_output=True, text=True).stdout.strip()
    (ahead / "date").write_text(f"#!/bin/sh\necho $(( $({real_date} +%s) + 3600 ))\n")
    (ahead / "date").chmod(0o755)
    good_node(ssh_lab, tmp_path, "ahead", PATH=f"{ahead}:/usr/bin:/bin")
    env = env_of(ssh_lab, tmp_path)
    store = tmp_path / "tw.db"
    nodes = ["good", "bb", "nomd5", "noroot", "refused", "nokey", "changed", "new", "ahead"]
    config = write_config(tmp_path / "tw.toml", store, dict.fromkeys(nodes, ""), 'verify = "md5"')

    r = tarwatch("--config", str(config), "doctor", env=env)
    assert r.code == 1, r.out + r.err
    assert f"loaded from {config}" in r.out
    assert "the first run creates it" in r.out and not store.exists(), r.out
    got = by_node(r.out)
    assert set(got) == set(nodes), r.out
    for node in nodes:  # every problem is one line with its fix
        assert all(" — fix: " in line for line in problems(got[node])), got[node]
    assert problems(got["good"]) == [] and any("-printf (GNU)" in line for line in got["good"]), got["good"]
    assert problems(got["bb"]) == [], got["bb"]
    assert any("stat fallback (BusyBox/BSD) will be used" in line for line in got["bb"]), got["bb"]
    assert [p.split(":")[0] for p in problems(got["nomd5"])] == ["✖ PROBLEM md5"], got["nomd5"]
    assert "neither md5sum nor md5" in problems(got["nomd5"])[0], got["nomd5"]
    (noroot,) = problems(got["noroot"])
    assert f"{tmp_path / 'nowhere'}/backup/cms02: no such folder" in noroot, noroot
    (refused,) = problems(got["refused"])
    assert "connection refused" in refused and "start sshd" in refused, refused
    (nokey,) = problems(got["nokey"])
    assert "authentication failed" in nokey and "authorized_keys" in nokey, nokey
    (changed,) = problems(got["changed"])
    assert "CHANGED" in changed and "ssh-keyscan" not in changed, changed
    (unknown,) = problems(got["new"])
    line = f"ssh-keyscan -p {new.port} {new.ip} >> {ssh_lab.known_hosts}"
    assert "not trusted" in unknown and unknown.endswith(f"then run: {line}"), unknown
    (skew,) = problems(got["ahead"])
    assert (
        re.search(r"clock: (59|60) minutes ahead of the hub's", skew) and "stamped in the future" in skew
    ), skew
    assert r.out.rstrip().endswith("7 problems: not ready"), r.out
    assert not store.exists() and not (tmp_path / "site").exists()

    # The printed line does what it says: run as printed, the node passes.
    subprocess.run(["sh", "-c", line], check=True, env=env, capture_output=True, timeout=20)
    r = tarwatch("--config", str(config), "doctor", env=env)
    assert problems(by_node(r.out)["new"]) == [], r.out

    # A store that exists is only looked at: its bytes stay as they were.
    good = write_config(tmp_path / "good.toml", store, {"good": ""})
    assert tarwatch("--config", str(good), "collect", env=env).code == 0
    before = store.read_bytes()
    r = tarwatch("--config", str(good), "doctor", env=env)
    assert r.code == 0, r.out + r.err
    assert f"schema {schema.HEAD}, current" in r.out, r.out
    assert r.out.rstrip().endswith("ready for the first night"), r.out
    assert store.read_bytes() == before


def test_a_passphrase_protected_key_without_an_agent_is_named(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    subprocess.run(
        ["ssh-keygen", "-q", "-p", "-N", "a passphrase", "-P", "", "-f", str(ssh_lab.client_key)],
        check=True, capture_output=True, timeout=20,
    )  # fmt: skip
    config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": ""})
    r = tarwatch("--config", str(config), "doctor", env=env_of(ssh_lab, tmp_path))
    assert r.code == 1
    (problem,) = problems(by_node(r.out)["good"])
    assert f"{ssh_lab.client_key} is protected by a passphrase and no ssh-agent runs" in problem, problem
    assert "ssh-add" in problem, problem


def test_send_test_mails_each_channel_and_says_which_did_not_arrive(ssh_lab, tmp_path):
    good_node(ssh_lab, tmp_path)
    smtp = SmtpServer().start()
    try:
        ok = f"mailto://127.0.0.1:{smtp.port}?from=tarwatch@example.org&to=ops@example.org"
        closed = f"mailto://127.0.0.1:{free_port()}?from=tarwatch@example.org&to=nobody@example.org"
        hub = f"notify = {json.dumps([ok, closed, 'nosuch://x'])}"
        config = write_config(tmp_path / "tw.toml", tmp_path / "tw.db", {"good": ""}, hub=hub)
        env = env_of(ssh_lab, tmp_path)

        r = tarwatch("--config", str(config), "doctor", env=env)
        assert r.code == 1 and smtp.received == [], r.out
        assert "hubs.C2.notify[2] = nosuch://x: Apprise cannot use this nosuch:// URL" in r.out, r.out
        assert r.out.count("understood by Apprise") == 2, r.out

        r = tarwatch("--config", str(config), "doctor", "--send-test", env=env)
        assert r.code == 1, r.out
        smtp.wait_for(1)
        (mail,) = smtp.to("ops@example.org")
        assert mail.subject == "tarwatch doctor: test message for C2"
        lines = [line.strip() for line in r.out.splitlines() if "channel:" in line]
        assert any(
            line.startswith("✔") and "to=ops@example.org" in line and "test message sent" in line
            for line in lines
        ), lines
        (not_sent,) = [line for line in lines if "to=nobody@example.org" in line]
        assert not_sent.startswith("✖ PROBLEM") and "NOT sent" in not_sent and " — fix: " in not_sent, (
            not_sent
        )
    finally:
        smtp.stop()


def test_a_configuration_that_does_not_load_is_one_problem_with_its_fix(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[store]\nurl = 3\n")
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    r = tarwatch("--config", str(bad), "doctor", env=env)
    assert r.code == 1
    assert r.out.splitlines()[0].startswith(f"✖ PROBLEM configuration: {bad}: at 'store.url'"), r.out
    assert f"fix: correct store.url in {bad}" in r.out, r.out
    r = tarwatch("doctor", env=env, cwd=tmp_path)
    assert r.code == 1 and "no tarwatch.toml found" in r.out and "fix: write one" in r.out, r.out


def test_a_postgresql_store_is_looked_at_not_created(postgres):
    from sqlalchemy import create_engine, inspect

    from tarwatch.store import Store

    url = postgres.fresh_database("doctor_inspect")
    s = Store.inspect(url)
    assert (s.exists, s.revision, s.writable, s.problem) == (False, None, True, None), s
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []  # nothing created
        Store.open(url).close()
        s = Store.inspect(url)
        assert (s.exists, s.current, s.writable, s.problem) == (True, True, True, None), s
    finally:
        engine.dispose()
    down = Store.inspect("postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert down.problem and down.problem.startswith("cannot reach store postgresql"), down
