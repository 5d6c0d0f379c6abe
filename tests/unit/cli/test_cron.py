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
