"""The Sphinx extension's pure parts: arguments, where a site's status.json is read at build
time, what is said of a name the site does not know (the real sphinx-build runs in
tests/e2e/test_sphinx_extension.py)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tarwatch.sphinx import URL_PATH, Ref, names_at, problems, read_names, split, status_source


def app(site: str = "", status: str = "") -> Any:
    config = SimpleNamespace(tarwatch_site=site, tarwatch_status=status)
    return SimpleNamespace(config=config, confdir="/docs/src", outdir="/docs/out")


def ref(site: str | None = None, docname: str = "nodes/kek") -> Ref:
    return Ref(docname, 3, "tarwatch-chart", "ZZ", "SDU", site)


def test_arguments_are_hub_or_hub_slash_node() -> None:
    assert split("ZZ", node_required=False) == ("ZZ", None)
    assert split("my hub/my node", node_required=True) == ("my hub", "my node")
    for bad, required in (("ZZ", True), ("ZZ/", False), ("/SDU", False), ("", False)):
        with pytest.raises(ValueError, match="expected HUB"):
            split(bad, node_required=required)


def test_where_the_status_is_read() -> None:
    assert status_source(app("../site/"), ref()) == "/docs/site/data/status.json"  # from the HTML's root
    assert status_source(app(), ref("../site")) == "/docs/out/site/data/status.json"  # from the page
    assert status_source(app("https://x.org/tw"), ref()) == "https://x.org/tw/data/status.json"
    assert status_source(app("https://x.org/tw/", "../pub"), ref()) == "/docs/pub/data/status.json"
    assert status_source(app("", "/srv/s.json"), ref()) == "/srv/s.json"
    assert status_source(app("", "file:///srv/site/"), ref()) == "/srv/site/data/status.json"
    assert status_source(app("https://x.org/", "/srv/site"), ref("http://y/")) == "http://y/data/status.json"
    assert status_source(app("/tarwatch/"), ref()) == URL_PATH + "/tarwatch/data/status.json"


def test_what_cannot_be_read_says_why(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text("[]")
    (tmp_path / "good.json").write_text('{"hubs": [{"hub": "ZZ", "nodes": [{"node": "SDU"}]}]}')
    assert read_names(str(tmp_path / "good.json")) == {"ZZ": frozenset({"SDU"})}
    assert "not a tarwatch status document" in str(names_at(str(tmp_path / "list.json")))
    assert names_at(str(tmp_path / "none.json")) == "No such file or directory"
    assert "set tarwatch_status" in str(names_at(URL_PATH + "/tarwatch/data/status.json"))


def test_unknown_names_are_told_with_the_known_ones() -> None:
    names = {"ZZ": frozenset({"SDU", "NTU"}), "WW": frozenset()}
    assert problems(ref(), names) is None
    assert problems(Ref("i", 1, "tarwatch-status", "XX", None, None), names) == (
        "tarwatch-status: no hub 'XX' in the published status (its hubs: WW, ZZ)"
    )
    assert problems(Ref("i", 1, "tarwatch-badge", "WW", "A", None), names) == (
        "tarwatch-badge: hub 'WW' has no node 'A' (its nodes: none)"
    )
