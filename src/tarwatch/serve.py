"""A small HTTP server for the published site (standard library only): the right content types
for .js, .json and .svg, one thread per request, quiet logs, and /metrics answered by a function
given to it (Prometheus metrics, computed on each request). Ctrl-C (SIGINT) and SIGTERM stop it
cleanly: SIGTERM is what service managers and scripts send, and what reaches a server started
in the background, where SIGINT is ignored."""

from __future__ import annotations

import functools
import logging
import signal
import threading
from collections.abc import Callable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from tarwatch.errors import TarwatchError

log = logging.getLogger(__name__)
METRICS_PATH = "/metrics"
# Given a request's Accept header, return (body, content type); raise TarwatchError when the
# metrics cannot be had (no configuration, no store): the server answers 503 with its message.
Metrics = Callable[[str | None], tuple[bytes, str]]

TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
}


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves files from a folder, and /metrics when given a function for it; data is never
    cached for long (it changes every night)."""

    # typeshed declares it per instance; it is the class's table, as the standard library uses it
    extensions_map: ClassVar[dict[str, str]] = {**SimpleHTTPRequestHandler.extensions_map, **TYPES}  # type: ignore[misc]

    def __init__(self, *args: Any, metrics: Metrics | None = None, **kwargs: Any):
        self.metrics = metrics  # before the base class handles the request, in its __init__
        super().__init__(*args, **kwargs)

    def do_GET(self) -> None:
        if self.metrics is not None and urlsplit(self.path).path == METRICS_PATH:
            self._answer_metrics(self.metrics)
        else:
            super().do_GET()

    def _answer_metrics(self, metrics: Metrics) -> None:
        try:
            body, content_type = metrics(self.headers.get("Accept"))
            code = 200
        except TarwatchError as e:
            body, content_type, code = f"{e}\n".encode(), "text/plain; charset=utf-8", 503
            log.error("/metrics: %s", e)
        except Exception as e:  # one failed request, not the server
            log.error("/metrics failed", exc_info=e)
            body, content_type, code = f"{type(e).__name__}: {e}\n".encode(), "text/plain; charset=utf-8", 500
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: a look at the site needs no access log on the terminal."""


def make_server(folder: Path, bind: str, port: int, metrics: Metrics | None = None) -> ThreadingHTTPServer:
    """Given the site's folder, an address, a port (0: any free one) and the function that
    answers /metrics (None: it is a file like any other), return a server for it; raise
    TarwatchError when the port cannot be had."""
    handler = functools.partial(SiteHandler, directory=str(folder), metrics=metrics)
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


def serve_forever(
    folder: Path, bind: str, port: int, announce: Callable[[str], None], metrics: Metrics | None = None
) -> None:
    """Given the site's folder, an address, a port and the function that answers /metrics (or
    None), tell `announce` the URL and serve the site until Ctrl-C or SIGTERM (when called from
    the main thread; from another, until the server is shut down)."""
    server = make_server(folder, bind, port, metrics)
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
