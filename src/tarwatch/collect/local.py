"""The local transport: the node is a folder on this machine (the hub's own copy). The same
listing command runs under /bin/sh, so both transports share one parser."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from tarwatch.collect.transport import CHUNK, STDERR_LIMIT, Finished, NodeError


class LocalTransport:
    """Runs commands on this machine."""

    async def open(self) -> LocalSession:
        return LocalSession()


class LocalSession:
    async def run(self, command: str, sink: Callable[[bytes], None]) -> Finished:
        try:
            proc = await asyncio.create_subprocess_exec(
                "/bin/sh",
                "-c",
                command,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as e:
            raise NodeError(f"cannot start /bin/sh: {e.strerror or e}") from e
        assert proc.stdout is not None and proc.stderr is not None
        try:
            err_task = asyncio.create_task(proc.stderr.read(STDERR_LIMIT))
            while chunk := await proc.stdout.read(CHUNK):
                sink(chunk)
            err = await err_task
            status = await proc.wait()
        except BaseException:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            raise
        return Finished(status, err.decode("utf-8", "replace"))

    async def close(self) -> None:
        return None
