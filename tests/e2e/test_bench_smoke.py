"""A quick smoke run of the benchmark harness: every benchmark runs end to end on small sizes
and produces its figures. Timings are not asserted (they belong to bench/, not to tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_harness_runs_every_benchmark_and_writes_its_figures(ssh_lab, tmp_path):
    # ssh_lab: the harness needs sshd, as this fixture does (fails in CI when it is missing)
    out = tmp_path / "quick.json"
    p = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    doc = json.loads(out.read_text())
    results = doc["results"]
    assert set(results) == {
        "listing", "fanout", "ingest", "check", "publish", "anomaly", "capacity", "drill", "startup",
    }  # fmt: skip
    assert results["listing"]["tarballs"] > 0 and results["listing"]["floor_s"] > 0
    assert results["listing"]["vs_seed"] > 0 and results["listing"]["vs_floor"] > 0
    assert results["listing"]["us_per_tarball"] > 0 and results["listing"]["us_per_tarball_steady"] > 0
    assert results["listing"]["vs_floor_steady"] > 0 and results["listing"]["figures"]["fresh"]["cpu_s"] > 0
    assert results["listing"]["warm_vs_floor"] > 0 and results["listing"]["warm_vs_floor_steady"] > 0
    assert results["listing"]["figures"]["warm_nightly"]["cpu_s"] > 0  # the warm process's own CPU
    fanout = results["fanout"]
    assert set(fanout["sizes"]) == {"2", "4"} and fanout["slowest_single_s"] > 0
    assert fanout["ping_ms"]["min"] >= 0.99 * 1000 * fanout["rtt_s"]  # the proxy's delay is real
    assert fanout["nodes_per_window"] > 0 and fanout["sizes"]["4"]["budget_s"] > 0
    assert fanout["sizes"]["4"]["node_cpu_s"] > 0 and fanout["sizes"]["4"]["proxy_cpu_s"] >= 0
    assert results["ingest"]["tarballs"] > 10_000 and results["ingest"]["steady_store_s"] > 0
    ingest = results["ingest"]["sqlite"]
    assert ingest["bare_s"] > 0 and ingest["first_vs_bare"] > 0 and ingest["first_cpu_s"] > 0
    assert results["check"]["recent_rows_s"] > 0 and results["check"]["recent_tarballs_s"] > 0
    assert results["check"]["items"] == 200
    anomaly = results["anomaly"]
    assert anomaly["planted"] > 0 and 0 < anomaly["precision"] <= 1 and 0 < anomaly["recall"] <= 1
    capacity = results["capacity"]
    assert capacity["nodes"] == 200 and 0 < capacity["history_14"]["within_10pct"] <= 1
    publish = results["publish"]
    assert publish["overview_nodes"] == 20 and (publish["overview_table_s"] or 0) > 0
    assert publish["unchanged_wrote"] == {"nodes": [], "pages": 0, "images": 0}
    assert publish["one_node_changed_wrote"]["nodes"] == ["H/N0007"]
    assert publish["one_node_given_report_wrote"]["nodes"] == ["H/N0008"]
    drill = results["drill"]
    assert drill["items"] == 5 and drill["run_off_s"] > 0 and drill["run_on_s"] > 0
    startup = results["startup"]
    assert startup["floor_s"] > 0 and startup["help"]["median_s"] > 0 and startup["check"]["cpu_s"] > 0
    assert startup["heavy"]["help"] == [] and "sqlalchemy" in startup["heavy"]["check"]
    assert "| benchmark | figure | target | met |" in p.stdout
