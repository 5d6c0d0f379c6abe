"""`tarwatch check` on stored worlds, through the command line: a healthy site with --all, and
file names holding escape sequences, OSC titles, newlines and carriage returns, which reach
the terminal only escaped (table and nagios) and reach programs whole (json)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from support.listing import parse_listing
from tarwatch.cli import cli
from tarwatch.collect.snapshot import snapshot
from tarwatch.store import Store
from tarwatch.visible import visible

NOW = "2026-11-25T12:00:00"
NOW_T = datetime(2026, 11, 25, 12, tzinfo=UTC).timestamp()
ROOT = "/backup/dayabay"
# A control character a terminal acts on: C0 but tab, DEL, C1.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
HOSTILE = (
    "red\x1b[31mALARM\x1b[0m",
    "title\x1b]0;pwned\x07x",
    "new\nline",
    "carriage\rreturn",
    "csi\x9b2Jc1",
    "bidi\u202eevil",
)


def run(*args: str) -> Result:
    """Run tarwatch as on a terminal 300 columns wide (no names folded over lines)."""
    return CliRunner(env={"COLUMNS": "300"}).invoke(cli, list(args), catch_exceptions=False)


def world(tmp_path: Path, names: list[str], hours_old: float = 2, stale: tuple[str, ...] = ()) -> Path:
    """A hub ZZ with node SDU whose store holds one listing: 3 tarballs of svn/<name> per name,
    the newest `hours_old` old (60 hours for the names in `stale`)."""
    db = tmp_path / "tarwatch.db"
    cfg = tmp_path / "tarwatch.toml"
    cfg.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n\n[hubs.ZZ]\nsrvnode = "dayabay"\nnodes = ["SDU"]\n\n'
        '[nodes.SDU]\nhost = "sdu.example.org"\n',
        encoding="utf-8",
    )
    records = [f"R\t{ROOT}".encode()]
    for name in names:
        for days in (2, 1, 0):
            age = 60 if name in stale else hours_old
            when = datetime.fromtimestamp(NOW_T - age * 3600 - days * 86400, UTC)
            rel = f"svn/{name}/{when:%Y/%m/%d/%H%M%S}/{name}-{100 - days}.tar.gz"
            records.append(f"T\t1000\t{when.timestamp():.0f}\t{rel}".encode())
    records.append(b"E\t0")
    snap = snapshot(parse_listing(b"\0".join(records) + b"\0"), ZoneInfo("UTC"))
    store = Store.open(f"sqlite:///{db}")
    run_id = store.begin_run(NOW_T, "collect", ["ZZ"])
    store.record_poll(run_id, "ZZ", "SDU", NOW_T, ok=True, reason=None, duration=0.1, snap=snap)
    store.finish_run(run_id)
    return cfg


# -- defect: check --all on a healthy site ---------------------------------------------------


def test_check_all_on_a_healthy_site_lists_every_item_and_exits_0(tmp_path: Path) -> None:
    cfg = world(tmp_path, ["dybsvn", "env"])
    r = run("check", "--all", "--now", NOW, "--config", str(cfg))
    assert r.exit_code == 0, r.output
    assert "OK" in r.stdout
    assert "svn/dybsvn" in r.stdout and "svn/env" in r.stdout
    assert r.stderr == ""


def test_check_all_mixes_items_with_and_without_findings(tmp_path: Path) -> None:
    cfg = world(tmp_path, ["dybsvn", "old", "env"], stale=("old",))
    r = run("check", "--all", "--now", NOW, "--config", str(cfg))
    assert r.exit_code == 2, r.output
    rows = [line for line in r.stdout.splitlines() if "svn/" in line]
    assert len(rows) == 3  # one row per item, with or without findings
    assert any("svn/old" in line and "stale" in line for line in rows)


# -- defect: escape sequences in file names reach the terminal --------------------------------


@pytest.mark.parametrize("fmt", ["table", "nagios"])
def test_control_characters_in_names_are_shown_escaped_for_people(tmp_path: Path, fmt: str) -> None:
    cfg = world(tmp_path, list(HOSTILE), hours_old=60)  # stale: every item has a finding to show
    r = (
        run("check", "--format", fmt, "--all", "--now", NOW, "--config", str(cfg))
        if fmt == "table"
        else run("check", "--format", fmt, "--now", NOW, "--config", str(cfg))
    )
    assert r.exit_code == 2, r.output
    out = r.stdout
    assert not RAW_CONTROL.search(out), repr(out)
    assert "\u202e" not in out
    flat = out.replace("\n", "")  # the table folds long names over lines
    for name in ("red\\x1b[31mALARM\\x1b[0m", "title\\x1b]0;pwned\\x07x", "new\\nline", "carriage\\rreturn"):
        assert name in flat or name in out, name


def test_json_keeps_every_name_whole_and_prints_no_raw_control_characters(tmp_path: Path) -> None:
    cfg = world(tmp_path, list(HOSTILE), hours_old=60)
    r = run("check", "--format", "json", "--now", NOW, "--config", str(cfg))
    assert r.exit_code == 2, r.output
    assert not RAW_CONTROL.search(r.stdout.replace("\n", "")), repr(r.stdout)
    assert "\u202e" not in r.stdout
    doc = json.loads(r.stdout)
    items = {i["item"] for n in doc["hubs"][0]["nodes"] for i in n["items"]}
    assert items == {f"svn/{n}" for n in HOSTILE}


def test_visible_is_what_the_table_shows() -> None:
    assert visible("red\x1b[31m") == "red\\x1b[31m"


# -- config show prints what it reads back, and nothing a terminal acts on --------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_config_show_escapes_control_characters_and_reads_back_the_same(
    tmp_path: Path, as_json: bool
) -> None:
    import tomllib

    cfg = world(tmp_path, ["dybsvn"])
    note = "red \x1b[31m, title \x1b]0;x\x07, csi \x9b, rlo \u202e, nel \x85 end"
    text = cfg.read_text().replace('nodes = ["SDU"]\n', 'nodes = ["SDU"]\ndescription = "%s"\n')
    cfg.write_text(text % note.encode("unicode_escape").decode().replace("\\x", "\\u00"), encoding="utf-8")
    args = ["config", "show", "--config", str(cfg)] + (["--json"] if as_json else [])
    r = run(*args)
    assert r.exit_code == 0, r.output
    assert not RAW_CONTROL.search(r.stdout.replace("\n", "")) and "\u202e" not in r.stdout, repr(r.stdout)
    shown = json.loads(r.stdout) if as_json else tomllib.loads(r.stdout)
    assert shown["hubs"]["ZZ"]["description"] == note


# -- a tarball stamped in the future, through the store -------------------------------------


def test_a_folder_dated_2099_does_not_hide_a_four_month_old_item_read_from_the_store(tmp_path: Path) -> None:
    cfg = world(tmp_path, [])
    records = [f"R\t{ROOT}".encode()]
    for when in (
        datetime(2026, 7, 20, 2, tzinfo=UTC),
        datetime(2026, 7, 27, 2, tzinfo=UTC),
        datetime(2099, 1, 1),
    ):
        rel = f"svn/dybsvn/{when:%Y/%m/%d/%H%M%S}/dybsvn-1.tar.gz"
        records.append(f"T\t1000\t0\t{rel}".encode())
    records.append(b"E\t0")
    snap = snapshot(parse_listing(b"\0".join(records) + b"\0"), ZoneInfo("UTC"))
    store = Store.open(cfg.read_text().split('"')[1])
    run_id = store.begin_run(NOW_T, "collect", ["ZZ"])
    store.record_poll(run_id, "ZZ", "SDU", NOW_T, ok=True, reason=None, duration=0.1, snap=snap)
    r = run("check", "--format", "json", "--now", NOW, "--config", str(cfg))
    assert r.exit_code == 2, r.output  # alarm
    item = json.loads(r.stdout)["hubs"][0]["nodes"][0]["items"][0]
    found = {f["check"]: f for f in item["findings"]}
    assert found["stale"]["status"] == "alarm" and "121 days old" in found["stale"]["message"]
    assert found["future"]["status"] == "warn" and "2099/01/01" in found["future"]["message"]


@pytest.mark.parametrize(
    "now", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+05:00", "1969-12-31T23:59:59"]
)
def test_a_now_outside_the_accepted_years_is_a_usage_error_not_a_traceback(tmp_path: Path, now: str) -> None:
    cfg = world(tmp_path, ["dybsvn"])
    r = run("check", "--now", now, "--config", str(cfg))  # a traceback would raise here
    assert r.exit_code == 2
    assert "1970–2999" in r.stderr


@pytest.mark.parametrize("fmt", ["table", "nagios"])
def test_an_unreachable_nodes_reason_from_its_ssh_is_shown_escaped(tmp_path: Path, fmt: str) -> None:
    cfg = world(tmp_path, ["dybsvn"])
    store = Store.open(cfg.read_text().split('"')[1])
    run_id = store.begin_run(NOW_T, "collect", ["ZZ"])
    reason = "banner \x1b]0;owned\x07\x1b[2J\nline two\r"
    store.record_poll(run_id, "ZZ", "SDU", NOW_T + 1, ok=False, reason=reason, duration=0.1, snap=None)
    r = run("check", "--format", fmt, "--now", NOW, "--config", str(cfg))
    assert r.exit_code == 2, r.output
    assert not RAW_CONTROL.search(r.stdout), repr(r.stdout)
    assert "banner \\x1b]0;owned\\x07\\x1b[2J\\nline two\\r" in r.stdout


# -- day one: 80 columns, -q, before any collect, one count -----------------------------------


def _on(columns: int, *args: str) -> Result:
    return CliRunner(env={"COLUMNS": str(columns)}).invoke(cli, list(args), catch_exceptions=False)


def test_the_table_fits_an_80_column_terminal(tmp_path: Path) -> None:
    from rich.cells import cell_len

    names = ["dybsvn", "a-rather-long-repository-name-indeed", "old"]
    cfg = world(tmp_path, names, stale=("old", "a-rather-long-repository-name-indeed"))
    r = _on(80, "check", "--all", "--now", NOW, "--config", str(cfg))
    assert r.exit_code == 2, r.output
    assert max(cell_len(line) for line in r.stdout.splitlines()) <= 80
    assert "stale" in r.stdout and "svn/old" in r.stdout
    wide = _on(160, "check", "--all", "--now", NOW, "--config", str(cfg))
    assert "newest (UTC)" in wide.stdout and "newest (UTC)" not in r.stdout


def test_quiet_check_prints_only_the_summary_line(tmp_path: Path) -> None:
    cfg = world(tmp_path, ["dybsvn", "old", "env"], stale=("old",))
    r = run("-q", "check", "--now", NOW, "--config", str(cfg))
    assert r.exit_code == 2
    [line] = r.stdout.splitlines()
    assert line.startswith("tarwatch: ") and "ALARM" in line and "1 alarm" in line
    assert "(as of 2026-11-25 12:00 UTC)" in line


def test_no_microseconds_in_the_table(tmp_path: Path) -> None:
    cfg = world(tmp_path, ["dybsvn"])
    r = run("check", "--now", "2026-11-25T12:00:00.909840", "--config", str(cfg))
    assert "909840" not in r.stdout and "T12:00" not in r.stdout


def _never_collected(tmp_path: Path) -> Path:
    cfg = tmp_path / "tarwatch.toml"
    cfg.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "tw.db"}"\n\n[hubs.ZZ]\nsrvnode = "d"\nnodes = ["SDU"]\n\n'
        '[nodes.SDU]\nhost = "sdu.example.org"\n'
    )
    return cfg


HINT = "nothing collected yet for ZZ: run `tarwatch collect` first"


def test_check_before_any_collect_says_to_run_collect(tmp_path: Path) -> None:
    r = run("check", "--config", str(_never_collected(tmp_path)))
    assert r.exit_code == 3
    assert r.stdout == ""
    assert r.stderr == f"tarwatch: error: {HINT}\n"


def test_nagios_before_any_collect_is_one_unknown_line_saying_to_run_collect(tmp_path: Path) -> None:
    r = run("check", "--format", "nagios", "--config", str(_never_collected(tmp_path)))
    assert r.exit_code == 3
    assert r.stdout == "TARWATCH UNKNOWN - no listing stored yet for ZZ: run tarwatch collect\n"


def test_json_before_any_collect_is_a_document_that_says_so_and_a_hint_on_stderr(tmp_path: Path) -> None:
    r = run("check", "--format", "json", "--config", str(_never_collected(tmp_path)))
    assert r.exit_code == 3
    doc = json.loads(r.stdout)
    assert doc["collected"] is False and doc["status"] == "unknown"
    assert [n["reachable"] for h in doc["hubs"] for n in h["nodes"]] == [None]
    assert r.stderr == f"tarwatch: {HINT}\n"


@pytest.mark.parametrize("fmt", ["table", "json", "nagios"])
def test_after_a_collect_no_format_says_to_run_collect(tmp_path: Path, fmt: str) -> None:
    cfg = world(tmp_path, ["dybsvn"])
    r = run("check", "--format", fmt, "--now", NOW, "--config", str(cfg))
    assert r.exit_code == 0, r.output
    assert "tarwatch collect" not in r.stdout + r.stderr and r.stderr == ""
    if fmt == "json":
        assert json.loads(r.stdout)["collected"] is True


def test_the_summary_counts_the_rows_the_table_shows(tmp_path: Path) -> None:
    cfg = world(tmp_path, ["dybsvn", "old", "older", "env"], stale=("old", "older"))
    r = run("check", "--now", NOW, "--config", str(cfg))
    rows = [line for line in r.stdout.splitlines() if "svn/" in line]
    assert f"{len(rows)} alarms" in r.stdout.splitlines()[0]


def test_a_node_never_listed_is_one_row_and_one_problem(tmp_path: Path) -> None:
    cfg = world(tmp_path, ["dybsvn", "env"])
    text = cfg.read_text().replace('nodes = ["SDU"]', 'nodes = ["SDU", "NEW"]')
    cfg.write_text(text + '\n[nodes.NEW]\nhost = "new.example.org"\n', encoding="utf-8")
    r = run("check", "--now", NOW, "--config", str(cfg))
    rows = [line for line in r.stdout.splitlines() if "NEW" in line]
    assert len(rows) == 1 and "never been listed" in rows[0]
    assert "1 unknown" in r.stdout.splitlines()[0]
