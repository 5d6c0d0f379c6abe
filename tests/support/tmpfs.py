"""A small tmpfs mounted for a test: a disk that fills up for real (ENOSPC), or a read-only one
(EROFS). Mounting needs root (CI runs as root): in CI a test that cannot mount FAILS, elsewhere
it is skipped (as tests/support/deps.py does for missing tools)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from support.deps import in_ci, need_executable


@contextmanager
def tmpfs(where: Path, size: str = "1m", read_only: bool = False) -> Iterator[Path]:
    """Given an empty or new folder, mount a tmpfs of `size` there (read-only when asked) and
    yield the folder; unmounted afterwards."""
    mount = need_executable("mount", "install util-linux (mount)")
    umount = need_executable("umount", "install util-linux (umount)")
    where.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0755" + (",ro" if read_only else "")
    p = subprocess.run(
        [mount, "-t", "tmpfs", "-o", options, "tarwatch-test", str(where)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    if p.returncode != 0:
        message = f"cannot mount a tmpfs (needs root): {p.stderr.strip() or p.returncode}"
        if in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    try:
        yield where
    finally:
        subprocess.run([umount, "-l", str(where)], check=False, stdin=subprocess.DEVNULL)


def fill(folder: Path) -> Path:
    """Given a folder on a small file system, write a file there until the disk is full;
    return the file (remove it to free the space)."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
                os.fsync(f.fileno())
        except OSError:
            pass
    return filler
