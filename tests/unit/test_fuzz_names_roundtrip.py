"""Hostile names, round trip (hypothesis): file names with newlines, tabs, carriage returns,
escape and OSC sequences, C1 controls, bidi overrides, bytes that are not UTF-8, HTML and
shell metacharacters go from the node's listing stream through the parser, the snapshot and
an SQLite store to `tarwatch check`: the JSON is valid and keeps every name exactly as the
listing read it; the table and the nagios output show them with no control character a
terminal would act on."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.listing import parse_listing
from tarwatch.cli import cli
from tarwatch.collect.snapshot import snapshot
from tarwatch.store import Store
from tarwatch.visible import visible

NOW = "2026-11-25T12:00:00"
NOW_T = datetime(2026, 11, 25, 12, tzinfo=UTC).timestamp()
ROOT = "/backup/dayabay"
# What a terminal acts on: C0 controls (tab aside), DEL, C1, line separators, bidi controls.
ACTIVE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
PIECES = st.one_of(
    st.sampled_from(
        [
            "\n",
            "\t",
            "\r",
            "\x1b[31m",
            "\x1b]0;owned\x07",
            "\x1b]8;;http://x\x1b\\",
            "\x9b",
            "\x85",
            "\u202e",
            "\u2028",
            "<img src=x onerror=alert(1)>",
            "&amp;",
            "$(rm -rf ~)",
            "`id`",
            ";|&",
            "'\"",
            "\\",
            "%s%n",
            "{node}",
            "é",
            "日本",
            " ",
            "..",
            "-",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"), max_size=4),
).map(lambda s: s.encode())
RAW = st.one_of(PIECES, st.binary(min_size=1, max_size=3)).filter(lambda b: b"/" not in b and b"\0" not in b)
NAMES = st.lists(RAW, min_size=1, max_size=5).map(b"".join).filter(bool)


def world(tmp: Path, names: list[bytes]) -> Path:
    """A hub ZZ with node SDU whose store holds one listing with a tarball per name."""
    db = tmp / "tarwatch.db"
    cfg = tmp / "tarwatch.toml"
    cfg.write_text(
        f'[store]\nurl = "sqlite:///{db}"\n\n[hubs.ZZ]\nsrvnode = "dayabay"\nnodes = ["SDU"]\n\n'
        '[nodes.SDU]\nhost = "sdu.example.org"\n',
        encoding="utf-8",
    )
    when = datetime.fromtimestamp(NOW_T - 3600, UTC)
    records = [f"R\t{ROOT}".encode()]
    for name in names:
        rel = b"svn/" + name + when.strftime("/%Y/%m/%d/%H%M%S/").encode() + b"x-1.tar.gz"
        records.append(b"T\t1000\t%d\t%s" % (int(when.timestamp()), rel))
    records.append(b"E\t0")
    snap = snapshot(parse_listing(b"\0".join(records) + b"\0"), ZoneInfo("UTC"))
    assert len(snap.tarballs) == len(names), snap.notes
    store = Store.open(f"sqlite:///{db}")
    run_id = store.begin_run(NOW_T, "collect", ["ZZ"])
    store.record_poll(run_id, "ZZ", "SDU", NOW_T, ok=True, reason=None, duration=0.1, snap=snap)
    store.finish_run(run_id)
    return cfg


def check(cfg: Path, *args: str) -> str:
    r = CliRunner(env={"COLUMNS": "2000", "NO_COLOR": "1"}).invoke(
        cli, ["check", *args, "--now", NOW, "--config", str(cfg)], catch_exceptions=False
    )
    assert r.exit_code in (0, 1, 2), r.output
    return r.stdout


ROUND_TRIP = settings(
    max_examples=int(os.environ.get("TARWATCH_FUZZ_EXAMPLES", "300")) // 10 or 1,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@ROUND_TRIP
@given(
    names=st.lists(NAMES, min_size=1, max_size=4, unique_by=lambda b: b.decode("utf-8", "backslashreplace"))
)
def test_any_name_goes_from_the_listing_to_the_store_to_json_whole_and_to_the_terminal_escaped(
    tmp_path_factory, names: list[bytes]
) -> None:
    cfg = world(tmp_path_factory.mktemp("names"), names)
    items = {"svn/" + n.decode("utf-8", "backslashreplace") for n in names}

    out = check(cfg, "--format", "json")
    assert not ACTIVE.search(out.replace("\n", "")), repr(out)
    doc = json.loads(out)
    assert {i["item"] for n in doc["hubs"][0]["nodes"] for i in n["items"]} == items

    table = check(cfg, "--format", "table", "--all")
    assert not ACTIVE.search(table.replace("\n", "")), repr(table)
    lines = table.splitlines()
    for item in items:
        assert any(visible(item) in line for line in lines), (item, table)

    plugin = check(cfg, "--format", "nagios")
    assert not ACTIVE.search(plugin.replace("\n", "")), repr(plugin)
    assert plugin.count("\n") == 1  # a fresh world: the status line only
