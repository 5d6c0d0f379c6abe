"""The hubs' run locks for the commands that write the store or send (`run`, `collect`,
`notify`): the `--wait` option, and giving up with one line and exit status 4."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import click

from tarwatch.store.lock import BUSY_EXIT, Busy, RunLock, acquire

F = TypeVar("F", bound=Callable[..., Any])
WAIT = "5m"  # the default: a nightly run that overran, or a person's `collect`, usually ends by then


def _parse_wait(_ctx: click.Context, _param: click.Parameter, value: str) -> float:
    from tarwatch.durations import parse_duration

    try:
        d = parse_duration(value)
    except (ValueError, OverflowError) as e:
        raise click.BadParameter(f'expected a duration such as "0s", "90s" or "10m": {e}') from None
    if d < timedelta(0):
        raise click.BadParameter(f"expected a duration of 0s or more, got {value!r}")
    return d.total_seconds()


def wait_option(f: F) -> F:
    """Give a command the `--wait DURATION` option (seconds, as a float)."""
    return click.option(
        "--wait",
        metavar="DURATION",
        default=WAIT,
        show_default=True,
        callback=_parse_wait,
        help="While another tarwatch run, collect or notify holds a hub's lock, wait this long for it "
        f'("0s": not at all), then give up with exit status {BUSY_EXIT}.',
    )(f)


@contextlib.contextmanager
def store_lock(url: str, command: str, wait: float, hubs: Sequence[str]) -> Iterator[RunLock]:
    """Given the store's URL, the command, how long to wait for each lock and the hubs, hold the
    run lock of each hub while the block runs; when another tarwatch keeps one that long, print
    one line naming the hub and its holder and exit with status 4."""
    try:
        lock = acquire(url, command, wait, hubs)
    except Busy as e:
        click.echo(f"tarwatch: {e}", err=True)
        sys.exit(BUSY_EXIT)
    try:
        yield lock
    finally:
        lock.release()
