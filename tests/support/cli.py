"""Run the real `tarwatch` command line in a subprocess, as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass
class Result:
    code: int
    out: str
    err: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.out)


def tarwatch(*args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 120) -> Result:
    """Run `python -m tarwatch ARGS` and return its exit status, output and duration."""
    import time

    t0 = time.monotonic()
    p = subprocess.run(
        [sys.executable, "-m", "tarwatch", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Result(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
