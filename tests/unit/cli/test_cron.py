from __future__ import annotations

import shlex
from pathlib import Path

from click.testing import CliRunner

from tarwatch.cli import cli


def test_cron_prints_a_crontab_line_and_a_systemd_timer_for_run_with_the_config_in_full(
    tmp_path: Path,
) -> None:
    config = tmp_path / "tarwatch.toml"
    config.write_text('[hubs.ZZ]\nsrvnode = "dayabay"\n')
    r = CliRunner().invoke(
        cli, ["--config", str(config), "cron", "--at", "02:05", "--log", "/var/log/tw.log"]
    )
    assert r.exit_code == 0, r.output
    line = next(x for x in r.output.splitlines() if x and not x.startswith("#") and x[0].isdigit())
    minute, hour, *rest = shlex.split(line)
    assert (minute, hour) == ("5", "2") and rest[:3] == ["*", "*", "*"]
    assert ["--config", str(config.resolve()), "-q", "run"] == rest[-7:-3]
    assert rest[-3:] == [">>", "/var/log/tw.log", "2>&1"]
    assert "OnCalendar=*-*-* 02:05:00" in r.output
    assert f"--config {config.resolve()} -q run" in r.output.split("ExecStart=")[1].splitlines()[0]
    # a run that found the store busy (exit 4) skipped its turn: not a failed unit
    assert "SuccessExitStatus=4" in r.output.split("[Service]")[1].split("[Unit]")[0]


def test_cron_refuses_a_time_that_is_not_hh_mm(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["cron", "--at", "25:00"])
    assert r.exit_code == 2 and "HH:MM" in r.output


def _units(output: str) -> str:
    return output.split("# /etc/systemd/system/tarwatch.service", 1)[1]


def test_cron_without_a_configuration_prints_no_schedule(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    r = CliRunner().invoke(cli, ["cron"])
    assert r.exit_code == 2
    assert r.stdout == ""
    [line] = r.stderr.splitlines()
    assert "no configuration found" in line and "--config" in line


def test_cron_explains_its_default_time_and_not_a_chosen_one(tmp_path: Path) -> None:
    config = tmp_path / "tarwatch.toml"
    config.write_text('[hubs.ZZ]\nsrvnode = "dayabay"\n')
    default = CliRunner().invoke(cli, ["--config", str(config), "cron"])
    assert default.exit_code == 0, default.output
    assert "# 18:16 is the time the original scm-backup-nightly crontab ran" in default.output
    chosen = CliRunner().invoke(cli, ["--config", str(config), "cron", "--at", "03:00"])
    assert "scm-backup-nightly" not in chosen.output
    assert "18:16" in CliRunner().invoke(cli, ["cron", "--help"]).output


def test_the_systemd_unit_runs_as_a_named_user_and_logs_to_the_journal(tmp_path: Path) -> None:
    import getpass

    config = tmp_path / "tarwatch.toml"
    config.write_text('[hubs.ZZ]\nsrvnode = "dayabay"\n')
    mine = _units(CliRunner().invoke(cli, ["--config", str(config), "cron"]).output)
    assert f"\nUser={getpass.getuser()}\n" in mine
    r = CliRunner().invoke(cli, ["--config", str(config), "cron", "--user", "backup"])
    units = _units(r.output)
    assert "\nUser=backup\n" in units
    assert "StandardOutput=journal" in units and "StandardError=journal" in units
    assert ">>" not in units
    comments = [x for x in units.splitlines() if x.startswith("#")]
    assert any("SSH_AUTH_SOCK" in c for c in comments)
    assert any("unencrypted key readable by backup" in c for c in comments)
