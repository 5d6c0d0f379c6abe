"""`tarwatch metrics` on the command line: listed, light to start (prometheus_client is imported
only when metrics are made), and a missing configuration is one line with exit status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tarwatch.cli import cli


def test_help_lists_metrics_without_importing_prometheus_client() -> None:
    code = (
        "import sys\n"
        "from tarwatch.cli import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='tarwatch')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED' if 'prometheus_client' in sys.modules else 'LIGHT')\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "  metrics " in p.stdout
    assert p.stdout.rstrip().endswith("LIGHT")


def test_metrics_without_a_configuration_says_to_add_a_hub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(cli, ["metrics"])
    assert r.exit_code == 2
    assert r.stderr.startswith("tarwatch: error: ") and "no hubs are configured" in r.stderr
    assert r.stdout == ""
    assert not (tmp_path / "data").exists()  # no store made
