"""File names made from hub and node tags: one-to-one, never a path of their own (no "/", "..",
hidden files, names too long for a file system), and every path written checked to stay inside
its folder, the legacy `jspath` included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tarwatch.errors import TarwatchError
from tarwatch.publish import paths
from tarwatch.publish.legacy import jspath_for

HOSTILE = [
    "..",
    ".",
    "../etc",
    "../../x",
    "a/b",
    "/abs",
    "a\0b",
    ".published.json",
    ".hidden",
    "%2E%2E",
    "%",
    "~",
    "x" * 300,
    "é" * 200,
    "Z9:229",
    "status.json",
    "status.js",
    "a\nb",
    "<img src=x onerror=alert(1)>",
]


def test_names_are_single_plain_file_names() -> None:
    for tag in HOSTILE:
        name = paths.safe_name(tag)
        assert "/" not in name and "\0" not in name, tag
        assert not name.startswith("."), tag
        assert len(name.encode()) <= paths.NAME_MAX, tag
        assert set(name) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-%~")


def test_plain_tags_keep_their_name() -> None:
    assert paths.safe_name("SDU") == "SDU"
    assert paths.safe_name("Z9:229") == "Z9%3A229"
    assert paths.plain_name("Z9:229") == "Z9:229"  # the seed's legacy files keep the tag
    assert paths.plain_name("..") == "%2E."


def test_no_two_hostile_names_share_a_file() -> None:
    for f in (paths.safe_name, paths.plain_name):
        names = [f(t) for t in HOSTILE]
        assert len(set(names)) == len(HOSTILE), f


def test_long_names_that_differ_only_at_the_end_stay_apart() -> None:
    a, b = "x" * 400 + "a", "x" * 400 + "b"
    assert paths.safe_name(a) != paths.safe_name(b)
    assert paths.safe_name(a) != paths.safe_name(paths.safe_name(a))  # "~" is encoded if given


@given(st.lists(st.text(min_size=1, max_size=300), min_size=2, max_size=6, unique=True))
def test_safe_and_plain_names_are_one_to_one(tags: list[str]) -> None:
    for f in (paths.safe_name, paths.plain_name):
        names = [f(t) for t in tags]
        assert len(set(names)) == len(tags)
        for n in names:
            assert "/" not in n and "\0" not in n and n not in (".", "..") and not n.startswith(".")
            assert len(n.encode("utf-8", "surrogatepass")) <= paths.NAME_MAX


def test_a_hub_named_like_the_status_file_gets_a_folder_of_its_own() -> None:
    assert paths.node_data("status.json", "N", "json") != paths.STATUS_JSON
    assert not paths.node_data("status.json", "N", "json").startswith(paths.STATUS_JSON + "/")
    assert paths.node_data("status.js", "N", "js").startswith("data/%73tatus.js/")


def test_every_site_path_of_a_hostile_name_is_inside_the_site(tmp_path: Path) -> None:
    for hub in HOSTILE:
        for node in HOSTILE:
            for rel in (
                paths.hub_page(hub),
                paths.node_data(hub, node, "js"),
                paths.node_image(hub, node, "png"),
            ):
                assert len(Path(rel).parts) in (2, 3)
                paths.within(tmp_path, rel)  # raises when outside


@pytest.mark.parametrize("rel", ["..", "../x", "a/../../x", "/etc/passwd", "", ".", "a\0b"])
def test_within_refuses_what_leads_outside_its_folder(tmp_path: Path, rel: str) -> None:
    with pytest.raises(TarwatchError, match="not inside"):
        paths.within(tmp_path / "site", rel)


def test_within_accepts_a_symlinked_subfolder_the_admin_made(tmp_path: Path) -> None:
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "site").mkdir()
    os.symlink(tmp_path / "elsewhere", tmp_path / "site" / "img")
    assert paths.within(tmp_path / "site", "img/ZZ/N.png") == tmp_path / "site" / "img/ZZ/N.png"


@pytest.mark.parametrize("node", ["..", ".", "../../etc/x", "a/b", "/etc/cron.d/x", "x" * 300])
def test_the_legacy_jspath_of_a_hostile_node_stays_in_its_folder(tmp_path: Path, node: str) -> None:
    jspath = str(tmp_path / "www" / "scm_backup_monitor_{node}.json")
    target = jspath_for(jspath, node)
    assert target.parent == tmp_path / "www"
    assert target.name.startswith("scm_backup_monitor_") and target.name.endswith(".json")


def test_the_legacy_jspath_keeps_a_plain_node_as_it_is(tmp_path: Path) -> None:
    jspath = str(tmp_path / "www" / "scm_backup_monitor_{node}.json")
    assert jspath_for(jspath, "Z9:229") == tmp_path / "www" / "scm_backup_monitor_Z9:229.json"
    assert jspath_for("~/x_{node}.json", "SDU") == Path.home() / "x_SDU.json"
    nested = jspath_for(str(tmp_path / "www" / "{node}" / "chart.json"), "SDU")
    assert nested == tmp_path / "www" / "SDU" / "chart.json"


def test_an_empty_tag_is_refused() -> None:
    with pytest.raises(TarwatchError):
        paths.safe_name("")
