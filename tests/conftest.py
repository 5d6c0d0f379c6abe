from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from support.deps import need_executable
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
