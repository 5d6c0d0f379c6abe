"""The command line, driven through click's CliRunner: global options anywhere, help for every
command, one-line configuration errors, `config show|import`, `--legacy`, and the demo world
checked end to end (local folders only; its unreachable node is a closed port on 127.0.0.1)."""

from __future__ import annotations

import json
import shutil
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from support.store_reads import current_tarballs
from tarwatch.cli import cli
from tarwatch.config.legacy import machine_timezone
from tarwatch.config.validate import validate
from tarwatch.store import Store

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "legacy"
NOW = "2026-11-25T12:00:00"
GENERATED = "2026-11-25T12:00:00+00:00"

CONFIG = """\
[defaults]
timezone = "Asia/Shanghai"

[hubs.ZZ]
srvnode = "dayabay"
source = "local"
nodes = ["SDU"]
select = ["svn/dybsvn", "tracs/dybaux"]
stale_alarm = "3d"

[hubs.ZZ.items."tracs/dybaux"]
stale_alarm = "8d"

[nodes.local]
transport = "local"
root = "{root}/{{srvnode}}"

[nodes.SDU]
host = "blyth@sdu.example.org:2222"
timeout = "5s"
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder, HOME and XDG folders of the test's own; returns the working folder."""
    work = tmp_path / "work"
    work.mkdir()
    for var, sub in (("HOME", "home"), ("XDG_CONFIG_HOME", "xdg-config"), ("XDG_DATA_HOME", "xdg-data")):
        (tmp_path / sub).mkdir()
        monkeypatch.setenv(var, str(tmp_path / sub))
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def config_file(home: Path) -> Path:
    root = home / "backup"
    root.mkdir()
    path = home / "tarwatch.toml"
    path.write_text(
        CONFIG.format(root=root) + f'\n[store]\nurl = "sqlite:///{home / "tarwatch.db"}"\n', encoding="utf-8"
    )
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# -- global options and help ----------------------------------------------------------------


def test_global_options_work_before_and_after_the_command_name(config_file: Path) -> None:
    before = run("--now", NOW, "--config", str(config_file), "check", "--format", "json")
    after = run("check", "--format", "json", "--now", NOW, "--config", str(config_file))
    mixed = run("--config", str(config_file), "check", "--now", NOW, "--format", "json")
    for r in (before, after, mixed):
        assert r.exit_code == 3, r.output  # nothing collected yet: unknown
        assert json.loads(r.stdout)["generated"] == GENERATED
    assert before.stdout == after.stdout == mixed.stdout


def test_now_with_an_offset_is_converted_to_utc(config_file: Path) -> None:
    r = run("check", "--format", "json", "--now", "2026-11-25T20:00:00+08:00", "--config", str(config_file))
    assert json.loads(r.stdout)["generated"] == GENERATED


def test_a_now_that_is_not_a_time_is_a_usage_error(config_file: Path) -> None:
    r = run("--now", "yesterday", "--config", str(config_file), "check")
    assert r.exit_code == 2
    assert "ISO 8601" in r.stderr


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    yield path
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # commands are loaded lazily: ask the group
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name)


COMMANDS = list(_commands(cli))


def test_every_command_is_listed_for_help() -> None:
    assert {("check",), ("collect",), ("config",), ("config", "show"), ("config", "import")} <= set(COMMANDS)
    assert {("config", "schema"), ("demo",), ("publish",), ("serve",), ()} <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "tarwatch")
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_works_for_every_command_and_subcommand(home: Path, command: tuple[str, ...], flag: str) -> None:
    r = run(*command, flag)
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("Usage: ")
    assert " ".join(command) in r.stdout.splitlines()[0]
    assert "--config FILE" in r.stdout and "--now TIME" in r.stdout  # global options everywhere


def test_the_version_is_printed() -> None:
    r = run("--version")
    assert r.exit_code == 0 and r.stdout.startswith("tarwatch, version ")


# -- configuration errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "command", [("check",), ("collect",), ("config", "show"), ("config", "show", "--json")]
)
def test_a_bad_config_is_one_error_line_naming_file_and_key_and_exit_status_2(
    home: Path, command: tuple[str, ...]
) -> None:
    bad = home / "bad.toml"
    bad.write_text('[defaults]\nstale_warn = "soon"\n')
    r = run("--config", str(bad), *command)
    assert r.exit_code == 2
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("tarwatch: error: ")
    assert str(bad) in lines[0]
    assert "defaults.stale_warn" in lines[0]
    assert '"26h"' in lines[0]
    assert r.stdout == ""


def test_a_config_file_in_the_working_folder_is_read_and_its_errors_named(home: Path) -> None:
    (home / "tarwatch.toml").write_text("[hubs.ZZ]\nsrvnode = 'x'\nnodes = ['SDU']\n")
    r = run("config", "show")
    assert r.exit_code == 2
    assert r.stderr.startswith("tarwatch: error: ")
    assert "tarwatch.toml" in r.stderr and "hubs.ZZ.nodes" in r.stderr and "[nodes.SDU]" in r.stderr


def test_an_explicit_config_file_that_does_not_exist_is_exit_status_2(home: Path) -> None:
    r = run("--config", str(home / "nope.toml"), "check")
    assert r.exit_code == 2
    assert r.stderr.startswith("tarwatch: error: ") and "nope.toml" in r.stderr and "no such file" in r.stderr


def test_check_with_no_hubs_configured_says_to_add_one(home: Path) -> None:
    r = run("check")
    assert r.exit_code == 2
    assert "[hubs.TAG]" in r.stderr


def test_check_of_a_hub_that_is_not_configured_names_the_ones_that_are(config_file: Path) -> None:
    r = run("--config", str(config_file), "check", "C2")
    assert r.exit_code == 2
    assert "no hub 'C2'" in r.stderr and "ZZ" in r.stderr


# -- config show and import -----------------------------------------------------------------


def test_config_show_json_has_the_structure_of_the_toml_file_with_durations_as_text(
    config_file: Path,
) -> None:
    r = run("--config", str(config_file), "config", "show", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) == {"store", "publish", "defaults", "hubs", "nodes", "notify"}
    d = data["defaults"]
    assert (d["stale_warn"], d["stale_alarm"], d["timeout"], d["transfer_grace"]) == (
        "26h",
        "50h",
        "30s",
        "6h",
    )
    assert d["timezone"] == "Asia/Shanghai"
    assert d["verify"] == "size" and d["keep_max"] == 10
    zz = data["hubs"]["ZZ"]
    assert zz["srvnode"] == "dayabay" and zz["nodes"] == ["SDU"] and zz["source"] == "local"
    assert zz["stale_alarm"] == "3d"
    assert zz["items"] == {"tracs/dybaux": {"stale_alarm": "8d"}}
    assert data["nodes"]["SDU"] == {
        "transport": "ssh",
        "host": "blyth@sdu.example.org:2222",
        "root": "$SCM_FOLD/backup/{srvnode}",
        "timeout": "5s",
        "maintenance": [],
    }
    assert data["nodes"]["local"]["transport"] == "local"
    assert data["store"]["url"].startswith("sqlite:///")


def test_config_show_fills_in_the_defaults_from_the_users_folders(home: Path) -> None:
    r = run("config", "show", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    data_home = Path(home.parent / "xdg-data")
    assert data["store"]["url"] == f"sqlite:///{data_home / 'tarwatch' / 'tarwatch.db'}"
    assert data["hubs"] == {} and data["nodes"] == {}


def test_config_show_prints_toml_that_reads_back_the_same(config_file: Path) -> None:
    shown = run("--config", str(config_file), "config", "show")
    assert shown.exit_code == 0, shown.output
    assert f"# effective configuration, from {config_file}" in shown.stdout.splitlines()
    as_json = json.loads(run("--config", str(config_file), "config", "show", "--json").stdout)
    parsed = tomllib.loads(shown.stdout)
    assert parsed == as_json
    assert validate(parsed, "shown") == validate(tomllib.loads(config_file.read_text()), "original")


def test_config_import_of_the_legacy_fixtures_prints_toml(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LOCAL_BASE", "/opt/local")
    monkeypatch.setenv("APACHE_HTDOCS", "/var/www/html")
    r = run("config", "import", str(FIXTURES / "scm_monitor.cnf"), str(FIXTURES / "libfab.cnf"))
    assert r.exit_code == 0, r.output
    data = tomllib.loads(r.stdout)
    assert set(data["hubs"]) == {"ZZ", "WW"}
    assert data["store"]["url"] == "sqlite:////opt/local/env/scm/tarwatch.db"
    validate(data, "imported")


def test_config_import_refuses_an_unset_variable_in_one_line_naming_the_key(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LOCAL_BASE", raising=False)
    monkeypatch.setenv("APACHE_HTDOCS", "/var/www/html")
    r = run("config", "import", str(FIXTURES / "scm_monitor.cnf"), str(FIXTURES / "libfab.cnf"))
    assert r.exit_code == 2 and r.stdout == ""
    assert len(r.stderr.splitlines()) == 1
    assert "ZZ.dbpath" in r.stderr and "$LOCAL_BASE is not set" in r.stderr


@pytest.mark.parametrize(
    "toml, key",
    [
        ('[store]\nurl = "sqlite:///$LOCAL_BASE/tarwatch.db"\n', "store.url"),
        ('[publish]\nout = "${LOCAL_BASE}/site"\n', "publish.out"),
        ('[hubs.ZZ]\nsrvnode = "dayabay"\njspath = "$APACHE_HTDOCS/{node}.json"\n', "hubs.ZZ.jspath"),
    ],
)
def test_a_literal_variable_in_a_hub_side_path_is_an_error_naming_the_key(
    home: Path, tmp_path: Path, toml: str, key: str
) -> None:
    config_file = tmp_path / "tarwatch.toml"
    config_file.write_text(toml)
    r = run("--config", str(config_file), "config", "show")
    assert r.exit_code == 2, r.output
    assert len(r.stderr.splitlines()) == 1
    assert key in r.stderr and "does not expand" in r.stderr
    assert not list(tmp_path.glob("$*")) and not list(Path.cwd().glob("$*"))


def test_a_variable_in_a_node_root_stays_for_the_nodes_shell(home: Path, tmp_path: Path) -> None:
    config_file = tmp_path / "tarwatch.toml"
    config_file.write_text('[nodes.C]\nroot = "$SCM_FOLD/backup/{srvnode}"\n')
    r = run("--config", str(config_file), "config", "show", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["nodes"]["C"]["root"] == "$SCM_FOLD/backup/{srvnode}"


def test_config_import_of_a_missing_file_is_one_error_line(home: Path) -> None:
    r = run("config", "import", str(home / "nope.cnf"), str(FIXTURES / "libfab.cnf"))
    assert r.exit_code == 2
    assert r.stderr.startswith("tarwatch: error: ") and "nope.cnf" in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_config_schema_is_json_schema_of_every_table(home: Path) -> None:
    r = run("config", "schema")
    assert r.exit_code == 0
    schema = json.loads(r.stdout)
    assert {"store", "publish", "defaults", "hubs", "nodes"} <= set(schema["properties"])


def legacy_pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch | None = None) -> None:
    """Put the seed's legacy pair in the test's home; with monkeypatch, set the $VARS it names."""
    user_home = tmp_path / "home"
    shutil.copy(FIXTURES / "scm_monitor.cnf", user_home / ".scm_monitor.cnf")
    shutil.copy(FIXTURES / "libfab.cnf", user_home / ".libfab.cnf")
    if monkeypatch:
        monkeypatch.setenv("LOCAL_BASE", str(tmp_path / "local"))
        monkeypatch.setenv("APACHE_HTDOCS", str(tmp_path / "htdocs"))


@pytest.mark.parametrize("where", ["before", "after"])
def test_legacy_reads_the_pair_in_home_for_one_hub(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    legacy_pair(tmp_path, monkeypatch)
    args = ["--legacy", "ZZ", "config", "show", "--json"]
    if where == "after":
        args = ["config", "show", "--json", "--legacy", "ZZ"]
    r = run(*args)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert list(data["hubs"]) == ["ZZ"]
    assert list(data["nodes"]) == ["SDU"]
    assert data["hubs"]["ZZ"]["srvnode"] == "dayabay"
    assert data["defaults"]["timeout"] == "2s"
    assert data["store"]["url"] == f"sqlite:///{tmp_path}/local/env/scm/tarwatch.db"


@pytest.mark.parametrize("as_json", [False, True])
def test_legacy_config_show_says_which_timezone_was_taken(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    legacy_pair(tmp_path, monkeypatch)
    r = run("--legacy", "ZZ", "config", "show", *(["--json"] if as_json else []))
    assert r.exit_code == 0, r.output
    found = machine_timezone()  # this machine's /etc, as --legacy reads it
    zone = found[0] if found else "UTC"
    said = [line for line in (r.stderr if as_json else r.stdout).splitlines() if "defaults.timezone" in line]
    assert len(said) == 1 and f"defaults.timezone {zone!r}" in said[0]
    if found:
        assert found[1] in said[0]
    shown = json.loads(r.stdout) if as_json else tomllib.loads(r.stdout)
    assert shown["defaults"]["timezone"] == zone


def test_legacy_for_a_hub_without_a_section_is_one_error_line(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    legacy_pair(tmp_path)
    r = run("--legacy", "G", "config", "show")
    assert r.exit_code == 2
    assert r.stderr.startswith("tarwatch: error: ") and "no section [G]" in r.stderr


# -- the demo world, checked ----------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`tarwatch demo` made once for the module, then `check --format json` of it."""
    base = tmp_path_factory.mktemp("demo")
    world = base / "world"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(base))
        mp.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))
        mp.setenv("XDG_DATA_HOME", str(base / "xdg-data"))
        mp.chdir(base)
        made = run("demo", "--dir", str(world), "--now", NOW)
        checked = run("check", "--format", "json", "--now", NOW, "--config", str(world / "tarwatch.toml"))
    return {"world": world, "made": made, "checked": checked}


def _nodes(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["node"]: n for n in doc["hubs"][0]["nodes"]}


def _items(node: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["item"]: i for i in node["items"]}


def test_the_demo_makes_its_world_and_exits_0(demo: dict[str, Any]) -> None:
    made = demo["made"]
    assert made.exit_code == 0, made.output
    assert (demo["world"] / "tarwatch.toml").is_file()
    assert "problems found (one per row above), as planted" in made.stdout
    assert f"--now {GENERATED}" in made.stdout


def test_the_demos_count_is_the_tables(demo: dict[str, Any]) -> None:
    """One definition of a problem: the summary line's counts add up to the count said after."""
    import re

    out = demo["made"].stdout
    headline = next(line for line in out.splitlines() if line.startswith("tarwatch: "))
    said = sum(int(n) for n in re.findall(r"(\d+) (?:alarms|warnings|unknown)", headline))
    assert f"{said} problems found" in out


def test_the_commands_the_demo_prints_run_as_printed(demo: dict[str, Any]) -> None:
    import shlex
    import subprocess

    line = next(x for x in demo["made"].stdout.splitlines() if x.endswith("check --format json"))
    argv = shlex.split(line)
    assert argv[0] == "tarwatch" or Path(argv[0]).is_absolute()
    p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert p.returncode == 2, p.stderr
    assert json.loads(p.stdout)["status"] == "alarm"


def test_the_demo_publishes_its_dashboard_and_serves_only_on_a_terminal(demo: dict[str, Any]) -> None:
    site = demo["world"] / "site"
    assert (site / "index.html").is_file() and (site / "hub" / "ZZ.html").is_file()
    assert (site / "img" / "ZZ" / "SDU.png").is_file()
    assert "Dashboard: 2 pages" in demo["made"].stdout
    assert "serve      # serve it" in demo["made"].stdout  # not a terminal: published, not served


def test_serve_says_so_when_nothing_was_published(tmp_path: Path) -> None:
    r = run("serve", "--dir", str(tmp_path), "--port", "0")
    assert r.exit_code == 1
    assert "run `tarwatch publish` first" in r.stderr


def test_the_demo_checks_as_an_alarm_of_hub_zz(demo: dict[str, Any]) -> None:
    checked = demo["checked"]
    assert checked.exit_code == 2, checked.output
    doc = json.loads(checked.stdout)
    assert doc["generated"] == GENERATED
    assert doc["status"] == "alarm"
    assert [(h["hub"], h["status"]) for h in doc["hubs"]] == [("ZZ", "alarm")]
    assert list(_nodes(doc)) == ["hub", "SDU", "IHEP", "NTU", "KEK"]


def test_the_demos_kek_is_unreachable_and_its_items_unknown(demo: dict[str, Any]) -> None:
    kek = _nodes(json.loads(demo["checked"].stdout))["KEK"]
    assert kek["reachable"] is False
    assert kek["status"] == "alarm"
    assert [(f["check"], f["status"]) for f in kek["findings"]] == [("unreachable", "alarm")]
    assert kek["items"], "KEK's items are listed, as unknown"
    assert {i["status"] for i in kek["items"]} == {"unknown"}


def test_the_demos_source_node_is_reachable(demo: dict[str, Any]) -> None:
    hub = _nodes(json.loads(demo["checked"].stdout))["hub"]
    assert hub["reachable"] is True
    assert hub["source"] is True


def test_the_demos_tracs_dybaux_is_a_stale_alarm_on_every_reachable_node(demo: dict[str, Any]) -> None:
    nodes = _nodes(json.loads(demo["checked"].stdout))
    reachable = [n for n in nodes.values() if n["reachable"]]
    assert [n["node"] for n in reachable] == ["hub", "SDU", "IHEP", "NTU"]
    for n in reachable:
        item = _items(n)["tracs/dybaux"]
        assert item["status"] == "alarm"
        assert [(f["check"], f["status"]) for f in item["findings"]] == [("stale", "alarm")]
        assert item["age_hours"] > 50


def test_the_demos_svn_dybsvn_on_ntu_is_older_than_on_the_others(demo: dict[str, Any]) -> None:
    nodes = _nodes(json.loads(demo["checked"].stdout))
    ntu = _items(nodes["NTU"])["svn/dybsvn"]
    for other in ("hub", "SDU", "IHEP"):
        theirs = _items(nodes[other])["svn/dybsvn"]
        assert ntu["latest"] < theirs["latest"]
        assert ntu["age_hours"] - theirs["age_hours"] == pytest.approx(24)
        assert theirs["status"] == "ok"
    assert ntu["status"] == "alarm"
    checks = {f["check"]: f for f in ntu["findings"]}
    assert checks["stale"]["status"] == "warn"
    assert checks["transfer"]["status"] == "alarm"
    assert "never arrived on NTU" in checks["transfer"]["message"]


def test_the_demos_newest_svn_dybaux_is_40_percent_of_the_one_before_on_every_node(
    demo: dict[str, Any],
) -> None:
    nodes = _nodes(json.loads(demo["checked"].stdout))
    config = validate(tomllib.loads((demo["world"] / "tarwatch.toml").read_text()), "demo")
    rows: dict[str, list[int]] = {}
    for r in current_tarballs(Store.open(config.store.url), ["ZZ"]):
        if r[2] == "svn/dybaux":
            rows.setdefault(r[1], []).append(r[4])
    assert sorted(rows) == sorted(["hub", "SDU", "IHEP", "NTU"])
    for node, sizes in rows.items():
        assert len(sizes) >= 2
        newest, before = sizes[-1], sizes[-2]
        assert newest / before == pytest.approx(0.4, rel=0.01), node
        assert _items(nodes[node])["svn/dybaux"]["size"] == newest
