"""`tarwatch cron`: the crontab line and the systemd timer that run `tarwatch run` nightly."""

from __future__ import annotations

import getpass
import re
import shlex
import shutil
import sys
from pathlib import Path

import click

from tarwatch.cli.common import global_options, handle_errors, state
from tarwatch.errors import ConfigError
from tarwatch.paths import config_dir

DEFAULT_AT = "18:16"
WHY_DEFAULT_AT = (
    "18:16 is the time the original scm-backup-nightly crontab ran; choose a time after the "
    "nodes' nightly copies have landed"
)


@click.command()
@click.option(
    "--at",
    "at",
    default=DEFAULT_AT,
    show_default=True,
    help=f"Time of day to run, HH:MM (local time). {WHY_DEFAULT_AT}.",
)
@click.option(
    "--log",
    "log",
    default="/var/log/tarwatch/run.log",
    show_default=True,
    help="Where the crontab line appends what `run` says (the systemd unit logs to the journal).",
)
@click.option(
    "--user",
    "user",
    default=None,
    help="The user the systemd service runs as (default: the current user).",
)
@global_options
@handle_errors()
def cron(at: str, log: str, user: str | None) -> None:
    """Print a crontab line and a systemd service and timer that run `tarwatch run` every night
    (collect, check, notify, publish), with the configuration in use spelled out in full.

    Nothing is installed: copy what fits into `crontab -e`, or into /etc/systemd/system/ and
    `systemctl enable --now tarwatch.timer`. Without a configuration file (or --legacy) nothing
    is printed: a nightly run would watch nothing (exit status 2)."""
    m = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", at.strip())
    if m is None:
        raise click.BadParameter(f"expected HH:MM such as 18:16, got {at!r}", param_hint="--at")
    hour, minute = int(m.group(1)), int(m.group(2))
    why = WHY_DEFAULT_AT if at.strip() == DEFAULT_AT else None
    click.echo(render(_command(), hour, minute, log, user or getpass.getuser(), why), nl=False)


def _command() -> list[str]:
    """The `tarwatch … run` command as this process was started, with absolute paths. Raise
    ConfigError when no configuration is found."""
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
        if not Path(source).is_file():
            from tarwatch.config.load import CONFIG_NAME

            raise ConfigError(
                None,
                None,
                f"no configuration found (--config FILE, ./{CONFIG_NAME}, {config_dir() / CONFIG_NAME} "
                "or --legacy HUB), so a nightly run would watch nothing; write one first",
            )
        argv += ["--config", str(Path(source).resolve())]
    return [*argv, "-q", "run"]


def render(argv: list[str], hour: int, minute: int, log: str, user: str, why: str | None = None) -> str:
    """Given the command, the time of day, the log file, the user the service runs as and why
    the time is what it is (None when it was chosen), return the crontab line and the systemd
    units as text."""
    command = shlex.join(argv)
    header = f"# crontab (crontab -e, as {user}): every night at {hour:02d}:{minute:02d}"
    header += "; mkdir -p the log's folder"
    if why:
        header += f"\n# {why}"
    return f"""{header}
{minute} {hour} * * *  {command} >> {shlex.quote(log)} 2>&1

# /etc/systemd/system/tarwatch.service
[Unit]
Description=tarwatch: collect, check, notify, publish
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
User={user}
# SSH to the nodes under systemd: no login session, so no agent unless you point at one.
# Either an unencrypted key readable by {user} (~{user}/.ssh/id_ed25519, mode 0600, named in
# ~{user}/.ssh/config), or a running ssh-agent whose socket {user} can reach:
#Environment=SSH_AUTH_SOCK=/run/user/UID/ssh-agent.socket
# ~{user}/.ssh/known_hosts must already know every node (`tarwatch doctor` says which do not).
ExecStart={command}
# what run says goes to the journal: journalctl -u tarwatch.service
StandardOutput=journal
StandardError=journal
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
