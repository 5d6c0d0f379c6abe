"""The legacy pair ~/.scm_monitor.cnf + ~/.libfab.cnf: reading, loading one hub, TOML import."""

from __future__ import annotations

import logging
import shutil
import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tarwatch.config.legacy import (
    MISSING,
    import_legacy,
    legacy_timezone,
    load_legacy,
    machine_timezone,
    read_legacy,
    store_beside,
)
from tarwatch.config.load import load_config
from tarwatch.config.models import ssh_destination
from tarwatch.config.toml import to_toml
from tarwatch.config.validate import validate
from tarwatch.errors import ConfigError

HERE = Path(__file__).resolve()
REPO_FIXTURES = HERE.parents[2] / "fixtures" / "legacy"
SHARED_FIXTURES = HERE.parents[3] / ".." / "shared" / "fixtures"
NAMES = ("scm_monitor.cnf", "libfab.cnf")

ENV = {"LOCAL_BASE": "/opt/local", "APACHE_HTDOCS": "/var/www/html", "HOME": "/home/blyth"}


def fixture(name: str) -> Path:
    """Return a fixture file: the repo's copy first, then the shared folder."""
    for folder in (REPO_FIXTURES, SHARED_FIXTURES):
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"fixture {name} not found in {REPO_FIXTURES} or {SHARED_FIXTURES}")


@pytest.fixture
def seed() -> tuple[Path, Path]:
    return fixture("scm_monitor.cnf"), fixture("libfab.cnf")


@pytest.fixture
def seed_data(seed: tuple[Path, Path]) -> tuple[dict[str, Any], list[str]]:
    return read_legacy(*seed, environ=ENV)


def write_pair(tmp_path: Path, scm_monitor: str, libfab: str) -> tuple[Path, Path]:
    scm, fab = tmp_path / "scm_monitor.cnf", tmp_path / "libfab.cnf"
    scm.write_text(scm_monitor, encoding="utf-8")
    fab.write_text(libfab, encoding="utf-8")
    return scm, fab


def home_with_seed(tmp_path: Path, seed: tuple[Path, Path]) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(seed[0], home / ".scm_monitor.cnf")
    shutil.copy(seed[1], home / ".libfab.cnf")
    return home


ZZ_ONLY = """\
[ZZ]
srvnode = dayabay
select = svn/dybsvn
"""


# -- the fixtures ---------------------------------------------------------------------------


def test_repo_copies_of_the_fixtures_match_the_shared_ones() -> None:
    for name in NAMES:
        shared = SHARED_FIXTURES / name
        if not shared.is_file():
            pytest.skip("shared fixtures not laid out beside the repo")
        assert (REPO_FIXTURES / name).read_bytes() == shared.read_bytes()


# -- reading the seed pair ------------------------------------------------------------------


def test_seed_hub_zz(seed_data: tuple[dict[str, Any], list[str]]) -> None:
    data, _notes = seed_data
    zz = data["hubs"]["ZZ"]
    assert zz["srvnode"] == "dayabay"
    assert zz["nodes"] == ["SDU"]
    assert zz["select"] == ["svn/dybsvn", "tracs/dybsvn", "svn/dybaux", "tracs/dybaux"]
    assert zz["jspath"] == "/var/www/html/data/scm_backup_monitor_{node}.json"
    assert zz["url"] == "http://dayabay.ihep.ac.cn:8080/e/scm/monitor/dayabay/"
    assert "email" not in zz
    assert data["store"] == {"url": "sqlite:////opt/local/env/scm/tarwatch.db"}


def test_seed_hub_ww(seed_data: tuple[dict[str, Any], list[str]]) -> None:
    data, _notes = seed_data
    ww = data["hubs"]["WW"]
    assert ww["srvnode"] == "cms02"
    assert ww["nodes"] == ["C"]
    assert ww["description"] == (
        "query the cms02 hub backup on cms01, as I do not have access to the SDU one "
    )
    assert ww["jspath"] == "/home/blyth/local/nginx/html/data/scm_backup_monitor_{node}.json"
    assert ww["url"] == "http://dayabay.ihep.ac.cn:8080/e/scm/monitor/cms02/"
    assert len(ww["select"]) == 8


def test_seed_hubs_without_a_section_are_skipped_with_a_note(
    seed_data: tuple[dict[str, Any], list[str]],
) -> None:
    data, notes = seed_data
    assert list(data["hubs"]) == ["ZZ", "WW"]
    assert data["nodes"] == {"SDU": {"host": "SDU"}, "C": {"host": "C"}}
    assert "Z9:229" not in data["nodes"]
    assert any("hub G:" in n and "skipped" in n for n in notes)
    assert any("hub C2:" in n and "skipped" in n for n in notes)


def test_seed_env_timeout(seed_data: tuple[dict[str, Any], list[str]]) -> None:
    data, _notes = seed_data
    assert data["defaults"] == {"timeout": "2s"}
    assert validate(data, "seed").defaults.timeout == timedelta(seconds=2)


def test_seed_validates(seed_data: tuple[dict[str, Any], list[str]]) -> None:
    config = validate(seed_data[0], "seed")
    assert config.hubs["ZZ"].nodes == ["SDU"]
    assert config.store.url == "sqlite:////opt/local/env/scm/tarwatch.db"
    assert config.nodes["SDU"].root == "$SCM_FOLD/backup/{srvnode}"


def test_environ_defaults_to_os_environ(seed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in ENV.items():
        monkeypatch.setenv(k, v)
    data, _notes = read_legacy(*seed)
    assert data == read_legacy(*seed, environ=ENV)[0]


# -- import ---------------------------------------------------------------------------------


def test_import_parses_and_validates(tmp_path: Path, seed: tuple[Path, Path]) -> None:
    (tmp_path / "timezone").write_text("UTC\n")
    text = import_legacy(*seed, environ=ENV, etc=tmp_path)
    parsed = tomllib.loads(text)
    assert parsed["defaults"].pop("timezone") == "UTC"
    assert parsed == read_legacy(*seed, environ=ENV)[0]
    validate(parsed, "imported")
    header = text.splitlines()[0]
    assert header.startswith("# ") and str(seed[0]) in header and str(seed[1]) in header
    assert any(line.startswith("# hub G:") for line in text.splitlines())


def test_import_refuses_an_unset_variable_naming_the_key(seed: tuple[Path, Path]) -> None:
    with pytest.raises(ConfigError) as e:
        import_legacy(*seed, environ={"APACHE_HTDOCS": "/www", "HOME": "/h"})
    assert e.value.key == "ZZ.dbpath"
    assert "$LOCAL_BASE" in e.value.problem and "not set" in e.value.problem


def test_import_expands_the_variables_that_are_set(seed: tuple[Path, Path]) -> None:
    text = import_legacy(*seed, environ=ENV)
    assert "$" not in "".join(line for line in text.splitlines() if not line.startswith("#"))


def test_the_old_dbpath_is_never_the_store(seed: tuple[Path, Path]) -> None:
    """tarwatch keeps its own store beside the original system's SQLite file, and says so."""
    text = import_legacy(*seed, environ=ENV)
    parsed = tomllib.loads(text)
    assert parsed["store"]["url"] == "sqlite:////opt/local/env/scm/tarwatch.db"
    notes = [line for line in text.splitlines() if line.startswith("#")]
    assert sum("/opt/local/env/scm/scm_backup_monitor.db" in n and "never writes" in n for n in notes) == 1


def test_an_old_file_named_tarwatch_db_keeps_its_name_to_itself() -> None:
    assert store_beside("/srv/tarwatch.db") == "/srv/tarwatch-store.db"
    assert store_beside("/srv/monitor.db") == "/srv/tarwatch.db"


def test_import_sets_the_machines_timezone(tmp_path: Path, seed: tuple[Path, Path]) -> None:
    (tmp_path / "timezone").write_text("Asia/Shanghai\n")
    parsed = tomllib.loads(import_legacy(*seed, environ=ENV, etc=tmp_path))
    assert parsed["defaults"]["timezone"] == "Asia/Shanghai"


def test_the_timezone_from_the_localtime_link(tmp_path: Path) -> None:
    (tmp_path / "localtime").symlink_to("/usr/share/zoneinfo/Europe/Paris")
    assert machine_timezone(tmp_path) == ("Europe/Paris", f"the {tmp_path / 'localtime'} link")
    (tmp_path / "timezone").write_text("Not/AZone\n")
    assert machine_timezone(tmp_path) == ("Europe/Paris", f"the {tmp_path / 'localtime'} link")
    (tmp_path / "timezone").write_text("Asia/Shanghai\n")
    assert machine_timezone(tmp_path) == ("Asia/Shanghai", str(tmp_path / "timezone"))


def test_import_says_which_timezone_it_took_and_where_from(tmp_path: Path, seed: tuple[Path, Path]) -> None:
    (tmp_path / "localtime").symlink_to("/usr/share/zoneinfo/Europe/Paris")
    text = import_legacy(*seed, environ=ENV, etc=tmp_path)
    line = (
        f"# defaults.timezone 'Europe/Paris' is this machine's time zone (the {tmp_path / 'localtime'} link)"
    )
    assert f"{line}; check it" in text.splitlines()


@pytest.mark.parametrize("etc_zone", ["Asia/Shanghai", "America/New_York", None])
def test_load_legacy_takes_the_timezone_as_import_does(
    tmp_path: Path, seed: tuple[Path, Path], etc_zone: str | None
) -> None:
    """--legacy at run time reads the dated folders in the zone `config import` would write."""
    etc = tmp_path / "etc"
    etc.mkdir()
    if etc_zone is not None:
        (etc / "timezone").write_text(f"{etc_zone}\n")
    config, _source = load_legacy("ZZ", home=home_with_seed(tmp_path, seed), environ=ENV, etc=etc)
    imported = tomllib.loads(import_legacy(*seed, environ=ENV, etc=etc))
    assert config.defaults.timezone == imported.get("defaults", {}).get("timezone", "UTC")
    assert config.defaults.timezone == (etc_zone or "UTC")
    zone, note = legacy_timezone(etc)
    assert zone == etc_zone
    assert note.startswith(f"defaults.timezone {etc_zone or 'UTC'!r}")
    assert ("names no time zone" in note) == (etc_zone is None)


def test_import_says_the_timezone_must_be_set_when_the_machine_names_none(
    tmp_path: Path, seed: tuple[Path, Path]
) -> None:
    text = import_legacy(*seed, environ=ENV, etc=tmp_path)
    assert text.splitlines()[1].startswith("# NOT VALID YET: set defaults.timezone") or any(
        line.startswith("# NOT VALID YET: set defaults.timezone") for line in text.splitlines()[:5]
    )
    assert "timezone" not in tomllib.loads(text).get("defaults", {})


def test_import_says_when_the_result_does_not_validate(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, "[ZZ]\nsrvnode = dayabay\nselect = not-an-item\n", "")
    text = import_legacy(scm, fab, environ={})
    assert "# NOT VALID YET" in text
    assert "hubs.ZZ.select" in text
    tomllib.loads(text)


# -- load_legacy ----------------------------------------------------------------------------


def test_load_legacy_keeps_one_hub_and_its_nodes(tmp_path: Path, seed: tuple[Path, Path]) -> None:
    home = home_with_seed(tmp_path, seed)
    config, source = load_legacy("ZZ", home=home, environ=ENV)
    assert list(config.hubs) == ["ZZ"]
    assert list(config.nodes) == ["SDU"]
    assert config.hubs["ZZ"].srvnode == "dayabay"
    assert config.defaults.timeout == timedelta(seconds=2)
    assert ".scm_monitor.cnf" in source and ".libfab.cnf" in source and "ZZ" in source


def test_load_legacy_ignores_unset_variables_of_other_hubs(tmp_path: Path, seed: tuple[Path, Path]) -> None:
    home = home_with_seed(tmp_path, seed)
    config, _source = load_legacy("WW", home=home, environ={"LOCAL_BASE": "/l", "HOME": "/h"})
    assert list(config.nodes) == ["C"]
    assert config.hubs["WW"].jspath == "/h/local/nginx/html/data/scm_backup_monitor_{node}.json"


def test_load_legacy_unknown_hub(tmp_path: Path, seed: tuple[Path, Path]) -> None:
    home = home_with_seed(tmp_path, seed)
    with pytest.raises(ConfigError) as e:
        load_legacy("G", home=home, environ=ENV)
    assert e.value.file == str(home / ".scm_monitor.cnf")
    assert e.value.key is None
    assert e.value.problem == "no section [G]; sections: ZZ, WW"


def test_load_legacy_unset_variable_names_it_and_the_key(tmp_path: Path, seed: tuple[Path, Path]) -> None:
    home = home_with_seed(tmp_path, seed)
    with pytest.raises(ConfigError) as e:
        load_legacy("ZZ", home=home, environ={"APACHE_HTDOCS": "/www"})
    assert e.value.file == str(home / ".scm_monitor.cnf")
    assert e.value.key == "ZZ.dbpath"
    assert (
        e.value.problem
        == "environment variable $LOCAL_BASE is not set; set it (export LOCAL_BASE=...) and run again"
    )
    assert "$LOCAL_BASE" in str(e.value) and "ZZ.dbpath" in str(e.value)


def test_read_legacy_unset_variable_is_an_error(seed: tuple[Path, Path]) -> None:
    with pytest.raises(ConfigError) as e:
        read_legacy(*seed, environ={"LOCAL_BASE": "/l", "HOME": "/h"})
    assert e.value.key == "ZZ.jspath"
    assert "$APACHE_HTDOCS" in e.value.problem


def test_load_legacy_missing_file(tmp_path: Path) -> None:
    (tmp_path / ".scm_monitor.cnf").write_text(ZZ_ONLY)
    with pytest.raises(ConfigError) as e:
        load_legacy("ZZ", home=tmp_path, environ={})
    assert e.value.file == str(tmp_path / ".libfab.cnf")
    assert e.value.problem == MISSING


def test_load_config_legacy_reads_the_home_folder(
    tmp_path: Path, seed: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = home_with_seed(tmp_path, seed)
    monkeypatch.setenv("HOME", str(home))
    for k in ("LOCAL_BASE", "APACHE_HTDOCS"):
        monkeypatch.setenv(k, ENV[k])
    config, source = load_config(legacy="ZZ")
    assert list(config.hubs) == ["ZZ"]
    assert str(home) in source


# -- errors ---------------------------------------------------------------------------------


def test_missing_scm_monitor(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as e:
        read_legacy(tmp_path / "nope.cnf", tmp_path / "libfab.cnf", environ={})
    assert e.value.file == str(tmp_path / "nope.cnf")
    assert e.value.key is None
    assert e.value.problem == MISSING


def test_ini_parse_error_names_the_file(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, "srvnode = dayabay\n", "")
    with pytest.raises(ConfigError) as e:
        read_legacy(scm, fab, environ={})
    assert e.value.file == str(scm)
    assert "section header" in e.value.problem


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, "[ZZ]\nsrvnode = a\nSrvNode = b\n", "")
    with pytest.raises(ConfigError) as e:
        read_legacy(scm, fab, environ={})
    assert e.value.key == "ZZ.SrvNode"
    assert "case-insensitive" in e.value.problem


def test_missing_srvnode(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, "[ZZ]\nselect = svn/x\n", "[HUB]\nZZ = SDU\n")
    with pytest.raises(ConfigError) as e:
        read_legacy(scm, fab, environ={})
    assert e.value.key == "ZZ.srvnode"


def test_bad_timeout(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, ZZ_ONLY, "[ENV]\ntimeout = soon\n")
    with pytest.raises(ConfigError) as e:
        read_legacy(scm, fab, environ={})
    assert (e.value.file, e.value.key) == (str(fab), "ENV.timeout")


# -- the rules, one by one ------------------------------------------------------------------


def test_per_host_section(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    scm, fab = write_pair(
        tmp_path,
        ZZ_ONLY,
        "[HUB]\nZZ = SDU H1\n\n"
        "[SDU]\nhostname = sdu.example.edu.cn\nuser = dyb\nport = 2222\n"
        "scm_fold = /raid4/dybsdu/dybbackup/var/scm/\ncolour = blue\n\n"
        "[H1]\nhost = h1.example.org\nroot = /data/%(srvnode)s\n",
    )
    with caplog.at_level(logging.WARNING, logger="tarwatch.config.legacy"):
        data, notes = read_legacy(scm, fab, environ={})
    assert data["nodes"]["SDU"] == {
        "host": "sdu.example.edu.cn",
        "user": "dyb",
        "port": 2222,
        "root": "/raid4/dybsdu/dybbackup/var/scm/backup/{srvnode}",
    }
    assert data["nodes"]["H1"] == {"host": "h1.example.org", "root": "/data/{srvnode}"}
    assert any("colour" in r.getMessage() for r in caplog.records)
    assert any("colour" in n for n in notes)
    config = validate(data, "test")
    assert ssh_destination("SDU", config.nodes["SDU"]) == ("sdu.example.edu.cn", 2222, "dyb")


def test_bad_port_in_per_host_section(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, ZZ_ONLY, "[HUB]\nZZ = SDU\n[SDU]\nport = ssh\n")
    with pytest.raises(ConfigError) as e:
        read_legacy(scm, fab, environ={})
    assert (e.value.file, e.value.key) == (str(fab), "SDU.port")


def test_host_port_tag(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, ZZ_ONLY, "[HUB]\nZZ = Z9:229 SDU\n")
    data, _notes = read_legacy(scm, fab, environ={})
    assert data["hubs"]["ZZ"]["nodes"] == ["Z9:229", "SDU"]
    assert data["nodes"]["Z9:229"] == {"host": "Z9", "port": 229}
    config = validate(data, "test")
    assert ssh_destination("Z9:229", config.nodes["Z9:229"]) == ("Z9", 229, None)
    text = to_toml(data)
    assert '[nodes."Z9:229"]' in text
    assert tomllib.loads(text) == data


def test_host_port_tag_with_a_section_for_the_host(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, ZZ_ONLY, "[HUB]\nZZ = Z9:229\n[Z9]\nuser = blyth\n")
    data, _notes = read_legacy(scm, fab, environ={})
    assert data["nodes"]["Z9:229"] == {"host": "Z9", "port": 229, "user": "blyth"}


def test_email_becomes_a_list(tmp_path: Path) -> None:
    scm, fab = write_pair(
        tmp_path,
        ZZ_ONLY + "email = blyth@hep1.phys.ntu.edu.tw, ops@ihep.ac.cn  a@b.org\n",
        "[HUB]\nZZ = SDU\n",
    )
    data, _notes = read_legacy(scm, fab, environ={})
    assert data["hubs"]["ZZ"]["email"] == [
        "blyth@hep1.phys.ntu.edu.tw",
        "ops@ihep.ac.cn",
        "a@b.org",
    ]
    validate(data, "test")


def test_hub_not_in_hub_section_gets_no_nodes(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, ZZ_ONLY, "[HUB]\nWW = C\n")
    data, notes = read_legacy(scm, fab, environ={})
    assert data["hubs"]["ZZ"]["nodes"] == []
    assert data["nodes"] == {}
    assert any("hub ZZ:" in n and "no nodes" in n for n in notes)


def test_keys_and_hub_tags_are_case_insensitive(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, "[ZZ]\nSrvNode = dayabay\nSELECT = a/b\n", "[hub]\n")
    # section names are case-sensitive, as in configparser: [hub] is not [HUB]
    assert read_legacy(scm, fab, environ={})[0]["hubs"]["ZZ"]["nodes"] == []
    fab.write_text("[HUB]\nzz = SDU\n")
    data, _notes = read_legacy(scm, fab, environ={})
    assert data["hubs"]["ZZ"] == {"srvnode": "dayabay", "nodes": ["SDU"], "select": ["a/b"]}


def test_different_dbpaths_keep_the_first(tmp_path: Path) -> None:
    scm, fab = write_pair(
        tmp_path,
        "[A]\nsrvnode = a\ndbpath = ${BASE}/one/m.db\n\n"
        "[B]\nsrvnode = b\ndbpath = $BASE/two/m.db\n\n"
        "[C]\nsrvnode = c\ndbpath = /srv/one/m.db\n",
        "[HUB]\nA = N\nB = N\nC = N\n",
    )
    data, notes = read_legacy(scm, fab, environ={"BASE": "/srv"})
    assert data["store"] == {"url": "sqlite:////srv/one/tarwatch.db"}
    assert [n for n in notes if "unlike" in n] == [
        "hub B: dbpath gives sqlite:////srv/two/tarwatch.db, unlike hub A; tarwatch keeps one store "
        "for all hubs, so sqlite:////srv/one/tarwatch.db is used"
    ]


def test_relative_dbpath_is_made_absolute_beside_the_file(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, ZZ_ONLY + "dbpath = db/monitor.db\n", "")
    data, _notes = read_legacy(scm, fab, environ={})
    assert data["store"]["url"] == f"sqlite:///{tmp_path}/db/tarwatch.db"


def test_interpolation(tmp_path: Path) -> None:
    scm, fab = write_pair(
        tmp_path,
        "[ZZ]\nsrvnode = dayabay\nsite = http://x/%(srvnode)s\n"
        "reporturl = %(site)s/100%%/%(NODE)s\njspath = /j/%(node)s.json ; a comment\n",
        "[HUB]\nZZ = SDU\n",
    )
    data, _notes = read_legacy(scm, fab, environ={})
    assert data["hubs"]["ZZ"]["url"] == "http://x/dayabay/100%/{node}"
    assert data["hubs"]["ZZ"]["jspath"] == "/j/{node}.json"


def test_unknown_interpolation(tmp_path: Path) -> None:
    scm, fab = write_pair(tmp_path, ZZ_ONLY + "reporturl = http://x/%(where)s/\n", "")
    with pytest.raises(ConfigError) as e:
        read_legacy(scm, fab, environ={})
    assert e.value.key == "ZZ.reporturl"
    assert "%(where)s" in e.value.problem
    text = import_legacy(scm, fab, environ={})
    assert tomllib.loads(text)["hubs"]["ZZ"]["url"] == "http://x/%(where)s/"
    assert "%(where)s" in text.split("[hubs.ZZ]")[0]


def test_timeout_forms(tmp_path: Path) -> None:
    for given_, expected in (("2", "2s"), ("0.5", "0.5s"), ("1m", "1m"), ('"30"', "30s")):
        scm, fab = write_pair(tmp_path, ZZ_ONLY, f"[ENV]\ntimeout = {given_}\n")
        assert read_legacy(scm, fab, environ={})[0]["defaults"] == {"timeout": expected}
