"""~/.ssh/config and known_hosts read once per process (collect/ssh.py): each config file is
split once per content it has and then gives, host by host, exactly what asyncssh's own parse
gives (the same options, the same errors with the same line numbers), and each set of
known_hosts files is imported once and matches as asyncssh's own reading does."""

from __future__ import annotations

import shlex
from pathlib import Path

import asyncssh
import pytest
from asyncssh.config import SSHClientConfig

from tarwatch.collect import ssh

LAB = """\
# one Host per node, as tests/support/sshd.py writes them
Host n1
    HostName 127.0.0.5
    Port 2201
    User alice
    IdentityFile "/keys/id one"
    IdentitiesOnly yes
    UserKnownHostsFile /kh/known_hosts /kh/more
    StrictHostKeyChecking yes

Host n2 n3
\tHostName=127.0.0.6
    Port = 2202
    User= bob
    IdentityFile ~/.ssh/id_%h_%p_%r
    ProxyCommand nc -X 5 -x proxy:1080 %h %p

Host [fe80::1] n7,n8
    Port 2207

Host *.example.org !bad.example.org
    User web
    ForwardAgent no

Match originalhost n3 user bob
    Port 2233
    GlobalKnownHostsFile /etc/ssh/known_hosts.extra

Match host 127.0.0.6
    ServerAliveInterval 7

Match all
    ServerAliveCountMax 4
    UnknownOption whatever

Host *
    User everyone
    UserKnownHostsFile none
"""

ERRORS = {
    "unbalanced quote where it does not match": 'Host n1\n    User a\nHost other\n    HostName "x\n',
    "missing value": "Host n1\n    Port\n",
    "extra data": "Host *\n    HostName a b\n",
    "bad integer": "Host n1\n  Port twenty\n",
    "bad boolean": "Host n*\n  IdentitiesOnly maybe\n",
    "bad match": "Match nosuch x\n  User a\n",
    "a lone =": "=\n",
    "a Host without names": "Host other\n    User a\nHost\n    User b\n",
}

CASES = [  # host, user, port, canonical, final
    ("n1", (), (), False, False),
    ("n2", (), (), False, False),
    ("n3", (), (), False, False),
    ("n3", "carol", 2999, False, False),
    ("www.example.org", (), (), False, False),
    ("bad.example.org", (), (), False, False),
    ("elsewhere", (), (), True, True),
    ("n8", (), (), False, False),
    ("[fe80::1]", (), (), False, False),
    ("N1", (), (), False, False),
]


def _load(cls: type[SSHClientConfig], path: Path, case: tuple) -> object:
    host, user, port, canonical, final = case
    try:
        config = cls.load(None, [path], False, canonical, final, "me", user, host, port)
    except Exception as e:
        return ("raised", type(e), str(e))
    return (config.loaded, config.has_match_final(), config._options)


@pytest.mark.parametrize(
    "text", [LAB, LAB.replace("\n", "\r\n"), *ERRORS.values()], ids=["lab", "crlf", *ERRORS]
)
def test_each_host_gets_what_asyncssh_own_parse_gives_it(tmp_path: Path, text: str):
    path = tmp_path / "config"
    path.write_text(text, newline="")
    for case in CASES:
        expected = _load(SSHClientConfig, path, case)
        assert _load(ssh._ClientConfig, path, case) == expected, case
        assert _load(ssh._ClientConfig, path, case) == expected, case  # from the cache this time
    if text == LAB:  # what the cases above compared is not nothing
        n3 = _load(ssh._ClientConfig, path, CASES[2])[2]
        assert (n3["Hostname"], n3["Port"], n3["User"], n3["ServerAliveInterval"]) == (
            "127.0.0.6",
            2202,
            "bob",
            7,
        )
        assert n3["ProxyCommand"] == "nc -X 5 -x proxy:1080 127.0.0.6 2202"
        assert n3["GlobalKnownHostsFile"] == ["/etc/ssh/known_hosts.extra"]
        carol = _load(ssh._ClientConfig, path, CASES[3])[2]
        assert (carol["Port"], carol["User"], "GlobalKnownHostsFile" in carol) == (2999, "carol", False)
        assert [_load(ssh._ClientConfig, path, case)[2].get("Port") for case in CASES[-3:]] == [
            2207,
            2207,
            None,
        ]


def test_included_files_too_and_a_changed_file_is_split_again(tmp_path: Path):
    extra = tmp_path / "extra.conf"
    extra.write_text("Host n1\n    Port 2300\n")
    path = tmp_path / "config"
    path.write_text(f"Include {extra}\n" + LAB)
    case = CASES[0]
    assert _load(ssh._ClientConfig, path, case) == _load(SSHClientConfig, path, case)
    assert _load(ssh._ClientConfig, path, case)[2]["Port"] == 2300
    extra.write_text("Host n1\n    Port 2400\n")  # the same size: only its text tells
    assert _load(ssh._ClientConfig, path, case)[2]["Port"] == 2400
    path.write_text("Host n1\n    User zed\n")
    assert _load(ssh._ClientConfig, path, case)[2]["User"] == "zed"


def test_a_config_is_split_once_for_all_its_hosts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "config"
    path.write_text("".join(f"Host m{i}\n    Port {2000 + i}\n    User u\n" for i in range(50)))
    splits = []
    real = shlex.split
    monkeypatch.setattr(shlex, "split", lambda s, *a, **k: splits.append(s) or real(s, *a, **k))
    for i in range(50):
        config = ssh._ClientConfig.load(None, [path], False, False, False, "me", (), f"m{i}", ())
        assert (config.get("Port"), config.get("User")) == (2000 + i, "u")
    assert len(splits) == 150  # every line once; asyncssh alone splits 50 × 150


def test_a_host_reads_only_the_blocks_that_can_be_its_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "config"
    blocks = "".join(f"Host m{i}\n    Port {2000 + i}\n" for i in range(100))
    tail = "Host m7*\n    User seven\nMatch all\n    ServerAliveInterval 9\nHost *\n    User u\n"
    path.write_text("ServerAliveCountMax 3\n" + blocks + tail)
    read = []
    real = ssh._ClientConfig._parse_lines
    monkeypatch.setattr(
        ssh._ClientConfig, "_parse_lines", lambda c, lines, a, b: read.append(b - a) or real(c, lines, a, b)
    )
    for host, user in (("m7", "seven"), ("m50", "u")):
        read.clear()
        config = ssh._ClientConfig.load(None, [path], False, False, False, "me", (), host, ())
        assert (config.get("Port"), config.get("User"), config.get("ServerAliveInterval")) == (
            2000 + int(host[1:]),
            user,
            9,
        )
        assert sum(read) == 1 + 2 + 2 + 2 + 2  # the lines before any Host, its block, m7*, Match, *
        assert _load(ssh._ClientConfig, path, (host, (), (), False, False)) == _load(
            SSHClientConfig, path, (host, (), (), False, False)
        )


def _key_line(pattern: str) -> str:
    key = asyncssh.generate_private_key("ssh-ed25519")
    return f"{pattern} {key.export_public_key().decode().strip()}\n"


def _keys(result: tuple) -> tuple:
    """A match's keys by their public data (asyncssh's keys compare by identity)."""
    return tuple(tuple(getattr(k, "public_data", k) for k in group) for group in result)


def test_known_hosts_are_imported_once_and_match_as_asyncssh_matches(tmp_path: Path, monkeypatch):
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text(_key_line("[127.0.0.5]:2201") + _key_line("n1,10.0.0.1") + "# a comment\n")
    b.write_text(_key_line("@cert-authority *.example.org") + _key_line("@revoked n1"))
    loads = []
    real = asyncssh.SSHKnownHosts.load
    monkeypatch.setattr(asyncssh.SSHKnownHosts, "load", lambda self, t: loads.append(1) or real(self, t))
    files = [str(a), str(b)]
    for host, addr, port in [("x", "127.0.0.5", 2201), ("n1", "10.0.0.1", None), ("w.example.org", "", 22)]:
        for known in (files, str(a)):
            loads_before = len(loads)
            expected = asyncssh.match_known_hosts(known, host, addr, port)
            assert len(loads) > loads_before  # asyncssh's own reads the files every time
            assert any(expected) or known != files
            assert _keys(ssh._match_known_hosts(known, host, addr, port)) == _keys(expected)
    asyncssh_loads = 2 * 3 + 3  # the two files 3 times, the first alone 3 times
    assert len(loads) == asyncssh_loads + 3  # ours: the pair once (2 loads), `a` alone once


def test_known_hosts_that_cannot_be_read_fail_as_before_and_changes_are_seen(tmp_path: Path):
    good, missing, broken = tmp_path / "good", tmp_path / "missing", tmp_path / "broken"
    good.write_text(_key_line("n1"))
    broken.write_text("n1\n")
    for files in ([str(good), str(missing)], [str(broken)]):
        with pytest.raises(Exception) as ours:
            ssh._match_known_hosts(files, "n1", "", None)
        with pytest.raises(Exception) as theirs:
            asyncssh.match_known_hosts(files, "n1", "", None)
        assert (type(ours.value), str(ours.value)) == (type(theirs.value), str(theirs.value))
    first = _keys(ssh._match_known_hosts([str(good)], "n1", "", None))
    good.write_text(_key_line("n1"))  # another key, the same size
    second = _keys(ssh._match_known_hosts([str(good)], "n1", "", None))
    assert second != first
    assert second == _keys(asyncssh.match_known_hosts([str(good)], "n1", "", None))


def test_an_asyncssh_whose_parse_is_not_mirrored_reads_the_files_itself(monkeypatch: pytest.MonkeyPatch):
    original, original_match = asyncssh.config.SSHClientConfig, asyncssh.known_hosts.match_known_hosts
    monkeypatch.setattr(asyncssh.connection, "SSHClientConfig", original)
    monkeypatch.setattr(asyncssh.connection, "match_known_hosts", original_match)
    monkeypatch.setattr(asyncssh, "__version__", "2.99.0")
    ssh._read_ssh_files_once()
    assert asyncssh.connection.SSHClientConfig is original
    assert asyncssh.connection.match_known_hosts is original_match
    monkeypatch.setattr(asyncssh, "__version__", "2.24.1")
    ssh._read_ssh_files_once()
    assert asyncssh.connection.SSHClientConfig is ssh._ClientConfig
    assert asyncssh.connection.match_known_hosts is ssh._match_known_hosts
