"""The SSH transport (asyncssh). It honours ~/.ssh/config (aliases, HostName, Port, User,
IdentityFile, UserKnownHostsFile), the agent and ~/.ssh/known_hosts as `ssh` does; host keys are
checked strictly and nothing ever prompts: a problem becomes a NodeError with a plain reason."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import asyncssh

from tarwatch.collect.transport import CHUNK, STDERR_LIMIT, Finished, NodeError


class SshTransport:
    """Reaches a node by SSH at `host` (an alias, user@host or host), with optional port/user."""

    def __init__(self, host: str, port: int | None = None, user: str | None = None):
        self.host, self.port, self.user = host, port, user

    def where(self) -> str:
        dest = f"{self.user}@{self.host}" if self.user else self.host
        return f"{dest}:{self.port}" if self.port else dest

    async def open(self) -> SshSession:
        kwargs: dict[str, Any] = {
            # Nothing may prompt: no passwords, no keyboard-interactive, no agent forwarding.
            "password": None,
            "kbdint_auth": False,
            "agent_forwarding": False,
        }
        if self.port:
            kwargs["port"] = self.port
        if self.user:
            kwargs["username"] = self.user
        try:
            conn = await asyncssh.connect(self.host, **kwargs)
        except asyncio.CancelledError:
            raise
        except Exception as e:
            raise NodeError(explain(e, self.where())) from e
        return SshSession(conn, self.where())


class SshSession:
    def __init__(self, conn: asyncssh.SSHClientConnection, where: str):
        self.conn, self.where = conn, where

    async def run(self, command: str, sink: Callable[[bytes], None]) -> Finished:
        try:
            proc = await self.conn.create_process(command, encoding=None)
            proc.stdin.write_eof()
            err_task = asyncio.create_task(proc.stderr.read(STDERR_LIMIT))
            while chunk := await proc.stdout.read(CHUNK):
                sink(chunk)
            err = await err_task
            done = await proc.wait()
        except asyncio.CancelledError:
            raise
        except (OSError, asyncssh.Error) as e:
            raise NodeError(explain(e, self.where)) from e
        status = done.exit_status
        if status is None and done.exit_signal:
            err = f"killed by signal {done.exit_signal[0]}".encode() + err
        return Finished(status, err.decode("utf-8", "replace"))

    async def close(self) -> None:
        try:
            self.conn.close()
            await asyncio.wait_for(self.conn.wait_closed(), 2)
        except (OSError, asyncssh.Error, TimeoutError):
            pass


def explain(e: BaseException, where: str) -> str:
    """Given an exception from connecting to or talking with `where`, return a reason a person
    understands and can act on."""
    if isinstance(e, asyncssh.HostKeyNotVerifiable):
        return (
            f"host key of {where} is not trusted ({e.reason}): it is missing from known_hosts or has "
            "changed; check the key, then update ~/.ssh/known_hosts"
        )
    if isinstance(e, asyncssh.PermissionDenied):
        return (
            f"authentication failed at {where}: no key was accepted "
            "(is the ssh-agent running and holding the key? is the key in authorized_keys?)"
        )
    if isinstance(e, asyncssh.ConnectionLost):
        return f"connection to {where} lost: {e.reason}"
    if isinstance(e, asyncssh.DisconnectError):
        return f"{where} closed the connection: {e.reason}"
    if isinstance(e, asyncssh.Error):
        return f"ssh error at {where}: {e.reason}"
    if isinstance(e, ConnectionRefusedError):
        return f"connection refused by {where} (no sshd listening there?)"
    if isinstance(e, socket.gaierror):
        return f"cannot resolve the host name of {where}: {e.strerror}"
    if isinstance(e, TimeoutError):
        return f"no answer from {where} (timed out)"
    if isinstance(e, FileNotFoundError):
        # asyncssh raises this for a known_hosts or identity file named in ~/.ssh/config that
        # does not exist (OpenSSH would treat a missing known_hosts as empty).
        return f"ssh set-up problem for {where}: {e.filename or 'a file'} does not exist"
    if isinstance(e, OSError):
        return f"cannot connect to {where}: {e.strerror or e}"
    if isinstance(e, ValueError | KeyError):
        # asyncssh raises these for unreadable keys or config entries.
        return f"ssh set-up problem for {where}: {e}"
    return f"cannot connect to {where}: {type(e).__name__}: {e}"
