"""The configuration loader, fuzzed: TOML documents that hypothesis builds from the keys a
tarwatch.toml has and hostile values (control characters, huge and non-finite numbers, wrong
types, dates, deep tables), and arbitrary bytes as the file. Whatever the document, load_config
returns a Config or raises ConfigError naming the file; nothing else escapes."""

from __future__ import annotations

import math
import os
import string
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tarwatch.config.load import load_config
from tarwatch.config.models import Defaults, Hub, Mail, Node, Publish, Store
from tarwatch.errors import ConfigError

KEYS = {
    "defaults": sorted(Defaults.model_fields),
    "hub": sorted(Hub.model_fields),
    "node": sorted(Node.model_fields),
    "store": sorted(Store.model_fields),
    "publish": sorted(Publish.model_fields),
    "mail": sorted(Mail.model_fields),
}
HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(
        [
            *string.ascii_letters,
            *string.digits,
            *"/._-:@ {}$~%",
            "\x00",
            "\x1b",
            "\n",
            "\r",
            "\x85",
            "\u202e",
            "é",
        ]
    ),
    max_size=20,
)
PLAUSIBLE_TEXT = st.sampled_from(
    ["26h", "0s", "9999999999d", "1h30m", "-5s", "UTC", "Asia/Shanghai", "md5", "size", "monday", "ssh",
     "local", "sqlite:///x.db", "postgresql://u:p@h/db", "a/b", ".", "..", "{srvnode}", "$HOME/x", "A", "ZZ"]
)  # fmt: skip
SCALARS = st.one_of(
    PLAUSIBLE_TEXT,
    HOSTILE_TEXT,
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 65535, 65536, 2**63, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.dates(),
    st.times(),
)


def value(depth: int = 2) -> st.SearchStrategy[Any]:
    """A TOML value: mostly scalars, sometimes lists or small tables of them."""
    if depth == 0:
        return SCALARS
    inner = value(depth - 1)
    return st.one_of(
        SCALARS,
        SCALARS,
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(HOSTILE_TEXT, PLAUSIBLE_TEXT), inner, max_size=3),
    )


def table(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """A table of `kind`, keys mostly its own (a few strangers), values hostile."""
    keys = st.one_of(st.sampled_from(KEYS[kind]), st.sampled_from(KEYS[kind]), HOSTILE_TEXT)
    return st.dictionaries(keys, value(), max_size=6)


TAGS = st.one_of(st.sampled_from(["ZZ", "C2", "A", "SDU", "Z9:229", ".", "..", "a/b", ""]), HOSTILE_TEXT)


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    nodes = draw(st.dictionaries(TAGS, table("node"), max_size=3))
    hubs = {}
    for tag in draw(st.lists(TAGS, max_size=2)):
        hub = draw(table("hub"))
        if draw(st.booleans()):
            hub["srvnode"] = draw(st.one_of(PLAUSIBLE_TEXT, HOSTILE_TEXT))
        if draw(st.booleans()):
            hub["nodes"] = draw(
                st.lists(st.one_of(st.sampled_from(sorted(nodes) or ["A"]), TAGS), max_size=3)
            )
        if draw(st.booleans()):
            hub["items"] = draw(
                st.dictionaries(st.one_of(PLAUSIBLE_TEXT, HOSTILE_TEXT), table("defaults"), max_size=2)
            )
        hubs[tag] = hub
    doc: dict[str, Any] = {}
    for key, strategy in (
        ("defaults", table("defaults")),
        ("store", table("store")),
        ("publish", table("publish")),
        ("notify", st.fixed_dictionaries({}, optional={"mail": table("mail")})),
    ):
        if draw(st.booleans()):
            doc[key] = draw(strategy)
    if hubs or draw(st.booleans()):
        doc["hubs"] = hubs
    if nodes or draw(st.booleans()):
        doc["nodes"] = nodes
    if draw(st.integers(0, 9)) == 0:
        doc[draw(HOSTILE_TEXT)] = draw(value())
    return doc


# -- writing TOML (every value inline, so any nesting is one line) ---------------------------


def toml_string(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\':
            out.append("\\" + c)
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return toml_string(v)
    if isinstance(v, datetime | date | time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_string(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def toml_text(doc: dict[str, Any]) -> str:
    return "".join(f"{toml_string(k)} = {toml_value(v)}\n" for k, v in doc.items())


FUZZ = settings(
    max_examples=int(os.environ.get("TARWATCH_FUZZ_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@FUZZ
@given(doc=documents())
def test_any_document_loads_or_is_a_config_error_naming_the_file(
    tmp_path_factory, doc: dict[str, Any]
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "tarwatch.toml"
    path.write_text(toml_text(doc), encoding="utf-8")
    try:
        config, source = load_config(path)
    except ConfigError as e:
        assert e.file == str(path)
        assert "\x1b" not in str(e) and "\x00" not in str(e) and "\n" not in str(e)
        return
    assert source == str(path)
    for hub in config.hubs:  # what every command then asks of a valid configuration
        for item in [None, *config.hubs[hub].items]:
            t = config.thresholds(hub, item)
            assert t.keep_min <= t.keep_max and t.stale_warn <= t.stale_alarm
            assert t.stale_alarm <= timedelta(days=36525)
        config.hub_nodes(hub)
    for node in config.nodes:
        assert node not in (".", "..") and "/" not in node
        config.node_timeout(node)
    config.model_dump(mode="json")


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_as_the_file_load_or_are_a_config_error(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "tarwatch.toml"
    path.write_bytes(data)
    try:
        load_config(path)
    except ConfigError as e:
        assert e.file == str(path)


def test_the_documents_are_real_toml(tmp_path: Path) -> None:
    import tomllib

    doc = {"hubs": {"ZZ": {"srvnode": "a\x1b", "n": [1, {"x": datetime(2020, 1, 1, tzinfo=UTC)}]}}}
    assert tomllib.loads(toml_text(doc)) == doc


# -- the legacy pair -----------------------------------------------------------------------

INI_LINES = st.one_of(
    st.sampled_from(
        [
            "[ZZ]", "[HUB]", "[ENV]", "[C]", "[Z9]", "srvnode = dayabay", "srvnode =", "ZZ = C Z9:229",
            "ZZ = C ..", "ZZ = .", "dbpath = $LOCAL_BASE/x.db", "jspath = %(node)s/%(srvnode)s.json",
            "jspath = %(loop)s", "loop = %(loop)s", "reporturl = http://x/%(node)s", "select = a/b c/d",
            "email = a@b, c@d", "timeout = 9999999999", "timeout = 2", "timeout = 1e999", "port = 99999",
            "port = x", "host = a@b:22", "root = %(srvnode)s", "scm_fold = ~/x", "ZZ = ", "zz = C", "HUB = x",
        ]
    ),
    HOSTILE_TEXT,
)  # fmt: skip
INI = st.lists(INI_LINES, max_size=12).map("\n".join)


@FUZZ
@given(scm=INI, fab=INI, hub=st.sampled_from(["ZZ", "C", "..", "x"]))
def test_any_legacy_pair_reads_or_is_a_config_error(tmp_path_factory, scm: str, fab: str, hub: str) -> None:
    from tarwatch.config.legacy import import_legacy, load_legacy

    home = tmp_path_factory.mktemp("legacy")
    (home / ".scm_monitor.cnf").write_text(scm, encoding="utf-8")
    (home / ".libfab.cnf").write_text(fab, encoding="utf-8")
    try:
        load_legacy(hub, home, {"LOCAL_BASE": "/opt"})
    except ConfigError as e:
        assert e.file is not None
    try:
        text = import_legacy(home / ".scm_monitor.cnf", home / ".libfab.cnf", {})
    except ConfigError:
        return
    import tomllib

    tomllib.loads(text)  # what import prints is TOML, valid or marked NOT VALID YET
