"""The sshd lab works with real clients: OpenSSH's ssh and asyncssh."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from pathlib import Path

import asyncssh
import pytest

from support.deps import need_executable
from support.sshd import SshLab

pytestmark = pytest.mark.e2e


@pytest.fixture
def lab_home(ssh_lab: SshLab, monkeypatch: pytest.MonkeyPatch) -> SshLab:
    """The lab, with this process's HOME pointing at the lab's home and no ssh-agent."""
    monkeypatch.setenv("HOME", str(ssh_lab.home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    return ssh_lab


async def _run_on(name: str, command: str) -> str:
    async with asyncssh.connect(name) as conn:
        result = await conn.run(command, check=True, timeout=10)
    assert isinstance(result.stdout, str)
    return result.stdout


def test_each_node_gets_its_own_session_environment_over_openssh(ssh_lab: SshLab) -> None:
    need_executable("ssh", "run scripts/install-system-deps.sh")
    ssh_lab.add_node("alpha", env={"SCM_FOLD": "/tmp/alpha/scm"})
    ssh_lab.add_node("beta", env={"SCM_FOLD": "/tmp/beta fold/scm", "OTHER": "x"})

    for name, expected in [("alpha", "/tmp/alpha/scm"), ("beta", "/tmp/beta fold/scm")]:
        done = subprocess.run(
            ssh_lab.ssh_argv(name, 'echo "$SCM_FOLD"'),
            env=ssh_lab.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 0, done.stderr + ssh_lab.nodes[name].read_log()
        assert done.stdout == expected + "\n"


def test_nodes_get_distinct_addresses_and_ports(ssh_lab: SshLab) -> None:
    nodes = [
        ssh_lab.add_node("one"),
        ssh_lab.add_refusing("two"),
        ssh_lab.add_silent("three"),
        ssh_lab.add_wrong_key("four"),
    ]
    assert len({n.ip for n in nodes}) == len(nodes)
    assert all(n.port > 0 for n in nodes)
    assert set(ssh_lab.nodes) == {"one", "two", "three", "four"}


def test_asyncssh_reaches_a_node_by_alias_through_the_default_config_in_home(
    lab_home: SshLab,
) -> None:
    lab_home.add_node("alpha", env={"SCM_FOLD": "/tmp/alpha/scm"})

    assert asyncio.run(_run_on("alpha", "echo hi")) == "hi\n"
    assert asyncio.run(_run_on("alpha", 'echo "$SCM_FOLD"')) == "/tmp/alpha/scm\n"


def test_asyncssh_follows_the_absolute_key_and_known_hosts_paths_in_the_config(
    ssh_lab: SshLab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ssh_lab.add_node("alpha")
    bare_home = tmp_path / "bare-home"
    (bare_home / ".ssh").mkdir(parents=True)
    shutil.copy(ssh_lab.ssh_config, bare_home / ".ssh" / "config")  # no key, no known_hosts
    monkeypatch.setenv("HOME", str(bare_home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)

    assert asyncio.run(_run_on("alpha", "echo hi")) == "hi\n"


def test_asyncssh_gets_connection_refused_quickly_from_a_refusing_node(
    lab_home: SshLab,
) -> None:
    node = lab_home.add_refusing("down")

    started = time.monotonic()
    with pytest.raises(ConnectionRefusedError) as info:
        asyncio.run(_run_on("down", "true"))

    assert time.monotonic() - started < 5
    assert info.value.errno == 111
    assert f"('{node.ip}', {node.port})" in str(info.value)


def test_asyncssh_times_out_on_a_silent_node(lab_home: SshLab) -> None:
    lab_home.add_silent("mute")

    async def connect() -> None:
        conn = await asyncio.wait_for(asyncssh.connect("mute"), 1.0)
        conn.close()  # pragma: no cover - only if the listener answered

    started = time.monotonic()
    with pytest.raises(TimeoutError):
        asyncio.run(connect())
    assert time.monotonic() - started < 5


def test_asyncssh_connect_timeout_also_stops_waiting_on_a_silent_node(lab_home: SshLab) -> None:
    lab_home.add_silent("mute")

    async def connect() -> None:
        async with asyncssh.connect("mute", connect_timeout=1):
            pass  # pragma: no cover

    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        asyncio.run(connect())
    assert time.monotonic() - started < 5
    assert str(info.value) == ""  # asyncssh gives no message: callers must word it


def test_asyncssh_refuses_a_node_whose_host_key_is_not_the_known_one(lab_home: SshLab) -> None:
    lab_home.add_wrong_key("impostor")

    with pytest.raises(asyncssh.HostKeyNotVerifiable, match="Host key is not trusted"):
        asyncio.run(_run_on("impostor", "true"))


def test_asyncssh_is_denied_with_a_key_the_node_does_not_know(lab_home: SshLab) -> None:
    lab_home.add_node("alpha")
    stranger = asyncssh.generate_private_key("ssh-ed25519")

    async def connect() -> None:
        async with asyncssh.connect("alpha", client_keys=[stranger], agent_path=None):
            pass  # pragma: no cover

    with pytest.raises(asyncssh.PermissionDenied, match="Permission denied"):
        asyncio.run(connect())


def test_stopping_the_lab_ends_its_sshd_processes(ssh_lab: SshLab) -> None:
    node = ssh_lab.add_node("alpha")
    assert node.pid is not None

    ssh_lab.stop()
    ssh_lab.stop()  # idempotent

    try:
        with open(f"/proc/{node.pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        state = "gone"
    assert state in {"gone", "Z"}
