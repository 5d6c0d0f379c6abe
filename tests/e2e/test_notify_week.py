"""Acceptance: `tarwatch --now T run`, repeated over a scripted week of a world where a node goes
away, a transfer stalls and both recover, produces exactly the expected messages, in order, on
every channel (mail to an Apprise mailto:// URL, mail to a legacy `email` address, a webhook)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from support.notify_world import LEGACY, MONDAY, OPS, make_world

pytestmark = pytest.mark.e2e
DAY = timedelta(days=1)

# (day after Monday, hour of the run, what happens before it, the message that run sends)
WEEK = [
    (0, 12, None, None),
    (1, 12, "SDU goes away", "tarwatch ZZ: 1 alarm (SDU unreachable)"),
    (1, 18, None, None),
    (2, 12, "NTU's repos/env transfer stalls", "tarwatch ZZ: 2 alarms, 1 warning (NTU repos/env transfer)"),
    (3, 12, None, "tarwatch ZZ: 3 alarms (NTU repos/env stale 58h)"),
    (4, 12, "SDU comes back", "tarwatch ZZ: 2 alarms, 1 recovered (NTU repos/env stale 3.4d)"),
    (5, 12, "NTU's transfer resumes", "tarwatch ZZ: 2 recovered (NTU repos/env stale)"),
    (6, 12, None, "tarwatch ZZ: all is well"),
    (6, 18, None, None),
    (7, 12, None, None),
]


def test_a_week_of_runs_sends_exactly_the_expected_messages_in_order_on_every_channel(tmp_path: Path) -> None:
    w = make_world(tmp_path, defaults={"all_well": "sunday"})
    b = w.backups
    events = {
        "SDU goes away": lambda: b.go_away("SDU"),
        "NTU's repos/env transfer stalls": lambda: b.stall("NTU", "repos/env"),
        "SDU comes back": lambda: b.come_back("SDU"),
        "NTU's transfer resumes": lambda: b.resume("NTU", "repos/env"),
    }
    try:
        made = 0
        for day, hour, event, expected in WEEK:
            if event:
                events[event]()
            while made < day:  # each night's backup, at 02:00, made before the event of the day
                made += 1
                b.night(MONDAY.replace(hour=2) + made * DAY)
            before = len(w.subjects())
            r = w.run(MONDAY.replace(hour=hour) + day * DAY)
            got = w.subjects()[before:]
            assert got == ([expected] if expected else []), f"day {day} {hour}:00: {r.out}"
        wanted = [e for *_, e in WEEK if e]
        assert w.subjects(OPS) == wanted
        assert w.subjects(LEGACY) == wanted
        assert w.hook.titles() == wanted
    finally:
        w.smtp.stop()
        w.hook.stop()
