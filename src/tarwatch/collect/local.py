"""The local transport: the node is a folder on this machine (the hub's own copy). The same
listing command runs under /bin/sh, so both transports share one parser."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Callable

from tarwatch.collect.transport import CHUNK, Finished, NodeError, Ready, decode, drain


class LocalTransport:
    """Runs commands on this machine."""

    async def open(self) -> LocalSession:
        return LocalSession()


class LocalSession:
    async def run(self, command: str, sink: Callable[[bytes], None], ready: Ready | None = None) -> Finished:
        """Run `command` under /bin/sh in a process group of its own; when the caller gives up
        on it (a timeout, a cancel), the whole group is killed, its children too."""
        try:
            proc = await asyncio.create_subprocess_exec(
                "/bin/sh",
                "-c",
                command,
                stdin=asyncio.subprocess.PIPE,  # kept open: the commands' guard ends with it
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as e:
            raise NodeError(f"cannot start /bin/sh: {e.strerror or e}") from e
        if proc.stdout is None or proc.stderr is None:  # both are pipes: never, unless asyncio changes
            proc.kill()
            raise NodeError("cannot read what /bin/sh writes")
        err_task = asyncio.ensure_future(drain(proc.stderr.read))
        try:
            while True:
                if ready is not None:
                    await ready()
                if not (chunk := await proc.stdout.read(CHUNK)):
                    break
                sink(chunk)
            err, cut = await err_task
            status = await proc.wait()
        except BaseException:
            err_task.cancel()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            if proc.returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
            with contextlib.suppress(BaseException):
                await err_task
            raise
        finally:
            if proc.stdin is not None:
                proc.stdin.close()
        code: int | None = status
        if status < 0:
            err = f"killed by signal {-status}\n".encode() + err
            code = None
        return Finished(code, decode(err), cut)

    async def close(self) -> None:
        return None
