"""Errors at the command line are one line "tarwatch: error: …" saying what and where, with the
command's exit status, never a traceback: out-of-range options, a site folder that is a file or
cannot be made, an OSError anywhere in a command (a full disk, a read-only one, a permission
refused), and exceptions that asyncio logs on its own."""

from __future__ import annotations

import asyncio
import errno
import logging
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from tarwatch.cli import cli
from tarwatch.cli.common import global_options, handle_errors
from tarwatch.errors import StoreError


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def one_error_line(r: Result) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "Traceback" not in r.output
    return lines[0]


@pytest.mark.parametrize("port", ["99999", "-1", "65536"])
def test_serve_on_a_port_out_of_range_is_a_usage_error_naming_the_range(tmp_path: Path, port: str) -> None:
    r = run("serve", "--dir", str(tmp_path), "--port", port)
    assert r.exit_code == 2
    assert "0<=x<=65535" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("days", ["5", "0", "-3"])
def test_a_demo_of_too_few_days_is_refused_naming_the_range(tmp_path: Path, days: str) -> None:
    r = run("demo", "--dir", str(tmp_path / "w"), "--days", days, "--no-serve")
    assert r.exit_code == 2
    assert "8<=x<=3660" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "w").exists()


def test_the_smallest_demo_works(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    r = run("demo", "--dir", str(tmp_path / "w"), "--days", "8", "--no-serve", "--now", "2026-11-25T12:00:00")
    assert r.exit_code == 0, r.output
    assert (tmp_path / "w" / "site" / "index.html").is_file()


def _command(raised: BaseException, exit_code: int | None = None) -> click.Command:
    @click.command()
    @global_options
    @handle_errors(exit_code)
    def failing() -> None:
        raise raised

    return failing


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (errno.ENOSPC, "No space left on device"),
        (errno.EACCES, "Permission denied"),
        (errno.EROFS, "Read-only file system"),
    ],
)
def test_an_oserror_anywhere_is_one_line_naming_the_file(code: int, text: str) -> None:
    e = OSError(code, text, "/srv/www/tarwatch/data/status.json")
    r = CliRunner().invoke(_command(e), [])
    assert r.exit_code == 1
    assert one_error_line(r) == f"tarwatch: error: /srv/www/tarwatch/data/status.json: {text}"
    r = CliRunner().invoke(_command(e, exit_code=3), [])  # check's UNKNOWN
    assert r.exit_code == 3


def test_an_oserror_without_a_file_is_one_line_too() -> None:
    r = CliRunner().invoke(_command(OSError(errno.ENOSPC, "No space left on device")), [])
    assert r.exit_code == 1
    assert one_error_line(r) == "tarwatch: error: No space left on device"


def test_a_store_error_is_one_line() -> None:
    r = CliRunner().invoke(_command(StoreError("cannot open store 'sqlite:///x': disk I/O error")), [])
    assert r.exit_code == 1
    assert one_error_line(r) == "tarwatch: error: cannot open store 'sqlite:///x': disk I/O error"


def test_an_error_asyncio_logs_during_shutdown_is_one_line_without_a_traceback() -> None:
    """asyncio.run() logs a task's exception that nobody awaited when it cancels the tasks left:
    the CLI's logging shows it as one line (the traceback only with -vv)."""

    async def broken() -> None:
        raise StoreError("cannot write the store: database or disk is full")

    async def main() -> None:
        asyncio.get_running_loop().create_task(broken())
        await asyncio.sleep(0)

    @click.command()
    @global_options
    @handle_errors()
    def shuts_down_badly() -> None:
        import gc

        asyncio.run(main())
        gc.collect()  # "Task exception was never retrieved" is logged when the task is freed

    for verbose, traceback in (([], False), (["-vv"], True)):
        r = CliRunner().invoke(shuts_down_badly, verbose)
        assert r.exit_code == 0
        assert ("Traceback" in r.stderr) is traceback, r.stderr
        if not traceback:
            line = one_error_line(r)
            assert line.startswith("tarwatch: ERROR: Task exception was never retrieved: ")
            assert line.endswith("cannot write the store: database or disk is full")
    logging.getLogger().handlers.clear()


def test_publish_to_a_site_folder_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    config = _config(tmp_path, site=tmp_path / "site.html")
    (tmp_path / "site.html").write_text("not a folder")
    r = run("--config", str(config), "publish")
    assert r.exit_code == 1
    folder = tmp_path / "site.html"
    assert (
        one_error_line(r)
        == f"tarwatch: error: the site's folder '{folder}' is a file, not a folder (publish.out)"
    )


def test_publish_to_a_site_folder_under_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    config = _config(tmp_path, site=tmp_path / "afile" / "site")
    for args in (["publish"], ["publish", "--out", str(tmp_path / "afile" / "site")]):
        r = run("--config", str(config), *args)
        assert r.exit_code == 1
        line = one_error_line(r)
        folder = tmp_path / "afile" / "site"
        assert line == f"tarwatch: error: cannot create the site's folder '{folder}': Not a directory"


def _config(tmp_path: Path, site: Path) -> Path:
    path = tmp_path / "tarwatch.toml"
    path.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "t.db"}"\n[publish]\nout = "{site}"\n'
        '[hubs.ZZ]\nsrvnode = "x"\nnodes = ["N"]\n[nodes.N]\ntransport = "local"\n'
        f'root = "{tmp_path}/{{srvnode}}"\n'
    )
    return path


def test_a_database_failure_is_a_store_error_at_the_seam_and_one_line_at_the_cli(tmp_path: Path) -> None:
    """The store raises every database failure as a StoreError naming what and where; the CLI
    sniffs no database exceptions."""
    from sqlalchemy import text

    from support.store_reads import engine_of
    from tarwatch.store import Store

    db = tmp_path / "t.db"
    store = Store.open(f"sqlite:///{db}")
    with engine_of(store).begin() as conn:
        conn.execute(text("DROP TABLE notify_states"))  # another program changed the store
    with pytest.raises(StoreError) as e:
        store.notify.states("ZZ")
    assert str(e.value) == f"cannot read the notify states of ZZ in store {db}: no such table: notify_states"
    r = CliRunner().invoke(_command(e.value, exit_code=3), [])
    assert r.exit_code == 3
    assert one_error_line(r) == f"tarwatch: error: {e.value}"


def test_any_other_exception_is_a_bug_and_keeps_its_traceback() -> None:
    r = CliRunner().invoke(_command(KeyError("x")), [])
    assert isinstance(r.exception, KeyError)


def test_control_characters_in_an_error_never_reach_the_terminal() -> None:
    from tarwatch.errors import TarwatchError

    r = CliRunner().invoke(_command(TarwatchError("cannot read /b/\x1b]0;owned\x07x")), [])
    assert r.exit_code == 1
    assert one_error_line(r) == "tarwatch: error: cannot read /b/\\x1b]0;owned\\x07x"
    r = CliRunner().invoke(_command(OSError(errno.EACCES, "Permission denied", "/b/\x1b[31mred")), [])
    assert one_error_line(r) == "tarwatch: error: /b/\\x1b[31mred: Permission denied"


def test_an_error_that_ends_a_thread_is_one_line() -> None:
    import threading

    @click.command()
    @global_options
    @handle_errors()
    def thread_fails() -> None:
        t = threading.Thread(target=_raise_store_error, name="store-opener")
        t.start()
        t.join()

    r = CliRunner().invoke(thread_fails, [])
    assert r.exit_code == 0
    assert one_error_line(r) == (
        "tarwatch: ERROR: a thread (store-opener) ended with an error: cannot open store: disk I/O error"
    )
    threading.excepthook = threading.__excepthook__
    logging.getLogger().handlers.clear()


def _raise_store_error() -> None:
    raise StoreError("cannot open store: disk I/O error")


def test_a_reader_that_goes_away_is_no_error(tmp_path: Path) -> None:
    """`tarwatch config show | head -0`: the pipe is closed before tarwatch writes; it ends
    quietly, with no 'Broken pipe' line and no traceback about flushing stdout."""
    import os
    import subprocess
    import sys

    config = tmp_path / "tarwatch.toml"
    config.write_text('[hubs.ZZ]\nsrvnode = "dayabay"\n')
    read, write = os.pipe()
    os.close(read)  # the reader is gone before tarwatch starts
    try:
        p = subprocess.run(
            [sys.executable, "-m", "tarwatch", "--config", str(config), "config", "show"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
        )
    finally:
        os.close(write)
    assert p.returncode == 1
    assert p.stderr == ""
