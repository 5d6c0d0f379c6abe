"""Prometheus metrics against real parts: the demo world collected with the real CLI, then
`tarwatch metrics` (stdout and --textfile) and a real `tarwatch serve` subprocess's /metrics,
each checked by Debian's `promtool check metrics`; the shipped alerting rules checked and unit
tested by `promtool check rules` and `promtool test rules`."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_text

from support.cli import tarwatch
from support.deps import need_executable
from support.world import NOW, make_test_world

pytestmark = pytest.mark.e2e

RULES = Path(__file__).parents[2] / "docs" / "prometheus"
STATUS = {"ok": 0, "warn": 1, "alarm": 2, "unknown": 3}
World = tuple[Path, dict[str, str]]  # a collected world's configuration file and environment


def promtool() -> str:
    return need_executable(
        "/usr/bin/promtool", "apt-get install prometheus (scripts/install-system-deps.sh installs it)"
    )


def check_metrics(text: str) -> None:
    """Given exposition text, fail unless `promtool check metrics` accepts it without a word."""
    p = subprocess.run(
        [promtool(), "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
    )
    assert p.returncode == 0 and not (p.stdout + p.stderr).strip(), p.stdout + p.stderr


def values(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Given Prometheus text, return {(sample name, sorted labels): value}."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value for f in parse_text(text) for s in f.samples}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """The demo world, collected and published once for the module."""
    base = tmp_path_factory.mktemp("metrics")
    config = make_test_world(base / "world")
    home = base / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
    r = tarwatch("--config", str(config), "--now", NOW.isoformat(), "collect", env=env)
    assert r.code == 1, r.err  # KEK never answers
    r = tarwatch("--config", str(config), "--now", NOW.isoformat(), "publish", env=env)
    assert r.code == 0, r.err
    return config, env


def metrics(world: World, *args: str) -> str:
    config, env = world
    r = tarwatch("--config", str(config), "--now", NOW.isoformat(), "metrics", *args, env=env)
    assert r.code == 0, r.err
    return r.out


def test_metrics_pass_promtool_and_agree_with_check(world: World) -> None:
    out = metrics(world)
    check_metrics(out)
    got = values(out)
    config, env = world
    doc = tarwatch(
        "--config", str(config), "--now", NOW.isoformat(), "check", "--format", "json", env=env
    ).json()
    items = 0
    for hub in doc["hubs"]:
        assert got[("tarwatch_hub_status", (("hub", hub["hub"]),))] == STATUS[hub["status"]]
        assert got[("tarwatch_last_run_duration_seconds", (("hub", hub["hub"]),))] >= 0
        for node in hub["nodes"]:
            where = (("hub", hub["hub"]), ("node", node["node"]))
            assert got[("tarwatch_node_status", where)] == STATUS[node["status"]]
            assert got[("tarwatch_node_up", where)] == (1 if node["reachable"] else 0)
            assert got[("tarwatch_node_listing_duration_seconds", where)] >= 0
            for item in node["items"]:
                at = (("hub", hub["hub"]), ("item", item["item"]), ("node", node["node"]))
                assert got[("tarwatch_item_status", at)] == STATUS[item["status"]]
                assert got[("tarwatch_item_tarballs", at)] == item["count"]
                if item["size"] is not None:
                    assert got[("tarwatch_item_newest_bytes", at)] == item["size"]
                items += 1
    assert items >= 20
    assert got[("tarwatch_node_up", (("hub", "ZZ"), ("node", "KEK")))] == 0
    assert {v for (name, _), v in got.items() if name == "tarwatch_item_status"} >= {0, 2, 3}


def test_metrics_of_one_hub_and_of_an_unknown_one(world: World) -> None:
    assert metrics(world, "ZZ") == metrics(world)
    config, env = world
    r = tarwatch("--config", str(config), "metrics", "NOPE", env=env)
    assert r.code == 2 and "no hub 'NOPE'" in r.err


def test_the_textfile_is_written_for_node_exporter(world: World, tmp_path: Path) -> None:
    target = tmp_path / "node-exporter" / "tarwatch.prom"
    assert metrics(world, "--textfile", str(target)) == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    check_metrics(target.read_text())
    assert values(target.read_text()) == values(metrics(world))
    assert [p.name for p in target.parent.iterdir()] == ["tarwatch.prom"]
    config, env = world
    other = tmp_path / "tarwatch.txt"
    r = tarwatch("--config", str(config), "metrics", "--textfile", str(other), env=env)
    assert r.code == 0 and "reads only *.prom files" in r.err and other.is_file()
    r = tarwatch("--config", str(config), "metrics", "--textfile", str(target / "x.prom"), env=env)
    assert r.code == 1 and r.err.startswith("tarwatch: error: ") and "tarwatch.prom" in r.err


@pytest.fixture
def server(world: World) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A real `tarwatch serve` on a free port (its configuration's site and store); stopped with
    SIGTERM by the test, killed here if it did not stop."""
    config, env = world
    p = subprocess.Popen(
        [sys.executable, "-m", "tarwatch", "--config", str(config), "serve", "--port", "0"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert p.stdout is not None
        first = p.stdout.readline()
        assert " at http://" in first, first + (p.stderr.read() if p.poll() is not None and p.stderr else "")
        yield p, first.split(" at ", 1)[1].split()[0].removesuffix("/index.html")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def get(url: str, accept: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


def stop(p: subprocess.Popen[str]) -> tuple[str, str]:
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
    return out, err


def test_serve_answers_metrics_and_still_serves_the_site(server: tuple[subprocess.Popen[str], str]) -> None:
    p, base = server
    code, content_type, body = get(f"{base}/metrics")
    assert code == 200 and content_type.startswith("text/plain; version=0.0.4"), (code, content_type)
    check_metrics(body)
    names = {name for name, _ in values(body)}
    assert {"tarwatch_item_status", "tarwatch_node_up", "tarwatch_last_run_timestamp_seconds"} <= names
    code, content_type, om = get(f"{base}/metrics?x=1", "application/openmetrics-text; version=1.0.0")
    assert code == 200 and content_type.startswith("application/openmetrics-text")
    assert "tarwatch_item_newest_bytes" in {f.name for f in parse_openmetrics(om)}
    code, content_type, page = get(f"{base}/index.html")
    assert code == 200 and content_type.startswith("text/html") and "<html" in page.lower()
    code, _, status = get(f"{base}/data/status.json")
    assert code == 200 and json.loads(status)["status"] == "alarm"
    out, err = stop(p)
    assert out == "stopped\n" and err == ""


def test_serve_of_a_folder_without_configuration_says_why_on_metrics(world: World, tmp_path: Path) -> None:
    config, env = world
    site = Path(
        json.loads(tarwatch("--config", str(config), "config", "show", "--json", env=env).out)["publish"][
            "out"
        ]
    )
    lonely = {**env, "HOME": str(tmp_path)}
    p = subprocess.Popen(
        [sys.executable, "-m", "tarwatch", "serve", "--dir", str(site), "--port", "0"],
        env=lonely,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert p.stdout is not None
        base = p.stdout.readline().split(" at ", 1)[1].split()[0].removesuffix("/index.html")
        code, content_type, body = get(f"{base}/metrics")
        assert code == 503 and content_type.startswith("text/plain"), (code, body)
        assert "no tarwatch.toml found" in body and "no hubs are configured" in body
        assert get(f"{base}/index.html")[0] == 200
        out, err = stop(p)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert out == "stopped\n"
    assert "/metrics" in err and "no hubs are configured" in err
    assert not (tmp_path / ".local").exists()  # no store was made in the home folder


def test_the_example_rules_pass_promtool_check_and_their_unit_tests() -> None:
    tool = promtool()
    rules = RULES / "tarwatch-rules.yml"
    p = subprocess.run([tool, "check", "rules", str(rules)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "SUCCESS: 5 rules found" in p.stdout, p.stdout + p.stderr
    p = subprocess.run(
        [tool, "test", "rules", "tarwatch-rules.test.yml"],
        cwd=RULES,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0 and "SUCCESS" in p.stdout, p.stdout + p.stderr


def test_every_metric_the_rules_use_is_one_tarwatch_writes(world: World) -> None:
    import re

    written = {f.name + suffix for f in parse_text(metrics(world)) for suffix in ("", "_info") if f.type}
    used = set(re.findall(r"\btarwatch_[a-z_]+", (RULES / "tarwatch-rules.yml").read_text()))
    assert used and used <= written, used - written


@pytest.mark.parametrize(
    "name",
    ['we"ird\\name', "new\nline", "red\x1b[31mALARM\x1b[0m", "bidi\u202eevil", "tab\there", "ünïcødé/名前"],
)
def test_hostile_names_pass_promtool_and_read_back_as_they_are(name: str) -> None:
    from tarwatch.checks.model import HubVerdict, ItemVerdict, NodeVerdict, Report
    from tarwatch.formats.metrics import families, text
    from tarwatch.records import Status

    item = ItemVerdict(f"repos/{name}", Status.WARN, 1_795_608_000.0, 10, 1, None)
    node = NodeVerdict(name, Status.WARN, True, 1_795_608_000.0, None, [item])
    report = Report(1_795_608_000.0, Status.WARN, [HubVerdict("ZZ", Status.WARN, "dayabay", [node])])
    body = text(families(report, {}, {}, "1.2.3")).decode()
    check_metrics(body)
    got = values(body)
    assert got[("tarwatch_item_status", (("hub", "ZZ"), ("item", f"repos/{name}"), ("node", name)))] == 1
