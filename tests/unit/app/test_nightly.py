"""`tarwatch run` builds one report per run: every hub is evaluated once, the table, notify and
the exit status use the hubs asked for, and the site's status.json is that same report."""

from __future__ import annotations

import importlib
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from support.tree import tarball
from support.world import NOW, make_test_world
from tarwatch.app import report as app_report
from tarwatch.cli import cli
from tarwatch.demo import TZ

checks_evaluate = importlib.import_module("tarwatch.checks.evaluate")  # the module, not the function
# A second hub, on one node of the first, with a tree of its own.
SECOND = '\n[hubs.YY]\nsrvnode = "other"\nnodes = ["SDU"]\nselect = ["svn/dybsvn"]\n'


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo world with a second hub; returns its configuration file."""
    for var in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        (tmp_path / var).mkdir()
        monkeypatch.setenv(var, str(tmp_path / var))
    path = make_test_world(tmp_path / "world")
    path.write_text(path.read_text() + SECOND)
    root = tmp_path / "world" / "nodes" / "SDU" / "backup" / "other"
    night = NOW.astimezone(ZoneInfo(TZ)).replace(hour=1, minute=30, second=0)
    for d in range(3):
        folder = (night - timedelta(days=d)).strftime("%Y/%m/%d/%H%M%S")
        tarball(root, f"svn/dybsvn/{folder}/dybsvn-{100 + d}.tar.gz", 1000)
    return path


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, Counter[str]]:
    """Count the reports built (checks.evaluate called) and the hubs evaluated in them."""
    counts: dict[str, Counter[str]] = {"reports": Counter(), "hubs": Counter()}
    real_evaluate, real_hub = app_report.evaluate, checks_evaluate._hub

    def evaluate(config: Any, hubs: Any, history: Any, now: float) -> Any:
        counts["reports"]["built"] += 1
        return real_evaluate(config, hubs, history, now)

    def hub(config: Any, hub: str, history: Any, now: float) -> Any:
        counts["hubs"][hub] += 1
        return real_hub(config, hub, history, now)

    monkeypatch.setattr(app_report, "evaluate", evaluate)
    monkeypatch.setattr(checks_evaluate, "_hub", hub)
    return counts


def run(config: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--config", str(config), "--now", NOW.isoformat(), *args])


def test_a_run_evaluates_every_hub_once_for_check_notify_and_publish(
    world: Path, counted: dict[str, Counter[str]]
) -> None:
    result = run(world, "run")
    assert result.exit_code == 2, result.output
    assert counted["reports"] == {"built": 1}
    assert counted["hubs"] == {"ZZ": 1, "YY": 1}
    status = json.loads((world.parent / "site" / "data" / "status.json").read_text())
    assert [h["hub"] for h in status["hubs"]] == ["ZZ", "YY"]


def test_a_run_of_one_hub_still_builds_one_report_and_shows_only_that_hub(
    world: Path, counted: dict[str, Counter[str]]
) -> None:
    result = run(world, "run", "YY")
    assert result.exit_code == 0, result.output  # YY's verdict, not ZZ's alarm
    assert counted["reports"] == {"built": 1}
    assert counted["hubs"] == {"ZZ": 1, "YY": 1}  # the site's status covers every hub
    assert "hub YY" in result.output and "ZZ" not in result.output
    status = json.loads((world.parent / "site" / "data" / "status.json").read_text())
    assert [h["hub"] for h in status["hubs"]] == ["ZZ", "YY"]


def test_a_run_that_does_not_publish_evaluates_only_the_hubs_asked_for(
    world: Path, counted: dict[str, Counter[str]]
) -> None:
    text = world.read_text()
    world.write_text(text.replace(text[text.index("[publish]") : text.index("[defaults]")], ""))
    result = run(world, "run", "YY")
    assert result.exit_code == 0, result.output  # YY's verdict, not ZZ's alarm
    assert counted["reports"] == {"built": 1}
    assert counted["hubs"] == {"YY": 1}
    assert not (world.parent / "site").exists()


@pytest.mark.parametrize(("hubs", "check_status"), [(["YY"], 0), ([], 2)])
def test_a_node_the_publish_cannot_write_is_one_line_naming_it_and_never_exits_0(
    world: Path, hubs: list[str], check_status: int
) -> None:
    """The run's status is the check's, a node not published counting as unknown: ok → 3,
    alarm stays 2 (non-zero already); one error line names the node, even with -qq."""
    site = world.parent / "site"
    (site / "img" / "YY" / "SDU.svg").mkdir(parents=True)  # a folder where YY/SDU's chart goes
    result = run(world, "-qq", "run", *hubs)
    assert result.exit_code == (3 if check_status == 0 else check_status), result.output
    assert result.stderr.splitlines() == [
        f"tarwatch: error: publish to {site} could not write 1 node (YY/SDU): "
        "their pages show what was published before"
    ]
    assert (site / "data" / "YY" / "SDU.json").is_file() and (site / "index.html").is_file()
    if check_status == 0:
        (site / "img" / "YY" / "SDU.svg").rmdir()
        again = run(world, "run", *hubs)
        assert again.exit_code == 0 and "could not write" not in again.stderr, again.output
