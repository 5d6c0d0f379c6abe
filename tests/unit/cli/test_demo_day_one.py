"""`tarwatch demo` on day one: its planted problems whatever the time of day, a busy port, and
the demo folder made before."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from tarwatch.app.progress import Quiet
from tarwatch.app.report import build_report
from tarwatch.cli import cli
from tarwatch.collect.run import run_collect
from tarwatch.config import load_toml
from tarwatch.demo import HUB, MARKER, make_world
from tarwatch.store import Store


@pytest.mark.parametrize("hour", [0, 3, 6, 9, 12, 15, 18, 21])
def test_the_planted_transfer_alarm_shows_whatever_the_time_of_day(tmp_path: Path, hour: int) -> None:
    now = datetime(2026, 12, 1, hour, 17, tzinfo=UTC)
    world = make_world(tmp_path / "w", now, days=10)
    config = load_toml(world.config)
    store = Store.open(config.store.url)

    run_collect(config, [HUB], store, now.timestamp(), Quiet())
    report = build_report(config, [HUB], store, now.timestamp())
    checks = {
        (n.node, i.item, f.check) for h in report.hubs for n in h.nodes for i in n.items for f in i.findings
    }
    assert ("NTU", "svn/dybsvn", "transfer") in checks
    assert any(c == "stale" for *_, c in checks)
    assert any(c == "shrink" for *_, c in checks)


def _run(*args: str, tmp: Path) -> object:
    return CliRunner(env={"TMPDIR": str(tmp), "COLUMNS": "200"}).invoke(
        cli, list(args), catch_exceptions=False
    )


def test_a_demo_world_made_before_is_removed_and_made_again(tmp_path: Path) -> None:
    where = tmp_path / "w"
    first = _run("demo", "--dir", str(where), "--no-serve", "--days", "10", tmp=tmp_path)
    assert first.exit_code == 0, first.output
    assert (where / MARKER).is_file()
    (where / "stray").write_text("left by the first run")
    again = _run("demo", "--dir", str(where), "--no-serve", "--days", "10", tmp=tmp_path)
    assert again.exit_code == 0, again.output
    assert "Removing the demo world made before" in again.stdout
    assert not (where / "stray").exists()


def test_a_folder_that_is_no_demo_world_is_not_touched(tmp_path: Path) -> None:
    where = tmp_path / "mine"
    where.mkdir()
    (where / "precious").write_text("x")
    r = _run("demo", "--dir", str(where), "--no-serve", tmp=tmp_path)
    assert r.exit_code == 2
    assert (where / "precious").read_text() == "x"


def test_a_busy_port_is_said_before_any_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tarwatch.serve

    served: list[int] = []
    monkeypatch.setattr(
        tarwatch.serve, "serve_forever", lambda folder, bind, port, announce: served.append(port)
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = _run(
            "demo", "--dir", str(tmp_path / "w"), "--serve", "--port", str(port), "--days", "10", tmp=tmp_path
        )
    assert r.exit_code == 0, r.output
    assert (
        r.stdout.splitlines()[0]
        == f"Port {port} is in use: the dashboard will be served on a free port instead."
    )
    assert served == [0]
