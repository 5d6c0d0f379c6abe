"""Credentials in `publish.url` and a hub's `url`: the link in a message is built by URL rules
(the hub's page joined to the path, the query kept after it) and sent in full to the hub's
channels (the reader needs it to open the page); `config show`, `notify --dry-run`, the run's
output and the kept messages show it redacted; the published hub page links the hub's `url`
without its credentials."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.notify_world import MONDAY, OPS, World, make_world

pytestmark = pytest.mark.e2e
TOKEN, PASSWORD, HUB_KEY, HUB_PASSWORD = "t0k3nT0K3N9", "s3cretPW77", "hubK3Y0042", "hubPW0099"
SITE = f"https://ops:{PASSWORD}@backups.example.org/tarwatch/?token={TOKEN}&view=all"
LINK = f"https://ops:{PASSWORD}@backups.example.org/tarwatch/hub/ZZ.html?token={TOKEN}&view=all"
SHOWN = "https://ops:***@backups.example.org/tarwatch/hub/ZZ.html?token=***&view=all"
HUB_URL = f"https://admin:{HUB_PASSWORD}@hub.example.org/report?key={HUB_KEY}&page=1"
SECRETS = (TOKEN, PASSWORD, HUB_KEY, HUB_PASSWORD)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = make_world(tmp_path, hub={"url": HUB_URL}, publish={"url": SITE, "out": str(tmp_path / "site")})
    try:
        yield w
    finally:
        w.smtp.stop()
        w.hook.stop()


def _hidden(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret} shown in {where}"


def test_config_show_masks_publish_url_and_the_hubs_url(world: World) -> None:
    for args in (("config", "show"), ("config", "show", "--json")):
        r = world.run(MONDAY, *args)
        assert r.code == 0
        _hidden(r.out + r.err, " ".join(args))
    doc = json.loads(world.run(MONDAY, "config", "show", "--json").out)
    assert doc["publish"]["url"] == "https://ops:***@backups.example.org/tarwatch/?token=***&view=all"
    assert doc["hubs"]["ZZ"]["url"] == "https://admin:***@hub.example.org/report?key=***&page=1"


def test_the_mail_carries_the_working_link_and_nothing_else_shows_its_secrets(world: World) -> None:
    world.backups.go_away("SDU")
    world.run(MONDAY, "collect")
    dry = world.run(MONDAY, "notify", "--dry-run")
    _hidden(dry.out + dry.err, "notify --dry-run")
    assert f"Details: {SHOWN}" in dry.out
    r = world.run(MONDAY, "-v", "run")
    assert r.code == 2
    _hidden(r.out + r.err, "the run's output")
    (mail,) = world.smtp.to(OPS)
    assert LINK in mail.part("plain")
    assert f'href="{LINK.replace("&", "&amp;")}"' in mail.part("html")
    ((_path, doc),) = world.hook.posts
    assert LINK in doc["message"]
    db = sqlite3.connect(world.backups.base / "tarwatch.db")
    for row in db.execute("SELECT subject, text, html FROM notify_messages"):
        _hidden(" ".join(row), "notify_messages")
        assert SHOWN in row[1]
    page = (world.backups.base.parent / "site" / "hub" / "ZZ.html").read_text()
    _hidden(page, "the hub's page")
    assert 'href="https://hub.example.org/report?page=1"' in page
