"""`tarwatch cron`: the crontab line and the systemd timer that run `tarwatch run` nightly."""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path

import click

from tarwatch.cli.common import global_options, handle_errors, state


@click.command()
@click.option(
    "--at", "at", default="18:16", show_default=True, help="Time of day to run, HH:MM (local time)."
)
@click.option(
    "--log",
    "log",
    default="/var/log/tarwatch/run.log",
    show_default=True,
    help="Where the crontab line appends what `run` says.",
)
@global_options
@handle_errors()
def cron(at: str, log: str) -> None:
    """Print a crontab line and a systemd service and timer that run `tarwatch run` every night
    (collect, check, notify, publish), with the configuration in use spelled out in full.

    Nothing is installed: copy what fits into `crontab -e`, or into /etc/systemd/system/ and
    `systemctl enable --now tarwatch.timer`."""
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at.strip())
    if m is None:
        raise click.BadParameter(f"expected HH:MM such as 18:16, got {at!r}", param_hint="--at")
    hour, minute = int(m.group(1)), int(m.group(2))
    click.echo(render(_command(), hour, minute, log), nl=False)


def _command() -> list[str]:
    """The `tarwatch … run` command as this process was started, with absolute paths."""
    s = state()
    started_as = Path(sys.argv[0])
    if started_as.name == "tarwatch" and started_as.is_file():
        argv = [str(started_as.resolve())]
    elif found := shutil.which("tarwatch"):
        argv = [found]
    else:
        argv = [sys.executable, "-m", "tarwatch"]
    if s.legacy:
        argv += ["--legacy", s.legacy]
    else:
        _, source = s.loaded()
        if Path(source).is_file():
            argv += ["--config", str(Path(source).resolve())]
    return [*argv, "-q", "run"]


def render(argv: list[str], hour: int, minute: int, log: str) -> str:
    """Given the command, the time of day and the log file, return the crontab line and the
    systemd units as text."""
    command = shlex.join(argv)
    return f"""# crontab (crontab -e): every night at {hour:02d}:{minute:02d}; mkdir -p the log's folder
{minute} {hour} * * *  {command} >> {shlex.quote(log)} 2>&1

# /etc/systemd/system/tarwatch.service
[Unit]
Description=tarwatch: collect, check, notify, publish
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
ExecStart={command}
# 4: skipped, another tarwatch run held the store (it does the work)
SuccessExitStatus=4

# /etc/systemd/system/tarwatch.timer  (then: systemctl enable --now tarwatch.timer)
[Unit]
Description=Run tarwatch every night

[Timer]
OnCalendar=*-*-* {hour:02d}:{minute:02d}:00
Persistent=true

[Install]
WantedBy=timers.target
"""
