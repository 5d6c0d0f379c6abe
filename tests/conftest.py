from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.deps import need_executable, need_module
from support.postgres import Postgres
from support.postgres import bin_dir as pg_bin_dir
from support.sshd import SSH_KEYGEN, SSHD, SshLab

INSTALL_HINT = "run scripts/install-system-deps.sh"


@pytest.fixture
def ssh_lab(tmp_path: Path) -> Iterator[SshLab]:
    """Real sshd servers on 127.0.0.x and a test HOME that trusts them; stopped afterwards."""
    need_executable(SSHD, INSTALL_HINT)
    need_executable(SSH_KEYGEN, INSTALL_HINT)
    lab = SshLab(tmp_path / "ssh-lab")
    try:
        yield lab
    finally:
        lab.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A real PostgreSQL server for the session (fails in CI when it is not installed)."""
    need_executable(str(pg_bin_dir() or "/usr/lib/postgresql/VERSION/bin") + "/postgres", INSTALL_HINT)
    need_module("psycopg", "run scripts/bootstrap.sh test")
    server = Postgres()
    try:
        yield server
    finally:
        server.stop()
