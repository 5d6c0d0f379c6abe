"""A TCP proxy that stands for the network between a hub and its nodes: one listening port per
node (on the node's own 127.0.0.x), forwarding to that node's sshd, with a chosen round-trip
time and a bandwidth cap per node and direction. Every node of a benchmark sits behind one
proxy process, which runs apart from tarwatch (its CPU time is measured apart).

    python bench/proxy.py --rtt 0.1 --rate 10e6 127.0.0.2:40001 127.0.0.3:40002 …

prints one JSON line, the [ip, port] it listens on for each target in order, then serves until
SIGTERM. `Proxy` (below) starts, reads and stops it from Python.

Each direction of a connection is a delay line, not stop-and-wait: a chunk read at time t is
written at t + rtt/2 (later when the link's token bucket says so), in order, while the chunks
after it are already on their way, so throughput is bounded by the rate cap, not by the
delay. Opening a connection costs what TCP's handshake costs: the client's first bytes reach
the node 1.5 round trips after it connected (SYN, SYN-ACK, then its ACK with the data), the
node's first answer is back half a round trip later. Only the standard library: it runs as a
script, without the project's imports."""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

CHUNK = 1 << 16
WINDOW = 4 << 20  # bytes in flight per direction before the proxy stops reading (a TCP window)


class Bucket:
    """A token bucket: `rate` bytes a second, bursts of up to `burst` bytes."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.t = burst, now

    def leave(self, now: float, n: int) -> float:
        """Given n bytes that reach the link at `now`, return when their last byte has left it
        (never before `now`; always in the order they came)."""
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate) - n
        self.t = now
        return now if self.tokens >= 0 else now - self.tokens / self.rate


class Lane:
    """One direction of one connection: bytes read from one socket are written to the other
    when they are due (the bucket's time plus the one-way delay), in order."""

    def __init__(self, bucket: Bucket | None, delay: float) -> None:
        self.bucket, self.delay = bucket, delay
        self.line: collections.deque[tuple[float, bytes]] = collections.deque()
        self.queued = 0
        self.wake = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()

    async def take(self, src: asyncio.StreamReader) -> None:
        """Read `src` to its end, stamping each chunk with the time it is due (b"" is the end)."""
        loop = asyncio.get_running_loop()
        while True:
            data = await src.read(CHUNK)
            now = loop.time()
            left = self.bucket.leave(now, len(data)) if data and self.bucket else now
            self.line.append((left + self.delay, data))
            self.wake.set()
            if not data:
                return
            self.queued += len(data)
            if self.queued > WINDOW:
                self.room.clear()
                await self.room.wait()

    async def give(self, dst: asyncio.StreamWriter) -> None:
        """Write every chunk to `dst` when it is due (all those due at once in one write); at
        the end, half-close `dst`."""
        loop = asyncio.get_running_loop()
        while True:
            if not self.line:
                self.wake.clear()
                await self.wake.wait()
                continue
            wait = self.line[0][0] - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            now = loop.time()
            parts: list[bytes] = []
            end = False
            while self.line and self.line[0][0] <= now:
                data = self.line.popleft()[1]
                if not data:
                    end = True
                    break
                parts.append(data)
            if parts:
                out = b"".join(parts)
                dst.write(out)
                self.queued -= len(out)
                if self.queued <= WINDOW:
                    self.room.set()
                await dst.drain()
            if end:
                if dst.can_write_eof():
                    dst.write_eof()
                return


class Node:
    """One node's listener: its target, round trip and the two buckets its connections share."""

    def __init__(self, target: tuple[str, int], rtt: float, rate: float | None) -> None:
        now = asyncio.get_running_loop().time()
        burst = max(CHUNK, rate * 0.01) if rate else 0.0
        self.target, self.rtt = target, rtt
        self.up = Bucket(rate, burst, now) if rate else None
        self.down = Bucket(rate, burst, now) if rate else None
        self.open: set[asyncio.Task[None]] = set()

    async def serve(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        """Carry one connection both ways until both ends are done (or one fails, or the proxy
        stops)."""
        me = asyncio.current_task()
        assert me is not None
        self.open.add(me)
        up, down = Lane(self.up, self.rtt / 2), Lane(self.down, self.rtt / 2)
        tasks = [asyncio.ensure_future(up.take(client_r))]
        server_w: asyncio.StreamWriter | None = None
        try:
            await asyncio.sleep(1.5 * self.rtt)  # SYN, SYN-ACK, and the ACK the first bytes ride
            server_r, server_w = await asyncio.open_connection(*self.target)
            tasks += [
                asyncio.ensure_future(up.give(server_w)),
                asyncio.ensure_future(down.take(server_r)),
                asyncio.ensure_future(down.give(client_w)),
            ]
            await asyncio.gather(*tasks)
        except (OSError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass  # a peer went away (the other end is closed below, as a network would), or a stop
        finally:
            self.open.discard(me)
            for t in tasks:
                t.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            for w in (client_w, server_w):
                if w is not None:
                    w.close()
                    with contextlib.suppress(Exception):
                        await w.wait_closed()


async def serve(targets: list[tuple[str, int]], rtt: float, rate: float | None) -> None:
    """Listen for every target on its own host (a free port), print where, serve until SIGTERM."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    servers, nodes = [], []
    for host, port in targets:
        nodes.append(Node((host, port), rtt, rate))
        servers.append(await asyncio.start_server(nodes[-1].serve, host, 0, backlog=512))
    where = [list(s.sockets[0].getsockname()[:2]) for s in servers]
    sys.stdout.write(json.dumps(where) + "\n")
    sys.stdout.flush()
    await stop.wait()
    for s in servers:
        s.close()
    conns = [t for n in nodes for t in n.open]
    for t in conns:
        t.cancel()
    await asyncio.gather(*conns, return_exceptions=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rtt", type=float, default=0.1, help="round-trip time in seconds (default 0.1)")
    ap.add_argument("--rate", type=float, default=0, help="bytes per second per node and direction (0: none)")
    ap.add_argument("targets", nargs="+", help="host:port of each node's server")
    a = ap.parse_args()
    targets = [(t.rsplit(":", 1)[0], int(t.rsplit(":", 1)[1])) for t in a.targets]
    asyncio.run(serve(targets, a.rtt, a.rate or None))


class Proxy:
    """The proxy running as its own process in front of `targets` ((host, port) each):
    `addresses` are where to connect instead, in the same order. Stop it with `stop()` (or use
    it as a context manager)."""

    def __init__(self, targets: list[tuple[str, int]], rtt: float, rate: float | None = None) -> None:
        argv = [sys.executable, str(Path(__file__).resolve()), "--rtt", str(rtt), "--rate", str(rate or 0)]
        self.proc = subprocess.Popen(
            argv + [f"{h}:{p}" for h, p in targets], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"the proxy exited with status {self.proc.returncode} before listening")
        self.addresses: list[tuple[str, int]] = [(h, int(p)) for h, p in json.loads(line)]
        self.pid = self.proc.pid

    def cpu_seconds(self) -> float:
        """The proxy's CPU time so far (user + system), from /proc."""
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rfind(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """SIGTERM, a grace of 3 s, then SIGKILL; idempotent."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def echo_server(ip: str = "127.0.0.1") -> tuple[str, int]:
    """A tiny echo server on ip (a daemon thread): the proxy's ping-pong test runs against it."""
    srv = socket.create_server((ip, 0))

    def serve() -> None:
        while True:
            conn, _ = srv.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with conn:
                while data := conn.recv(1 << 16):
                    conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[:2]


def ping(host: str, port: int, rounds: int = 5) -> list[float]:
    """Given an echo server's address (through the proxy), return the seconds of `rounds` one-byte
    round trips on one connection (after a first one, which waits for the handshake too)."""
    import socket

    with socket.create_connection((host, port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        out = []
        for _ in range(rounds + 1):
            t0 = time.perf_counter()
            s.sendall(b"x")
            if s.recv(1) != b"x":
                raise RuntimeError("the echo did not come back")
            out.append(time.perf_counter() - t0)
        return out[1:]


if __name__ == "__main__":
    main()
