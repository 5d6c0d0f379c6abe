"""check's table written without rich: plain() writes a line only as rich would write it
(drawn() is the reference), at every width around the line's own length; otherwise it declines
and rich draws. A healthy report, as cron reads it, takes the plain way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tarwatch.checks.model import HubVerdict, ItemVerdict, NodeVerdict, Report
from tarwatch.formats.table import ONE_CELL, Line, drawn, plain, render_table, report_blocks
from tarwatch.human import ICONS, TERMINAL
from tarwatch.records import Status

LINES: list[Line] = [
    (("tarwatch: ✔ OK (as of 2026-11-25 12:00 UTC)", "green"),),
    (("hub H: ", ""), ("✔ ok", "green"), (" (5 nodes)", "")),
    (("restore drills: every item's newest tarball is tested within 3 runs on N1, N2", "dim"),),
    (("a line with [bold]markup[/bold] and :smile: as text", ""),),
    (("two  spaces   inside, and words", ""),),
    ((" leading space", ""),),
    (("trailing space ", ""),),
    (("a\ttab", ""),),
    (("wide 漢字 characters", ""),),
    (("an é accent", ""),),
    (("", ""),),
    (("x" * 90, ""),),
]


@pytest.mark.parametrize("line", LINES, ids=range(len(LINES)))
def test_a_plain_line_is_what_rich_writes_at_every_width_around_it(line: Line) -> None:
    length = len("".join(t for t, _ in line))
    for width in sorted({1, 2, *range(max(1, length - 3), length + 4), 80, 140}):
        text = plain([line], width)
        if text is not None:
            assert text == drawn([line], False, width), width


@given(st.text(alphabet=st.sampled_from(sorted(ONE_CELL | {"é", "漢", "\u200b"})), max_size=60))
def test_plain_never_differs_from_rich(text: str) -> None:
    for width in (10, 40, 80):
        got = plain([((text, "bold"),)], width)
        if got is not None:
            assert got == drawn([((text, "bold"),)], False, width)


def test_the_status_icons_are_one_cell_as_rich_counts_them() -> None:
    from rich.cells import cell_len

    assert all(cell_len(icon) == 1 for icon in ICONS.values())


NOW = 1_764_072_000.0  # 2025-11-25 12:00 UTC


def healthy(nodes: int = 5) -> Report:
    item = ItemVerdict("db/main", Status.OK, NOW - 3600, 2048, 7, None)
    verdicts = [NodeVerdict(f"N{n}", Status.OK, True, NOW, None, [item]) for n in range(nodes)]
    return Report(NOW, Status.OK, [HubVerdict("H", Status.OK, "h", verdicts)])


def test_a_healthy_report_without_colour_is_written_plainly_and_as_rich_would() -> None:
    report = healthy()
    for quiet in (False, True):
        blocks = report_blocks(report, show_all=False, narrow=False, quiet=quiet)
        text = plain(blocks, 140)
        assert text is not None
        assert text == drawn(blocks, False, 140) == render_table(report, color=False, width=140, quiet=quiet)
    assert render_table(report, color=False, width=140) == (
        f"tarwatch: {ICONS['ok']} OK (as of 2025-11-25 12:00 UTC)\nhub H: {ICONS['ok']} ok (5 nodes)\n"
    )


def test_colour_and_tables_are_drawn_by_rich() -> None:
    report = healthy()
    coloured = render_table(report, color=True, width=140)
    assert "\x1b[" in coloured and TERMINAL["ok"] == "green"
    blocks = report_blocks(report, show_all=True, narrow=False, quiet=False)
    assert plain(blocks, 140) is None  # --all: every item, in a table
    assert "db/main" in render_table(report, color=False, width=140, show_all=True)
