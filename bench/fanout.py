"""Fan-out: `tarwatch collect` over 8, 64 and 256 nodes, each a real sshd on its own 127.0.0.x
(they list the same tree) reached through bench/proxy.py, which puts a network between the hub
and every node: a round trip of `rtt` and `rate` bytes a second per node and direction, so
that waiting on the network is real. Against the slowest of a few single nodes collected alone
through the same proxy.

The target: N nodes finish within 1.5× the slowest single node plus the client's CPU time for
them (tarwatch's own work, which one process does on one core). On one machine the nodes' sshd
and find run on the same two cores as tarwatch, which remote nodes would not: their CPU time
is measured apart (the sshd process trees), and so is the proxy's. From the client's CPU time
per node: how many nodes one hub lists in a 10-minute nightly window. And the peak memory of
the collecting process, which should not grow with the number of nodes (64 against 8).

    .venv/bin/python -m bench.fanout [--sizes 8,64,256] [--repeat 3] [--singles 3]
        [--tarballs 2000] [--profile FILE]

--profile: after the measured runs, one more collect of the largest size, not counted in the
figures, profiled into FILE: under cProfile for a FILE.prof (the main thread; read it with
pstats), else under py-spy (`.venv/bin/pip install py-spy`): every thread's stacks, sampled
on CPU, collapsed."""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.common import SshLab, lab_env, load_average, run_timed, tarwatch_argv, yes
from bench.proxy import Proxy, echo_server, ping
from bench.world import Shape, write_tree

WINDOW_S = 600  # a nightly window of 10 minutes
FLOOR_PRINTF = "%s %T@ %p\\n"
NODE_NICE = 10


def _config(path: Path, db: Path, nodes: list[str]) -> Path:
    body = "\n".join(f"[nodes.{n}]" for n in nodes)
    path.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n[defaults]\ntimeout = "300s"\n'
        f'[hubs.H]\nsrvnode = "hub"\nnodes = {nodes!r}\n{body}\n'.replace("'", '"')
    )
    return path


def _tree_cpu(pids: list[int]) -> float:
    """CPU seconds of the processes `pids` and of their children they have reaped (user +
    system, from /proc/<pid>/stat: utime, stime, cutime, cstime)."""
    total = 0
    for pid in pids:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rfind(")") + 2 :].split()
        total += sum(int(f) for f in fields[11:15])
    return total / os.sysconf("SC_CLK_TCK")


def _settle(pids: list[int], timeout: float = 10.0) -> None:
    """Wait until none of `pids` has a child left (every session over, reaped): only then are
    the sessions' CPU times in their parents'."""
    parents = set(pids)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = False
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    stat = Path(entry.path, "stat").read_text()
                except OSError:
                    continue
                if int(stat[stat.rfind(")") + 2 :].split()[1]) in parents:
                    busy = True
                    break
        if not busy:
            return
        time.sleep(0.1)


def _run_waits(argv: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run a command to completion (fail loudly); return (wall s, peak RSS MB, seconds its main
    thread was ready to run but waited for a core: the kernel's run delay, /proc schedstat,
    last sampled at most 50 ms before it ended)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
        )
        waited = 0.0
        stat = Path(f"/proc/{proc.pid}/schedstat")
        while proc.poll() is None:
            with contextlib.suppress(OSError, ValueError, IndexError):
                waited = int(stat.read_text().split()[1]) / 1e9
            time.sleep(0.05)
        secs = time.perf_counter() - t0
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{argv[:4]}… exited {proc.returncode}: {err.read().decode()[-2000:]}")
    return secs, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, waited


class _Pinger(threading.Thread):
    """Pings an echo server through the proxy every 0.25 s until stopped: the round trip the
    proxy gives while a run loads it (it should stay near the one it was asked for)."""

    def __init__(self, addr: tuple[str, int]) -> None:
        super().__init__(daemon=True)
        self.addr, self.done, self.rtts = addr, threading.Event(), list[float]()

    def run(self) -> None:
        with socket.create_connection(self.addr) as s:
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while not self.done.wait(0.25):
                t0 = time.perf_counter()
                s.sendall(b"x")
                if s.recv(1) != b"x":
                    return
                self.rtts.append(time.perf_counter() - t0)

    def stop(self) -> dict:
        self.done.set()
        self.join()
        ms = [1000 * x for x in self.rtts] or [0.0]
        return {"median": statistics.median(ms), "max": max(ms), "count": len(self.rtts)}


class _Meter:
    """Runs collect and measures it: wall, client CPU (tarwatch, a child), node-side CPU (the
    sshd trees), the proxy's CPU and its round trip meanwhile, peak RSS."""

    def __init__(self, env: dict[str, str], base: Path, sshd: list[int], proxy: Proxy) -> None:
        self.env, self.base, self.sshd, self.proxy = env, base, sshd, proxy

    def collect(self, config: Path) -> dict:
        for p in self.base.glob("fan.db*"):
            p.unlink()
        _settle(self.sshd)
        node0, proxy0 = _tree_cpu(self.sshd), self.proxy.cpu_seconds()
        pinger = _Pinger(self.proxy.addresses[0])
        pinger.start()
        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        secs, peak, waited = _run_waits(tarwatch_argv("--config", str(config), "-q", "collect"), self.env)
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        pings = pinger.stop()
        proxy1 = self.proxy.cpu_seconds()
        _settle(self.sshd)
        return {
            "wall_s": secs,
            "client_cpu_s": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime),
            "node_cpu_s": _tree_cpu(self.sshd) - node0,
            "proxy_cpu_s": proxy1 - proxy0,
            "peak_mb": peak,
            "client_waited_s": waited,
            "ping_during_ms": pings,
        }


def _available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run(
    sizes: tuple[int, ...] = (8, 64, 256),
    tarballs: int = 2_000,
    singles: int = 3,
    repeat: int = 3,
    rtt: float = 0.1,
    rate: float = 10e6,
    profile: Path | None = None,
) -> dict:
    shape = Shape(nodes=1, items=max(1, tarballs // 50), days=50, seed=3)
    out: dict = {
        "benchmark": "fanout",
        "rtt_s": rtt,
        "rate_bytes_s": rate,
        "node_nice": NODE_NICE,
        "sizes": {},
    }
    out["load_before"] = load_average()
    with tempfile.TemporaryDirectory(prefix="tarwatch-fanout-") as tmp:
        base = Path(tmp)
        root = base / "fold" / "backup" / "hub"
        out["tarballs_per_node"] = write_tree(shape, 0, root)
        lab = SshLab(base / "lab")
        proxy: Proxy | None = None
        try:
            t0, mem0 = time.perf_counter(), _available_mb()
            names = [f"n{i:03d}" for i in range(max(sizes))]
            # The sessions get a HOME of their own: the lab's account may have a ~/.bashrc that
            # bash runs for every ssh command (this machine's root runs `pyenv init` there:
            # 0.1 s of CPU and 0.4 s of wall per session), which is no part of the fan-out.
            (base / "node-home").mkdir()
            node_env = {"SCM_FOLD": str(base / "fold"), "HOME": str(base / "node-home")}
            for n in [*names, "direct"]:
                lab.add_node(n, env=node_env)
            # The local nodes run at nice 10, to take what CPU tarwatch leaves, as remote nodes
            # would take none of the hub's (their sessions inherit it from the listener). Where
            # the kernel shares the cores by session (sched_autogroup), it does little: each
            # sshd session is a group of its own, weighing as much as tarwatch's.
            for node in lab.nodes.values():
                if node.pid is not None:
                    os.setpriority(os.PRIO_PROCESS, node.pid, NODE_NICE)
            echo = echo_server(lab.nodes[names[0]].ip)
            proxy = Proxy([echo] + [(lab.nodes[n].ip, lab.nodes[n].port) for n in names], rtt, rate)
            for n, (ip, port) in zip(names, proxy.addresses[1:], strict=True):
                lab.route(n, ip, port)
            out["lab_start_s"] = time.perf_counter() - t0
            out["lab_mb"] = mem0 - _available_mb()
            pings = ping(*proxy.addresses[0], rounds=10)
            out["ping_ms"] = {"min": 1000 * min(pings), "median": 1000 * statistics.median(pings)}
            env = lab_env(lab, XDG_DATA_HOME=str(base / "data"))
            db = base / "fan.db"
            sshd = [pid for n in [*names, "direct"] if (pid := lab.nodes[n].pid) is not None]
            meter = _Meter(env, base, sshd, proxy)

            # One node alone: straight to its sshd, then through the proxy; the difference in
            # round trips is what the protocol waits for. OpenSSH's bare listing beside it.
            ssh = ["ssh", "-F", str(lab.ssh_config)]
            floor = f"find {root} -printf '{FLOOR_PRINTF}'"
            twice = min(2, repeat)
            out["floor_direct_s"] = min(run_timed([*ssh, "direct", floor], env)[0] for _ in range(twice))
            out["floor_proxied_s"] = min(run_timed([*ssh, names[0], floor], env)[0] for _ in range(twice))
            direct = _config(base / "direct.toml", db, ["direct"])
            out["single_direct_s"] = min(meter.collect(direct)["wall_s"] for _ in range(twice))
            step = max(1, len(names) // singles)
            single = []  # each node alone, its better of two runs (a loaded machine only adds)
            for n in names[::step][:singles]:
                one = _config(base / "one.toml", db, [n])
                single.append(min((meter.collect(one) for _ in range(twice)), key=_wall))
            out["single_s"] = [s["wall_s"] for s in single]
            out["slowest_single_s"] = slowest = max(out["single_s"])
            out["single_client_cpu_s"] = max(s["client_cpu_s"] for s in single)
            out["round_trips"] = (min(out["single_s"]) - out["single_direct_s"]) / rtt
            out["floor_round_trips"] = (out["floor_proxied_s"] - out["floor_direct_s"]) / rtt
            for size in sizes:
                config = _config(base / f"fan{size}.toml", db, names[:size])
                runs = sorted((meter.collect(config) for _ in range(repeat if size < 256 else 1)), key=_wall)
                fig = runs[len(runs) // 2]
                fig["budget_s"] = 1.5 * slowest + fig["client_cpu_s"]
                fig["vs_budget"] = fig["wall_s"] / fig["budget_s"]
                fig["vs_slowest_single"] = fig["wall_s"] / slowest
                fig["client_cpu_per_node_ms"] = 1000 * fig["client_cpu_s"] / size
                fig["node_cpu_per_node_ms"] = 1000 * fig["node_cpu_s"] / size
                fig["runs"] = len(runs)
                out["sizes"][size] = fig
            if profile is not None:
                config = _config(base / "profiled.toml", db, names[: max(sizes)])
                for p in base.glob("fan.db*"):
                    p.unlink()
                if profile.suffix == ".prof":
                    profiled = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "tarwatch"]
                else:  # py-spy's collapsed stacks of every thread, on CPU only
                    spy = Path(sys.executable).parent / "py-spy"
                    rec = [str(spy), "record", "-f", "raw", "-r", "250", "-o", str(profile), "--"]
                    profiled = [*rec, sys.executable, "-m", "tarwatch"]
                run_timed([*profiled, "--config", str(config), "-q", "collect"], env)
                out["profile"] = str(profile)
        finally:
            if proxy is not None:
                proxy.stop()
            lab.stop()
            shutil.rmtree(base / "lab", ignore_errors=True)
    largest = out["sizes"][max(sizes)]
    out["nodes_per_window"] = int(WINDOW_S / (largest["client_cpu_s"] / max(sizes)))
    if len(sizes) > 1:  # what one more node costs the client, from the two largest sizes
        a, b = sorted(sizes)[-2:]
        extra = out["sizes"][b]["client_cpu_s"] - out["sizes"][a]["client_cpu_s"]
        out["client_cpu_per_extra_node_ms"] = 1000 * extra / (b - a)
    if 8 in sizes and 64 in sizes:  # memory flat in the number of nodes: ≤ 1.2× (issue 14)
        out["peak_64_vs_8"] = out["sizes"][64]["peak_mb"] / out["sizes"][8]["peak_mb"]
    out["window_bound"] = (
        "the client's CPU: one process (one core) parses and stores every listing; the network "
        "waits of all nodes overlap"
    )
    out["load_after"] = load_average()
    out["targets"] = "wall ≤ 1.5× the slowest single node + the client's CPU time for the nodes"
    out["met"] = all(v["wall_s"] <= v["budget_s"] for v in out["sizes"].values())
    return out


def _wall(fig: dict) -> float:
    return fig["wall_s"]


def main() -> None:
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="8,64,256", help="numbers of nodes, comma-separated")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--singles", type=int, default=3)
    ap.add_argument("--tarballs", type=int, default=2_000)
    ap.add_argument("--profile", type=Path, default=None)
    a = ap.parse_args()
    sizes = tuple(int(n) for n in a.sizes.split(","))
    r = run(sizes, a.tarballs, a.singles, a.repeat, profile=a.profile)
    print(json.dumps(r, indent=1))
    print("\n".join(rows(r)))


def rows(r: dict) -> list[str]:
    """Given this benchmark's figures, return its rows of the table bench.run prints."""
    parts = [
        f"{n} nodes {v['wall_s']:.1f} s against {v['budget_s']:.1f} s = {v['vs_budget']:.2f}× "
        f"(client CPU {v['client_cpu_s']:.1f} s = {v['client_cpu_per_node_ms']:.0f} ms/node; "
        f"of the wall, tarwatch's main thread waited {v['client_waited_s']:.1f} s for a core: "
        f"{v['wall_s'] - v['client_waited_s']:.1f} s without; apart: the local sshd "
        f"{v['node_cpu_per_node_ms']:.0f} ms/node, the proxy {v['proxy_cpu_s']:.1f} s (its ping meanwhile "
        f"{v['ping_during_ms']['median']:.0f} ms, at most {v['ping_during_ms']['max']:.0f}); "
        f"peak {v['peak_mb']:.0f} MB)"
        for n, v in r["sizes"].items()
    ]
    net = f"{1000 * r['rtt_s']:.0f} ms round trip, {r['rate_bytes_s'] / 1e6:.0f} MB/s per node"
    return [
        f"| fan-out, {r['tarballs_per_node']:,} tarballs per node, every node a real sshd behind a "
        f"proxy ({net}; ping {r['ping_ms']['median']:.0f} ms; a bare `ssh find` "
        f"{r['floor_proxied_s']:.2f} s through it, {r['floor_direct_s']:.2f} s direct) | slowest "
        f"single node {r['slowest_single_s']:.2f} s (direct {r['single_direct_s']:.2f} s); "
        + "; ".join(parts)
        + (f"; peak memory 64 nodes = {r['peak_64_vs_8']:.2f}× 8 nodes" if "peak_64_vs_8" in r else "")
        + f"; **{r['nodes_per_window']:,} nodes in a 10-minute window** at that client CPU per node "
        f"({r['load_before']}) | ≤ 1.5× the slowest single + client CPU | {yes(r['met'])} |"
    ]


if __name__ == "__main__":
    main()
