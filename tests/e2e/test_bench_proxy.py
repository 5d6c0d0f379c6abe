"""The fan-out benchmark's network (bench/proxy.py): bytes come through intact both ways, no
sooner than the round trip and the rate cap allow, and a real sshd behind it is reached through
the lab's alias. Only lower bounds on time are asserted: a loaded machine only adds to them."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time

import pytest
from bench.proxy import Proxy, echo_server, ping

pytestmark = pytest.mark.e2e
RTT = 0.1


def test_the_proxy_carries_bytes_intact_after_the_round_trip_and_at_most_at_its_rate():
    with Proxy([echo_server()], rtt=RTT, rate=2e6) as proxy:
        pings = ping(*proxy.addresses[0], rounds=2)
        assert min(pings) >= RTT * 0.99, pings  # one round trip each, never less

        payload = os.urandom(1 << 19)
        got = bytearray()
        t0 = time.perf_counter()
        with socket.create_connection(proxy.addresses[0]) as s:
            sender = threading.Thread(target=s.sendall, args=(payload,))
            sender.start()
            while len(got) < len(payload) and (chunk := s.recv(1 << 16)):
                got += chunk
            sender.join()
        secs = time.perf_counter() - t0
        assert bytes(got) == payload
        # 512 KiB at 2 MB/s (a burst of 64 KiB aside), after the handshake and a round trip
        assert secs >= (len(payload) - (1 << 16)) / 2e6 + 2 * RTT, secs
        assert proxy.cpu_seconds() > 0
        pid = proxy.pid
    assert proxy.proc.returncode == 0  # SIGTERM: a clean exit
    assert not os.path.exists(f"/proc/{pid}")


def test_a_lab_node_routed_through_the_proxy_answers_over_ssh(ssh_lab, tmp_path):
    node = ssh_lab.add_node("far", env={"HOME": str(tmp_path)})  # no login files: a quick login
    with Proxy([(node.ip, node.port)], rtt=0.05) as proxy:
        ssh_lab.route("far", *proxy.addresses[0])
        t0 = time.perf_counter()
        p = subprocess.run(ssh_lab.ssh_argv("far", "echo", "hello"), env=ssh_lab.env(), capture_output=True)
        secs = time.perf_counter() - t0
    assert p.returncode == 0, p.stderr
    assert p.stdout == b"hello\n"
    assert secs >= 4 * 0.05  # TCP's handshake, the key exchange, the login, the command: round trips
    # the alias goes through the proxy only: with the proxy stopped, nothing answers there
    p = subprocess.run(ssh_lab.ssh_argv("far", "true"), env=ssh_lab.env(), capture_output=True)
    assert p.returncode == 255 and b"refused" in p.stderr, p.stderr
