"""Where tarwatch keeps things by default (XDG base directories)."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """Return the user's tarwatch config folder ($XDG_CONFIG_HOME/tarwatch)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "tarwatch"


def data_dir() -> Path:
    """Return the user's tarwatch data folder ($XDG_DATA_HOME/tarwatch), for the store and site."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tarwatch"
