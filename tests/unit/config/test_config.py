"""The configuration file: what loads, what is refused (naming the file, the key and what is
allowed), how thresholds are inherited, where the file is found, and ssh destinations."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tarwatch.config.load import find_config_file, load_config, load_toml
from tarwatch.config.models import DEFAULT_ROOT, Config, Node, ssh_destination
from tarwatch.config.validate import validate
from tarwatch.errors import ConfigError

# DESIGN.md's example, with README.md's extra keys (locked_grace, a hub's stale_alarm).
EXAMPLE = """\
[store]
url = "sqlite:///var/lib/tarwatch/tarwatch.db"    # default: in the user's data dir

[publish]
out = "/var/www/html/tarwatch"                    # the static site
url = "http://dayabay.ihep.ac.cn:8080/tarwatch/"  # for links in messages

[defaults]
timezone = "Asia/Shanghai"        # of the dated folders
stale_warn = "26h"
stale_alarm = "50h"
shrink_warn = 0.2
keep_min = 1
keep_max = 10
transfer_grace = "6h"
locked_grace = "6h"
verify = "size"                   # or "md5": also hash the newest tarball per item on the node
repeat = "24h"                    # reminder period for ongoing problems
timeout = "30s"                   # per node

[hubs.ZZ]
srvnode = "dayabay"
source = "local"                  # the node holding the hub's own copy (optional)
nodes = ["SDU"]
select = ["svn/dybsvn", "tracs/dybsvn", "svn/dybaux", "tracs/dybaux"]   # empty: all
notify = ["mailto://tarwatch@ihep.ac.cn?to=ops@ihep.ac.cn"]           # Apprise URLs
stale_alarm = "3d"

[hubs.ZZ.items."tracs/dybaux"]
stale_alarm = "8d"

[nodes.local]
transport = "local"
root = "/var/scm/backup/{srvnode}"

[nodes.SDU]
host = "SDU"                       # ssh destination: alias, user@host, host:port
root = "/raid4/dybsdu/dybbackup/var/scm/backup/{srvnode}"
"""

HUB = """\
[hubs.ZZ]
srvnode = "dayabay"
nodes = ["SDU"]

[nodes.SDU]
"""


def write(tmp_path: Path, text: str, name: str = "tarwatch.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> ConfigError:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_toml(path)
    assert e.value.file == str(path)
    message = str(e.value)
    assert message.startswith(f"{path}: ")
    if e.value.key:
        assert f"'{e.value.key}'" in message
    assert "\n" not in message
    return e.value


# -- a good file ----------------------------------------------------------------------------


def test_the_example_of_design_md_loads(tmp_path: Path) -> None:
    c = load_toml(write(tmp_path, EXAMPLE))
    assert c.store.url == "sqlite:///var/lib/tarwatch/tarwatch.db"
    assert c.publish.out == Path("/var/www/html/tarwatch")
    assert c.publish.url == "http://dayabay.ihep.ac.cn:8080/tarwatch/"
    assert c.defaults.timezone == "Asia/Shanghai"
    assert c.defaults.stale_warn == timedelta(hours=26)
    assert c.defaults.repeat == timedelta(hours=24)
    assert c.defaults.timeout == timedelta(seconds=30)
    zz = c.hubs["ZZ"]
    assert (zz.srvnode, zz.source, zz.nodes) == ("dayabay", "local", ["SDU"])
    assert zz.select == ["svn/dybsvn", "tracs/dybsvn", "svn/dybaux", "tracs/dybaux"]
    assert zz.notify == ["mailto://tarwatch@ihep.ac.cn?to=ops@ihep.ac.cn"]
    assert zz.items["tracs/dybaux"].stale_alarm == timedelta(days=8)
    assert c.nodes["local"].transport == "local"
    assert c.nodes["SDU"].transport == "ssh"
    assert c.nodes["SDU"].root == "/raid4/dybsdu/dybbackup/var/scm/backup/{srvnode}"
    assert c.hub_nodes("ZZ") == ["local", "SDU"]


def test_an_empty_file_is_every_default_and_no_hubs(tmp_path: Path) -> None:
    c = load_toml(write(tmp_path, ""))
    assert c.hubs == {} and c.nodes == {}
    assert c.defaults.stale_warn == timedelta(hours=26)
    assert c.defaults.stale_alarm == timedelta(hours=50)
    assert c.defaults.timezone == "UTC"


def test_a_node_with_nothing_set_has_the_default_root() -> None:
    c = validate({"nodes": {"SDU": {}}}, "test")
    assert c.nodes["SDU"].root == DEFAULT_ROOT
    assert c.node_timeout("SDU") == timedelta(seconds=30)


# -- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "allowed"),
    [
        ("colour = 1\n", "colour", ["defaults", "hubs", "nodes", "publish", "store"]),
        ("[defaults]\nstale = '1h'\n", "defaults.stale", ["stale_alarm", "stale_warn", "timeout"]),
        (
            HUB.replace('srvnode = "dayabay"', 'srvnode = "dayabay"\ncolour = 1'),
            "hubs.ZZ.colour",
            ["srvnode"],
        ),
        (
            HUB + '\n[hubs.ZZ.items."tracs/dybaux"]\nstale_alrm = "8d"\n',
            'hubs.ZZ.items."tracs/dybaux".stale_alrm',
            ["stale_alarm", "stale_warn"],
        ),
        (HUB + 'hots = "sdu.example.org"\n', "nodes.SDU.hots", ["host", "port", "root", "user"]),
        ("[store]\npath = 'x'\n", "store.path", ["url"]),
    ],
    ids=["top-level", "defaults", "hub", "item", "node", "store"],
)
def test_an_unknown_key_names_the_file_the_key_and_the_allowed_keys(
    tmp_path: Path, text: str, key: str, allowed: list[str]
) -> None:
    e = refused(tmp_path, text)
    assert e.key == key
    assert f"unknown key {key.rsplit('.', 1)[-1]!r}" in e.problem
    assert "allowed:" in e.problem
    for k in allowed:
        assert k in e.problem.split("allowed:")[1]


def test_an_item_table_does_not_allow_hub_keys(tmp_path: Path) -> None:
    e = refused(tmp_path, HUB + '\n[hubs.ZZ.items."svn/dybsvn"]\nsrvnode = "x"\n')
    assert e.key == 'hubs.ZZ.items."svn/dybsvn".srvnode'
    assert "srvnode" not in e.problem.split("allowed:")[1]


def test_a_bad_duration_says_how_durations_are_written(tmp_path: Path) -> None:
    e = refused(tmp_path, '[defaults]\nstale_warn = "soon"\n')
    assert e.key == "defaults.stale_warn"
    assert "'soon'" in e.problem and '"26h"' in e.problem


def test_a_bad_duration_for_a_hub_names_the_hubs_key(tmp_path: Path) -> None:
    e = refused(tmp_path, HUB.replace('nodes = ["SDU"]', 'nodes = ["SDU"]\nstale_alarm = "3 days"'))
    assert e.key == "hubs.ZZ.stale_alarm"
    assert '"8d"' in e.problem


def test_a_bad_timezone_says_what_a_timezone_looks_like(tmp_path: Path) -> None:
    e = refused(tmp_path, '[defaults]\ntimezone = "Mars/Olympus"\n')
    assert e.key == "defaults.timezone"
    assert "Mars/Olympus" in e.problem and "Asia/Shanghai" in e.problem


def test_a_hubs_node_that_is_not_defined_says_to_add_it(tmp_path: Path) -> None:
    e = refused(tmp_path, '[hubs.ZZ]\nsrvnode = "dayabay"\nnodes = ["SDU"]\n\n[nodes.IHEP]\n')
    assert e.key == "hubs.ZZ.nodes"
    assert "'SDU' is not defined" in e.problem
    assert "add a [nodes.SDU] table" in e.problem
    assert "IHEP" in e.problem


def test_an_undefined_node_with_a_port_in_its_tag_is_quoted_in_the_advice(tmp_path: Path) -> None:
    e = refused(tmp_path, '[hubs.G]\nsrvnode = "g"\nnodes = ["Z9:229"]\n')
    assert '[nodes."Z9:229"]' in e.problem


def test_a_hubs_source_that_is_not_defined_says_to_add_it(tmp_path: Path) -> None:
    e = refused(tmp_path, HUB.replace('nodes = ["SDU"]', 'nodes = ["SDU"]\nsource = "local"'))
    assert e.key == "hubs.ZZ.source"
    assert "'local' is not defined" in e.problem and "[nodes.local]" in e.problem


def test_a_hub_without_srvnode_says_the_key_is_required_and_what_it_is(tmp_path: Path) -> None:
    e = refused(tmp_path, HUB.replace('srvnode = "dayabay"\n', ""))
    assert e.key == "hubs.ZZ.srvnode"
    assert "required" in e.problem
    assert "folder name" in e.problem


def test_a_select_entry_that_is_not_category_slash_name_is_refused(tmp_path: Path) -> None:
    e = refused(
        tmp_path, HUB.replace('nodes = ["SDU"]', 'nodes = ["SDU"]\nselect = ["svn/dybsvn", "dybaux"]')
    )
    assert e.key == "hubs.ZZ.select"
    assert '"category/name"' in e.problem and "'dybaux'" in e.problem


def test_an_item_table_not_keyed_category_slash_name_is_refused(tmp_path: Path) -> None:
    e = refused(tmp_path, HUB + "\n[hubs.ZZ.items.dybaux]\nstale_alarm = '8d'\n")
    assert e.key is not None and e.key.startswith("hubs.ZZ.items")
    assert '"category/name"' in e.problem


@pytest.mark.parametrize("table", ["defaults", "hubs.ZZ"])
def test_keep_max_zero_is_refused_saying_the_least_allowed(tmp_path: Path, table: str) -> None:
    text = (
        HUB + "[defaults]\nkeep_max = 0\n"
        if table == "defaults"
        else HUB.replace("nodes =", "keep_max = 0\nnodes =")
    )
    e = refused(tmp_path, text)
    assert e.key == f"{table}.keep_max"
    assert "greater than or equal to 1" in e.problem and "got 0" in e.problem


def test_verify_sha1_is_refused_naming_size_and_md5(tmp_path: Path) -> None:
    e = refused(tmp_path, '[defaults]\nverify = "sha1"\n')
    assert e.key == "defaults.verify"
    assert "'size'" in e.problem and "'md5'" in e.problem and "sha1" in e.problem


def test_invalid_toml_says_where_in_the_file(tmp_path: Path) -> None:
    e = refused(tmp_path, '[defaults]\ntimezone = "UTC"\nstale_warn "26h"\n')
    assert e.key is None
    assert "not valid TOML" in e.problem
    assert "line 3" in e.problem


def test_a_file_that_is_not_utf8_is_refused_naming_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "tarwatch.toml"
    path.write_bytes('[hubs.ZZ]\nsrvnode = "caf\xe9"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as e:
        load_toml(path)
    assert e.value.file == str(path)
    assert "not UTF-8" in e.value.problem
    assert "byte 24" in e.value.problem  # the first byte of the second line is byte 10


def test_a_file_that_cannot_be_read_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        load_toml(tmp_path)  # a folder
    assert e.value.file == str(tmp_path)
    assert "cannot read" in e.value.problem


def test_more_than_one_problem_says_how_many_more(tmp_path: Path) -> None:
    e = refused(tmp_path, '[defaults]\nstale_warn = "soon"\nverify = "sha1"\n')
    assert "(and 1 more problem)" in e.problem


# -- thresholds -----------------------------------------------------------------------------


def test_thresholds_merge_defaults_then_hub_then_item() -> None:
    c = validate(
        {
            "defaults": {
                "stale_warn": "10h",
                "stale_alarm": "20h",
                "keep_max": 5,
                "timezone": "Asia/Shanghai",
            },
            "nodes": {"SDU": {}},
            "hubs": {
                "ZZ": {
                    "srvnode": "dayabay",
                    "nodes": ["SDU"],
                    "stale_alarm": "3d",
                    "verify": "md5",
                    "items": {"tracs/dybaux": {"stale_warn": "2d", "keep_max": 7}},
                },
                "C2": {"srvnode": "cms02", "nodes": ["SDU"]},
            },
        },
        "test",
    )
    item = c.thresholds("ZZ", "tracs/dybaux")
    assert item.stale_warn == timedelta(days=2)  # item
    assert item.stale_alarm == timedelta(days=3)  # hub
    assert item.keep_max == 7  # item over defaults
    assert item.verify == "md5"  # hub
    assert item.timezone == "Asia/Shanghai"  # defaults
    other = c.thresholds("ZZ", "svn/dybsvn")
    assert (other.stale_warn, other.stale_alarm, other.keep_max) == (
        timedelta(hours=10),
        timedelta(days=3),
        5,
    )
    assert c.thresholds("ZZ") == other
    plain = c.thresholds("C2", "tracs/dybaux")
    assert (plain.stale_warn, plain.stale_alarm, plain.verify) == (
        timedelta(hours=10),
        timedelta(hours=20),
        "size",
    )
    assert c.thresholds("C2").shrink_warn == 0.2  # built-in default


# -- ssh destinations -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "node", "want"),
    [
        ("SDU", Node(), ("SDU", None, None)),
        ("Z9:229", Node(), ("Z9", 229, None)),
        ("C", Node(host="user@host:2222"), ("host", 2222, "user")),
        ("C", Node(host="blyth@C"), ("C", None, "blyth")),
        ("v6", Node(host="[::1]:22"), ("::1", 22, None)),
        ("v6", Node(host="dyb@[::1]:2200"), ("::1", 2200, "dyb")),
        ("v6", Node(host="[::1]"), ("::1", None, None)),
        ("Z9:229", Node(port=2222, user="dyb"), ("Z9", 2222, "dyb")),
        ("C", Node(host="user@host:2222", port=22, user="blyth"), ("host", 22, "blyth")),
        ("C", Node(host="sdu.example.org", port=2222), ("sdu.example.org", 2222, None)),
    ],
)
def test_ssh_destinations_give_host_port_and_user(tag: str, node: Node, want: tuple) -> None:
    assert ssh_destination(tag, node) == want


@pytest.mark.parametrize("address", ["::1", "fe80::1", "2001:db8::22"])
def test_a_bare_ipv6_address_is_a_host_without_a_port(address: str) -> None:
    assert ssh_destination("v6", Node(host=address)) == (address, None, None)


# -- finding the file -----------------------------------------------------------------------


@pytest.fixture
def dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """An empty working folder and an empty XDG config home."""
    work, xdg = tmp_path / "work", tmp_path / "xdg"
    work.mkdir()
    xdg.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(xdg))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return work, xdg


def test_an_explicit_config_file_that_does_not_exist_is_an_error(dirs: tuple[Path, Path]) -> None:
    work, _xdg = dirs
    (work / "tarwatch.toml").write_text("")
    with pytest.raises(ConfigError) as e:
        find_config_file(work / "nope.toml")
    assert e.value.file == str(work / "nope.toml")
    assert "no such file" in e.value.problem


def test_an_explicit_config_file_is_used_before_any_other(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    work, _xdg = dirs
    (work / "tarwatch.toml").write_text("")
    mine = write(tmp_path, "", "mine.toml")
    assert find_config_file(mine) == mine
    assert find_config_file(str(mine)) == mine


def test_tarwatch_toml_in_the_working_folder_is_found_first(dirs: tuple[Path, Path]) -> None:
    work, xdg = dirs
    (xdg / "tarwatch").mkdir()
    (xdg / "tarwatch" / "tarwatch.toml").write_text("")
    (work / "tarwatch.toml").write_text("")
    assert find_config_file() == work / "tarwatch.toml"


def test_then_the_one_in_xdg_config_home(dirs: tuple[Path, Path]) -> None:
    _work, xdg = dirs
    (xdg / "tarwatch").mkdir()
    (xdg / "tarwatch" / "tarwatch.toml").write_text("")
    assert find_config_file() == xdg / "tarwatch" / "tarwatch.toml"


def test_without_xdg_config_home_the_one_in_home_dot_config(
    dirs: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME")
    conf = tmp_path / "home" / ".config" / "tarwatch"
    conf.mkdir(parents=True)
    (conf / "tarwatch.toml").write_text("")
    assert find_config_file() == conf / "tarwatch.toml"


def test_with_no_file_anywhere_the_built_in_defaults_are_used(dirs: tuple[Path, Path]) -> None:
    assert find_config_file() is None
    config, source = load_config()
    assert config == Config()
    assert "built-in defaults" in source


def test_load_config_says_which_file_it_read(dirs: tuple[Path, Path]) -> None:
    work, _xdg = dirs
    (work / "tarwatch.toml").write_text(HUB)
    config, source = load_config()
    assert list(config.hubs) == ["ZZ"]
    assert source == str(work / "tarwatch.toml")


def test_the_smtp_password_is_a_secret_shown_masked_and_still_usable() -> None:
    from pydantic import SecretStr

    from tarwatch.notify.channels import mail_url
    from tarwatch.redact import redact_config

    config = validate({"notify": {"mail": {"smtp_user": "tw", "smtp_password": "hunter22"}}}, "test")
    secret = config.notify.mail.smtp_password
    assert isinstance(secret, SecretStr) and secret.get_secret_value() == "hunter22"
    assert "hunter22" not in repr(config) and "hunter22" not in str(config)
    shown = redact_config(config.model_dump(mode="json", exclude_none=True))
    assert shown["notify"]["mail"]["smtp_password"] == "***"
    assert "tw:hunter22@" in mail_url(config.notify.mail, "ops@example.org")
