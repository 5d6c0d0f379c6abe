"""The SSH transport (asyncssh). It honours ~/.ssh/config (aliases, HostName, Port, User,
IdentityFile, UserKnownHostsFile), the agent and ~/.ssh/known_hosts as `ssh` does; host keys are
checked strictly and nothing ever prompts: a problem becomes a NodeError with a plain reason.
Those files are read once per process, not once per connection (the end of this module)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import shlex
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import asyncssh
import asyncssh.config
import asyncssh.connection

from tarwatch.collect.transport import CHUNK, Finished, NodeError, Ready, decode, drain


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
        except asyncssh.HostKeyNotVerifiable as e:
            raise NodeError(self._host_key_problem(e)) from e
        except Exception as e:
            raise NodeError(explain(e, self.where())) from e
        return SshSession(conn, self.where())

    def _host_key_problem(self, e: asyncssh.HostKeyNotVerifiable) -> str:
        """Given a host key that did not verify, say whether the host is unknown (and the exact
        line that adds it) or its key changed (which must be looked into, not added blindly)."""
        try:
            opts = asyncssh.SSHClientConnectionOptions(
                config=(), host=self.host, port=self.port or (), username=self.user or ()
            )
            host, port = opts.host, opts.port
            files = [str(f) for f in opts.known_hosts] if isinstance(opts.known_hosts, list) else []
        except Exception:  # the config was read once already; this only words the message
            return explain(e, self.where())
        file = files[0] if files else "~/.ssh/known_hosts"
        if _known(files or [os.path.expanduser("~/.ssh/known_hosts")], host, port):
            return (
                f"host key of {self.where()} is not trusted: it has CHANGED since it was added to "
                f"{file}. It may be an attack, or the node was reinstalled: check the new key with "
                "the node's admin before replacing the old one"
            )
        target = shlex.quote(file) if file != "~/.ssh/known_hosts" else file
        return (
            f"host key of {self.where()} is not trusted: {host} (port {port}) is not in {file}. "
            f"Check the key, then add it: ssh-keyscan -p {port} {shlex.quote(host)} >> {target}"
        )


class SshSession:
    def __init__(self, conn: asyncssh.SSHClientConnection, where: str):
        self.conn, self.where = conn, where

    async def run(self, command: str, sink: Callable[[bytes], None], ready: Ready | None = None) -> Finished:
        """Run `command` on the node. Its input stays open while it runs; when the caller gives
        up on it (a timeout, a cancel) or the command fails, the channel is closed, and the
        command's guard (see tarwatch.collect.listing) kills what it started on the node."""
        proc: asyncssh.SSHClientProcess[bytes] | None = None
        err_task: asyncio.Future[tuple[bytes, bool]] | None = None
        try:
            proc = await self.conn.create_process(command, encoding=None)
            err_task = asyncio.ensure_future(drain(proc.stderr.read))
            while True:
                if ready is not None:
                    await ready()
                if not (chunk := await proc.stdout.read(CHUNK)):
                    break
                sink(chunk)
            err, cut = await err_task
            done = await proc.wait()
        except BaseException as e:
            if err_task is not None:
                err_task.cancel()
                with contextlib.suppress(BaseException):
                    await err_task  # retrieved: never "Task exception was never retrieved"
            if proc is not None:
                with contextlib.suppress(Exception):
                    proc.stdin.write_eof()
                proc.close()
            if isinstance(e, OSError | asyncssh.Error):
                raise NodeError(explain(e, self.where)) from e
            raise
        status = done.exit_status
        if status is None and done.exit_signal:
            err = f"killed by signal {done.exit_signal[0]}\n".encode() + err
        return Finished(status, decode(err), cut)

    async def close(self) -> None:
        try:
            self.conn.close()
            await asyncio.wait_for(self.conn.wait_closed(), 2)
        except (OSError, asyncssh.Error, TimeoutError):
            pass


def _known(files: list[str], host: str, port: int) -> bool:
    """True when a known_hosts file holds any key for (host, port)."""
    try:
        addr = str(socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)[0][4][0])
    except (OSError, IndexError):
        addr = host
    for f in files:
        try:
            keys, ca_keys, *_ = _match_known_hosts(f, host, addr, None if port == 22 else port)
        except (OSError, ValueError):
            continue
        if keys or ca_keys:
            return True
    return False


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


# ~/.ssh/config and known_hosts, read once per process. asyncssh parses the config files again
# for every connection (SSHClientConnectionOptions → SSHClientConfig.load) and reads the
# known_hosts files again for every host-key check (match_known_hosts); both hold an entry per
# node, so a collect of N nodes did N² work (45% of tarwatch's time in a profile at 256). A file
# is split here into lines and tokens, or its keys imported, once per content; what is left
# per host is what depends on the host (its Host and Match blocks, its options), done by
# asyncssh's own code. A file that cannot be read or parsed is left to asyncssh, which then
# fails with the same error as before, at the same point.

_ConfigLine = tuple[int, str, list[str], str]  # line number, option (lower case), args, error
# A file's lines cut where a Host or Match line begins a block: (the names of a Host line of
# plain names, None for any other block; its first line; the line after its last)
_Block = tuple[frozenset[str] | None, int, int]


class _Split(NamedTuple):
    """A config file split once: its lines, its blocks, the blocks every host reads (in
    order) and, by name, those of Host lines of plain names."""

    lines: list[_ConfigLine]
    blocks: list[_Block]
    generic: list[int]
    named: dict[str, list[int]]


_config_lines: dict[tuple[str, type], tuple[str, _Split]] = {}
_known_hosts: dict[tuple[str, ...], tuple[tuple[str, ...], asyncssh.SSHKnownHosts]] = {}
_host_names: dict[str, frozenset[str] | None] = {}  # a Host line's names; None: it has wildcards


def _tokens(path: Path, cls: type[asyncssh.config.SSHConfig]) -> _Split | None:
    """Given a config file, return its lines split as asyncssh's SSHConfig.parse splits them
    (for `cls`, whose option names decide how a line splits) and its blocks (_blocks), from
    the cache while the file holds the same text; None when reading or splitting it fails
    otherwise than by a line asyncssh reports (then asyncssh's parse meets the same failure
    itself)."""
    try:
        with open(path) as f:
            text = f.read()  # universal newlines, as `for line in file` reads it
    except Exception:
        return None
    key = (str(path), cls)
    if (hit := _config_lines.get(key)) is not None and hit[0] == text:
        return hit[1]
    lines = io.StringIO(text).readlines()  # at each "\n", as the file's lines
    out: list[_ConfigLine] = []
    try:
        for line_no, raw in enumerate(lines, 1):
            # From here to `out.append`: asyncssh 2.24's SSHConfig.parse, up to its first
            # use of the host (tests/unit/collect/test_ssh_files.py compares the two).
            line = raw.strip()
            if not line or line[0] == "#":
                continue
            try:
                split_args = shlex.split(line)
            except ValueError as exc:
                out.append((line_no, "", [], str(exc)))
                continue
            args: list[str] = []
            loption = ""
            allow_equal = True
            for i, arg in enumerate(split_args, 1):
                if arg.startswith("="):
                    if len(arg) > 1:
                        args.append(arg[1:])
                elif not allow_equal:
                    args.extend(split_args[i - 1 :])
                    break
                elif arg.endswith("="):
                    args.append(arg[:-1])
                elif "=" in arg:
                    arg, val = arg.split("=", 1)
                    args.append(arg)
                    args.append(val)
                else:
                    args.append(arg)
                if i == 1:
                    loption = args.pop(0).lower()
                    allow_equal = loption in cls._conditionals
            if loption in cls._no_split:
                args = [line.lstrip()[len(loption) :].strip()]
            out.append((line_no, loption, args, ""))
    except Exception:
        return None
    blocks = _blocks(out, cls)
    generic: list[int] = []
    named: dict[str, list[int]] = {}
    for b, (names, _, _) in enumerate(blocks):
        if names is None:
            generic.append(b)
        else:
            for name in names:
                named.setdefault(name, []).append(b)
    split = _Split(out, blocks, generic, named)
    _config_lines[key] = (text, split)
    return split


def _blocks(lines: list[_ConfigLine], cls: type[asyncssh.config.SSHConfig]) -> list[_Block]:
    """Given a file's split lines, return its blocks: a new one at each Host or Match line
    (`cls`'s conditionals). A host that is not among the names of a Host line of plain names
    skips that block whole, as asyncssh's parse skips each of its lines (none of them is
    conditional); where a line is in error (reported even where no host matches) the file is
    one block."""
    if any(error for _, _, _, error in lines):
        return [(None, 0, len(lines))]
    out: list[_Block] = []
    start = 0
    for i, (_, loption, _args, _) in enumerate(lines):
        if loption in cls._conditionals and i > start:
            out.append((_block_names(lines[start]), start, i))
            start = i
    out.append((_block_names(lines[start]) if lines else None, start, len(lines)))
    return out


def _block_names(header: _ConfigLine) -> frozenset[str] | None:
    """The names of a Host line of plain names (see _ClientConfig._match_host); None for any
    other line."""
    _, loption, args, _ = header
    return _plain_names(",".join(args)) if loption == "host" and args else None


def _plain_names(pattern: str) -> frozenset[str] | None:
    """Given a Host line's pattern, return its names when they are plain (no `*`, `?` or
    `!`), else None; made once per pattern."""
    if pattern not in _host_names:
        plain = not any(c in pattern for c in "*?!")
        _host_names[pattern] = frozenset(pattern.split(",")) if plain else None
    return _host_names[pattern]


class _ClientConfig(asyncssh.config.SSHClientConfig):
    """asyncssh's client config, reading each file once per process (see _tokens). Like
    _tokens, it mirrors asyncssh 2.24's private parse; tests/unit/collect/test_ssh_files.py
    compares the two, host by host, so an asyncssh that parses otherwise fails there."""

    def _match_host(self, option: str, args: list[str]) -> None:
        """asyncssh's, but a Host line of plain names (no `*`, `?` or `!`) is matched by looking
        the host up in a set of them, made once: that is what asyncssh's pattern list (fnmatch,
        its `[` and `]` escaped) does for them, there compiled again for each host and line."""
        names = _plain_names(",".join(args))
        if names is None:
            super()._match_host(option, args)
            return
        self._matching = self._orig_host in names
        args.clear()

    _handlers = {**asyncssh.config.SSHClientConfig._handlers, "host": ("Host", _match_host)}  # noqa: RUF012

    def parse(self, path: Path) -> None:
        """asyncssh 2.24's SSHConfig.parse over the file's cached tokens, reading only the
        blocks that can be the host's: a block of a Host line of plain names that are not the
        host's is skipped whole (see _blocks), found by name, not by walking every block."""
        split = _tokens(path, type(self))
        if split is None:
            super().parse(path)
            return
        lines, blocks = split.lines, split.blocks
        self._path = path
        self._line_no = 0
        self._matching = True
        self._tokens = {"%": "%"}
        asyncssh.logger.debug1('Reading config from "%s"', path)
        own = split.named.get(self._orig_host)
        last = -1
        for b in sorted(split.generic + own) if own else split.generic:
            _, start, end = blocks[b]
            self._parse_lines(lines, start, end)
            last = b
        if blocks and last != len(blocks) - 1:  # left as the skipped last block's Host line leaves it
            self._line_no = lines[blocks[-1][1]][0]
            self._matching = False
        self._set_tokens()
        for option in self._percent_expand:
            try:
                value = self._options[option]
            except KeyError:
                pass
            else:
                if isinstance(value, list):
                    value = [self._expand_val(item) for item in value]
                elif isinstance(value, str):
                    value = self._expand_val(value)
                self._options[option] = value

    def _parse_lines(self, lines: list[_ConfigLine], start: int, end: int) -> None:
        """The body of asyncssh 2.24's parse loop, over lines[start:end]."""
        for k in range(start, end):
            line_no, loption, cached, error = lines[k]
            self._line_no = line_no
            if error:
                self._error(error)
            if not self._matching and loption not in self._conditionals:
                continue
            try:
                option, handler = self._handlers[loption]
            except KeyError:
                continue
            if not cached:
                self._error(f"Missing {option} value")
            args = cached.copy()  # the handlers consume their arguments
            handler(self, option, args)
            if args:
                self._error(f"Extra data at end: {' '.join(args)}")


def _loaded_known_hosts(files: tuple[str, ...]) -> asyncssh.SSHKnownHosts | None:
    """Given known_hosts file names, return their keys, imported once per content the files
    have; None when one cannot be read or imported (asyncssh then fails the same way)."""
    try:
        texts = tuple(Path(f).expanduser().read_text() for f in files)  # as asyncssh reads them
        if (hit := _known_hosts.get(files)) is not None and hit[0] == texts:
            return hit[1]
        keys = asyncssh.SSHKnownHosts()
        for text in texts:
            keys.load(text)
    except Exception:
        return None
    _known_hosts[files] = (texts, keys)
    return keys


def _match_known_hosts(known_hosts: Any, host: str, addr: str, port: int | None) -> Any:
    """asyncssh.match_known_hosts, with file names read through _loaded_known_hosts."""
    files = [known_hosts] if isinstance(known_hosts, str) else known_hosts
    if isinstance(files, list) and files and all(isinstance(f, str) for f in files):
        known_hosts = _loaded_known_hosts(tuple(files)) or known_hosts
    return asyncssh.match_known_hosts(known_hosts, host, addr, port)


# The asyncssh versions whose private parse the above mirrors (the test compares them); with
# any other, asyncssh reads the files itself, once per connection: slower, never different.
MIRRORED = ("2.24.",)


def _read_ssh_files_once() -> None:
    """Make asyncssh's connections read ~/.ssh/config and known_hosts as above: the two names
    its connection module looks up for every connection now name the ones above."""
    if not asyncssh.__version__.startswith(MIRRORED):
        return
    asyncssh.connection.SSHClientConfig = _ClientConfig  # type: ignore[attr-defined]
    asyncssh.connection.match_known_hosts = _match_known_hosts  # type: ignore[attr-defined]


_read_ssh_files_once()
