"""Start-up: a command imports only what it uses. `tarwatch --help`, `--version` and each
command's `--help` import none of the heavy libraries (SQLAlchemy, pydantic, rich, Jinja2,
matplotlib, asyncssh, apprise…), and `check` none of those it does not use (rich only for a
table or colour: a healthy site read by a pipe is written without it); the list of
commands in `tarwatch --help`, written without importing them, is the one click writes from
their own help. (bench/startup.py times them; nothing here is timed.)"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from tarwatch.cli import COMMANDS

HEAVY = [
    "sqlalchemy", "alembic", "pydantic", "rich", "jinja2", "matplotlib", "asyncssh", "apprise",
    "tomlkit", "prometheus_client",
]  # fmt: skip
# What `check` uses: its configuration (pydantic), its store (SQLAlchemy), its table (rich).
CHECK_USES = {"pydantic", "sqlalchemy", "rich"}
NOW = "2026-11-25T12:00:00"

# Run in a fresh interpreter: each case in a forked child, which reports the heavy top-level
# packages and the tarwatch modules it has imported once the command is done.
PROBE = """
import json, os, sys
from tarwatch.cli import COMMANDS, cli

HEAVY = set(json.loads(sys.argv[1]))
CASES = json.loads(sys.argv[2])


def after(args):
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        out = os.open(os.devnull, os.O_WRONLY)
        os.dup2(out, 1)
        os.dup2(out, 2)
        try:
            cli(args, prog_name="tarwatch")
        except SystemExit as e:
            code = e.code
        else:
            code = 0
        heavy = sorted({m.split(".")[0] for m in sys.modules} & HEAVY)
        ours = sorted(m for m in sys.modules if m.startswith("tarwatch"))
        os.write(w, json.dumps({"code": code, "heavy": heavy, "tarwatch": ours}).encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r) as f:
        found = json.loads(f.read())
    os.waitpid(pid, 0)
    return found


print(json.dumps({" ".join(args): after(args) for args in CASES}))
"""

CONFIG = """\
[store]
url = "sqlite:///{store}"

[hubs.H]
srvnode = "h"
source = "local"
nodes = []

[nodes.local]
root = "{root}"
"""
# A site whose one node is a local folder, collected before it is checked: all is well.
HEALTHY = CONFIG.replace("[nodes.local]", '[nodes.local]\ntransport = "local"')


def probe(tmp: Path, cases: list[list[str]]) -> dict[str, Any]:
    """Given command lines, return for each what a fresh `tarwatch` process had imported after it."""
    env = dict(os.environ, HOME=str(tmp), NO_COLOR="1")
    p = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY), json.dumps(cases)],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    found: dict[str, Any] = json.loads(p.stdout)
    return found


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("imports")
    (tmp / "backup").mkdir()
    config = tmp / "tarwatch.toml"
    config.write_text(CONFIG.format(store=tmp / "tarwatch.db", root=tmp / "backup"))
    healthy = tmp / "healthy.toml"
    healthy.write_text(HEALTHY.format(store=tmp / "healthy.db", root=tmp / "backup"))
    cases = [["--help"], ["--version"], *([name, "--help"] for name in COMMANDS)]
    cases.append(["--config", str(config), "--now", NOW, "check"])
    cases.append(["--config", str(healthy), "--now", NOW, "collect"])  # in its own child, as all
    cases.append(["--config", str(healthy), "--now", NOW, "check"])
    return probe(tmp, cases)


def _check(imported: dict[str, Any], config: str) -> Any:
    (found,) = (v for k, v in imported.items() if k.endswith(" check") and f"{config} " in k)
    return found


@pytest.mark.parametrize("args", ["--help", "--version", *(f"{name} --help" for name in COMMANDS)])
def test_help_and_version_import_no_heavy_library(imported: dict[str, Any], args: str) -> None:
    found = imported[args]
    assert found["code"] == 0
    assert found["heavy"] == []
    # nor tarwatch's configuration, store, use cases or checks
    assert not [m for m in found["tarwatch"] if m.startswith(("tarwatch.config", "tarwatch.app"))]
    assert not [m for m in found["tarwatch"] if m.startswith(("tarwatch.store.store", "tarwatch.checks"))]


def test_tarwatch_help_imports_no_command(imported: dict[str, Any]) -> None:
    for found in (imported["--help"], imported["--version"]):
        assert [m for m in found["tarwatch"] if m.startswith("tarwatch.cli.")] == ["tarwatch.cli.common"]


def test_check_imports_only_the_libraries_it_uses(imported: dict[str, Any]) -> None:
    found = _check(imported, "tarwatch.toml")
    assert found["code"] == 3  # nothing collected yet: a finished check, UNKNOWN
    assert {"pydantic", "sqlalchemy"} <= set(found["heavy"]) <= CHECK_USES  # no alembic: no migration
    assert not [m for m in found["tarwatch"] if m.startswith(("tarwatch.collect", "tarwatch.publish"))]
    assert "tarwatch.config.legacy" not in found["tarwatch"]  # only for --legacy


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_summary_in_commands_is_the_first_paragraph_of_the_commands_help(name: str) -> None:
    target, summary = COMMANDS[name]
    module, attr = target.split(":")
    command: click.Command = getattr(importlib.import_module(module), attr)
    stand_in = click.Command(name, help=summary)
    for limit in (30, 80, 10_000):  # 10,000: the whole first paragraph
        assert stand_in.get_short_help_str(limit) == command.get_short_help_str(limit)


def test_check_of_a_healthy_site_without_a_terminal_imports_no_rich(imported: dict[str, Any]) -> None:
    assert imported[f"--config {_healthy(imported)} --now {NOW} collect"]["code"] == 0
    found = _check(imported, "healthy.toml")
    assert found["code"] == 0  # all is well: two lines, no table, no colour
    assert set(found["heavy"]) == {"pydantic", "sqlalchemy"}
    assert "tarwatch.formats.table" in found["tarwatch"]
    # what publish and doctor read from the store: imported by their methods, not for check
    assert not {"tarwatch.store.site", "tarwatch.store.inspect"} & set(found["tarwatch"])


def _healthy(imported: dict[str, Any]) -> str:
    (key,) = (k for k in imported if k.endswith(" collect"))
    return key.split()[1]


def test_a_collect_of_local_nodes_only_imports_no_ssh_client(imported: dict[str, Any]) -> None:
    found = imported[f"--config {_healthy(imported)} --now {NOW} collect"]
    assert found["code"] == 0
    assert "asyncssh" not in found["heavy"]  # the SSH client comes with the first node it reaches
    assert "tarwatch.collect.ssh" not in found["tarwatch"]
    assert "tarwatch.collect.run" in found["tarwatch"]
