"""Atomic file writes: a temporary file in the same folder, then a rename over the target, so
that a reader (a web server, a browser) sees the old file or the new one, never half of one.

Modes do not follow the umask: a file gets `mode` (default 0644, for a web server to read) and
a folder created for it gets `folder_mode_for(mode)` (0755 for 0644, 0700 for 0600); folders
that exist already are left as they are. A failed write (a full disk) leaves the old file and
no temporary one, and raises an OSError naming the target."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"  # temporary files are ".<name>.pid<pid>.<random><TEMP_SUFFIX>" beside the target
TEMP_NAME = re.compile(r"\..+\.pid(\d+)\.[A-Za-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


def temp_writer(name: str) -> int | None:
    """Given a file name, return the pid of the process whose temporary file it is, or None if
    it is not one of write_bytes' temporary files."""
    m = TEMP_NAME.fullmatch(name)
    return int(m.group(1)) if m else None


def folder_mode_for(mode: int) -> int:
    """Given a file mode, return the mode of the folders made for such files: the same, with
    search permission (x) wherever reading is allowed (0644 → 0755, 0600 → 0700)."""
    return mode | (mode & 0o444) >> 2


def make_folders(path: Path, mode: int = 0o755) -> None:
    """Given a folder, create it and any missing parent with `mode`, whatever the umask."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue
        os.chmod(folder, mode)


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Given a path and bytes, replace the file at path with them atomically (creating its folder).

    No fsync: the rename is what readers need; after a crash a nightly run writes it again."""
    make_folders(path.parent, folder_mode_for(mode))
    try:
        fd, tmp = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.pid{os.getpid()}.", suffix=TEMP_SUFFIX
        )
    except OSError as e:
        raise OSError(e.errno, e.strerror, str(path)) from e
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)  # mkstemp makes 0600: a web server must be able to read it
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.errno is not None:
            raise OSError(e.errno, e.strerror, str(path)) from e  # name the file, not the temp
        raise


def write_text(path: Path, text: str, mode: int = 0o644) -> None:
    """Given a path and text, replace the file at path with it (UTF-8) atomically."""
    write_bytes(path, text.encode("utf-8"), mode)
