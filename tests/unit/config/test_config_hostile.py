"""The configuration refuses, with one ConfigError naming the file, the key and what is
allowed: node and hub tags that would name files outside their folders (".", "..", "/", NUL,
control characters), in the TOML file and in the legacy pair's [HUB]; durations beyond 100
years at every duration key; keep_min above keep_max and stale_warn above stale_alarm as they
are in effect (defaults, hub, item); and a configuration path that is a folder."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from tarwatch.cli import cli
from tarwatch.config.legacy import read_legacy
from tarwatch.config.load import find_config_file, load_config, load_toml
from tarwatch.config.models import Defaults, Node
from tarwatch.errors import ConfigError

HUB = '[hubs.ZZ]\nsrvnode = "dayabay"\nnodes = ["A"]\n\n[nodes.A]\n'


def load(tmp_path: Path, text: str) -> ConfigError:
    p = tmp_path / "tarwatch.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_toml(p)
    assert e.value.file == str(p)
    return e.value


def toml_string(s: str) -> str:
    return '"' + "".join(f"\\u{ord(c):04X}" if ord(c) < 0x20 or c in '"\\' else c for c in s) + '"'


# -- tags ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tag", [".", "..", "", "a/b", "../x", "nul\x00", "esc\x1b[31m", "new\nline", "tab\t"]
)
def test_a_node_tag_that_could_name_a_file_elsewhere_is_refused_naming_file_key_and_rule(
    tmp_path: Path, tag: str
) -> None:
    e = load(tmp_path, f"[nodes.{toml_string(tag)}]\n")
    assert e.key is not None and e.key.startswith("nodes.")
    assert 'any name but "." and ".."' in e.problem and "control characters" in e.problem
    assert "\x1b" not in str(e) and "\n" not in str(e) and "\x00" not in str(e)


@pytest.mark.parametrize("tag", [".", "..", "a/b", "esc\x1b", "x y"])
def test_a_hub_tag_outside_letters_digits_and_a_few_marks_is_refused_naming_the_key(
    tmp_path: Path, tag: str
) -> None:
    e = load(tmp_path, f'[hubs.{toml_string(tag)}]\nsrvnode = "x"\n')
    assert e.key is not None and e.key.startswith("hubs.")
    assert "letters, digits" in e.problem
    assert "\x1b" not in str(e)


def test_node_tags_as_the_legacy_pair_writes_them_are_fine(tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text('[nodes."Z9:229"]\n[nodes."blyth@C"]\n[nodes.H1]\n[nodes."é-ñ"]\n', encoding="utf-8")
    assert set(load_toml(p).nodes) == {"Z9:229", "blyth@C", "H1", "é-ñ"}


@pytest.mark.parametrize("item", ["../x", "a/..", "./b", "a/b\x1b"])
def test_items_with_dot_parts_or_control_characters_are_refused(tmp_path: Path, item: str) -> None:
    e = load(tmp_path, HUB.replace('nodes = ["A"]', f'nodes = ["A"]\nselect = [{toml_string(item)}]'))
    assert e.key == "hubs.ZZ.select"


@pytest.mark.parametrize("srvnode", [".", "..", "a/b", "x\x1b"])
def test_a_srvnode_that_is_not_one_folder_name_is_refused(tmp_path: Path, srvnode: str) -> None:
    e = load(tmp_path, HUB.replace('"dayabay"', toml_string(srvnode)))
    assert e.key == "hubs.ZZ.srvnode"


def legacy_pair(tmp_path: Path, hub_line: str) -> tuple[Path, Path]:
    scm = tmp_path / "scm_monitor.cnf"
    fab = tmp_path / "libfab.cnf"
    scm.write_text("[ZZ]\nsrvnode = dayabay\n", encoding="utf-8")
    fab.write_text(f"[HUB]\n{hub_line}\n", encoding="utf-8")
    return scm, fab


@pytest.mark.parametrize("hub_line", ["ZZ = C ..", "ZZ = .", "ZZ = C a/b", "ZZ = C x\x1by", "../ZZ = C"])
def test_the_legacy_hub_mapping_refuses_dot_tags_naming_the_file_and_key(
    tmp_path: Path, hub_line: str
) -> None:
    scm, fab = legacy_pair(tmp_path, hub_line)
    with pytest.raises(ConfigError) as e:
        read_legacy(scm, fab, {})
    assert e.value.file == str(fab)
    assert e.value.key is not None and e.value.key.startswith("HUB.")
    assert "\x1b" not in str(e.value)


def test_the_legacy_hub_mapping_keeps_host_port_tags(tmp_path: Path) -> None:
    scm, fab = legacy_pair(tmp_path, "ZZ = C Z9:229")
    data, _ = read_legacy(scm, fab, {})
    assert data["hubs"]["ZZ"]["nodes"] == ["C", "Z9:229"]


# -- durations -----------------------------------------------------------------------------

DURATION_KEYS = [k for k, f in Defaults.model_fields.items() if f.annotation is timedelta]
HUGE = ['"9999999999d"', '"36526d"', '"' + "9" * 400 + 's"', "1e300", "inf", "nan", "99999999999999999999999"]


def test_every_duration_key_is_found() -> None:
    assert {"stale_warn", "stale_alarm", "timeout", "repeat", "hash_timeout"} <= set(DURATION_KEYS)
    assert Node.model_fields["timeout"].annotation is not timedelta  # optional: tested below


WHERE_DURATIONS = [("defaults", k) for k in DURATION_KEYS] + [
    (table, k) for table in ("hub", "item") for k in DURATION_KEYS if k != "timeout"
]
WHERE_DURATIONS.append(("node", "timeout"))


@pytest.mark.parametrize(("table", "key"), WHERE_DURATIONS)
@pytest.mark.parametrize("value", HUGE)
def test_a_duration_beyond_100_years_is_a_config_error_naming_the_key_and_range(
    tmp_path: Path, key: str, value: str, table: str
) -> None:
    text = {
        "defaults": f"[defaults]\n{key} = {value}\n\n{HUB}",
        "hub": HUB.replace('nodes = ["A"]', f'nodes = ["A"]\n{key} = {value}'),
        "item": f'{HUB}\n[hubs.ZZ.items."a/b"]\n{key} = {value}\n',
        "node": f"{HUB}{key} = {value}\n",
    }[table]
    e = load(tmp_path, text)
    assert e.key is not None and e.key.endswith(key)
    if value != "nan":
        assert "up to 100 years (36525d)" in e.problem


def test_one_hundred_years_is_still_a_duration(tmp_path: Path) -> None:
    p = tmp_path / "t.toml"
    p.write_text('[defaults]\ntimeout = "36525d"\nstale_alarm = "5217w"\n', encoding="utf-8")
    assert load_toml(p).defaults.timeout == timedelta(days=36525)


# -- thresholds that contradict each other -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key", "words"),
    [
        ("[defaults]\nkeep_min = 12\n", "defaults.keep_min", "keep_min (12, from defaults.keep_min)"),
        (
            '[defaults]\nstale_warn = "3d"\n',
            "defaults.stale_warn",
            "stale_alarm (50h, from defaults.stale_alarm)",
        ),
        (
            "[defaults]\nkeep_min = 5\n\n" + HUB.replace('nodes = ["A"]', 'nodes = ["A"]\nkeep_max = 3'),
            "hubs.ZZ.keep_max",
            "keep_min (5, from defaults.keep_min) is above keep_max (3, from hubs.ZZ.keep_max)",
        ),
        (
            HUB.replace('nodes = ["A"]', 'nodes = ["A"]\nstale_alarm = "1h"'),
            "hubs.ZZ.stale_alarm",
            "stale_warn (26h, from defaults.stale_warn) is above stale_alarm (1h, from hubs.ZZ.stale_alarm)",
        ),
        (
            HUB.replace('nodes = ["A"]', 'nodes = ["A"]\nkeep_max = 3')
            + '\n[hubs.ZZ.items."a/b"]\nkeep_min = 5\n',
            'hubs.ZZ.items."a/b".keep_min',
            "keep_max (3, from hubs.ZZ.keep_max)",
        ),
        (
            '[defaults]\nstale_alarm = "10h"\nstale_warn = "1h"\n\n'
            + f'{HUB}\n[hubs.ZZ.items."a/b"]\nstale_warn = "1d"\n',
            'hubs.ZZ.items."a/b".stale_warn',
            'stale_warn (1d, from hubs.ZZ.items."a/b".stale_warn) is above stale_alarm (10h, from defaults',
        ),
    ],
)
def test_thresholds_that_contradict_each_other_where_they_apply_are_refused_naming_where(
    tmp_path: Path, text: str, key: str, words: str
) -> None:
    e = load(tmp_path, text)
    assert e.key == key
    assert words in e.problem


def test_thresholds_that_agree_once_inherited_are_fine(tmp_path: Path) -> None:
    # the hub raises keep_max before its item raises keep_min; equal warn and alarm are fine
    text = HUB.replace('nodes = ["A"]', 'nodes = ["A"]\nkeep_max = 30\nstale_warn = "50h"')
    p = tmp_path / "t.toml"
    p.write_text(text + '\n[hubs.ZZ.items."a/b"]\nkeep_min = 20\n', encoding="utf-8")
    assert load_toml(p).thresholds("ZZ", "a/b").keep_min == 20


# -- a folder where the file should be -----------------------------------------------------


def test_a_config_path_that_is_a_folder_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        find_config_file(tmp_path)
    assert e.value.problem == "is a folder, not a configuration file"
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


def test_a_legacy_file_that_is_a_folder_says_so(tmp_path: Path) -> None:
    scm, _fab = legacy_pair(tmp_path, "ZZ = C")
    with pytest.raises(ConfigError, match="is a folder, not a configuration file"):
        read_legacy(scm, tmp_path, {})


def test_the_cli_says_a_config_folder_is_a_folder_in_one_line_with_status_2(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--config", str(tmp_path), "check"], catch_exceptions=False)
    assert r.exit_code == 2
    assert r.stderr.strip() == f"tarwatch: error: {tmp_path}: is a folder, not a configuration file"


# -- values of the wrong kind or size (found by tests/unit/test_fuzz_config.py) ---------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("[defaults]\ntimezone = 5\n", "defaults.timezone"),  # was a TypeError
        ('[defaults]\ntimezone = ["UTC"]\n', "defaults.timezone"),  # was a TypeError
        (f'[defaults]\ntimezone = "{"a" * 10000}"\n', "defaults.timezone"),  # was an OSError
        (f"{HUB}port = 1{'0' * 5000}\n", None),  # was a ValueError from tomllib
        ('[publish]\nout = "site\\u0000"\n', "publish.out"),
        ('[publish]\nurl = "https://x/\\n"\n', "publish.url"),
        ('[store]\nurl = "sqlite:///x\\u0000.db"\n', "store.url"),
        (f'{HUB}root = "/b\\u001b]0;x"\n', "nodes.A.root"),
        (f'{HUB}host = "a\\nb"\n', "nodes.A.host"),
        (HUB.replace('nodes = ["A"]', 'nodes = ["A"]\njspath = "/x/{node}\\u0000"'), "hubs.ZZ.jspath"),
    ],
    ids=[
        "tz int",
        "tz list",
        "tz long",
        "huge int",
        "out NUL",
        "url newline",
        "store NUL",
        "root",
        "host",
        "jspath",
    ],
)
def test_values_of_the_wrong_kind_or_size_are_one_config_error(
    tmp_path: Path, text: str, key: str | None
) -> None:
    e = load(tmp_path, text)
    assert e.key == key
    assert len(str(e)) < 400


def test_a_huge_integer_is_named_by_its_size_not_printed(tmp_path: Path) -> None:
    e = load(tmp_path, f"{HUB}port = {'9' * 4000}\n")
    assert e.key == "nodes.A.port" and "integer of about" in e.problem


def test_a_folder_named_tarwatch_toml_in_the_working_folder_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tarwatch.toml").mkdir()
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match="is a folder, not a configuration file"):
        find_config_file()
