"""Worker processes that die with their parent. A process pool's workers wait on a pipe that
every one of them also holds open, so when the parent is killed (SIGKILL, the OOM killer) they
would wait for ever, each holding its memory and its handles. Each worker therefore:

- asks Linux to send it SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG), and
- watches its parent's process id in a thread (everywhere: a parent that dies makes the worker
  a child of another process), ending itself within `POLL` seconds of a change.

A worker ignores SIGINT: Ctrl-C is its parent's to answer.

Workers are direct children of the parent on every platform (fork on Linux, spawn elsewhere;
never a fork server, whose children's parent is the server)."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

POLL = 0.5  # seconds between two looks at the parent's process id
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def pool(workers: int, initializer: Callable[[], None] | None = None) -> ProcessPoolExecutor:
    """Given the number of workers and a function to run in each as it starts, return a process
    pool whose workers end when this process does, however it ends."""
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context(method),
        initializer=_start,
        initargs=(os.getpid(), initializer),
    )


def die_with_parent(parent: int) -> None:
    """Given the parent's process id, make this process end when the parent does: at once on
    Linux, within POLL seconds elsewhere. Ends this process now if the parent is gone already."""
    _ask_for_death_signal()
    if os.getppid() != parent:  # the parent died before the death signal was set
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), name="tarwatch-parent-watch", daemon=True).start()


def _start(parent: int, initializer: Callable[[], None] | None) -> None:
    # Ctrl-C reaches the whole process group: the parent answers it (it cancels the work not
    # begun, lets the running jobs end and stops the pool). A worker that took it would die
    # with a traceback when it came while waiting for its next job, or leave its job half done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent)
    if initializer is not None:
        initializer()


def _ask_for_death_signal() -> bool:
    """Ask Linux to SIGKILL this process when its parent dies; return whether it was set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(POLL)
    os._exit(1)  # no clean-up: the parent that wanted the work is gone
