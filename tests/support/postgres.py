"""A real PostgreSQL server for tests: initdb in a fresh folder, `postgres` on 127.0.0.1 and a
free port, stopped by PID. As root, the server runs as the `postgres` user (it refuses root)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def bin_dir() -> Path | None:
    """Debian's PostgreSQL programs folder (the newest version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    return Path(found[-1]).parent if found else None


class Postgres:
    """One PostgreSQL cluster with a database `tarwatch` owned by user `tarwatch` (trust auth)."""

    def __init__(self) -> None:
        bindir = bin_dir()
        if bindir is None:
            raise RuntimeError("PostgreSQL is not installed: run scripts/install-system-deps.sh")
        self.bindir = bindir
        self.base = Path(tempfile.mkdtemp(prefix="tarwatch-pg-", dir="/tmp"))
        self.base.chmod(0o755)
        self.data = self.base / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = _free_port()
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "tarwatch", "-E", "UTF8", "--no-sync")
        self.proc = subprocess.Popen(
            [
                *self.as_user,
                str(self.bindir / "postgres"),
                "-D",
                str(self.data),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-k",
                str(self.base),
                "-c",
                "fsync=off",
            ],
            stdout=subprocess.DEVNULL,
            stderr=open(self.base / "log", "wb"),  # noqa: SIM115 - the server owns it until stop()
        )
        self._wait_ready()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "tarwatch", "tarwatch")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://tarwatch@127.0.0.1:{self.port}/tarwatch"

    def fresh_database(self, name: str) -> str:
        """Create database `name` and return its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "tarwatch", name)
        return f"postgresql+psycopg://tarwatch@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server: SIGINT (PostgreSQL's fast shutdown; SIGTERM would wait for every
        session to end) sent to the postmaster by its PID, not to `runuser`, which passes no
        SIGINT on (the server would be left running, orphaned, until it saw its folder gone)."""
        if self.proc.poll() is None:
            postmaster = self._postmaster_pid()
            if postmaster is not None:
                os.kill(postmaster, signal.SIGINT)
            else:
                self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                if postmaster is not None:
                    os.kill(postmaster, signal.SIGKILL)
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.base, ignore_errors=True)

    def _postmaster_pid(self) -> int | None:
        """The server's own PID, from the first line of its postmaster.pid (None if unreadable)."""
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bindir / program), *args],
            check=True,
            capture_output=True,
            cwd="/",
        )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"postgres exited: {(self.base / 'log').read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    p = subprocess.run(
                        [str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                        capture_output=True,
                    )
                    if p.returncode == 0:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"postgres did not start: {(self.base / 'log').read_text()[-2000:]}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
