"""A lab of real OpenSSH servers on loopback addresses, one per "node".

Each node gets its own address (127.0.0.2, .3, ...), a free TCP port and its
own ed25519 host key.  The lab also builds a test HOME whose ``~/.ssh`` holds a
client key, a ``config`` with one ``Host`` alias per node (absolute paths only,
so ``ssh -F <config> NAME`` works as well as asyncssh with ``HOME=<home>``)
and a ``known_hosts`` trusting exactly the lab's host keys.

Besides working nodes there are broken ones: an alias where nothing listens
(connection refused), a listener that never speaks (hangs), and a real sshd
whose known_hosts entry holds another key (host key mismatch).
"""

from __future__ import annotations

import atexit
import contextlib
import getpass
import itertools
import os
import pwd
import re
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

SSHD = "/usr/sbin/sshd"
SSH_KEYGEN = "ssh-keygen"

_START_TIMEOUT = 10.0
_STOP_GRACE = 3.0
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")

# Loopback addresses are handed out from one counter per process, so labs in
# the same pytest run (even at the same time) never share an address.  Ports
# are always picked free, so wrapping around after .254 is still safe.
_FIRST_OCTET, _LAST_OCTET = 2, 254
_octets = itertools.count()
_octets_lock = threading.Lock()


def _next_ip() -> str:
    with _octets_lock:
        n = next(_octets)
    return f"127.0.0.{_FIRST_OCTET + n % (_LAST_OCTET - _FIRST_OCTET + 1)}"


def _current_user() -> str:
    """The login name of this process's uid (the only user a non-root sshd can log in).

    Taken from the password database rather than $USER/$LOGNAME, which may be
    stale after su/setpriv; getpass is the fallback for uids without an entry.
    """
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return getpass.getuser()


def _free_port(ip: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((ip, 0))
        return int(sock.getsockname()[1])


def _keygen(path: Path, comment: str) -> Path:
    """Create an unencrypted ed25519 key pair at path / path.pub."""
    subprocess.run(
        [SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )
    return path


def _public_key(private_key: Path) -> str:
    """'ssh-ed25519 AAAA...' (type and base64, without the comment)."""
    fields = private_key.with_name(private_key.name + ".pub").read_text().split()
    return f"{fields[0]} {fields[1]}"


def _read_log(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return path.read_text(errors="replace")
    except OSError as exc:
        return f"<cannot read {path}: {exc}>"


def _children_of(pid: int) -> list[int]:
    """PIDs of all live descendants of pid (per-connection sshd processes)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # "pid (comm) state ppid ..."; comm may contain spaces and parentheses.
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        kids = [child for child, ppid in parents.items() if ppid == parent]
        found.extend(kids)
        todo.extend(kids)
    return found


def _alive(pid: int) -> bool:
    """True if pid exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2 :].split()[0] != "Z"


def _comm(pid: int) -> str:
    """The command name of pid ("" when it is gone)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _signal(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _wait_gone(pids: list[int], deadline: float) -> None:
    """Wait until none of pids is in /proc any more (exited and reaped)."""
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in pids):
        time.sleep(0.02)


def _quote(value: str) -> str:
    """Quote one ssh(d)_config argument."""
    if any(c in value for c in '"\n\r\0'):
        raise ValueError(f"cannot put {value!r} in an ssh config file")
    return f'"{value}"'


@dataclass
class SshNode:
    name: str
    ip: str
    port: int
    pid: int | None
    host_key: Path | None
    log: Path | None = None  # sshd's log file (-E), when the node is a real sshd

    def read_log(self) -> str:
        return _read_log(self.log)


class _SilentListener:
    """A TCP server that accepts connections and never sends a byte."""

    def __init__(self, ip: str) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((ip, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self.port = int(self._sock.getsockname()[1])
        self._conns: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(
            target=self._serve, name=f"silent-listener-{ip}:{self.port}", daemon=True
        )
        self._thread.start()

    def _serve(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            self._conns.append(conn)  # hold it open, say nothing

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=2.0)
        self._sock.close()
        for conn in self._conns:
            conn.close()
        self._conns.clear()


class SshLab:
    """A test HOME with ~/.ssh/{config,known_hosts,id_ed25519} and a set of real sshd on 127.0.0.x.

    Use ``lab.home`` as HOME for the program under test (asyncssh reads
    ``~/.ssh/config`` and ``~/.ssh/known_hosts`` through $HOME), or
    ``lab.env()`` as the environment of a subprocess.  Always call ``stop()``
    (or use the lab as a context manager).
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.base.mkdir(parents=True, exist_ok=True)
        self.user = _current_user()
        self.home = base / "home"
        ssh_dir = self.home / ".ssh"
        ssh_dir.mkdir(parents=True, exist_ok=True)
        ssh_dir.chmod(0o700)
        self.ssh_config = ssh_dir / "config"
        self.known_hosts = ssh_dir / "known_hosts"
        self.client_key = _keygen(ssh_dir / "id_ed25519", f"{self.user}@tarwatch-test")
        self.authorized_keys = base / "authorized_keys"
        self.authorized_keys.write_text(_public_key(self.client_key) + "\n")
        self.ssh_config.write_text("# Written by tests/support/sshd.py: one Host per node.\n")
        self.known_hosts.write_text("")
        self.nodes: dict[str, SshNode] = {}
        self._procs: dict[int, subprocess.Popen[bytes]] = {}
        self._listeners: list[_SilentListener] = []
        self._stopped = False
        if os.geteuid() == 0 and not Path("/run/sshd").is_dir():
            Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
        atexit.register(self.stop)  # last resort if a caller forgets

    # -- context manager ---------------------------------------------------

    def __enter__(self) -> SshLab:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- nodes -------------------------------------------------------------

    def add_node(self, name: str, *, env: dict[str, str] | None = None, run_as: str | None = None) -> SshNode:
        """Start a real sshd for `name` and make the alias `name` reach it.

        `env` is set in every session through sshd_config ``SetEnv`` (``PATH`` too: a node
        whose userland is BusyBox has PATH=<a folder of busybox links>). `run_as` (a user
        name; only when the lab runs as root) runs every command of the session as that
        unprivileged user, through ``ForceCommand setpriv``: a node where tarwatch's account
        cannot read everything, as root never is.
        """
        node = self._start_sshd(name, env=env, run_as=run_as)
        assert node.host_key is not None
        self._add_host(node)
        self._trust(node, _public_key(node.host_key))
        return node

    def add_refusing(self, name: str) -> SshNode:
        """An alias to 127.0.0.N:PORT where nothing listens (connection refused)."""
        self._check_name(name)
        ip = _next_ip()
        node = SshNode(name=name, ip=ip, port=_free_port(ip), pid=None, host_key=None)
        self._add_host(node)
        self.nodes[name] = node
        return node

    def add_silent(self, name: str) -> SshNode:
        """An alias to a listener that accepts TCP connections and never answers."""
        self._check_name(name)
        ip = _next_ip()
        listener = _SilentListener(ip)
        self._listeners.append(listener)
        node = SshNode(name=name, ip=ip, port=listener.port, pid=None, host_key=None)
        self._add_host(node)
        self.nodes[name] = node
        return node

    def add_refusing_key(self, name: str, *, offer_passwords: bool = False) -> SshNode:
        """A real sshd that the lab trusts, but that does not accept the lab's client key (and,
        with `offer_passwords`, offers password and keyboard-interactive logins instead)."""
        node = self._start_sshd(name, env=None, run_as=None, refuse_key=True, offer_passwords=offer_passwords)
        assert node.host_key is not None
        self._add_host(node)
        self._trust(node, _public_key(node.host_key))
        return node

    def add_wrong_key(self, name: str) -> SshNode:
        """A real sshd, but known_hosts holds another (freshly generated) key for it.

        ``node.host_key`` is the key sshd really uses, not the one in known_hosts.
        """
        node = self._start_sshd(name, env=None, run_as=None)
        self._add_host(node)
        impostor = _keygen(self.base / "nodes" / name / "impostor_ed25519_key", "impostor")
        self._trust(node, _public_key(impostor))
        return node

    def route(self, name: str, ip: str, port: int) -> None:
        """Make the alias `name` reach its node at ip:port instead (a proxy in front of its
        sshd): its Host entry points there, and known_hosts trusts the node's host key there."""
        node = self.nodes[name]
        assert node.host_key is not None, f"{name!r} is not a real sshd"
        old = f"Host {name}\n    HostName {node.ip}\n    Port {node.port}\n"
        text = self.ssh_config.read_text()
        assert text.count(old) == 1, f"no Host entry of {name!r} to route"
        self.ssh_config.write_text(text.replace(old, f"Host {name}\n    HostName {ip}\n    Port {port}\n"))
        self._trust(SshNode(name, ip, port, None, None), _public_key(node.host_key))

    # -- client side ---------------------------------------------------------

    def env(self) -> dict[str, str]:
        """os.environ with HOME=lab.home and no ssh-agent, for subprocess.run."""
        env = dict(os.environ)
        env["HOME"] = str(self.home)
        env.pop("SSH_AUTH_SOCK", None)
        env.pop("SSH_AGENT_PID", None)
        return env

    def ssh_argv(self, name: str, *command: str) -> list[str]:
        """argv for the OpenSSH client to run `command` on node `name`."""
        return ["ssh", "-F", str(self.ssh_config), name, *command]

    # -- teardown ------------------------------------------------------------

    def stop_node(self, name: str) -> None:
        """Stop one node's sshd (it then refuses connections, like a node that went down)."""
        node = self.nodes[name]
        proc = self._procs.pop(node.pid, None) if node.pid is not None else None
        if proc is None:
            return
        kids = _children_of(proc.pid)
        _signal(kids, signal.SIGTERM)
        proc.terminate()
        try:
            proc.wait(timeout=_STOP_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        _signal([pid for pid in kids if _alive(pid)], signal.SIGKILL)

    def drop_sessions(self, name: str) -> list[int]:
        """Kill (SIGKILL) the per-connection sshd processes of node `name`, as a crash or a cut
        cable would end them: every connection to it drops mid-way; its listener stays up.
        Return the PIDs killed."""
        node = self.nodes[name]
        if node.pid is None:
            return []
        kids = [pid for pid in _children_of(node.pid) if _comm(pid) == "sshd"]
        _signal(kids, signal.SIGKILL)
        return kids

    def stop(self) -> None:
        """Stop every server of the lab (SIGTERM, SIGKILL after a grace); idempotent."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        for listener in self._listeners:
            listener.stop()
        self._listeners.clear()
        procs = list(self._procs.values())
        self._procs.clear()
        # Per-connection sshd processes start their own session: signal them by
        # PID, first, so that their parent, the listening sshd, is still there
        # to reap them (else they linger as zombies of init for a while).
        kids = [pid for proc in procs for pid in _children_of(proc.pid)]
        _signal(kids, signal.SIGTERM)
        deadline = time.monotonic() + _STOP_GRACE
        _wait_gone(kids, min(deadline, time.monotonic() + 1.0))
        _signal([proc.pid for proc in procs], signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        _wait_gone(kids, deadline)
        _signal([pid for pid in kids if _alive(pid)], signal.SIGKILL)

    # -- internals -----------------------------------------------------------

    def _check_name(self, name: str) -> None:
        if self._stopped:
            raise RuntimeError("this SshLab is stopped")
        if not _NAME_RE.match(name):
            raise ValueError(f"bad node name {name!r}: use letters, digits, '.', '_', '-'")
        if name in self.nodes:
            raise ValueError(f"node {name!r} already exists")

    def _add_host(self, node: SshNode) -> None:
        lines = [
            "",
            f"Host {node.name}",
            f"    HostName {node.ip}",
            f"    Port {node.port}",
            f"    User {self.user}",
            f"    IdentityFile {_quote(str(self.client_key))}",
            "    IdentitiesOnly yes",
            f"    UserKnownHostsFile {_quote(str(self.known_hosts))}",
            "    StrictHostKeyChecking yes",
            "    BatchMode yes",
        ]
        with self.ssh_config.open("a") as f:
            f.write("\n".join(lines) + "\n")

    def _trust(self, node: SshNode, public_key: str) -> None:
        with self.known_hosts.open("a") as f:
            f.write(f"[{node.ip}]:{node.port} {public_key}\n")

    def _start_sshd(
        self,
        name: str,
        *,
        env: dict[str, str] | None,
        run_as: str | None,
        refuse_key: bool = False,
        offer_passwords: bool = False,
    ) -> SshNode:
        self._check_name(name)
        node_dir = self.base / "nodes" / name
        node_dir.mkdir(parents=True)
        host_key = _keygen(node_dir / "ssh_host_ed25519_key", f"{name}-host")
        # Each node trusts the lab's client key, unless it is one that refuses it.
        (node_dir / "authorized_keys").write_text("" if refuse_key else self.authorized_keys.read_text())
        ip = _next_ip()
        last_error = ""
        for _attempt in range(3):  # the free port may be taken before sshd binds it
            port = _free_port(ip)
            config = node_dir / "sshd_config"
            config.write_text(self._sshd_config(ip, port, host_key, node_dir, env, run_as, offer_passwords))
            log = node_dir / "sshd.log"
            log.write_text("")
            with (node_dir / "sshd.stderr").open("wb") as stderr:
                proc = subprocess.Popen(
                    [SSHD, "-D", "-e", "-f", str(config), "-E", str(log)],
                    stdin=subprocess.DEVNULL,
                    stdout=stderr,
                    stderr=stderr,
                    start_new_session=True,
                )
            self._procs[proc.pid] = proc
            node = SshNode(name=name, ip=ip, port=port, pid=proc.pid, host_key=host_key, log=log)
            try:
                self._wait_ready(node, proc)
            except RuntimeError as exc:
                last_error = str(exc)
                self._procs.pop(proc.pid, None)
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                if "Address already in use" in last_error:
                    continue
                raise
            self.nodes[name] = node
            return node
        raise RuntimeError(last_error)

    def _sshd_config(
        self,
        ip: str,
        port: int,
        host_key: Path,
        node_dir: Path,
        env: dict[str, str] | None,
        run_as: str | None = None,
        offer_passwords: bool = False,
    ) -> str:
        lines = [
            f"ListenAddress {ip}:{port}",
            f"HostKey {_quote(str(host_key))}",
            f"PidFile {_quote(str(node_dir / 'sshd.pid'))}",
            f"AuthorizedKeysFile {_quote(str(node_dir / 'authorized_keys'))}",
            "PubkeyAuthentication yes",
            f"PasswordAuthentication {'yes' if offer_passwords else 'no'}",
            f"KbdInteractiveAuthentication {'yes' if offer_passwords else 'no'}",
            "UsePAM no",
            "PermitRootLogin prohibit-password",
            "StrictModes no",
            "LogLevel VERBOSE",
            "PrintMotd no",
            "Subsystem sftp internal-sftp",
        ]
        if env:
            for key in env:
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                    raise ValueError(f"bad environment variable name {key!r}")
            # sshd only honours the first SetEnv line: put every variable on it.
            lines.append("SetEnv " + " ".join(_quote(f"{k}={v}") for k, v in env.items()))
        if run_as is not None and os.geteuid() == 0:
            pw = pwd.getpwnam(run_as)
            lines.append(
                f"ForceCommand exec setpriv --reuid={pw.pw_uid} --regid={pw.pw_gid} --clear-groups"
                ' -- /bin/sh -c "$SSH_ORIGINAL_COMMAND"'
            )
        return "\n".join(lines) + "\n"

    @staticmethod
    def _wait_ready(node: SshNode, proc: subprocess.Popen[bytes]) -> None:
        """Wait until sshd accepts a connection and sends its SSH-2.0 banner."""
        deadline = time.monotonic() + _START_TIMEOUT
        problem = "no answer"
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                problem = f"sshd exited with status {proc.returncode}"
                break
            try:
                with socket.create_connection((node.ip, node.port), timeout=1.0) as sock:
                    banner = sock.recv(256)
                if banner.startswith(b"SSH-2.0"):
                    return
                problem = f"unexpected banner {banner!r}"
            except OSError as exc:
                problem = str(exc)
            time.sleep(0.05)
        else:
            problem = f"not ready after {_START_TIMEOUT:.0f} s ({problem})"
        stderr = _read_log(node.log.with_name("sshd.stderr") if node.log else None)
        raise RuntimeError(
            f"sshd for node {node.name!r} on {node.ip}:{node.port}: {problem}\n"
            f"--- sshd log ({node.log}) ---\n{node.read_log()}"
            f"--- sshd stderr ---\n{stderr}"
        )
