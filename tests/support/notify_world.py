"""notify's test world through the real CLI: the backups of tests/support/backups.py, an SMTP
server and a webhook receiver on 127.0.0.1, and a tarwatch.toml whose hub ZZ notifies an
Apprise mailto:// URL, a json:// webhook and a legacy `email` address. Its backup nodes are
local folders, or (given an SshLab) real sshd nodes on 127.0.0.x reading the same folders,
with silent nodes besides (they accept and never speak)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from support.backups import Backups
from support.cli import Result, tarwatch
from support.mail import SmtpServer, WebhookServer
from support.sshd import SshLab
from tarwatch.config.toml import to_toml

OPS, LEGACY = "ops@example.org", "blyth@example.org"
MONDAY = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a run at noon; backups are made at 02:00


@dataclass
class World:
    backups: Backups
    config: Path
    smtp: SmtpServer
    hook: WebhookServer
    env: dict[str, str]

    def run(self, when: datetime, *args: str) -> Result:
        r = tarwatch(
            "--config", str(self.config), "--now", when.isoformat(), *(args or ("run",)), env=self.env
        )
        assert "Traceback" not in r.err, r.err
        return r

    def start(self, when: datetime, *args: str) -> subprocess.Popen[str]:
        """Start `tarwatch --now WHEN ARGS` (default: run) and return the process, not waiting."""
        return subprocess.Popen(
            [
                *(sys.executable, "-m", "tarwatch", "--config", str(self.config)),
                *("--now", when.isoformat(), *(args or ("run",))),
            ],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def subjects(self, address: str = OPS) -> list[str]:
        return [m.subject for m in self.smtp.to(address)]


def make_world(
    tmp_path: Path,
    *,
    hub: dict | None = None,
    smtp_delay: float = 0.0,
    ssh: SshLab | None = None,
    silent: tuple[str, ...] = (),
    **sections: dict,
) -> World:
    """Given a folder, the hub's extra keys, how long the SMTP server holds each message before
    it answers, an SshLab (the backup nodes are then its sshd, and `silent` names nodes that
    never answer, with a 1s timeout) and more tables of tarwatch.toml (store, publish,
    defaults, notify), return the world with a week of nightly backups made."""
    smtp, hook = SmtpServer(delay=smtp_delay).start(), WebhookServer().start()
    backups = Backups(tmp_path / "world")
    mailto = f"mailto://127.0.0.1:{smtp.port}?from=tarwatch@example.org&to={OPS}"
    config = backups.write_config(
        {"notify": [mailto, f"json://127.0.0.1:{hook.port}/tarwatch"], "email": [LEGACY], **(hub or {})},
        publish=sections.pop("publish", {"url": "https://backups.example.org/tarwatch/"}),
        defaults={"timezone": "UTC", "keep_max": 100, **sections.pop("defaults", {})},
        **(
            {
                "notify": {
                    "mail": {
                        "sender": "tarwatch@example.org",
                        "smtp_host": "127.0.0.1",
                        "smtp_port": smtp.port,
                    }
                }
            }
            | sections
        ),
    )
    for night in range(6, -1, -1):
        backups.night(MONDAY.replace(hour=2) - timedelta(days=night))
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    env |= {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"), "NO_COLOR": "1", "COLUMNS": "250"}
    if ssh is not None:
        _over_ssh(config, backups, ssh, silent)
        env |= {k: v for k, v in ssh.env().items() if k == "HOME"}
        env.pop("SSH_AUTH_SOCK", None)
    return World(backups, config, smtp, hook, env)


def _over_ssh(config: Path, backups: Backups, ssh: SshLab, silent: tuple[str, ...]) -> None:
    """Make the backup nodes of `config` real sshd nodes of `ssh` (same folders), and add the
    silent ones to hub ZZ."""
    data = tomllib.loads(config.read_text())
    for node in backups.nodes:
        ssh.add_node(node)
        data["nodes"][node] = {"host": node, "root": f"{backups.root(node).parent}/{{srvnode}}"}
    for node in silent:
        ssh.add_silent(node)
        data["nodes"][node] = {"host": node, "timeout": "1s"}
        data["hubs"]["ZZ"]["nodes"].append(node)
    config.write_text(to_toml(data, ["notify's test world, over SSH"]))
