"""Real servers that receive notifications on 127.0.0.1: an SMTP server (aiosmtpd) that keeps
the messages it accepts and can be stopped and started again on its port (and be slow: it holds
each message `delay` seconds before it answers), and a webhook receiver (http.server in a
thread) that keeps the JSON documents posted to it."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    """One accepted mail: its envelope recipients and the parsed message."""

    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        """Return the text of its text/<subtype> part ("plain", "html")."""
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_subtype() == subtype, f"no text/{subtype} part"
        return body.get_content()


@dataclass
class SmtpServer:
    """An aiosmtpd server on 127.0.0.1:port; `received` fills as mail arrives (a message counts
    as received once its data is in, as with a real MTA, even if the client is gone before the
    answer); with `delay` the server waits that long before it answers "250 OK"; after
    `hold()` it answers nothing until `release()`, or for at most 12 seconds: below the 15
    seconds Apprise waits for an SMTP answer, so a held client is slow, never failed."""

    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    delay: float = 0.0
    _controller: Any = None
    _open: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._open.set()

    def hold(self) -> None:
        """Answer no message from now on until release(): a client sending one waits there."""
        self._open.clear()

    def release(self) -> None:
        self._open.set()

    def start(self) -> SmtpServer:
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
                msg = message_from_bytes(envelope.original_content, policy=policy.default)
                server.received.append(Received(list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
                if server.delay:
                    await asyncio.sleep(server.delay)
                deadline = time.monotonic() + 12
                while not server._open.is_set() and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)
                return "250 OK"

        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def to(self, address: str) -> list[Received]:
        """Return the mail received for `address`, in order."""
        return [r for r in self.received if address in r.to]

    def wait_for(self, count: int, timeout: float = 30) -> None:
        """Wait until `count` messages have arrived (their data in; the answer may be pending)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"{len(self.received)} of {count} messages arrived"
            time.sleep(0.02)


@dataclass
class WebhookServer:
    """An HTTP server on 127.0.0.1 that keeps every JSON document POSTed to it."""

    posts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    def start(self) -> WebhookServer:
        posts = self.posts

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                posts.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: Any) -> None: ...

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def titles(self) -> list[str]:
        return [doc["title"] for _path, doc in self.posts]
