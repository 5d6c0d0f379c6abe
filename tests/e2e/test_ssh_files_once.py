"""A collect of several real sshd nodes, in this process: ~/.ssh/config is split into tokens and
known_hosts imported once for the whole run, not once per node (collect/ssh.py), and a node
whose host key changed still fails with the same words. Counted, never timed."""

from __future__ import annotations

import shlex
from pathlib import Path

import asyncssh
import asyncssh.config
import pytest

from support.sshd import SshLab
from support.tree import seed_tree
from tarwatch.app.progress import Quiet
from tarwatch.collect.run import run_collect
from tarwatch.config.validate import validate
from tarwatch.store.store import Store

pytestmark = pytest.mark.e2e

NODES = ["a", "b", "c", "d"]


def test_a_collect_reads_the_ssh_files_once_for_all_its_nodes(ssh_lab: SshLab, tmp_path: Path, monkeypatch):
    fold = tmp_path / "fold"
    seed_tree(fold / "backup" / "cms02")
    for name in NODES:
        ssh_lab.add_node(name, env={"SCM_FOLD": str(fold)})
    ssh_lab.add_wrong_key("changed")
    monkeypatch.setenv("HOME", str(ssh_lab.home))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    config = validate(
        {
            "store": {"url": f"sqlite:///{tmp_path / 'tw.db'}"},
            "defaults": {"timeout": "20s"},
            "hubs": {"C2": {"srvnode": "cms02", "nodes": [*NODES, "changed"]}},
            "nodes": {n: {} for n in [*NODES, "changed"]},
        },
        "test",
    )
    splits: list[str] = []
    split = shlex.split
    monkeypatch.setattr(shlex, "split", lambda s, *a, **k: splits.append(s) or split(s, *a, **k))
    imports: list[str] = []
    load = asyncssh.SSHKnownHosts.load
    monkeypatch.setattr(
        asyncssh.SSHKnownHosts, "load", lambda self, text: imports.append(text) or load(self, text)
    )
    parses: list[Path] = []
    parse = asyncssh.config.SSHConfig.parse
    monkeypatch.setattr(
        asyncssh.config.SSHConfig, "parse", lambda self, p: parses.append(p) or parse(self, p)
    )

    outcomes = {
        o.job.node: o for o in run_collect(config, ["C2"], Store.open(config.store.url), 1.7e9, Quiet())
    }

    assert [outcomes[n].ok for n in NODES] == [True] * len(NODES), {n: o.reason for n, o in outcomes.items()}
    changed = outcomes["changed"].reason or ""
    assert not outcomes["changed"].ok and "CHANGED" in changed and "ssh-keyscan" not in changed, changed
    lines = [s for s in ssh_lab.ssh_config.read_text().splitlines() if s.strip() and not s.startswith("#")]
    assert sorted(splits) == sorted(s.strip() for s in lines)  # each line once (asyncssh: once per node)
    assert imports == [ssh_lab.known_hosts.read_text()]  # once (asyncssh: once per node)
    assert parses == []  # asyncssh's own parse never ran
