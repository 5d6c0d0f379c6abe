"""The page formats as Python does: the page's format.js, loaded in Debian's Chromium with the
facts a published page embeds, gives the text of every case of tarwatch.human.CASES
(tests/unit/formats/test_human.py checks Python on the same cases)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from support.browser import CHROMIUM, chromium
from support.deps import need_executable
from tarwatch import human
from tarwatch.publish.context import page_facts
from tarwatch.publish.jsdata import to_json

pytestmark = pytest.mark.e2e

JS_NAMES = {"exact_size": "exactSize"}


def test_format_js_gives_the_text_of_every_case(tmp_path: Path) -> None:
    need_executable(CHROMIUM, "run scripts/install-system-deps.sh")
    script = (resources.files("tarwatch.publish") / "static" / "format.js").read_text()
    (tmp_path / "format.js").write_text(script)
    (tmp_path / "page.html").write_text(
        '<!doctype html><meta charset="utf-8">'
        f'<script type="application/json" id="tw-facts">{to_json(page_facts())}</script>'
        '<script src="format.js"></script>'
    )
    cases = [[JS_NAMES.get(f, f), arg, text] for f, arg, text in human.CASES]
    with chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((tmp_path / "page.html").as_uri())
        got = page.evaluate(
            "cases => cases.map(([f, arg, want]) => [f, arg, window.tarwatch[f](arg), want])", cases
        )
        extra = page.evaluate(
            """() => [tarwatch.when("2012-11-20T03:00:59.999999+00:00"), tarwatch.when(1353380400, false),
                      tarwatch.age(null), tarwatch.icon("warn"),
                      ...["--tw-alarm-light", "--tw-alarm-bg-dark"].map(
                          v => getComputedStyle(document.documentElement).getPropertyValue(v).trim())]"""
        )
    assert errors == []
    assert [g for g in got if g[2] != g[3]] == []
    colors = [human.COLORS["alarm"][0], human.COLORS_DARK["alarm"][1]]
    assert extra == ["2012-11-20 03:00 UTC", "2012-11-20 03:00", human.NONE, "▲", *colors]
    assert json.loads(to_json(page_facts())) == json.loads(json.dumps(page_facts()))
