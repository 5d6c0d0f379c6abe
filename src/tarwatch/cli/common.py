"""What every command shares: the global options (accepted before or after the command name),
loading the configuration and store, the run's time, and turning errors into exit statuses."""

from __future__ import annotations

import functools
import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from tarwatch.errors import ConfigError, TarwatchError
from tarwatch.visible import visible, visible_lines

if TYPE_CHECKING:  # the configuration (pydantic) is imported when a command loads it, not for --help
    from tarwatch.config import Config

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("tarwatch")


@dataclass
class State:
    """The global options, however they were placed on the command line."""

    config_path: str | None = None
    legacy: str | None = None
    now: datetime | None = None
    verbose: int = 0
    quiet: int = 0
    _config: tuple[Config, str] | None = None

    def config(self) -> Config:
        """Return the configuration (loaded once)."""
        return self.loaded()[0]

    def loaded(self) -> tuple[Config, str]:
        if self._config is None:
            from tarwatch.config import load_config

            self._config = load_config(self.config_path, self.legacy)
        return self._config

    def now_epoch(self) -> float:
        """Return the run's time: --now, else the clock."""
        return (self.now or datetime.now(UTC)).timestamp()


def parse_now(text: str) -> datetime:
    """Given an ISO 8601 time ("2012-08-07T12:00:00", "2012-08-07 12:00+08:00", "2012-08-07"),
    return it as an aware datetime (UTC when no offset is given); raise click.BadParameter, also
    for a time outside the years tarwatch accepts for stamps (1970–2999, UTC)."""
    from tarwatch.layout import FIRST_YEAR, LAST_YEAR, STAMP_END, STAMP_MIN  # zoneinfo: not for --help

    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            'expected an ISO 8601 time such as "2012-08-07T12:00:00" or '
            f'"2012-08-07T12:00:00+08:00", got {text!r}'
        ) from None
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    if not STAMP_MIN <= t.timestamp() < STAMP_END:
        raise click.BadParameter(f"expected a time in the years {FIRST_YEAR}–{LAST_YEAR} (UTC), got {text!r}")
    return t


def _set(attr: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _param: click.Parameter, value: Any) -> None:
        state = ctx.ensure_object(State)
        if attr in ("verbose", "quiet"):
            setattr(state, attr, getattr(state, attr) + (value or 0))
        elif value is not None:
            setattr(state, attr, parse_now(value) if attr == "now" else value)

    return callback


def global_options(f: F) -> F:
    """Give a command (or the group) the global options; later ones win."""
    options = [
        click.option(
            "--config",
            "config_path",
            metavar="FILE",
            expose_value=False,
            callback=_set("config_path"),
            help="Configuration file (default: ./tarwatch.toml, then ~/.config/tarwatch/tarwatch.toml).",
        ),
        click.option(
            "--legacy",
            metavar="HUB",
            expose_value=False,
            callback=_set("legacy"),
            help="Read the legacy pair ~/.scm_monitor.cnf + ~/.libfab.cnf for this hub instead.",
        ),
        click.option(
            "--now",
            metavar="TIME",
            expose_value=False,
            callback=_set("now"),
            help="Pretend it is TIME (ISO 8601, UTC unless an offset is given); for reproducible runs.",
        ),
        click.option(
            "-v",
            "--verbose",
            count=True,
            expose_value=False,
            callback=_set("verbose"),
            help="Say more (repeatable).",
        ),
        click.option(
            "-q", "--quiet", count=True, expose_value=False, callback=_set("quiet"), help="Say less."
        ),
    ]
    for opt in reversed(options):
        f = opt(f)
    return f


def port_option(help: str) -> Callable[[F], F]:
    """The --port option of the commands that serve the site: 0 to 65535, default 8080."""
    return click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help=help)


def state() -> State:
    """Return the State of the current click context."""
    return click.get_current_context().ensure_object(State)


class OneLineFormatter(logging.Formatter):
    """Log records as "tarwatch: LEVEL: message"; an exception logged with a record (asyncio's
    "unhandled exception during asyncio.run() shutdown", "Task exception was never retrieved")
    is shown as one line "Type: text" on the first line of the message, its traceback only at
    -vv."""

    def __init__(self, tracebacks: bool):
        super().__init__("tarwatch: %(levelname)s: %(message)s")
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks or not record.exc_info or record.exc_info[1] is None:
            return super().format(record)
        e = record.exc_info[1]
        first = record.getMessage().split("\n", 1)[0]
        return f"tarwatch: {record.levelname}: {first}: {describe(e)}"


def setup_logging(s: State) -> None:
    level = logging.WARNING - 10 * s.verbose + 10 * s.quiet
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(tracebacks=s.verbose >= 2))
    logging.basicConfig(
        level=max(logging.DEBUG, min(level, logging.CRITICAL)), handlers=[handler], force=True
    )
    if s.verbose < 2:
        logging.getLogger("asyncssh").setLevel(logging.WARNING)
    threading.excepthook = _thread_died


def _thread_died(args: threading.ExceptHookArgs) -> None:
    """Log an exception that ended a thread (one line, as every logged exception is)."""
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    exc_info = (args.exc_type, args.exc_value, args.exc_traceback)
    log.error("a thread (%s) ended with an error", name, exc_info=exc_info)


def select_hubs(config: Config, source: str, hubs: tuple[str, ...]) -> list[str]:
    """Given the hub tags asked for (none: all), return them; raise ConfigError for unknown ones."""
    if not config.hubs:
        raise ConfigError(source, "hubs", "no hubs are configured; add a [hubs.TAG] table")
    for h in hubs:
        if h not in config.hubs:
            raise ConfigError(source, "hubs", f"no hub {h!r}; configured: {', '.join(config.hubs)}")
    return list(hubs) or list(config.hubs)


def describe(e: BaseException) -> str:
    """Given an exception, return one line for people: for an OSError the file and the
    problem ("/var/www/x.json: No space left on device"), for a TarwatchError its message,
    else its type and message."""
    if isinstance(e, OSError) and e.strerror:
        where = e.filename if e.filename is not None else e.filename2
        return f"{where}: {e.strerror}" if where is not None else e.strerror
    if isinstance(e, TarwatchError):
        return str(e)
    text = str(e)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def handle_errors(exit_code: int | None = None) -> Callable[[F], F]:
    """Turn TarwatchError into a one-line message and its exit status (or `exit_code`, e.g. 3
    for `check`, where the monitoring-plugins convention says UNKNOWN); ConfigError stays 2.
    An OSError (a full disk, a read-only one, a permission refused) anywhere in a command is
    one line too, naming the file, with status 1 (or `exit_code`); the store raises every
    database failure as a StoreError."""

    def deco(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            setup_logging(state())
            try:
                return f(*args, **kwargs)
            except ConfigError as e:
                click.echo(f"tarwatch: error: {visible_lines(str(e))}", err=True)
                sys.exit(e.exit_code)
            except TarwatchError as e:
                click.echo(f"tarwatch: error: {visible_lines(str(e))}", err=True)
                sys.exit(exit_code if exit_code is not None else e.exit_code)
            except BrokenPipeError:
                # The reader went away (`tarwatch check | head`): nothing to say, and nothing
                # more may reach the closed pipe when Python flushes stdout at exit.
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                sys.exit(exit_code if exit_code is not None else 1)
            except OSError as e:
                click.echo(f"tarwatch: error: {visible(describe(e))}", err=True)
                sys.exit(exit_code if exit_code is not None else 1)

        return wrapper  # type: ignore[return-value]

    return deco
