"""`tarwatch serve` as a user runs it, for the browser tests: on a free port of 127.0.0.1,
SIGINT ignored as in a background job (`make test &`), stopped by its PID with SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from support.mail import free_port


@contextmanager
def served(folder: Path, env: dict[str, str]) -> Iterator[str]:
    """Given a published site's folder and the environment, serve it with the real CLI until
    the block ends; yield its base URL. The server must end cleanly on SIGTERM."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tarwatch", "serve", "--dir", str(folder), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),  # as in `make test &`
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(url + "index.html", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        os.kill(server.pid, signal.SIGTERM)  # SIGINT is ignored in background jobs
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0, server.stderr.read() if server.stderr else ""
