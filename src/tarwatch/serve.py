"""A small HTTP server for the published site (standard library only): the right content types
for .js, .json and .svg, one thread per request, quiet logs. Ctrl-C (SIGINT) and SIGTERM stop
it cleanly: SIGTERM is what service managers and scripts send, and what reaches a server started
in the background, where SIGINT is ignored."""

from __future__ import annotations

import functools
import signal
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from tarwatch.errors import TarwatchError

TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
}


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves files from a folder; data is never cached for long (it changes every night)."""

    # typeshed declares it per instance; it is the class's table, as the standard library uses it
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}  # type: ignore[misc]

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: a look at the site needs no access log on the terminal."""


def make_server(folder: Path, bind: str, port: int) -> ThreadingHTTPServer:
    """Given the site's folder, an address and a port (0: any free one), return a server for it;
    raise TarwatchError when the port cannot be had."""
    handler = functools.partial(SiteHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer((bind, port), handler)
    except OSError as e:
        raise TarwatchError(f"cannot listen on {bind}:{port}: {e.strerror}") from e
    server.daemon_threads = True
    return server


def url_of(server: ThreadingHTTPServer) -> str:
    """Given a server, return the URL of the site's index page."""
    host, port = (str(part) for part in server.server_address[:2])
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{port}/index.html"


class _Stop(Exception):
    """Raised in the main thread by the SIGTERM handler, to leave serve_forever()."""


def _stop(signum: int, _frame: object) -> None:
    raise _Stop(signum)


def serve_forever(folder: Path, bind: str, port: int, announce: Callable[[str], None]) -> None:
    """Given the site's folder, an address and a port, tell `announce` the URL and serve the
    site until Ctrl-C or SIGTERM (when called from the main thread; from another, until the
    server is shut down)."""
    server = make_server(folder, bind, port)
    main = threading.current_thread() is threading.main_thread()  # only it may set handlers
    previous = signal.signal(signal.SIGTERM, _stop) if main else None
    try:
        announce(url_of(server))
        server.serve_forever()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        server.server_close()
