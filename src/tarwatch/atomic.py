"""Atomic file writes: a temporary file in the same folder, then a rename over the target, so
that a reader (a web server, a browser) sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Given a path and bytes, replace the file at path with them atomically (creating its folder).

    No fsync: the rename is what readers need; after a crash a nightly run writes it again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)  # mkstemp makes 0600: a web server must be able to read it
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_text(path: Path, text: str, mode: int = 0o644) -> None:
    """Given a path and text, replace the file at path with it (UTF-8) atomically."""
    write_bytes(path, text.encode("utf-8"), mode)
