"""doctor's output: grouped by hub and node, ✔/✖ and a word on each line, the fix on the line of
its problem, control characters from the nodes escaped, colour only when asked for."""

from __future__ import annotations

from tarwatch.app.doctor import Check
from tarwatch.cli.doctor import render

CHECKS = [
    Check("configuration", True, "loaded from tw.toml"),
    Check("root", False, "/srv/\x1b[2Jbackup: no such folder", "create it", "C2", "n\x071"),
    Check("clock", True, "agrees with the hub's", None, "C2", "n\x071"),
    Check("channel", True, "json://x: understood by Apprise", None, "C2"),
]


def test_doctor_output_is_grouped_and_escaped_without_colour():
    out = render(CHECKS, color=False)
    assert out.splitlines() == [
        "✔ ok      configuration: loaded from tw.toml",
        "hub C2",
        "  node n\\x071",
        "    ✖ PROBLEM root: /srv/\\x1b[2Jbackup: no such folder — fix: create it",
        "    ✔ ok      clock: agrees with the hub's",
        "  ✔ ok      channel: json://x: understood by Apprise",
        "1 problem: not ready",
    ]


def test_doctor_output_is_coloured_only_when_asked_and_ready_when_nothing_is_wrong():
    assert "\x1b[" in render(CHECKS, color=True)
    assert render([CHECKS[0]], color=False).splitlines()[-1] == "ready for the first night"
