"""notify through the real CLI to real servers on 127.0.0.1: an SMTP server (aiosmtpd) receiving
Apprise's mailto:// mail, a webhook (Apprise json://) received by http.server; the world is
local folders (tests/support/backups.py) that `tarwatch --now T run` lists."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from support.mail import free_port
from support.notify_world import LEGACY, MONDAY, OPS, World, make_world
from tarwatch.config.toml import to_toml

pytestmark = pytest.mark.e2e
SECRET = "hunter2hunter2"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path, defaults={"repeat": "6h"})
    try:
        yield w
    finally:
        w.smtp.stop()
        w.hook.stop()


def test_one_mail_when_an_alarm_starts_none_when_nothing_changes_one_reminder_one_recovery(
    world: World,
) -> None:
    assert world.run(MONDAY).code == 0
    assert world.subjects() == []
    world.backups.go_away("SDU")
    r = world.run(MONDAY + timedelta(hours=1))
    assert r.code == 2
    assert world.subjects() == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]
    world.run(MONDAY + timedelta(hours=2))
    world.run(MONDAY + timedelta(hours=6, minutes=59))
    assert len(world.subjects()) == 1
    world.run(MONDAY + timedelta(hours=7))
    assert world.subjects()[1:] == ["tarwatch ZZ: still 1 alarm (SDU unreachable)"]
    world.backups.come_back("SDU")
    assert world.run(MONDAY + timedelta(hours=8)).code == 0
    world.run(MONDAY + timedelta(hours=9))
    assert world.subjects()[2:] == ["tarwatch ZZ: 1 recovered (SDU unreachable)"]


def test_a_mail_has_an_html_and_a_text_part_a_table_and_the_hub_page_link(world: World) -> None:
    world.backups.go_away("SDU")
    world.run(MONDAY)
    (mail,) = world.smtp.to(OPS)
    text, html = mail.part("plain"), mail.part("html")
    for body in (text, html):
        assert "SDU unreachable since 2026-11-23 12:00 UTC: no such folder" in body
        assert "https://backups.example.org/tarwatch/hub/ZZ.html" in body
    assert "<table" in html and "New problems" in html
    assert str(mail.message["From"]) == "tarwatch@example.org"


def test_the_legacy_email_addresses_are_mailed_through_the_configured_smtp_server(world: World) -> None:
    world.backups.go_away("SDU")
    world.run(MONDAY)
    assert world.subjects(LEGACY) == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]
    assert world.smtp.to(LEGACY)[0].part("html")


def test_a_webhook_receives_the_subject_and_the_text(world: World) -> None:
    world.backups.go_away("SDU")
    world.run(MONDAY)
    ((path, doc),) = world.hook.posts
    assert path == "/tarwatch"
    assert doc["title"] == "tarwatch ZZ: 1 alarm (SDU unreachable)"
    assert "New problems:" in doc["message"] and "<table" not in doc["message"]


def test_with_smtp_down_for_a_run_the_mail_is_delivered_once_on_the_next_run(world: World) -> None:
    world.smtp.stop()
    world.backups.go_away("SDU")
    r = world.run(MONDAY)
    assert "NOT sent 'tarwatch ZZ: 1 alarm (SDU unreachable)' to mailto://127.0.0.1" in r.out
    assert "will retry next run" in r.out
    assert world.hook.titles() == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]
    world.smtp.start()
    world.run(MONDAY + timedelta(hours=1))
    world.run(MONDAY + timedelta(hours=2))
    assert world.subjects() == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]
    assert world.subjects(LEGACY) == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]
    assert world.hook.titles() == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]


def test_notify_dry_run_prints_the_message_and_keeps_and_sends_nothing(world: World) -> None:
    world.backups.go_away("SDU")
    world.run(MONDAY, "collect")
    r = world.run(MONDAY, "notify", "--dry-run")
    assert "Subject: tarwatch ZZ: 1 alarm (SDU unreachable)" in r.out
    assert "New problems:" in r.out
    assert world.subjects() == [] and world.hook.posts == []
    world.run(MONDAY, "notify")
    assert world.subjects() == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]


def test_a_snoozed_node_sends_nothing_and_shows_as_snoozed_in_check(world: World) -> None:
    r = world.run(MONDAY, "snooze", "ZZ/SDU", "2d", "--why", "disk swap at SDU")
    assert r.code == 0 and "Snoozed ZZ/SDU for 2d, until 2026-11-25 12:00 UTC" in r.out
    world.backups.go_away("SDU")
    world.run(MONDAY + timedelta(hours=1))
    assert world.subjects() == [] and world.hook.posts == []
    doc = world.run(MONDAY + timedelta(hours=1), "check", "--format", "json").json()
    sdu = next(n for n in doc["hubs"][0]["nodes"] if n["node"] == "SDU")
    assert sdu["status"] == "alarm"
    assert sdu["snoozed"] == {"until": "2026-11-25T12:00:00+00:00", "why": "disk swap at SDU"}
    assert all(i["snoozed"] == sdu["snoozed"] for i in sdu["items"])
    table = world.run(MONDAY + timedelta(hours=1), "check").out
    assert "snoozed until 2026-11-25 12:00 UTC: disk swap at SDU" in table
    nagios = world.run(MONDAY + timedelta(hours=1), "check", "--format", "nagios").out
    assert "[snoozed until 2026-11-25 12:00 UTC: disk swap at SDU]" in nagios
    assert "ZZ/SDU  until 2026-11-25 12:00 UTC" in world.run(MONDAY + timedelta(hours=1), "snooze").out
    # the snooze ends by itself; the node is still away: now people hear of it
    for night in (1, 2):
        world.backups.night(MONDAY.replace(hour=2) + timedelta(days=night))
    world.run(MONDAY + timedelta(days=2, hours=1))
    assert world.subjects() == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]


def test_a_snooze_cleared_early_lets_the_problem_be_told(world: World) -> None:
    world.run(MONDAY, "snooze", "ZZ/SDU", "2d", "--why", "disk swap")
    world.backups.go_away("SDU")
    world.run(MONDAY + timedelta(hours=1))
    assert (
        "Cleared 1 snooze of ZZ/SDU"
        in world.run(MONDAY + timedelta(hours=2), "snooze", "ZZ/SDU", "--clear").out
    )
    world.run(MONDAY + timedelta(hours=3))
    assert world.subjects() == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]


def test_secrets_in_channel_urls_are_never_printed_in_logs_or_config_show(tmp_path: Path) -> None:
    closed = free_port()
    w = make_world(
        tmp_path,
        hub={"notify": [f"json://tw:{SECRET}@127.0.0.1:{closed}/hook?token={SECRET}x"]},
        notify={
            "mail": {
                "smtp_host": "127.0.0.1",
                "smtp_port": closed,
                "smtp_user": "tw",
                "smtp_password": SECRET,
            }
        },
    )
    try:
        w.backups.go_away("SDU")
        r = w.run(MONDAY, "-vv", "run")
        assert "NOT sent" in r.out and "json://tw:***@127.0.0.1" in r.out
        for shown in (
            r,
            w.run(MONDAY, "config", "show"),
            w.run(MONDAY, "config", "show", "--json"),
            w.run(MONDAY, "notify", "--dry-run"),
        ):
            assert SECRET not in shown.out + shown.err
        assert "***" in w.run(MONDAY, "config", "show").out
    finally:
        w.smtp.stop()
        w.hook.stop()


def test_run_publishes_the_site_when_the_configuration_sets_publish_out(tmp_path: Path) -> None:
    site = tmp_path / "site"
    w = make_world(tmp_path, publish={"out": str(site), "url": "https://backups.example.org/tarwatch/"})
    try:
        w.run(MONDAY, "snooze", "ZZ/NTU", "1d", "--why", "moving racks")
        assert w.run(MONDAY).code == 0
        status = json.loads((site / "data" / "status.json").read_text())
        ntu = next(n for n in status["hubs"][0]["nodes"] if n["node"] == "NTU")
        assert ntu["snoozed"] == {"until": "2026-11-24T12:00:00+00:00", "why": "moving racks"}
        assert (site / "hub" / "ZZ.html").is_file()
    finally:
        w.smtp.stop()
        w.hook.stop()


def test_an_unknown_apprise_scheme_is_a_config_error_naming_the_key_before_anything_is_sent(
    tmp_path: Path,
) -> None:
    w = make_world(tmp_path, hub={"notify": ["nosuchservice://ops/room"]})
    try:
        w.backups.go_away("SDU")
        for args in (("run",), ("notify",), ("notify", "--dry-run")):
            r = w.run(MONDAY, *args)
            assert r.code == 2, (args, r.err)
            assert "at 'hubs.ZZ.notify[0]'" in r.err and "nosuchservice://" in r.err
        assert w.smtp.received == [] and w.hook.posts == []
        assert "notify[0]" not in w.run(MONDAY, "check").err  # check sends nothing: no Apprise
    finally:
        w.smtp.stop()
        w.hook.stop()


def test_snooze_refuses_a_target_that_names_nothing_and_lists_what_exists(world: World) -> None:
    world.run(MONDAY, "collect")
    r = world.run(MONDAY, "snooze", "ZZ/SUD", "2d", "--why", "typo")
    assert r.code == 2 and "hub ZZ has no node 'SUD'; its nodes: " in r.err and "SDU" in r.err
    r = world.run(MONDAY, "snooze", "ZZ/SDU/repos/emv", "2d", "--why", "typo")
    assert r.code == 2 and "hub ZZ has no item 'repos/emv'; its items: " in r.err
    r = world.run(MONDAY, "snooze", "YY", "2d", "--why", "typo")
    assert r.code == 2 and "no hub 'YY'; configured: ZZ" in r.err
    assert "Nothing is snoozed." in world.run(MONDAY, "snooze").out


def test_an_alarm_only_channel_without_reminders_gets_the_alarm_not_the_warning_nor_reminders(
    tmp_path: Path,
) -> None:
    w = make_world(tmp_path, hub={"keep_max": 3}, defaults={"repeat": "6h"})  # 7 nights kept: warnings
    try:
        data = tomllib.loads(w.config.read_text())
        hook = next(u for u in data["hubs"]["ZZ"]["notify"] if u.startswith("json://"))
        data["hubs"]["ZZ"]["notify"] = [u for u in data["hubs"]["ZZ"]["notify"] if u != hook] + ["pager"]
        data["notify"]["channels"] = {"pager": {"url": hook, "statuses": ["alarm"], "reminders": False}}
        w.config.write_text(to_toml(data))
        w.run(MONDAY)
        assert w.subjects()[0].startswith("tarwatch ZZ: ") and "warning" in w.subjects()[0]
        assert w.hook.posts == []  # warnings only: not for the pager
        w.backups.go_away("SDU")
        w.run(MONDAY + timedelta(hours=1))
        assert w.hook.titles() == [w.subjects()[1]] and "1 alarm" in w.subjects()[1]
        w.run(MONDAY + timedelta(hours=8))  # reminders due: by mail only
        assert w.subjects()[2].startswith("tarwatch ZZ: still ")
        assert len(w.hook.posts) == 1
    finally:
        w.smtp.stop()
        w.hook.stop()


def test_a_maintenance_window_in_force_sends_nothing_and_the_first_run_after_it_does(tmp_path: Path) -> None:
    w = make_world(tmp_path, hub={"maintenance": ["mon 11:00-13:00"]})  # MONDAY is at noon
    try:
        w.backups.go_away("SDU")
        w.run(MONDAY)
        assert w.subjects() == [] and w.hook.posts == []
        doc = w.run(MONDAY, "check", "--format", "json").json()
        sdu = next(n for n in doc["hubs"][0]["nodes"] if n["node"] == "SDU")
        assert sdu["status"] == "alarm"
        assert sdu["snoozed"] == {
            "until": "2026-11-23T13:00:00+00:00",
            "why": "maintenance window mon 11:00-13:00",
        }
        w.run(MONDAY + timedelta(hours=1))
        assert w.subjects() == ["tarwatch ZZ: 1 alarm (SDU unreachable)"]
    finally:
        w.smtp.stop()
        w.hook.stop()
