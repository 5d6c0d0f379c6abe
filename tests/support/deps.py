"""Fail in CI, skip locally: for tests that need a tool installed on the machine."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def in_ci() -> bool:
    """True when running under CI (the CI runner sets CI=true)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1"}


def need_executable(path_or_name: str, hint: str) -> str:
    """Return the executable's path, or end the test when it is missing.

    `path_or_name` is an absolute path (``/usr/sbin/sshd``) or a name looked up
    on PATH (``chromium``).  When it is missing the test FAILS under CI (a
    missing install step must not pass as green) and is skipped elsewhere,
    with the message "<name> not installed: <hint>".
    """
    if os.sep in path_or_name:
        found = path_or_name if os.access(path_or_name, os.X_OK) else None
    else:
        found = shutil.which(path_or_name)
    if found is not None:
        return found
    message = f"{Path(path_or_name).name} not installed: {hint}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def need_module(name: str, hint: str) -> None:
    """End the test when Python module `name` cannot be imported: fail in CI, skip elsewhere."""
    import importlib.util

    if importlib.util.find_spec(name) is not None:
        return
    message = f"Python module {name} not installed: {hint}"
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)
