"""The one place for what people read: every case of human.CASES (the page's format.js is
checked against the same cases in Chromium), and the facts the page gets."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tarwatch import human
from tarwatch.publish.context import page_facts
from tarwatch.records import Status


@pytest.mark.parametrize(("function", "argument", "text"), human.CASES, ids=lambda v: repr(v))
def test_each_case_reads_as_written(function: str, argument: float | None, text: str) -> None:
    assert getattr(human, function)(argument) == text


def test_a_duration_is_the_same_as_a_timedelta_or_as_seconds() -> None:
    assert human.duration(timedelta(hours=50)) == human.duration(180000) == "50 hours"
    assert human.duration(timedelta(days=3.2)) == "3.2 days"


def test_a_moment_without_its_zone_is_for_a_column_headed_utc() -> None:
    assert human.when(1353380400, zone=False) == "2012-11-20 03:00"
    assert human.when(1353380404, seconds=True) == "2012-11-20 03:00:04 UTC"
    assert human.when(1e20) == "?"  # no datetime holds it


def test_every_status_has_one_icon_one_colour_and_one_terminal_style() -> None:
    for s in Status:
        assert human.ICONS[s] and human.COLORS[s] and human.TERMINAL[s]
    assert human.ICONS[Status.WARN] == "▲"


@pytest.mark.parametrize("palette", ["COLORS", "COLORS_DARK"])
def test_every_status_text_reads_on_its_background_in_both_themes(palette: str) -> None:
    colors = getattr(human, palette)
    assert set(colors) == set(Status)
    low = {s: round(human.contrast(fg, bg), 2) for s, (fg, bg) in colors.items()}
    assert {s: c for s, c in low.items() if c < human.CONTRAST_MIN} == {}, low


def test_contrast_is_the_wcag_ratio() -> None:
    assert round(human.contrast("#000000", "#ffffff"), 1) == 21.0
    assert human.contrast("#777777", "#777777") == 1.0
    assert round(human.contrast("#767676", "#ffffff"), 2) == 4.54  # the lightest grey on white for AA
    assert human.CONTRAST_MIN == 4.5


def test_the_page_gets_the_facts_as_json_with_the_rules_steps_and_units() -> None:
    facts = json.loads(json.dumps(page_facts()))
    assert facts["icons"] == human.ICONS and facts["none"] == human.NONE
    assert [s["word"] for s in facts["steps"]] == ["seconds", "minutes", "hours", "days"]
    assert facts["steps"][-1]["below"] is None
    assert [u["unit"] for u in facts["size"]["units"]] == ["B", "KiB", "MiB", "GiB", "TiB"]
    assert facts["colors"]["alarm"] == {"text": "#b3261e", "background": "#fde7e5"}
    assert facts["colors_dark"]["alarm"] == {"text": "#ff8a80", "background": "#3d1512"}
    assert len(facts["chart"]["colors"]) == 20 and facts["chart"]["count"].startswith("#")
