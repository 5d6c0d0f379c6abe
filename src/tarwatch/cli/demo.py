"""`tarwatch demo`: a sample world of hub and nodes, collected and checked."""

from __future__ import annotations

import getpass
import shlex
import shutil
import socket
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tarwatch.cli.common import global_options, handle_errors, port_option, state
from tarwatch.demo import MAX_DAYS, MIN_DAYS

if TYPE_CHECKING:
    from tarwatch.checks import Report
    from tarwatch.config import Config
    from tarwatch.store import Store


@click.command()
@click.option(
    "--dir",
    "where",
    type=click.Path(file_okay=False, path_type=Path),
    help="Make the world here (default: tarwatch-demo-USER in the temporary folder, kept "
    "afterwards; a demo world made there before is removed and made again).",
)
@click.option(
    "--days",
    type=click.IntRange(MIN_DAYS, MAX_DAYS),
    default=120,
    show_default=True,
    help=f"Nights of backups to make ({MIN_DAYS} to {MAX_DAYS}: the planted problems need a week).",
)
@click.option(
    "--serve/--no-serve",
    default=None,
    help="Serve the published site afterwards (default: when standard output is a terminal).",
)
@port_option("Port to serve on (0: any free one).")
@global_options
@handle_errors()
def demo(where: Path | None, days: int, serve: bool | None, port: int) -> None:
    """Make a sample world (a hub's own copy, three backup nodes and one that never answers,
    months of nightly tarballs with a stale item, a transfer that never arrived, a shrunken
    tarball, a .dna that lies and a LOCKED folder left behind), collect it, check it, publish
    its dashboard, say what to look at, and serve the dashboard until Ctrl-C (on a terminal;
    --no-serve stops after publishing)."""
    from tarwatch.app.report import build_report
    from tarwatch.cli.check import wants_color
    from tarwatch.cli.collect import LineProgress
    from tarwatch.collect.run import run_collect
    from tarwatch.config import load_toml
    from tarwatch.demo import HUB, is_world, make_world
    from tarwatch.formats.table import problem_counts, render_table
    from tarwatch.store import Store

    s = state()
    serving = serve if serve is not None else sys.stdout.isatty()
    if serving and port and not port_is_free(port):
        click.echo(f"Port {port} is in use: the dashboard will be served on a free port instead.")
        port = 0
    base = where or Path(tempfile.gettempdir()) / f"tarwatch-demo-{getpass.getuser()}"
    if base.exists() and not base.is_dir():
        raise click.UsageError(f"{base} is not a folder; give an empty or new folder")
    if base.is_dir() and any(base.iterdir()):
        if not is_world(base):
            raise click.UsageError(f"{base} is not empty and no demo world; give an empty or new folder")
        click.echo(f"Removing the demo world made before in {base} …")
        shutil.rmtree(base)
    click.echo(f"Making a sample world in {base} …")
    world = make_world(base, s.now, days=days)
    config = load_toml(world.config)
    now = world.now.timestamp()
    store = Store.open(config.store.url)
    click.echo(f"Collecting hub {HUB} from {len(config.hub_nodes(HUB))} nodes …")
    run_collect(config, [HUB], store, now, LineProgress())
    report = build_report(config, [HUB], store, now)
    click.echo()
    click.echo(render_table(report, color=wants_color()), nl=False)
    problems = sum(problem_counts(report).values())
    click.echo()
    click.echo(f"{problems} problems found (one per row above), as planted. To look further:")
    tw = shlex.join([*tarwatch_command(), "--config", str(world.config)])
    now_opt = f" --now {world.now.isoformat(timespec='seconds')}" if s.now else ""
    click.echo(f"  {tw}{now_opt} check --all")
    click.echo(f"  {tw}{now_opt} check --format json")
    click.echo(f"  {tw} collect      # list the nodes again")
    _publish_and_serve(world.config, config, report, store, serving, port)


def port_is_free(port: int) -> bool:
    """Given a port, return whether 127.0.0.1 can listen on it now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def tarwatch_command() -> list[str]:
    """Return the command that runs this tarwatch as printed: `tarwatch` when that is the one
    on PATH, else this process's own program by its resolved path, else `python -m tarwatch`."""
    started_as = Path(sys.argv[0])
    if started_as.name == "tarwatch" and started_as.is_file():
        mine = started_as.resolve()
        on_path = shutil.which("tarwatch")
        if on_path is not None and Path(on_path).resolve() == mine:
            return ["tarwatch"]
        return [str(mine)]
    return [sys.executable, "-m", "tarwatch"]


def _publish_and_serve(
    path: Path, config: Config, report: Report, store: Store, serve: bool, port: int
) -> None:
    """Publish the demo world's dashboard with its report (the world's one hub) and, when asked,
    serve it until Ctrl-C."""
    from tarwatch.publish.site import publish
    from tarwatch.serve import serve_forever

    site = config.publish.out
    summary = publish(config, report, store, site)
    click.echo()
    click.echo(
        f"Dashboard: {summary.pages} pages, {summary.data} data files, {summary.images} images in {site}"
    )
    click.echo(f"  open {site / 'index.html'}")
    if serve:
        serve_forever(
            site, "127.0.0.1", port, lambda url: click.echo(f"  serving it at {url} (Ctrl-C stops)")
        )
        click.echo("stopped")
    else:
        click.echo(f"  {shlex.join([*tarwatch_command(), '--config', str(path)])} serve      # serve it")
